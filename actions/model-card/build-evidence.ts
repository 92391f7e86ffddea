import { relative, resolve, sep } from 'node:path';
import { EVIDENCE_SCHEMA, Evidence, evidenceGate } from '../../shared/evidence/evidence.ts';
import type { OnnxMetadata } from '../../shared/onnx/read-model-metadata.ts';
import { worstStatus } from '../../shared/result/gate-result.ts';
import { MLGATE_VERSION } from '../../shared/version.ts';
import type { LoadedResult } from './read-results.ts';

export interface EvidenceInputs {
  model: {
    name: string;
    version?: string | undefined;
    path: string;
    /** sha256 of `bytes`, checked against every result's subject before the bundle is built. */
    sha256: string;
    bytes: Uint8Array;
    onnx: OnnxMetadata;
  };
  commit?: string | undefined;
  datasets: { name: string; path: string; sha256: string }[];
  results: readonly LoadedResult[];
  /** The folder the bundle is written to: result paths are recorded relative to it. */
  dir: string;
  createdAt: Date;
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
      sha256: model.sha256,
      sizeBytes: model.bytes.byteLength,
      onnx,
    },
    ...(inputs.commit ? { commit: inputs.commit } : {}),
    datasets: inputs.datasets,
    gates: inputs.results.map(({ result, sha256, file }) =>
      evidenceGate(result, sha256, relative(inputs.dir, resolve(file)).split(sep).join('/')),
    ),
    verdict: worstStatus(inputs.results.map(({ result }) => result.status)),
  });
}
