import type { SourceLocation } from '../../shared/errors.ts';
import { formatNumber } from '../../shared/report/markdown.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import {
  benjaminiHochberg,
  binnedWassersteinDistance,
  chiSquareHomogeneity,
  jensenShannonDistance,
  ksAsymptoticPValue,
  populationStabilityIndex,
} from '../../shared/stats/drift-statistics.ts';
import type { CategoricalProfile, ColumnProfile, DataProfile, NumericProfile } from './profile.ts';
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
  /** The p-value of the test reported beside (KS for numeric, χ² homogeneity for categorical). */
  pValue: number;
  pTest: 'ks' | 'chi-square';
}

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

/** Numeric comparison of two profiles binned at the same edges. */
export function compareNumeric(
  reference: NumericProfile,
  current: NumericProfile,
  method: 'wasserstein' | 'psi' | 'ks',
) {
  const refCdf = cumulative(reference.counts);
  const curCdf = cumulative(current.counts);
  // KS from binned data: the CDFs are known at the bin edges only, so D is the largest gap there.
  const d = Math.max(0, ...refCdf.map((value, index) => Math.abs(value - curCdf[index]!)));
  const pValue = reference.count && current.count ? ksAsymptoticPValue(d, reference.count, current.count) : 1;
  let value: number;
  if (method === 'psi') value = populationStabilityIndex(reference.counts, current.counts);
  else if (method === 'ks') value = pValue;
  else {
    const lows = [reference.min, current.min].filter((item): item is number => item !== null);
    const highs = [reference.max, current.max].filter((item): item is number => item !== null);
    const edges = reference.edges;
    const low = Math.min(...lows, edges[0] ?? 0);
    const high = Math.max(...highs, edges.at(-1) ?? 0);
    const distance = binnedWassersteinDistance([low, ...edges, high], reference.counts, current.counts);
    const std = populationStd(reference);
    value = std > 0 ? distance / std : distance > 0 ? Number.POSITIVE_INFINITY : 0;
  }
  return { value, pValue, d };
}

/** Categorical comparison over the union of categories (the `other` bucket counts as one category). */
export function compareCategorical(
  reference: CategoricalProfile,
  current: CategoricalProfile,
  method: 'jensen-shannon' | 'psi' | 'chi-square',
) {
  const categories = [
    ...new Set([...Object.keys(reference.categories), ...Object.keys(current.categories)]),
  ].sort();
  const refCounts = [...categories.map((category) => reference.categories[category] ?? 0), reference.other];
  const curCounts = [...categories.map((category) => current.categories[category] ?? 0), current.other];
  const pValue = chiSquareHomogeneity(refCounts, curCounts).pValue;
  let value: number;
  if (method === 'psi') value = populationStabilityIndex(refCounts, curCounts);
  else if (method === 'chi-square') value = pValue;
  else {
    const asWeights = (counts: number[]) =>
      Object.fromEntries(counts.map((count, index) => [String(index), count]));
    value = jensenShannonDistance(asWeights(refCounts), asWeights(curCounts));
  }
  return { value, pValue };
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
    if (ref.kind === 'numeric' && cur.kind === 'numeric') {
      const { value, pValue } = compareNumeric(ref, cur, settings.numeric);
      drifts.push({ column, kind: 'numeric', method: settings.numeric, value, pValue, pTest: 'ks' });
    } else if (ref.kind === 'categorical' && cur.kind === 'categorical') {
      const { value, pValue } = compareCategorical(ref, cur, settings.categorical);
      drifts.push({
        column,
        kind: 'categorical',
        method: settings.categorical,
        value,
        pValue,
        pTest: 'chi-square',
      });
    }
  }
  return drifts;
}

/**
 * Verdicts for one reference/current pair: a column drifts when its effect size reaches its threshold, or,
 * for p-value methods, when its Benjamini–Hochberg adjusted p-value (across the pair's p-value-gated columns)
 * is below the threshold. The dataset drifts when the share of drifting columns reaches `drift-share`.
 */
export function driftChecks(
  current: string,
  reference: string,
  drifts: readonly ColumnDrift[],
  settings: DriftSettings,
  location: SourceLocation,
): Check[] {
  const gatedByP = drifts.filter((drift) => P_VALUE_METHODS.has(drift.method));
  const adjusted = new Map(
    benjaminiHochberg(gatedByP.map((drift) => drift.value)).map((value, index) => [gatedByP[index]!, value]),
  );
  const checks: Check[] = [];
  let drifting = 0;
  for (const drift of drifts) {
    const threshold =
      (drift.kind === 'numeric' ? settings['numeric-threshold'] : settings['categorical-threshold']) ??
      DEFAULT_THRESHOLDS[drift.method];
    const adjustedP = adjusted.get(drift);
    const drifted = adjustedP !== undefined ? adjustedP < threshold : drift.value >= threshold;
    if (drifted) drifting++;
    const shown = adjustedP ?? drift.value;
    checks.push({
      id: `${current}.drift.${drift.column}`,
      status: drifted ? 'warn' : 'pass',
      message:
        adjustedP !== undefined
          ? `${drift.method} p = ${formatNumber(drift.value)} (BH-adjusted ${formatNumber(adjustedP)}) ${drifted ? '<' : '>='} ${threshold}`
          : `${drift.method} = ${formatNumber(drift.value)} ${drifted ? '>=' : '<'} ${threshold} (${drift.pTest} p = ${formatNumber(drift.pValue)})`,
      observed: shown,
      expected: adjustedP !== undefined ? `p >= ${threshold}` : `< ${threshold}`,
      location,
      statistic: drift.method,
      value: drift.value,
      threshold,
      drifted,
      pValue: drift.pValue,
      pTest: drift.pTest,
      ...(adjustedP !== undefined ? { adjustedPValue: adjustedP } : {}),
      reference,
      column: drift.column,
    });
  }
  const share = drifts.length === 0 ? 0 : drifting / drifts.length;
  const datasetDrifts = drifts.length > 0 && share >= settings['drift-share'];
  checks.push({
    id: `${current}.drift`,
    status: datasetDrifts ? 'fail' : 'pass',
    message: `${drifting} of ${drifts.length} column(s) drift from ${reference} (${formatNumber(share * 100)}%, limit ${formatNumber(settings['drift-share'] * 100)}%)`,
    observed: share,
    expected: `< ${settings['drift-share']}`,
    location,
    drifted: datasetDrifts,
    driftingColumns: drifts
      .filter((_, index) => checks[index]!.drifted === true)
      .map((drift) => drift.column),
    reference,
  });
  return checks;
}
