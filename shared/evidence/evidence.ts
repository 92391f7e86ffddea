import { z } from 'zod';
import { type CheckStatus, type GateResult, GateStatus } from '../result/gate-result.ts';

/** The schema tag of the evidence bundle; bump the suffix on a breaking change. */
export const EVIDENCE_SCHEMA = 'mlgate/evidence@1';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a hex sha256' });

const TensorSignature = z.object({
  name: z.string(),
  /** ONNX element type name, e.g. `float`, `int64`, `string`. */
  dtype: z.string(),
  /** Dimensions; a string is a symbolic dimension such as `N`. */
  shape: z.array(z.union([z.number().int(), z.string()])),
});

/** One gate's line in the bundle: what its result file says, and that file's digest and place. */
export const EvidenceGate = z.object({
  gate: z.string(),
  status: GateStatus,
  summary: z.string(),
  startedAt: z.string(),
  /** sha256 of the result file's bytes, so the bundle pins the exact results it summarises. */
  resultSha256: Sha256,
  /**
   * Where the result file was, relative to the bundle's folder with `/` separators, so `promote` can find
   * the pinned file again and re-derive the status from it. Absent in bundles written before it existed.
   */
  result: z.string().optional(),
  checks: z.object({
    pass: z.number().int(),
    warn: z.number().int(),
    fail: z.number().int(),
    error: z.number().int(),
    skip: z.number().int(),
  }),
});
export type EvidenceGate = z.infer<typeof EvidenceGate>;

/**
 * What `model-card` writes to `<out>/evidence.json` and `promote` verifies: it binds the gates' verdicts
 * to the exact model bytes (sha256) and data they were measured on.
 */
export const Evidence = z.object({
  schema: z.literal(EVIDENCE_SCHEMA),
  createdAt: z.iso.datetime(),
  tool: z.object({ name: z.literal('mlgate'), version: z.string() }),
  model: z.object({
    name: z.string(),
    version: z.string().optional(),
    /** Path as written in the config, relative to it. */
    path: z.string(),
    sha256: Sha256,
    sizeBytes: z.number().int().nonnegative(),
    onnx: z.object({
      irVersion: z.number().int().optional(),
      producer: z.string().optional(),
      producerVersion: z.string().optional(),
      opsets: z.array(z.object({ domain: z.string(), version: z.number().int() })),
      inputs: z.array(TensorSignature),
      outputs: z.array(TensorSignature),
    }),
  }),
  /** The commit the evidence was produced at. */
  commit: z.string().optional(),
  datasets: z.array(z.object({ name: z.string(), path: z.string(), sha256: Sha256 })),
  gates: z.array(EvidenceGate),
  /** The worst gate status: what a reviewer and `promote` read first. */
  verdict: GateStatus,
});
export type Evidence = z.infer<typeof Evidence>;

/**
 * The bundle's line for one gate, derived from its result file alone: `model-card` writes it and `promote`
 * derives it again from the pinned file to catch a bundle that no longer says what its results say.
 */
export function evidenceGate(result: GateResult, resultSha256: string, file?: string): EvidenceGate {
  const checks: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 };
  for (const check of result.checks) checks[check.status]++;
  return {
    gate: result.gate,
    status: result.status,
    summary: result.summary,
    startedAt: result.startedAt,
    resultSha256,
    ...(file !== undefined ? { result: file } : {}),
    checks,
  };
}
