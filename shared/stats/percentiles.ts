/**
 * The fewest samples that back percentile `p` (0-100), by MLPerf LoadGen's early-stopping rule for
 * single-stream (loadgen/early_stopping.cc, `MinPassingQueriesFinder` with one over-latency query,
 * tolerance 0, confidence 99%): the smallest n such that, if the true p-quantile were exceeded by as
 * many as one of n samples, that would happen by chance at most 1% of the time:
 *   P(Binomial(n, 1 − q) ≤ 1) = qⁿ + n·qⁿ⁻¹·(1 − q) ≤ 0.01, with q = p / 100.
 * This gives 64 for p90, 130 for p95 and 662 for p99 (p95 was once written as 128, a power of two that
 * the rule does not give: at n = 128, 129 the probability is 0.0110, 0.0104). Below these counts a tail
 * percentile is mostly one or two unlucky samples, so it is not reported. p ≤ 50 needs one sample.
 */
export function minimumSamplesFor(p: number): number {
  if (p <= 50) return 1;
  const q = p / 100;
  let n = 2;
  while (q ** n + n * q ** (n - 1) * (1 - q) > 0.01) n++;
  return n;
}

/** The minimums of the tail percentiles mlgate reports: { 90: 64, 95: 130, 99: 662 }. */
export const MIN_SAMPLES: Readonly<Record<number, number>> = Object.fromEntries(
  [90, 95, 99].map((p) => [p, minimumSamplesFor(p)]),
);

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
