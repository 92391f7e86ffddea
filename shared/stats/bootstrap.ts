import { percentileOfSorted } from './percentiles.ts';
import type { Random } from './random.ts';

/** A point estimate with a two-sided confidence interval. */
export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
  /** The confidence level, e.g. 0.95. */
  confidence: number;
}

export interface BootstrapOptions {
  random: Random;
  /**
   * Share of values cut from each end before averaging (0 = the plain mean, 0.2 = the 20% trimmed mean).
   * Trimming keeps one disturbed block (another process took the CPU during it) from moving the result.
   */
  trim?: number;
  /** Number of resamples; 2,000 keeps the 2.5% and 97.5% quantiles stable to about a percent. */
  resamples?: number;
  confidence?: number;
}

/** The mean of `sorted` (ascending) without the lowest and highest `trim` share of values. */
export function trimmedMeanOfSorted(sorted: ArrayLike<number>, trim: number): number {
  const n = sorted.length;
  const cut = Math.floor(n * trim);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += sorted[i]!;
  return sum / (n - 2 * cut);
}

/**
 * Percentile bootstrap of the (optionally trimmed) mean: resamples `values` with replacement `resamples`
 * times and takes the central `confidence` share of the resampled means as the interval. Deterministic
 * for a seeded `random`.
 */
export function bootstrapMean(values: readonly number[], options: BootstrapOptions): Interval {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const trim = options.trim ?? 0;
  const n = values.length;
  if (n === 0) throw new RangeError('bootstrapMean needs at least one value');
  const means = new Float64Array(resamples);
  const resample = new Float64Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) resample[i] = values[Math.floor(options.random.next() * n)]!;
    if (trim > 0) resample.sort();
    means[r] = trimmedMeanOfSorted(resample, trim);
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  return {
    estimate: trimmedMeanOfSorted(Float64Array.from(values).sort(), trim),
    lower: percentileOfSorted(means, tail * 100),
    upper: percentileOfSorted(means, (1 - tail) * 100),
    confidence,
  };
}

/**
 * The ratio of paired measurements (candidate / baseline, one pair per block) as the geometric mean of
 * the per-pair ratios (trimmed when `trim` is set), with a percentile-bootstrap interval over pairs.
 * Working on log ratios makes 2x slower and 2x faster symmetric, and pairing cancels whatever slowed
 * both members of a pair.
 */
export function bootstrapPairedRatio(
  candidate: readonly number[],
  baseline: readonly number[],
  options: BootstrapOptions,
): Interval {
  if (candidate.length !== baseline.length) throw new RangeError('paired samples differ in length');
  const logs = candidate.map((value, i) => Math.log(value / baseline[i]!));
  const interval = bootstrapMean(logs, options);
  return {
    estimate: Math.exp(interval.estimate),
    lower: Math.exp(interval.lower),
    upper: Math.exp(interval.upper),
    confidence: interval.confidence,
  };
}
