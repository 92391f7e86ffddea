import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import { runGitBytes } from './git.ts';
import type { CurrentAssignment } from './registry.ts';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256 of the blob at `commit:path`, or undefined when the repository has no such blob. */
export async function blobDigest(repoDir: string, commit: string, path: string): Promise<string | undefined> {
  try {
    return sha256(await runGitBytes(repoDir, ['cat-file', 'blob', `${commit}:${path}`]));
  } catch {
    return undefined;
  }
}

/**
 * The bytes of the model that holds a stage, read from git at the commit it was registered at, and
 * verified against the recorded digest. Throws InputError when the path was not recorded, the
 * checkout lacks the commit (fetch with `fetch-depth: 0`), or the bytes do not match.
 */
export async function readAssignedModel(repoDir: string, assignment: CurrentAssignment): Promise<Buffer> {
  const where = `${assignment.tag} (v${assignment.version})`;
  if (!assignment.modelPath) {
    throw new InputError(
      `${where} records no model-path: its model file was not tracked in git when promoted`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await runGitBytes(repoDir, ['cat-file', 'blob', `${assignment.commit}:${assignment.modelPath}`]);
  } catch {
    throw new InputError(
      `${where}: ${assignment.modelPath} at ${assignment.commit.slice(0, 12)} is not in this repository (fetch the full history)`,
    );
  }
  if (assignment.digest && sha256(bytes) !== assignment.digest) {
    throw new InputError(
      `${where}: digest mismatch: ${assignment.modelPath} at ${assignment.commit.slice(0, 12)} is not the promoted model`,
    );
  }
  return bytes;
}
