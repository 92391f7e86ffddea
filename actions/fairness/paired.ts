import { type Interval, normalCdf, zFor } from '../../shared/stats/intervals.ts';
import type { RateMetric } from './metrics.ts';

/** The rates a baseline comparison supports: each has a fixed set of rows, so the pairing is exact. */
export const PAIRED_METRICS = [
  'true_positive_rate',
  'false_positive_rate',
  'false_negative_rate',
  'accuracy',
] as const;
export type PairedMetric = (typeof PAIRED_METRICS)[number] & RateMetric;

/** A paired comparison of two models on the same rows of one group. */
export interface PairedComparison {
  metric: PairedMetric;
  /** Rows the rate is measured on (negatives for FPR...). */
  rows: number;
  candidate: number;
  baseline: number;
  /** Rows the candidate gets wrong that the baseline got right, and the reverse. */
  worse: number;
  better: number;
  /** Change in the harmful direction: (worse − better) / rows; positive means a regression. */
  regression: number;
  /** Tango's score interval of the regression. */
  interval: Interval;
}

function rowsFor(metric: PairedMetric, label: number): boolean {
  if (metric === 'false_positive_rate') return label === 0;
  if (metric === 'accuracy') return true;
  return label === 1;
}

function counted(metric: PairedMetric, label: number, prediction: number): number {
  // The rate's numerator event: a positive prediction for TPR/FPR, a miss for FNR, a hit for accuracy.
  if (metric === 'false_negative_rate') return prediction === 0 ? 1 : 0;
  if (metric === 'accuracy') return prediction === label ? 1 : 0;
  return prediction;
}

const HIGHER_IS_WORSE: Record<PairedMetric, boolean> = {
  true_positive_rate: false,
  false_positive_rate: true,
  false_negative_rate: true,
  accuracy: false,
};

/**
 * Compares candidate and baseline predictions on the same rows (McNemar's discordant pairs): only the
 * rows the two models disagree on carry information, which comparing two independent rates would waste.
 */
export function pairedComparison(
  metric: PairedMetric,
  labels: ArrayLike<number>,
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  rows: Iterable<number>,
  confidence: number,
): PairedComparison {
  let n = 0;
  let candidateHits = 0;
  let baselineHits = 0;
  let worse = 0;
  let better = 0;
  const harmful = HIGHER_IS_WORSE[metric];
  for (const row of rows) {
    const label = labels[row]!;
    if (!rowsFor(metric, label)) continue;
    n += 1;
    const c = counted(metric, label, candidate[row]!);
    const b = counted(metric, label, baseline[row]!);
    candidateHits += c;
    baselineHits += b;
    if (c !== b) {
      if (c > b === harmful) worse += 1;
      else better += 1;
    }
  }
  const regression = n > 0 ? (worse - better) / n : 0;
  const z = zFor(confidence);
  return {
    metric,
    rows: n,
    candidate: n > 0 ? candidateHits / n : Number.NaN,
    baseline: n > 0 ? baselineHits / n : Number.NaN,
    worse,
    better,
    regression,
    interval: n > 0 ? tangoInterval(worse, better, n, z) : { lower: -1, upper: 1 },
  };
}

/**
 * Tango's score statistic (Tango 1998) for "the paired difference (b − c)/n is δ": with b rows newly
 * wrong and c fixed out of n, z = (b − c − nδ) / √(n(2q + δ(1 − δ))), where q is the restricted maximum
 * likelihood estimate of the "fixed" cell's probability under the hypothesis. Unlike the Wald interval it
 * keeps its level at 10 rows and does not collapse to [0, 0] when no row is discordant.
 */
function tangoZ(b: number, c: number, n: number, delta: number): number {
  const w = -(b + c) + (2 * n - b + c) * delta;
  const q = (-w + Math.sqrt(Math.max(0, w * w + 8 * n * c * delta * (1 - delta)))) / (4 * n);
  const variance = n * (2 * q + delta * (1 - delta));
  const excess = b - c - n * delta;
  if (variance <= 0)
    return excess === 0 ? 0 : excess > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return excess / Math.sqrt(variance);
}

/** Tango's interval: the δ where the score statistic crosses ±z (it decreases in δ), by bisection. */
function tangoInterval(b: number, c: number, n: number, z: number): Interval {
  const solve = (target: number) => {
    let low = -1;
    let high = 1;
    for (let i = 0; i < 60; i += 1) {
      const middle = (low + high) / 2;
      if (tangoZ(b, c, n, middle) > target) low = middle;
      else high = middle;
    }
    return (low + high) / 2;
  };
  return { lower: solve(z), upper: solve(-z) };
}

/** One-sided p-value for "the regression exceeds `tolerance`" (Tango's score test). */
export function regressionPValue(comparison: PairedComparison, tolerance: number): number {
  if (comparison.rows === 0) return 1;
  return normalCdf(-tangoZ(comparison.worse, comparison.better, comparison.rows, tolerance));
}
