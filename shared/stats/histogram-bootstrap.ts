import type { Random } from './random.ts';

/** A statistic of two histograms over the same bins, e.g. PSI or a Jensen–Shannon distance. */
export type HistogramStatistic = (reference: readonly number[], current: readonly number[]) => number;

export interface HistogramInterval {
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Basic (reverse-percentile) bootstrap interval of a statistic of two histograms, each bin count redrawn
 * as Poisson(count) in every resample. Distances between two samples are biased upwards (two samples of
 * one distribution are never at distance 0), and the resamples carry that bias once more; reflecting the
 * resampled quantiles about the estimate (2θ̂ − q) takes it out, so identical distributions get an interval
 * that reaches down to 0 instead of one that sits above the threshold at 100 rows.
 */
export function bootstrapHistograms(
  reference: readonly number[],
  current: readonly number[],
  statistic: HistogramStatistic,
  options: { random: Random; resamples?: number; confidence?: number },
): HistogramInterval {
  const resamples = options.resamples ?? 400;
  const tail = (1 - (options.confidence ?? 0.95)) / 2;
  const estimate = statistic(reference, current);
  const values = new Float64Array(resamples);
  const redraw = (counts: readonly number[]) =>
    counts.map((count) => (count > 0 ? options.random.poisson(count) : 0));
  for (let r = 0; r < resamples; r += 1) values[r] = statistic(redraw(reference), redraw(current));
  values.sort();
  const quantile = (p: number) =>
    values[Math.min(resamples - 1, Math.max(0, Math.round(p * (resamples - 1))))]!;
  return {
    estimate,
    lower: Math.max(0, 2 * estimate - quantile(1 - tail)),
    upper: Math.max(0, 2 * estimate - quantile(tail)),
  };
}
