import { normalQuantile } from './intervals.ts';

/** A point estimate with a two-sided confidence interval. */
export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
  /** The confidence level, e.g. 0.95. */
  confidence: number;
}

/**
 * The mean of `sorted` (ascending) without the lowest and highest `trim` share of values. Trimming keeps
 * one disturbed block (another process took the CPU during it) from moving the result.
 */
export function trimmedMeanOfSorted(sorted: ArrayLike<number>, trim: number): number {
  const n = sorted.length;
  const cut = Math.floor(n * trim);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += sorted[i]!;
  return sum / (n - 2 * cut);
}

/**
 * Quantile of Student's t distribution with `df` degrees of freedom at lower-tail probability `p`
 * (Hill 1970, ACM Algorithm 396: exact for 1 and 2 degrees of freedom, about 6 significant digits above).
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability ${p} is outside (0, 1)`);
  if (!(df >= 1)) throw new RangeError(`degrees of freedom ${df} are below 1`);
  if (p > 0.5) return -studentTQuantile(1 - p, df);
  // Hill's algorithm takes the two-tailed probability and returns the upper quantile.
  const twoTailed = 2 * p;
  let q: number;
  if (df === 1) q = 1 / Math.tan((twoTailed * Math.PI) / 2);
  else if (df === 2) q = Math.sqrt(2 / (twoTailed * (2 - twoTailed)) - 2);
  else {
    const a = 1 / (df - 0.5);
    const b = 48 / (a * a);
    let c = (((20700 * a) / b - 98) * a - 16) * a + 96.36;
    const d = ((94.5 / (b + c) - 3) / b + 1) * Math.sqrt((a * Math.PI) / 2) * df;
    let x = d * twoTailed;
    let y = x ** (2 / df);
    if (y > 0.05 + a) {
      x = normalQuantile(0.5 * twoTailed);
      y = x * x;
      if (df < 5) c += 0.3 * (df - 4.5) * (x + 0.6);
      c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
      y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
      y = a * y * y;
      y = y > 0.002 ? Math.exp(y) - 1 : 0.5 * y * y + y;
    } else {
      y =
        ((1 / (((df + 6) / (df * y) - 0.089 * d - 0.822) * (df + 2) * 3) + 0.5 / (df + 4)) * y - 1) *
          ((df + 1) / (df + 2)) +
        1 / y;
    }
    q = Math.sqrt(df * y);
  }
  return -q;
}

/** A trimmed mean's interval, with the standard error and degrees of freedom it was built from. */
export interface StudentizedInterval extends Interval {
  standardError: number;
  degreesOfFreedom: number;
}

export interface TrimmedMeanOptions {
  /** Share cut from each end (0.2 = the 20% trimmed mean; 0 = the plain mean). */
  trim: number;
  confidence: number;
}

/** Fewest batches the variance is estimated from: fewer leave a t interval with too few degrees of freedom. */
const MIN_BATCHES = 5;

/**
 * Number of consecutive batches whose means estimate the variance of a series of `n`: about √n
 * (batches of about √n values), at least 5, at most `n`. Batches much longer than the correlation
 * between neighbours make their means nearly independent, so serial dependence widens the interval
 * instead of being ignored; as the series grows, both the batches and their count grow.
 */
export function batchCount(n: number): number {
  return Math.min(n, Math.max(MIN_BATCHES, Math.floor(Math.sqrt(n))));
}

/**
 * Interval of the trimmed mean of a series observed in time order whose neighbours may be correlated:
 * Yuen's (1974) trimmed-mean t interval, with the winsorized variance estimated from non-overlapping
 * batch means (the batch-means method of simulation output analysis) instead of from single values.
 * Without correlation it is Yuen's interval (batches of one); with it, the batch means carry the
 * correlation into the standard error. Degrees of freedom: batches − 1, and never more than Yuen's
 * n − 2g − 1 (g values trimmed from each end).
 */
export function trimmedMeanInterval(
  values: readonly number[],
  options: TrimmedMeanOptions,
): StudentizedInterval {
  const n = values.length;
  if (n < 2) throw new RangeError('a trimmed-mean interval needs at least two values');
  const sorted = Float64Array.from(values).sort();
  const cut = Math.floor(n * options.trim);
  const estimate = trimmedMeanOfSorted(sorted, options.trim);
  const low = sorted[cut]!;
  const high = sorted[n - 1 - cut]!;
  const winsorized = values.map((value) => Math.min(high, Math.max(low, value)));
  const winsorizedMean = winsorized.reduce((total, value) => total + value, 0) / n;
  const batches = batchCount(n);
  let squares = 0;
  for (let k = 0; k < batches; k++) {
    const start = Math.round((k * n) / batches);
    const end = Math.round(((k + 1) * n) / batches);
    let batchSum = 0;
    for (let i = start; i < end; i++) batchSum += winsorized[i]!;
    const length = end - start;
    squares += length * (batchSum / length - winsorizedMean) ** 2;
  }
  // Variance of one value, long-run (correlation included): the batch means' spread scaled by their length.
  const longRunVariance = squares / (batches - 1);
  const standardError = Math.sqrt(longRunVariance / n) / (1 - 2 * options.trim);
  const degreesOfFreedom = Math.max(1, Math.min(batches - 1, n - 2 * cut - 1));
  const half = -studentTQuantile((1 - options.confidence) / 2, degreesOfFreedom) * standardError;
  return {
    estimate,
    lower: estimate - half,
    upper: estimate + half,
    confidence: options.confidence,
    standardError,
    degreesOfFreedom,
  };
}
