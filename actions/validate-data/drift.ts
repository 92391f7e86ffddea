import type { SourceLocation } from '../../shared/errors.ts';
import { formatNumber } from '../../shared/report/markdown.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import {
  benjaminiHochberg,
  binnedWassersteinDistance,
  chiSquareHomogeneity,
  jensenShannonOfCounts,
  ksPValue,
  populationStabilityIndex,
} from '../../shared/stats/drift-statistics.ts';
import { bootstrapHistograms, type HistogramStatistic } from '../../shared/stats/histogram-bootstrap.ts';
import { createRandom } from '../../shared/stats/random.ts';
import {
  CATEGORY_CAP,
  type CategoricalProfile,
  type ColumnProfile,
  type DataProfile,
  type NumericProfile,
} from './profile.ts';
import type { DriftSettings } from './settings.ts';

/** Default thresholds: effect sizes at or above drift; p-values below (after BH correction) drift. */
export const DEFAULT_THRESHOLDS = {
  wasserstein: 0.1,
  psi: 0.2,
  'jensen-shannon': 0.1,
  ks: 0.05,
  'chi-square': 0.05,
} as const;

type Method = keyof typeof DEFAULT_THRESHOLDS;
const P_VALUE_METHODS: ReadonlySet<Method> = new Set(['ks', 'chi-square']);

/** One column's comparison, before the verdict (which may depend on the other columns through BH). */
export interface ColumnDrift {
  column: string;
  kind: 'numeric' | 'categorical';
  method: Method;
  /** The gating statistic: an effect size, or the raw p-value for ks / chi-square. */
  value: number;
  /** Effect sizes: the bias-corrected bootstrap interval the verdict is read from. */
  interval?: { lower: number; upper: number };
  /** The p-value of the test reported beside (KS for numeric, χ² homogeneity for categorical). */
  pValue: number;
  pTest: 'ks' | 'chi-square';
  /** Non-null values compared on each side. */
  rows: { reference: number; current: number };
  /** Categorical: current rows in categories the reference, counted in full, never had. */
  newRows?: number;
}

/** Resamples of the effect-size bootstrap; fixed seed, so one dataset pair always gets the same verdict. */
const RESAMPLES = 400;
const SEED = 20_240_601;

function populationStd(profile: NumericProfile): number {
  if (profile.count === 0) return 0;
  const mean = profile.sum / profile.count;
  return Math.sqrt(Math.max(0, profile.sumSquares / profile.count - mean * mean));
}

function cumulative(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, value) => sum + value, 0);
  let running = 0;
  return counts.map((value) => {
    running += value;
    return total === 0 ? 0 : running / total;
  });
}

function effectInterval(
  reference: readonly number[],
  current: readonly number[],
  statistic: HistogramStatistic,
) {
  const { estimate, lower, upper } = bootstrapHistograms(reference, current, statistic, {
    random: createRandom(SEED),
    resamples: RESAMPLES,
  });
  return { value: estimate, interval: { lower, upper } };
}

/**
 * Numeric comparison of two profiles binned at the same edges. The outer bins end at the reference's own
 * 0.1% and 99.9% quantiles (its min and max for profiles written before those were kept), never at the
 * current data's extremes: otherwise one value of 1e6 stretches the last bin and alone moves Wasserstein/σ
 * from 0.003 to 70.
 */
export function compareNumeric(
  reference: NumericProfile,
  current: NumericProfile,
  method: 'wasserstein' | 'psi' | 'ks',
): { value: number; pValue: number; d: number; interval?: { lower: number; upper: number } } {
  const refCdf = cumulative(reference.counts);
  const curCdf = cumulative(current.counts);
  // KS from binned data: the CDFs are known at the bin edges only, so D is the largest gap there (a
  // lower bound of the raw D, so the p-value errs towards no drift).
  const d = Math.max(0, ...refCdf.map((value, index) => Math.abs(value - curCdf[index]!)));
  const pValue = reference.count && current.count ? ksPValue(d, reference.count, current.count).pValue : 1;
  if (method === 'ks') return { value: pValue, pValue, d };
  if (method === 'psi') {
    return { ...effectInterval(reference.counts, current.counts, populationStabilityIndex), pValue, d };
  }
  const edges = reference.edges;
  const [tailLow, tailHigh] = reference.tails ?? [
    reference.min ?? edges[0] ?? 0,
    reference.max ?? edges.at(-1) ?? 0,
  ];
  const bounds = [
    Math.min(tailLow, edges[0] ?? tailLow),
    ...edges,
    Math.max(tailHigh, edges.at(-1) ?? tailHigh),
  ];
  const std = populationStd(reference);
  const scaled: HistogramStatistic = (a, b) => {
    const distance = binnedWassersteinDistance(bounds, a, b);
    return std > 0 ? distance / std : distance > 0 ? Number.POSITIVE_INFINITY : 0;
  };
  return { ...effectInterval(reference.counts, current.counts, scaled), pValue, d };
}

/**
 * Categorical comparison binned identically on both sides, never on each side's own top categories. When
 * the reference kept all its categories, the current's rows outside them are new categories, reported too.
 */
export function compareCategorical(
  reference: CategoricalProfile,
  current: CategoricalProfile,
  method: 'jensen-shannon' | 'psi' | 'chi-square',
) {
  // A complete reference (nothing in `other`) is compared category by category with everything the
  // current kept, new categories included; a capped one only on the categories both sides kept, the rest
  // of both sides being "other" (a current category outside them may sit in the reference's "other").
  const categories =
    reference.other === 0
      ? [...new Set([...Object.keys(reference.categories), ...Object.keys(current.categories)])]
      : keptByBoth(reference, current);
  const refCounts = categories.map((category) => reference.categories[category]!);
  const curCounts = categories.map((category) => current.categories[category] ?? 0);
  const curOther = current.count - curCounts.reduce((sum, value) => sum + value, 0);
  const refOther = reference.count - refCounts.reduce((sum, value) => sum + value, 0);
  if (refOther + curOther > 0) {
    refCounts.push(refOther);
    curCounts.push(curOther);
  }
  const newRows =
    reference.other === 0
      ? current.count -
        Object.keys(reference.categories).reduce((sum, key) => sum + (current.categories[key] ?? 0), 0)
      : undefined;
  const pValue = chiSquareHomogeneity(refCounts, curCounts).pValue;
  const extra = newRows ? { newRows } : {};
  if (method === 'chi-square') return { value: pValue, pValue, ...extra };
  const statistic: HistogramStatistic = method === 'psi' ? populationStabilityIndex : jensenShannonOfCounts;
  return { ...effectInterval(refCounts, curCounts, statistic), pValue, ...extra };
}

/**
 * The categories among both sides' `CATEGORY_CAP` most frequent. Keeping the reference's own top ones only
 * picks categories because the reference happened to see them often, which alone looks like drift
 * (χ² p ≈ 0 on identical data of 1,500 categories); selecting on both sides alike is symmetric.
 */
function keptByBoth(reference: CategoricalProfile, current: CategoricalProfile): string[] {
  const top = Object.entries(current.categories)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, CATEGORY_CAP);
  const own = new Set(top.map(([category]) => category));
  return Object.keys(reference.categories).filter((category) => own.has(category));
}

/** Compares every column of `columns` present in both profiles. */
export function compareProfiles(
  reference: DataProfile,
  current: DataProfile,
  columns: readonly string[],
  settings: DriftSettings,
): ColumnDrift[] {
  const drifts: ColumnDrift[] = [];
  for (const column of columns) {
    const ref: ColumnProfile | undefined = reference.columns[column];
    const cur: ColumnProfile | undefined = current.columns[column];
    if (!ref || !cur || ref.kind !== cur.kind) continue;
    const rows = { reference: ref.count, current: cur.count };
    if (ref.kind === 'numeric' && cur.kind === 'numeric') {
      const { d: _d, ...compared } = compareNumeric(ref, cur, settings.numeric);
      drifts.push({ column, kind: 'numeric', method: settings.numeric, ...compared, pTest: 'ks', rows });
    } else if (ref.kind === 'categorical' && cur.kind === 'categorical') {
      const compared = compareCategorical(ref, cur, settings.categorical);
      drifts.push({
        column,
        kind: 'categorical',
        method: settings.categorical,
        ...compared,
        pTest: 'chi-square',
        rows,
      });
    }
  }
  return drifts;
}

type ColumnVerdict = 'drift' | 'no drift' | 'inconclusive';

function columnVerdict(drift: ColumnDrift, threshold: number, adjustedP: number | undefined): ColumnVerdict {
  if (drift.rows.reference === 0 || drift.rows.current === 0) return 'inconclusive';
  if (adjustedP !== undefined) return adjustedP < threshold ? 'drift' : 'no drift';
  const interval = drift.interval ?? { lower: drift.value, upper: drift.value };
  if (interval.lower >= threshold) return 'drift';
  return interval.upper < threshold ? 'no drift' : 'inconclusive';
}

function columnMessage(
  drift: ColumnDrift,
  verdict: ColumnVerdict,
  threshold: number,
  adjustedP: number | undefined,
) {
  const empty =
    drift.rows.reference === 0 ? 'the reference' : drift.rows.current === 0 ? 'the current data' : undefined;
  if (empty) return `not enough rows: ${empty} has no value in ${drift.column}, so drift cannot be judged`;
  const fresh = drift.newRows
    ? `; ${formatNumber(drift.newRows)} rows in categories the reference never had`
    : '';
  if (adjustedP !== undefined) {
    return `${drift.method} p = ${formatNumber(drift.value)} (BH-adjusted ${formatNumber(adjustedP)}) ${verdict === 'drift' ? '<' : '>='} ${threshold}${fresh}`;
  }
  const interval = drift.interval;
  const range = interval
    ? ` (95% CI ${formatNumber(interval.lower)} to ${formatNumber(interval.upper)})`
    : '';
  const head = `${drift.method} = ${formatNumber(drift.value)}${range}`;
  const test = `${drift.pTest} p = ${formatNumber(drift.pValue)}`;
  if (verdict === 'inconclusive') {
    const rows = Math.min(drift.rows.reference, drift.rows.current);
    return `${head} straddles ${threshold}: inconclusive with ${formatNumber(rows)} rows; more rows on both sides would settle it (${test}${fresh})`;
  }
  return `${head} ${verdict === 'drift' ? '>=' : '<'} ${threshold} (${test}${fresh})`;
}

/**
 * Verdicts for one reference/current pair. Effect sizes: a column drifts when its whole bias-corrected
 * interval is at or above its threshold, does not when the whole interval is below, and is inconclusive
 * otherwise (small samples: two samples of one distribution are never at distance 0). P-value methods: a
 * column drifts when its Benjamini–Hochberg adjusted p-value (across the pair's p-value-gated columns) is
 * below the threshold. A column without rows on either side is inconclusive ("not enough rows"). The
 * dataset drifts when the share of drifting columns reaches `drift-share`, and is inconclusive when the
 * inconclusive columns could take it there.
 */
export function driftChecks(
  current: string,
  reference: string,
  drifts: readonly ColumnDrift[],
  settings: DriftSettings,
  location: SourceLocation,
): Check[] {
  const gatedByP = drifts.filter(
    (drift) => P_VALUE_METHODS.has(drift.method) && drift.rows.reference > 0 && drift.rows.current > 0,
  );
  const adjusted = new Map(
    benjaminiHochberg(gatedByP.map((drift) => drift.value)).map((value, index) => [gatedByP[index]!, value]),
  );
  const checks: Check[] = [];
  const verdicts: ColumnVerdict[] = [];
  for (const drift of drifts) {
    const threshold =
      (drift.kind === 'numeric' ? settings['numeric-threshold'] : settings['categorical-threshold']) ??
      DEFAULT_THRESHOLDS[drift.method];
    const adjustedP = adjusted.get(drift);
    const verdict = columnVerdict(drift, threshold, adjustedP);
    verdicts.push(verdict);
    checks.push({
      id: `${current}.drift.${drift.column}`,
      status: verdict === 'no drift' ? 'pass' : 'warn',
      message: columnMessage(drift, verdict, threshold, adjustedP),
      observed: adjustedP ?? drift.value,
      expected: P_VALUE_METHODS.has(drift.method) ? `p >= ${threshold}` : `< ${threshold}`,
      location,
      statistic: drift.method,
      value: drift.value,
      ...(drift.interval ? { interval: drift.interval } : {}),
      threshold,
      drifted: verdict === 'drift',
      verdict,
      pValue: drift.pValue,
      pTest: drift.pTest,
      ...(adjustedP !== undefined ? { adjustedPValue: adjustedP } : {}),
      ...(drift.newRows ? { newCategoryRows: drift.newRows } : {}),
      rows: drift.rows,
      reference,
      column: drift.column,
    });
  }
  const drifting = verdicts.filter((verdict) => verdict === 'drift').length;
  const open = verdicts.filter((verdict) => verdict === 'inconclusive').length;
  const limit = settings['drift-share'];
  const share = drifts.length === 0 ? 0 : drifting / drifts.length;
  const datasetDrifts = drifts.length > 0 && share >= limit;
  const undecided = !datasetDrifts && (drifts.length === 0 || (drifting + open) / drifts.length >= limit);
  const counts = `${drifting} of ${drifts.length} column(s) drift from ${reference} (${formatNumber(share * 100)}%, limit ${formatNumber(limit * 100)}%)`;
  checks.push({
    id: `${current}.drift`,
    status: datasetDrifts ? 'fail' : undecided ? 'warn' : 'pass',
    message: undecided
      ? drifts.length === 0
        ? `not enough rows: no column could be compared with ${reference}`
        : `${counts}; ${open} inconclusive could reach the limit: inconclusive, more rows would settle it`
      : counts,
    observed: share,
    expected: `< ${limit}`,
    location,
    drifted: datasetDrifts,
    verdict: datasetDrifts ? 'drift' : undecided ? 'inconclusive' : 'no drift',
    driftingColumns: drifts.filter((_, index) => verdicts[index] === 'drift').map((drift) => drift.column),
    reference,
  });
  return checks;
}
