import { z } from 'zod';
import { GateStatus } from '../result/gate-result.ts';

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
  gates: z.array(
    z.object({
      gate: z.string(),
      status: GateStatus,
      summary: z.string(),
      startedAt: z.string(),
      /** sha256 of the result file's bytes, so the bundle pins the exact results it summarises. */
      resultSha256: Sha256,
      checks: z.object({
        pass: z.number().int(),
        warn: z.number().int(),
        fail: z.number().int(),
        error: z.number().int(),
        skip: z.number().int(),
      }),
    }),
  ),
  /** The worst gate status: what a reviewer and `promote` read first. */
  verdict: GateStatus,
});
export type Evidence = z.infer<typeof Evidence>;
