import { z } from 'zod';
import type { GateResult } from '../../shared/result/gate-result.ts';

/** One figure of the candidate against the baseline (or the base branch), as a gate reported it. */
export interface Comparison {
  gate: string;
  metric: string;
  baseline?: number;
  candidate?: number;
  /** Whether a larger value is better; unknown leaves the arrow without a judgement. */
  higherIsBetter?: boolean;
  /** 95% confidence interval of the difference or ratio, as the gate computed it. */
  interval?: [number, number];
  significant?: boolean;
  pValue?: number;
  /** The check that judged this comparison, when there is one. */
  status?: GateResult['checks'][number]['status'];
}

const finite = z.number().refine(Number.isFinite);
const Interval = z.tuple([finite, finite]);

/** `details.comparisons`: the explicit form any gate can use. */
const DeclaredComparison = z.object({
  metric: z.string().min(1),
  baseline: finite.optional(),
  candidate: finite.optional(),
  higherIsBetter: z.boolean().optional(),
  interval: Interval.optional(),
  significant: z.boolean().optional(),
  pValue: finite.optional(),
});

/** DVC's `metrics diff --json` shape, which rerun-experiments reports: `{file: {key: {old, new, diff}}}`. */
const MetricsDiff = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({
      old: finite.nullable().optional(),
      new: finite.nullable().optional(),
      diff: finite.nullable().optional(),
    }),
  ),
);

/** A check that carries its own baseline: `observed` against a numeric `baseline` field. */
const BaselineCheck = z.looseObject({
  id: z.string(),
  status: z.enum(['pass', 'warn', 'fail', 'skip', 'error']),
  observed: finite,
  baseline: finite,
  interval: Interval.optional(),
  significant: z.boolean().optional(),
  pValue: finite.optional(),
  higherIsBetter: z.boolean().optional(),
});

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * Every baseline comparison a result carries, in three forms: `details.comparisons` (explicit), a DVC
 * metrics diff anywhere at the top of `details`, and checks with a numeric `baseline` next to `observed`.
 * Anything that does not fit a form is ignored: results come from other jobs and may be untrusted.
 */
export function extractComparisons(result: GateResult): Comparison[] {
  const found: Comparison[] = [];
  const details = result.details ?? {};
  const declared = z.array(DeclaredComparison).safeParse(details.comparisons);
  if (declared.success) {
    for (const entry of declared.data) {
      found.push({
        gate: result.gate,
        metric: entry.metric,
        ...optional('baseline', entry.baseline),
        ...optional('candidate', entry.candidate),
        ...optional('higherIsBetter', entry.higherIsBetter),
        ...optional('interval', entry.interval),
        ...optional('significant', entry.significant),
        ...optional('pValue', entry.pValue),
      });
    }
  }
  for (const [key, value] of Object.entries(details)) {
    if (key === 'comparisons' || value === null || typeof value !== 'object' || Array.isArray(value))
      continue;
    const diff = MetricsDiff.safeParse(value);
    if (!diff.success) continue;
    for (const [file, metrics] of Object.entries(diff.data)) {
      for (const [metric, change] of Object.entries(metrics)) {
        if (change.old == null && change.new == null) continue;
        found.push({
          gate: result.gate,
          metric: `${file}: ${metric}`,
          ...optional('baseline', change.old ?? undefined),
          ...optional('candidate', change.new ?? undefined),
        });
      }
    }
  }
  for (const check of result.checks) {
    const parsed = BaselineCheck.safeParse(check);
    if (!parsed.success) continue;
    found.push({
      gate: result.gate,
      metric: parsed.data.id,
      baseline: parsed.data.baseline,
      candidate: parsed.data.observed,
      status: parsed.data.status,
      ...optional('higherIsBetter', parsed.data.higherIsBetter),
      ...optional('interval', parsed.data.interval),
      ...optional('significant', parsed.data.significant),
      ...optional('pValue', parsed.data.pValue),
    });
  }
  return found;
}
