import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../shared/errors.ts';
import { Evidence } from '../../shared/evidence/evidence.ts';
import type { Runtime } from '../../shared/runtime/runtime.ts';
import type { CardData } from './card-data.ts';
import { extractComparisons } from './comparisons.ts';
import { publishReport } from './publish-report.ts';
import { OWN_OUTPUT_FILES, orderResults, readResults } from './read-results.ts';

/**
 * The `workflow_run` half of the fork pattern: posts the pull-request report from a folder that another
 * workflow run uploaded. That folder is untrusted (a fork controls what its run uploads), so it is only
 * read as data: the evidence and every result are validated with their schemas, the results must be the
 * exact files the evidence pins, the comment is re-rendered here from those values (never copied), the
 * marker comes from the trusted config, and no commit status is set from it.
 */
export async function reportFrom(
  runtime: Runtime,
  dir: string,
  options: {
    modelName: string;
    gateOrder: readonly string[];
    pullRequest?: number | undefined;
    sha?: string | undefined;
  },
): Promise<string> {
  const evidenceFile = join(dir, OWN_OUTPUT_FILES.evidence);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(evidenceFile, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? 'no evidence.json in the downloaded results' : 'not valid JSON',
      {
        file: evidenceFile,
      },
    );
  }
  const parsed = Evidence.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(`not an mlgate evidence bundle (${parsed.error.issues[0]!.message})`, {
      file: evidenceFile,
    });
  }
  const evidence = parsed.data;
  if (evidence.model.name !== options.modelName) {
    throw new InputError(
      `evidence is about model ${evidence.model.name}, the config's model is ${options.modelName}`,
      {
        file: evidenceFile,
      },
    );
  }
  const results = orderResults(await readResults([{ dir, recursive: true }]), options.gateOrder);
  for (const gate of evidence.gates) {
    const result = results.find((candidate) => candidate.result.gate === gate.gate);
    if (!result || result.sha256 !== gate.resultSha256) {
      throw new InputError(
        `the result of ${gate.gate} is missing or differs from the one the evidence pins`,
        {
          file: evidenceFile,
        },
      );
    }
  }
  const pinned = results.filter((loaded) => evidence.gates.some((gate) => gate.gate === loaded.result.gate));
  const data: CardData = {
    evidence,
    results: pinned,
    comparisons: pinned.flatMap(({ result }) => extractComparisons(result)),
    runUrl: runtime.context.runUrl,
  };
  const sha = options.sha ?? evidence.commit;
  const published = await publishReport(runtime, data, {
    comment: true,
    statuses: false,
    pullRequest: options.pullRequest,
    sha,
    artifactName: `model-card-${options.modelName}`,
    includeCard: false,
  });
  const comment = published.checks.find((check) => check.id === 'report.comment');
  return comment ? `model-card: ${comment.message}` : 'model-card: nothing to post';
}
