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
  interval: Interval;
  standardError: number;
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
 * Compares candidate and baseline predictions on the same rows (McNemar's discordant pairs). The
 * variance of the paired difference is ((b + c) − (b − c)²/n) / n², which, unlike comparing two
 * independent rates, cancels the rows both models agree on.
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
  const standardError = n > 0 ? Math.sqrt(Math.max(0, worse + better - (worse - better) ** 2 / n)) / n : 0;
  const z = zFor(confidence);
  return {
    metric,
    rows: n,
    candidate: n > 0 ? candidateHits / n : Number.NaN,
    baseline: n > 0 ? baselineHits / n : Number.NaN,
    worse,
    better,
    regression,
    interval: { lower: regression - z * standardError, upper: regression + z * standardError },
    standardError,
  };
}

/** One-sided p-value for "the regression exceeds `tolerance`" (normal approximation). */
export function regressionPValue(comparison: PairedComparison, tolerance: number): number {
  if (comparison.standardError === 0) return comparison.regression > tolerance ? 0 : 1;
  return 1 - normalCdf((comparison.regression - tolerance) / comparison.standardError);
}
