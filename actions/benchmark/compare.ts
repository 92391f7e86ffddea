import type { CheckStatus } from '../../shared/result/gate-result.ts';
import {
  minimumSamplesFor,
  percentileOfSorted,
  sortedCopy,
  summarize,
} from '../../shared/stats/percentiles.ts';
import type { Interval } from '../../shared/stats/trimmed-mean-interval.ts';
import { studentTQuantile, trimmedMeanInterval } from '../../shared/stats/trimmed-mean-interval.ts';
import type { Block } from './interleave.ts';
import type { LatencyStatistic } from './settings.ts';

/** Every latency statistic of a set of samples (milliseconds). */
export function latencyStatistics(samples: readonly number[]): Record<LatencyStatistic, number> {
  const sorted = sortedCopy(samples);
  const { mean, min, max, std } = summarize(sorted);
  return {
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    mean,
    min,
    max,
    std,
  };
}

/** The percentile a statistic is (50 for p50), or undefined for the others. */
export function percentileOf(statistic: string): number | undefined {
  const match = /^p(\d+)$/.exec(statistic);
  return match ? Number(match[1]) : undefined;
}

/** Whether `count` samples back a statistic (LoadGen's minimums for tail percentiles; 2 for std). */
export function isBacked(statistic: string, count: number): boolean {
  const p = percentileOf(statistic);
  if (p !== undefined) return count >= minimumSamplesFor(p);
  return count >= (statistic === 'std' ? 2 : 1);
}

/** Fewest paired units (blocks, or groups of blocks) from which an interval is worth reporting. */
export const MIN_UNITS = 5;

/**
 * Fewest units before an interval's width may end the measuring. The width comes from batch means,
 * which see the machine's memory (a slow spell spanning several blocks) only when batches are longer
 * than it; with 10 blocks in batches of 2 it is underestimated often enough that stopping on it, at the
 * moment it happens to look small, fails a candidate at the threshold several times too often.
 */
export const MIN_UNITS_TO_STOP = 20;

/** Samples per arm that one paired unit needs for `statistic`: LoadGen's minimum for tail percentiles. */
export function samplesPerUnit(statistic: string): number {
  const p = percentileOf(statistic);
  return p !== undefined && p > 50 ? minimumSamplesFor(p) : 1;
}

/**
 * Consecutive blocks joined until both models have at least `minimum` samples in the group, as
 * `[start, end)` block index ranges; a trailing group short of the minimum is left out. A p99 from one
 * short block is its second-largest sample, i.e. mostly whatever interrupted that block; from a group
 * with LoadGen's 662 samples it is a real tail.
 */
export function groupRanges(counts: readonly Block<number>[], minimum: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  let baseline = 0;
  let candidate = 0;
  for (const [index, count] of counts.entries()) {
    baseline += count.baseline;
    candidate += count.candidate;
    if (baseline >= minimum && candidate >= minimum) {
      ranges.push([start, index + 1]);
      start = index + 1;
      baseline = 0;
      candidate = 0;
    }
  }
  return ranges;
}

/** A stable 32-bit seed per check, so adding a check does not change the others' intervals. */
export function seedFor(seed: number, id: string): number {
  let hash = 2166136261 ^ seed;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * Share of blocks trimmed from each end of the per-block log ratios. On a shared runner a block now and
 * then catches another process on one side only; a 20% trimmed mean ignores such blocks yet loses
 * little precision when there are none.
 */
export const BLOCK_TRIM = 0.2;

function exponentiated(interval: Interval): Interval {
  return {
    estimate: Math.exp(interval.estimate),
    lower: Math.exp(interval.lower),
    upper: Math.exp(interval.upper),
    confidence: interval.confidence,
  };
}

/**
 * The interval of candidate/baseline of one statistic over paired units (blocks or groups of blocks,
 * in the order measured): the 20% trimmed mean of the per-unit log ratios with a studentized interval
 * whose variance comes from batch means, so neighbouring blocks that resemble each other (the machine's
 * pace changes last longer than a block) widen it instead of being counted as independent evidence.
 */
export function ratioInterval(
  units: readonly Block<Readonly<Record<string, number>>>[],
  statistic: string,
  options: { confidence: number },
): Interval {
  const logs = units.map((unit) => Math.log(unit.candidate[statistic]! / unit.baseline[statistic]!));
  return exponentiated(trimmedMeanInterval(logs, { trim: BLOCK_TRIM, confidence: options.confidence }));
}

/** How precisely a run pinned down one pooled figure: the standard error of its logarithm. */
export interface LogSpread {
  logStandardError: number;
  degreesOfFreedom: number;
}

/**
 * The spread of a pooled figure from the same figure computed on consecutive batches of the run: the
 * standard error of the mean of their logarithms, on batches − 1 degrees of freedom.
 */
export function logSpread(batchValues: readonly number[]): LogSpread {
  const logs = batchValues.map((value) => Math.log(value));
  const m = logs.length;
  const mean = logs.reduce((total, value) => total + value, 0) / m;
  const variance = logs.reduce((total, value) => total + (value - mean) ** 2, 0) / (m - 1);
  return { logStandardError: Math.sqrt(variance / m), degreesOfFreedom: m - 1 };
}

/**
 * Candidate's pooled figure against an earlier run's pooled figure of the same statistic, each with the
 * spread of its own run: like with like (both pooled over all samples of a run), and the earlier run's
 * uncertainty counted, not taken as exact. Welch–Satterthwaite degrees of freedom. An earlier run that
 * recorded no spread (results written before it was stored) is taken to be as precise as this one.
 */
export function ratioToStored(
  candidate: { value: number; spread: LogSpread },
  stored: { value: number; spread?: LogSpread | undefined },
  options: { confidence: number },
): Interval {
  const storedSpread = stored.spread ?? candidate.spread;
  const a = candidate.spread.logStandardError ** 2;
  const b = storedSpread.logStandardError ** 2;
  const standardError = Math.sqrt(a + b);
  const degreesOfFreedom =
    a + b > 0
      ? (a + b) ** 2 / (a ** 2 / candidate.spread.degreesOfFreedom + b ** 2 / storedSpread.degreesOfFreedom)
      : 1;
  const estimate = Math.log(candidate.value / stored.value);
  const half = -studentTQuantile((1 - options.confidence) / 2, Math.max(1, degreesOfFreedom)) * standardError;
  return exponentiated({
    estimate,
    lower: estimate - half,
    upper: estimate + half,
    confidence: options.confidence,
  });
}

/**
 * The verdict on a ratio interval (candidate / baseline, > 1 is slower). A regression is declared only
 * when even the interval's lower bound is beyond `1 + maxRegression`: the slowdown is then both real
 * (at the chosen confidence) and larger than tolerated. A point estimate beyond the threshold whose
 * interval still reaches below it is a warning: maybe slower, not proven.
 */
export function judgeRatio(
  interval: Interval,
  maxRegression: number,
): Exclude<CheckStatus, 'skip' | 'error'> {
  const threshold = 1 + maxRegression;
  if (interval.lower > threshold) return 'fail';
  if (interval.estimate > threshold) return 'warn';
  return 'pass';
}

/**
 * What would turn an inconclusive interval into a verdict: about how many units (blocks or groups) it
 * would take for the interval, shrinking as 1/√n around the same estimate, to clear the threshold.
 */
export function whatWouldSettle(interval: Interval, threshold: number, units: number): string {
  const distance = Math.abs(Math.log(interval.estimate / threshold));
  const half = Math.log(interval.upper / interval.lower) / 2;
  const needed = Math.ceil(units * (half / distance) ** 2);
  if (!Number.isFinite(needed) || needed > 100 * units)
    return 'the ratio sits at the threshold itself, so no affordable budget would settle it';
  return `about ${needed} units instead of ${units} would settle it (raise the time budget about ${Math.ceil(needed / units)}×)`;
}

/** Formats a ratio interval for messages: `×1.23 [1.18, 1.29]`. */
export function formatRatio(interval: Interval): string {
  return `×${interval.estimate.toFixed(3)} [${interval.lower.toFixed(3)}, ${interval.upper.toFixed(3)}]`;
}

/**
 * The verdict on a comparison's interval over `units` units: `judgeRatio`, except that fewer than
 * `MIN_UNITS_TO_STOP` units never fail: so few blocks cannot show whether one slow spell of the machine
 * spanned them all, and their interval, however clear, is then too narrow (a warning, settled by a
 * longer time budget).
 */
export function judgeUnits(
  interval: Interval,
  maxRegression: number,
  units: number,
): Exclude<CheckStatus, 'skip' | 'error'> {
  const status = judgeRatio(interval, maxRegression);
  return status === 'fail' && units < MIN_UNITS_TO_STOP ? 'warn' : status;
}

/** A comparison's verdict: `insufficient` when too few samples backed an interval, else `judgeUnits`. */
export function judgeComparison(comparison: {
  interval?: Interval;
  maxRegression: number;
  units?: number;
}): Exclude<CheckStatus, 'skip' | 'error'> | 'insufficient' {
  if (!comparison.interval) return 'insufficient';
  return judgeUnits(comparison.interval, comparison.maxRegression, comparison.units ?? 0);
}
