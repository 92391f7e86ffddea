import type { CheckStatus } from '../../shared/result/gate-result.ts';
import { bootstrapMean, bootstrapPairedRatio, type Interval } from '../../shared/stats/bootstrap.ts';
import {
  minimumSamplesFor,
  percentileOfSorted,
  sortedCopy,
  summarize,
} from '../../shared/stats/percentiles.ts';
import { createRandom } from '../../shared/stats/random.ts';
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

/** The interval of candidate/baseline of one statistic over paired blocks (each block's own value). */
export function ratioInterval(
  blocks: readonly Block<Readonly<Record<string, number>>>[],
  statistic: string,
  options: { seed: number; id: string; resamples: number; confidence: number },
): Interval {
  return bootstrapPairedRatio(
    blocks.map((block) => block.candidate[statistic]!),
    blocks.map((block) => block.baseline[statistic]!),
    {
      random: createRandom(seedFor(options.seed, options.id)),
      resamples: options.resamples,
      confidence: options.confidence,
      trim: BLOCK_TRIM,
    },
  );
}

/** The interval of candidate / a fixed stored value, when the baseline is an earlier run's number. */
export function ratioToStored(
  candidate: readonly number[],
  stored: number,
  options: { seed: number; id: string; resamples: number; confidence: number },
): Interval {
  const interval = bootstrapMean(
    candidate.map((value) => Math.log(value / stored)),
    {
      random: createRandom(seedFor(options.seed, options.id)),
      resamples: options.resamples,
      confidence: options.confidence,
      trim: BLOCK_TRIM,
    },
  );
  return {
    estimate: Math.exp(interval.estimate),
    lower: Math.exp(interval.lower),
    upper: Math.exp(interval.upper),
    confidence: interval.confidence,
  };
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

/** Formats a ratio interval for messages: `×1.23 [1.18, 1.29]`. */
export function formatRatio(interval: Interval): string {
  return `×${interval.estimate.toFixed(3)} [${interval.lower.toFixed(3)}, ${interval.upper.toFixed(3)}]`;
}

/**
 * A comparison's verdict: `insufficient` when too few samples backed an interval, otherwise the verdict
 * on its interval (`judgeRatio`).
 */
export function judgeComparison(comparison: {
  interval?: Interval;
  maxRegression: number;
}): Exclude<CheckStatus, 'skip' | 'error'> | 'insufficient' {
  return comparison.interval ? judgeRatio(comparison.interval, comparison.maxRegression) : 'insufficient';
}
