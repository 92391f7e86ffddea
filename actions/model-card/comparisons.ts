import { z } from 'zod';
import type { GateResult } from '../../shared/result/gate-result.ts';

/** One figure of the candidate against the baseline (or the base branch), as a gate reported it. */
export interface Comparison {
  gate: string;
  metric: string;
  /**
   * `values`: baseline and candidate figures; `ratio`: candidate / baseline (1 is no change);
   * `difference`: candidate − baseline (0 is no change).
   */
  kind: 'values' | 'ratio' | 'difference';
  baseline?: number;
  candidate?: number;
  /** The ratio or the difference, for those kinds. */
  estimate?: number;
  /** Whether a larger value (or ratio, or difference) is better; unknown leaves the change unjudged. */
  higherIsBetter?: boolean;
  /** Confidence interval of the estimate (or of the difference), as the gate computed it. */
  interval?: [number, number];
  /** Its confidence level, e.g. 0.95. */
  confidence?: number;
  significant?: boolean;
  pValue?: number;
  /** Whether `pValue` was adjusted for multiple comparisons. */
  adjusted?: boolean;
  /** The gate's own word on the comparison (e.g. `pass`, `inconclusive`) and the bound it judged against. */
  verdict?: string;
  expected?: string;
  /** The check that judged this comparison, when there is one. */
  status?: GateResult['checks'][number]['status'];
}

const finite = z.number().refine(Number.isFinite);
/** `[low, high]` or `{ lower, upper, confidence? }`: both forms occur in results. */
const Interval = z.union([
  z.tuple([finite, finite]).transform(([lower, upper]) => ({ lower, upper, confidence: undefined })),
  z.looseObject({ lower: finite, upper: finite, confidence: finite.optional() }),
]);

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

const DiffEntry = z.object({ old: z.unknown().optional(), new: z.unknown().optional() });

/** A check that judged something against the baseline: its estimate, interval and extra fields. */
const JudgedCheck = z.looseObject({
  id: z.string(),
  status: z.enum(['pass', 'warn', 'fail', 'skip', 'error']),
  observed: finite,
  baseline: finite.optional(),
  interval: Interval.nullable().optional(),
  significant: z.boolean().optional(),
  pValue: finite.nullable().optional(),
  adjustedPValue: finite.nullable().optional(),
  higherIsBetter: z.boolean().optional(),
  verdict: z.string().max(40).optional(),
  expected: z.string().max(80).optional(),
});

const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function withOptional<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** DVC `metrics diff --json` entries (`{file: {key: {old, new, diff}}}`) with numbers on both sides. */
function metricsDiff(gate: string, value: unknown, against: string | undefined): Comparison[] {
  const files = z.record(z.string(), z.record(z.string(), z.unknown())).safeParse(value);
  if (!files.success) return [];
  const found: Comparison[] = [];
  for (const [file, metrics] of Object.entries(files.data)) {
    for (const [metric, raw] of Object.entries(metrics)) {
      const entry = DiffEntry.safeParse(raw);
      if (!entry.success) continue;
      const baseline = number(entry.data.old);
      const candidate = number(entry.data.new);
      if (baseline === undefined && candidate === undefined) continue;
      found.push(
        withOptional({
          gate,
          metric: `${file}: ${metric}${against ? ` (vs ${against})` : ''}`,
          kind: 'values' as const,
          baseline,
          candidate,
        }),
      );
    }
  }
  return found;
}

/**
 * Every baseline comparison a result carries. Forms understood:
 * - `details.comparisons`, the explicit form: `[{ metric, baseline, candidate, higherIsBetter?, interval?, ... }]`;
 * - a DVC metrics diff in `details` (as is, or as `{ base, metrics }` like rerun-experiments' `diff`);
 * - checks with a numeric `baseline` next to `observed`;
 * - checks whose id ends in `.vs-baseline` (a regression: candidate − baseline in the harmful direction);
 * - benchmark's checks: `observed` is the ratio candidate / baseline of a latency, with its interval.
 * Anything else is ignored: results come from other jobs and may be untrusted.
 */
export function extractComparisons(result: GateResult): Comparison[] {
  const found: Comparison[] = [];
  const details = result.details ?? {};
  const declared = z.array(DeclaredComparison).safeParse(details.comparisons);
  if (declared.success) {
    for (const entry of declared.data) {
      found.push(
        withOptional({
          gate: result.gate,
          metric: entry.metric,
          kind: 'values' as const,
          baseline: entry.baseline,
          candidate: entry.candidate,
          higherIsBetter: entry.higherIsBetter,
          interval: entry.interval
            ? ([entry.interval.lower, entry.interval.upper] as [number, number])
            : undefined,
          confidence: entry.interval?.confidence,
          significant: entry.significant,
          pValue: entry.pValue,
        }),
      );
    }
  }
  for (const [key, value] of Object.entries(details)) {
    if (key === 'comparisons' || value === null || typeof value !== 'object' || Array.isArray(value))
      continue;
    const nested = z.object({ base: z.string().optional(), metrics: z.unknown() }).safeParse(value);
    if (nested.success && nested.data.metrics !== undefined) {
      found.push(...metricsDiff(result.gate, nested.data.metrics, nested.data.base));
    } else {
      found.push(...metricsDiff(result.gate, value, undefined));
    }
  }
  for (const check of result.checks) {
    const parsed = JudgedCheck.safeParse(check);
    if (!parsed.success) continue;
    const judged = parsed.data;
    const interval = judged.interval ?? undefined;
    const common = {
      gate: result.gate,
      metric: judged.id,
      status: judged.status,
      interval: interval ? ([interval.lower, interval.upper] as [number, number]) : undefined,
      confidence: interval?.confidence,
      significant: judged.significant,
      pValue: judged.adjustedPValue ?? judged.pValue ?? undefined,
      adjusted: judged.adjustedPValue != null ? true : undefined,
      verdict: judged.verdict,
      expected: judged.expected,
    };
    if (judged.baseline !== undefined) {
      found.push(
        withOptional({
          ...common,
          kind: 'values' as const,
          baseline: judged.baseline,
          candidate: judged.observed,
          higherIsBetter: judged.higherIsBetter,
        }),
      );
    } else if (judged.id.endsWith('.vs-baseline') && interval) {
      found.push(
        withOptional({
          ...common,
          kind: 'difference' as const,
          estimate: judged.observed,
          higherIsBetter: false,
        }),
      );
    } else if (result.gate === 'benchmark' && interval) {
      found.push(
        withOptional({ ...common, kind: 'ratio' as const, estimate: judged.observed, higherIsBetter: false }),
      );
    }
  }
  return found;
}
