import { type Confusion, RATE_METRICS, type RateMetric, rate } from './metrics.ts';

/**
 * How group values are compared (Fairlearn's `method`, plus Aequitas' reference group):
 * `between_groups` largest vs smallest, `to_overall` each group vs the whole data, `reference` each
 * group vs one named group.
 */
export type Comparison =
  | { method: 'between_groups' }
  | { method: 'to_overall' }
  | { method: 'reference'; group: string };

export interface GroupValue {
  group: string;
  value: number | undefined;
}

/** One metric's difference or ratio, with the two sides that produce it. */
export interface Aggregate {
  value: number | undefined;
  /** The group with the larger value of the pair that determines the result ('overall' or the reference). */
  high?: string;
  low?: string;
  /** Groups left out because their rate is undefined (denominator 0). */
  undefinedGroups: string[];
  /** Groups that took part. */
  groups: number;
}

const OVERALL = '(overall)';

function symmetricRatio(a: number, b: number): number | undefined {
  const high = Math.max(a, b);
  return high > 0 ? Math.min(a, b) / high : undefined;
}

function split(values: readonly GroupValue[]) {
  const defined = values.filter(
    (entry): entry is { group: string; value: number } => entry.value !== undefined,
  );
  const undefinedGroups = values.filter((entry) => entry.value === undefined).map((entry) => entry.group);
  return { defined, undefinedGroups };
}

function extremes(defined: readonly { group: string; value: number }[]) {
  let high = defined[0]!;
  let low = defined[0]!;
  for (const entry of defined) {
    if (entry.value > high.value) high = entry;
    if (entry.value < low.value) low = entry;
  }
  return { high, low };
}

/** The comparison points for to_overall / reference: [group, other side] pairs. */
function pairs(
  defined: readonly { group: string; value: number }[],
  overall: number | undefined,
  comparison: Comparison,
): { group: string; value: number; against: string; other: number }[] | undefined {
  if (comparison.method === 'to_overall') {
    if (overall === undefined) return undefined;
    return defined.map((entry) => ({ ...entry, against: OVERALL, other: overall }));
  }
  if (comparison.method === 'reference') {
    const reference = defined.find((entry) => entry.group === comparison.group);
    if (!reference) return undefined;
    return defined
      .filter((entry) => entry.group !== comparison.group)
      .map((entry) => ({ ...entry, against: reference.group, other: reference.value }));
  }
  return undefined;
}

/** How a disparity sets two values against each other, and which of two results is the worse. */
interface Measure {
  of(a: number, b: number): number | undefined;
  worse(a: number, b: number): boolean;
}

const DIFFERENCE: Measure = { of: (a, b) => Math.abs(a - b), worse: (a, b) => a > b };
const RATIO: Measure = { of: symmetricRatio, worse: (a, b) => a < b };

/**
 * One disparity over groups: `between_groups` sets the largest against the smallest value;
 * `to_overall` and `reference` set each group against the other side and keep the worst pair (the first
 * one, on ties). Pairs the measure leaves undefined are skipped.
 */
function aggregate(
  values: readonly GroupValue[],
  overall: number | undefined,
  comparison: Comparison,
  measure: Measure,
): Aggregate {
  const { defined, undefinedGroups } = split(values);
  const base = { undefinedGroups, groups: defined.length };
  if (defined.length === 0) return { value: undefined, ...base };
  if (comparison.method === 'between_groups') {
    const { high, low } = extremes(defined);
    return { value: measure.of(high.value, low.value), high: high.group, low: low.group, ...base };
  }
  let worst: { value: number; high: string; low: string } | undefined;
  for (const entry of pairs(defined, overall, comparison) ?? []) {
    const value = measure.of(entry.value, entry.other);
    if (value === undefined || (worst && !measure.worse(value, worst.value))) continue;
    const groupIsHigh = entry.value >= entry.other;
    worst = {
      value,
      high: groupIsHigh ? entry.group : entry.against,
      low: groupIsHigh ? entry.against : entry.group,
    };
  }
  return worst ? { ...worst, ...base } : { value: undefined, ...base };
}

/**
 * Fairlearn's `MetricFrame.difference`: `between_groups` max − min over groups, `to_overall`
 * max |group − overall|; `reference` max |group − reference|. Undefined group values are skipped (as
 * pandas skips NaN) and listed.
 */
export function difference(
  values: readonly GroupValue[],
  overall: number | undefined,
  comparison: Comparison,
): Aggregate {
  return aggregate(values, overall, comparison, DIFFERENCE);
}

/**
 * Fairlearn's `MetricFrame.ratio`: `between_groups` min / max over groups, `to_overall` the smallest of
 * group/overall (inverted when above 1); `reference` likewise against the reference group. Undefined
 * when the larger side is 0 (0/0, where Fairlearn gives NaN).
 */
export function ratio(
  values: readonly GroupValue[],
  overall: number | undefined,
  comparison: Comparison,
): Aggregate {
  return aggregate(values, overall, comparison, RATIO);
}

/** What a disparity name means: which rates, and whether it is a difference or a ratio. */
export interface DisparitySpec {
  name: string;
  kind: 'difference' | 'ratio';
  metrics: RateMetric[];
}

const NAMED: Record<string, RateMetric[]> = {
  demographic_parity: ['selection_rate'],
  equalized_odds: ['true_positive_rate', 'false_positive_rate'],
  equal_opportunity: ['true_positive_rate'],
};

/** sklearn-style names Fairlearn uses for its generated `<metric>_difference` functions. */
const ALIASES: Record<string, RateMetric> = {
  accuracy_score: 'accuracy',
  precision_score: 'precision',
  recall_score: 'true_positive_rate',
};

/** The disparities mlgate always computes and reports for every segment. */
export const STANDARD_DISPARITIES = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
  'equal_opportunity_ratio',
] as const;

/**
 * Parses a disparity name: Fairlearn's named ones (`equalized_odds_difference`...) or any rate's
 * `<metric>_difference` / `<metric>_ratio` (`false_positive_rate_ratio`, `accuracy_score_difference`).
 */
export function parseDisparity(name: string): DisparitySpec | undefined {
  const match = /^(.+)_(difference|ratio)$/.exec(name);
  if (!match) return undefined;
  const stem = match[1]!;
  const kind = match[2] as 'difference' | 'ratio';
  const named = NAMED[stem];
  if (named) return { name, kind, metrics: named };
  const metric = ALIASES[stem] ?? (RATE_METRICS as readonly string[]).find((candidate) => candidate === stem);
  return metric ? { name, kind, metrics: [metric as RateMetric] } : undefined;
}

/** Every name `parseDisparity` accepts, for error messages and docs. */
export function disparityNames(): string[] {
  const stems = [...Object.keys(NAMED), ...RATE_METRICS, ...Object.keys(ALIASES)];
  return stems.flatMap((stem) => [`${stem}_difference`, `${stem}_ratio`]);
}

/** A disparity's value with the per-metric parts it was built from. */
export interface DisparityValue {
  value: number | undefined;
  /** The part that sets the value (the worst metric for equalized odds). */
  decisive?: { metric: RateMetric } & Aggregate;
  parts: ({ metric: RateMetric } & Aggregate)[];
}

/**
 * A disparity over groups: the difference (or ratio) of each of its rates, then the worst of them
 * (max of differences, min of ratios: Fairlearn's `agg="worst_case"`), skipping undefined parts.
 * `include` leaves groups out of one metric's comparison (too few rows to judge it); parts with fewer
 * than `minGroups` groups left do not count.
 */
export function disparity(
  spec: DisparitySpec,
  groups: readonly { group: string; confusion: Confusion }[],
  overall: Confusion,
  comparison: Comparison,
  include?: (metric: RateMetric, index: number) => boolean,
  minGroups = 1,
): DisparityValue {
  const parts = spec.metrics.map((metric) => {
    const values = groups.flatMap(({ group, confusion }, index) =>
      include && !include(metric, index) ? [] : [{ group, value: rate(metric, confusion) }],
    );
    const aggregate = (spec.kind === 'difference' ? difference : ratio)(
      values,
      rate(metric, overall),
      comparison,
    );
    return { metric, ...aggregate };
  });
  let decisive: DisparityValue['decisive'];
  for (const part of parts) {
    if (part.value === undefined || part.groups < minGroups) continue;
    if (
      !decisive ||
      (spec.kind === 'difference' ? part.value > decisive.value! : part.value < decisive.value!)
    ) {
      decisive = part;
    }
  }
  return { value: decisive?.value, ...(decisive ? { decisive } : {}), parts };
}
