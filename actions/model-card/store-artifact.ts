import type { Check } from '../../shared/result/gate-result.ts';
import { ArtifactUnavailableError, type Runtime } from '../../shared/runtime/runtime.ts';

/**
 * Keeps the card, the evidence and the results as a workflow artifact. The artifact is a copy: when the
 * service cannot take it (a quota, an outage, a server without the service) the verdict stands and the
 * gate warns, since the comment and the statuses are already posted and the files are still in `--out`.
 */
export async function storeArtifact(
  runtime: Runtime,
  name: string,
  files: readonly string[],
  rootDir: string,
): Promise<Check | undefined> {
  if (runtime.kind !== 'github') return undefined;
  try {
    await runtime.artifacts.upload(name, files, rootDir);
  } catch (error) {
    if (!(error instanceof ArtifactUnavailableError)) throw error;
    return {
      id: 'artifact',
      status: 'warn',
      message: `${error.message}; the card and the evidence are only in this job's summary and files`,
    };
  }
  return { id: 'artifact', status: 'pass', message: `stored ${files.length} files as the artifact ${name}` };
}
