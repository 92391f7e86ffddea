import { z } from 'zod';

/** The schema tag every result file carries; bump the suffix on a breaking change. */
export const GATE_RESULT_SCHEMA = 'mlgate/gate-result@1';

export const GateStatus = z.enum(['pass', 'warn', 'fail', 'error']);
export type GateStatus = z.infer<typeof GateStatus>;

export const CheckStatus = z.enum(['pass', 'warn', 'fail', 'skip', 'error']);
export type CheckStatus = z.infer<typeof CheckStatus>;

const Location = z.object({
  file: z.string(),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
});

/** A waiver that turned this check's failure into a warning. */
export const AppliedWaiver = z.object({ check: z.string(), reason: z.string(), until: z.string() });

/**
 * One verdict on one thing. `id` is dotted (`<dataset>.<column>.<rule>`, `<scenario>.<batch>.<statistic>`...).
 * Gates may add fields of their own (e.g. `failing`, `examples`, `interval`); they are kept as written.
 */
export const Check = z.looseObject({
  id: z.string().min(1),
  status: CheckStatus,
  message: z.string(),
  observed: z.unknown().optional(),
  expected: z.unknown().optional(),
  /** Where the rule that failed was written, so annotations can point at it. */
  location: Location.optional(),
  waived: AppliedWaiver.optional(),
});
export type Check = z.infer<typeof Check>;

/** A table a person reads in the summary and the model card. Cells are already formatted. */
export const Table = z.object({
  title: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});
export type Table = z.infer<typeof Table>;

/**
 * A chart rendered as Mermaid `xychart-beta`: one value per label in each series. xychart draws every bar
 * series at the same x, so a chart holds at most one bar series; references (a limit, "no change") are
 * lines. `yMin`/`yMax` fix the axis (from zero, or centred on 1 for ratios) instead of the data's range.
 */
export const Chart = z.object({
  title: z.string(),
  kind: z.enum(['bar', 'line']),
  labels: z.array(z.string()),
  yLabel: z.string(),
  yMin: z.number().optional(),
  yMax: z.number().optional(),
  series: z.array(
    z.object({ name: z.string(), values: z.array(z.number()), kind: z.enum(['bar', 'line']).optional() }),
  ),
});
export type Chart = z.infer<typeof Chart>;

export const Subject = z.object({
  model: z
    .object({ name: z.string(), version: z.string().optional(), sha256: z.string().optional() })
    .optional(),
  commit: z.string().optional(),
});
export type Subject = z.infer<typeof Subject>;

export const WaiverReport = z.object({
  check: z.string(),
  reason: z.string(),
  until: z.string(),
  state: z.enum(['applied', 'unused', 'expired']),
});
export type WaiverReport = z.infer<typeof WaiverReport>;

/** What every gate writes to `<out>/<gate>.json`. */
export const GateResult = z.object({
  schema: z.literal(GATE_RESULT_SCHEMA),
  gate: z.string(),
  status: GateStatus,
  summary: z.string(),
  checks: z.array(Check),
  metrics: z.record(z.string(), z.number()),
  subject: Subject,
  startedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  tool: z.object({ name: z.literal('mlgate'), version: z.string() }),
  waivers: z.array(WaiverReport).optional(),
  tables: z.array(Table).optional(),
  charts: z.array(Chart).optional(),
  /** Gate-specific data for other consumers (the model card); each gate documents its shape. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type GateResult = z.infer<typeof GateResult>;

/** The process exit code for a status: 0 pass or warn, 1 fail, 2 error. */
export function exitCodeFor(status: GateStatus): 0 | 1 | 2 {
  switch (status) {
    case 'pass':
    case 'warn':
      return 0;
    case 'fail':
      return 1;
    case 'error':
      return 2;
  }
}

const SEVERITY: Record<CheckStatus, number> = { skip: 0, pass: 0, warn: 1, fail: 2, error: 3 };

/** The gate's status from its checks: the worst one wins; no checks at all is a pass. */
export function statusFromChecks(checks: readonly Pick<Check, 'status'>[]): GateStatus {
  let worst = 0;
  for (const check of checks) worst = Math.max(worst, SEVERITY[check.status]);
  return (['pass', 'warn', 'fail', 'error'] as const)[worst]!;
}

/** The worst of several gate statuses, for `mlgate run` and the model card's verdict. */
export function worstStatus(statuses: readonly GateStatus[]): GateStatus {
  return statusFromChecks(statuses.map((status) => ({ status })));
}
