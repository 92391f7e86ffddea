import { createHash } from 'node:crypto';
import { EVIDENCE_SCHEMA, Evidence } from '../../shared/evidence/evidence.ts';
import type { OnnxMetadata } from '../../shared/onnx/read-model-metadata.ts';
import { type CheckStatus, worstStatus } from '../../shared/result/gate-result.ts';
import { MLGATE_VERSION } from '../../shared/version.ts';
import type { LoadedResult } from './read-results.ts';

export interface EvidenceInputs {
  model: { name: string; version?: string | undefined; path: string; bytes: Uint8Array; onnx: OnnxMetadata };
  commit?: string | undefined;
  datasets: { name: string; path: string; sha256: string }[];
  results: readonly LoadedResult[];
  createdAt: Date;
}

function countChecks(result: LoadedResult['result']): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 };
  for (const check of result.checks) counts[check.status]++;
  return counts;
}

/**
 * The evidence bundle: the gates' verdicts bound to the sha256 of the exact model bytes they judged and
 * of the result files they wrote. Parsed with its own schema so nothing invalid is ever written.
 */
export function buildEvidence(inputs: EvidenceInputs): Evidence {
  const { model } = inputs;
  const { metadata: _metadata, ...onnx } = model.onnx;
  return Evidence.parse({
    schema: EVIDENCE_SCHEMA,
    createdAt: inputs.createdAt.toISOString(),
    tool: { name: 'mlgate', version: MLGATE_VERSION },
    model: {
      name: model.name,
      ...(model.version ? { version: model.version } : {}),
      path: model.path,
      sha256: createHash('sha256').update(model.bytes).digest('hex'),
      sizeBytes: model.bytes.byteLength,
      onnx,
    },
    ...(inputs.commit ? { commit: inputs.commit } : {}),
    datasets: inputs.datasets,
    gates: inputs.results.map(({ result, sha256 }) => ({
      gate: result.gate,
      status: result.status,
      summary: result.summary,
      startedAt: result.startedAt,
      resultSha256: sha256,
      checks: countChecks(result),
    })),
    verdict: worstStatus(inputs.results.map(({ result }) => result.status)),
  });
}
