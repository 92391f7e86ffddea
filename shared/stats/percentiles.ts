/**
 * The fewest samples that back a percentile, after MLPerf LoadGen's early-stopping minimums: below
 * these counts the tail percentile is mostly one or two unlucky samples, so it is not reported.
 */
export const MIN_SAMPLES: Readonly<Record<number, number>> = { 90: 64, 95: 128, 99: 662 };

/** The minimum number of samples for percentile `p` (0-100): LoadGen's figure where it has one. */
export function minimumSamplesFor(p: number): number {
  const known = MIN_SAMPLES[p];
  if (known !== undefined) return known;
  // Elsewhere: enough samples that about 6 lie beyond the percentile, as LoadGen's figures roughly do.
  return p <= 50 ? 1 : Math.ceil(6 / (1 - p / 100));
}

/**
 * Percentile `p` (0-100) of samples already sorted ascending, by linear interpolation between the closest
 * ranks (the "R-7" definition used by spreadsheets and NumPy's default). Empty input gives NaN.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0]!;
  const rank = (p / 100) * (n - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, n - 1);
  const fraction = rank - below;
  return sorted[below]! + (sorted[above]! - sorted[below]!) * fraction;
}

/** The samples sorted ascending, in a new Float64Array (the input is left alone). */
export function sortedCopy(samples: ArrayLike<number>): Float64Array {
  return Float64Array.from(samples).sort();
}

/** Location and spread of a set of samples. `std` is the sample standard deviation (n - 1). */
export interface Summary {
  count: number;
  mean: number;
  min: number;
  max: number;
  std: number;
}

/** Count, mean, min, max and sample standard deviation; NaN fields for empty input. */
export function summarize(samples: ArrayLike<number>): Summary {
  const n = samples.length;
  if (n === 0) return { count: 0, mean: Number.NaN, min: Number.NaN, max: Number.NaN, std: Number.NaN };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const value = samples[i]!;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (samples[i]! - mean) ** 2;
  return { count: n, mean, min, max, std: n > 1 ? Math.sqrt(squares / (n - 1)) : 0 };
}

/**
 * Percentile `p` if `count` samples are enough to back it (see `minimumSamplesFor`), otherwise the
 * string `'insufficient'`, so a thin tail is never printed as if it were a measurement.
 */
export function percentileIfBacked(sorted: ArrayLike<number>, p: number): number | 'insufficient' {
  return sorted.length >= minimumSamplesFor(p) ? percentileOfSorted(sorted, p) : 'insufficient';
}
