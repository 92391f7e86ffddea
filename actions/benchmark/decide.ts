import type { Interval } from '../../shared/stats/bootstrap.ts';
import { percentileIfBacked, sortedCopy, summarize } from '../../shared/stats/percentiles.ts';
import {
  groupRanges,
  isBacked,
  latencyStatistics,
  MIN_UNITS,
  ratioInterval,
  ratioToStored,
  samplesPerUnit,
} from './compare.ts';
import { type Block, runInterleaved, type StopReason } from './interleave.ts';
import type { BenchmarkSettings } from './settings.ts';

/**
 * The statistics and decision half of a configuration: when to stop measuring, the intervals and what
 * they are computed from. Measuring is passed in (`measureBlock`, `measureSegment`, `now`), so the same
 * code decides on real sessions in the gate and on simulated latencies in `calibration.ts`.
 */

/** One model's share of a block: its samples (single-stream) and the figures computed from them. */
export interface Segment {
  stats: Record<string, number>;
  /** Latencies in milliseconds; empty in offline, whose figure is the segment's time per item. */
  samples: number[];
  items: number;
}

/** Absolute figures of one model in one configuration. */
export interface ArmFigures {
  /** Runs (single-stream) or items (offline) measured. */
  samples: number;
  /** Milliseconds, except `items-per-second`; a tail percentile without enough samples is "insufficient". */
  statistics: Record<string, number | 'insufficient'>;
}

/** One statistic compared between the models. */
export interface Comparison {
  statistic: string;
  maxRegression: number;
  /** Absent when too few samples back the statistic (LoadGen's minimums). */
  interval?: Interval;
  /** Paired units the interval is over: blocks, or groups of blocks for tail percentiles. */
  units?: number;
}

/** What one configuration compares, and how its segments are measured. */
export interface DecisionPlan {
  /** `<scenario>.<batch>`: the prefix of check ids, and of the interval seeds. */
  id: string;
  scenario: 'single-stream' | 'offline';
  compared: readonly { statistic: string; maxRegression: number }[];
}

export type DecisionSettings = Pick<
  BenchmarkSettings,
  'stopping' | 'confidence' | 'bootstrap-resamples' | 'seed'
>;

/** What measuring and deciding one configuration produced. */
export interface Decided {
  blocks: number;
  /** What ended the measurement; `minimum` when there was nothing to compare and only the minimum ran. */
  stoppedBy: StopReason | 'minimum';
  elapsedMs: number;
  candidate: ArmFigures;
  baseline?: ArmFigures;
  comparisons: Comparison[];
}

type IntervalOptions = { resamples: number; confidence: number; seed: number };

/** A segment of single-stream latencies with every statistic computed once. */
export function latencySegment(samples: number[], batchSize: number): Segment {
  return { stats: latencyStatistics(samples), samples, items: samples.length * batchSize };
}

/** The figures of one model over all its segments: what the report shows and a results baseline stores. */
export function pooledFigures(scenario: DecisionPlan['scenario'], segments: readonly Segment[]): ArmFigures {
  if (scenario === 'offline') {
    const perItem = summarize(segments.map((segment) => segment.stats['time-per-item']!)).mean;
    return {
      samples: segments.reduce((total, segment) => total + segment.items, 0),
      statistics: { 'time-per-item': perItem, 'items-per-second': 1000 / perItem },
    };
  }
  const sorted = sortedCopy(segments.flatMap((segment) => segment.samples));
  const { mean, min, max, std } = summarize(sorted);
  return {
    samples: sorted.length,
    statistics: {
      p50: percentileIfBacked(sorted, 50),
      p90: percentileIfBacked(sorted, 90),
      p95: percentileIfBacked(sorted, 95),
      p99: percentileIfBacked(sorted, 99),
      mean,
      min,
      max,
      std,
    },
  };
}

function intervalOptions(settings: DecisionSettings): IntervalOptions {
  return { resamples: settings['bootstrap-resamples'], confidence: settings.confidence, seed: settings.seed };
}

function sampleCount(segments: readonly Segment[]): number {
  return segments.reduce((total, segment) => total + segment.samples.length, 0);
}

function backedFor(plan: DecisionPlan) {
  return (statistic: string, count: number) => plan.scenario === 'offline' || isBacked(statistic, count);
}

function settledFor(settings: DecisionSettings) {
  const target = settings.stopping['target-ci-width'];
  // Settled: narrow enough, or wholly on one side of the threshold (more blocks would not change the verdict).
  return (found: Interval, maxRegression: number) =>
    found.upper - found.lower < target || found.lower > 1 + maxRegression || found.upper <= 1 + maxRegression;
}

/**
 * Model against model: blocks of both models (`measureBlock`) until the stopping rule, the budget or
 * `max-blocks` ends the run, then one interval per compared statistic over paired units.
 */
export async function decidePaired(options: {
  plan: DecisionPlan;
  settings: DecisionSettings;
  budgetMs: number;
  measureBlock(index: number): Promise<Block<Segment>>;
  now?: () => number;
}): Promise<Decided> {
  const { plan, settings } = options;
  const stopping = settings.stopping;
  const interval = intervalOptions(settings);
  // Precision checks run after every block, so they use fewer resamples than the final interval.
  const quick = { ...interval, resamples: Math.min(500, interval.resamples) };
  const settled = settledFor(settings);
  const backed = backedFor(plan);
  // Paired units per statistic: single blocks, or groups of blocks for tail percentiles. A group's
  // statistics are computed once: groups form left to right and never change once complete.
  const groupCache = new Map<string, Block<Record<string, number>>>();
  const units = (blocks: readonly Block<Segment>[], statistic: string): Block<Record<string, number>>[] => {
    const minimum = plan.scenario === 'offline' ? 1 : samplesPerUnit(statistic);
    if (minimum <= 1)
      return blocks.map((block) => ({ baseline: block.baseline.stats, candidate: block.candidate.stats }));
    const counts = blocks.map((block) => ({
      baseline: block.baseline.samples.length,
      candidate: block.candidate.samples.length,
    }));
    return groupRanges(counts, minimum).map(([start, end]) => {
      const key = `${start}:${end}`;
      let unit = groupCache.get(key);
      if (!unit) {
        const slice = blocks.slice(start, end);
        unit = {
          baseline: latencyStatistics(slice.flatMap((block) => block.baseline.samples)),
          candidate: latencyStatistics(slice.flatMap((block) => block.candidate.samples)),
        };
        groupCache.set(key, unit);
      }
      return unit;
    });
  };
  const unitInterval = (blocks: readonly Block<Segment>[], statistic: string, options: IntervalOptions) => {
    const paired = units(blocks, statistic);
    return paired.length >= MIN_UNITS
      ? ratioInterval(paired, statistic, { ...options, id: `${plan.id}.${statistic}` })
      : undefined;
  };
  const run = await runInterleaved<Segment>({
    measureBlock: options.measureBlock,
    minBlocks: stopping['min-blocks'],
    maxBlocks: stopping['max-blocks'],
    budgetMs: options.budgetMs,
    ...(options.now ? { now: options.now } : {}),
    precise(blocks) {
      const counts = Math.min(
        sampleCount(blocks.map((b) => b.baseline)),
        sampleCount(blocks.map((b) => b.candidate)),
      );
      return plan.compared.every(({ statistic, maxRegression }) => {
        if (!backed(statistic, counts)) return false;
        const found = unitInterval(blocks, statistic, quick);
        return found !== undefined && settled(found, maxRegression);
      });
    },
  });
  const baseline = pooledFigures(
    plan.scenario,
    run.blocks.map((block) => block.baseline),
  );
  const candidate = pooledFigures(
    plan.scenario,
    run.blocks.map((block) => block.candidate),
  );
  const counts = Math.min(baseline.samples, candidate.samples);
  return {
    blocks: run.blocks.length,
    stoppedBy: run.stoppedBy,
    elapsedMs: run.elapsedMs,
    candidate,
    baseline,
    comparisons: plan.compared.map(({ statistic, maxRegression }) => {
      const found = backed(statistic, counts) ? unitInterval(run.blocks, statistic, interval) : undefined;
      return {
        statistic,
        maxRegression,
        ...(found ? { interval: found, units: units(run.blocks, statistic).length } : {}),
      };
    }),
  };
}

/**
 * The candidate alone, compared with an earlier run's stored figures (`stored`), or with nothing: then
 * only `min-blocks` segments run and the figures are absolute.
 */
export async function decideAgainstStored(options: {
  plan: DecisionPlan;
  settings: DecisionSettings;
  budgetMs: number;
  stored: Record<string, number | 'insufficient'> | undefined;
  measureSegment(index: number): Promise<Segment>;
  now?: () => number;
}): Promise<Decided> {
  const { plan, settings, stored } = options;
  const stopping = settings.stopping;
  const now = options.now ?? (() => performance.now());
  const interval = intervalOptions(settings);
  const quick = { ...interval, resamples: Math.min(500, interval.resamples) };
  const settled = settledFor(settings);
  const backed = backedFor(plan);
  const storedValue = (statistic: string) => {
    const value = stored?.[statistic];
    return typeof value === 'number' ? value : undefined;
  };
  const toStored = (segments: readonly Segment[], statistic: string, options: IntervalOptions) =>
    ratioToStored(
      segments.map((segment) => segment.stats[statistic]!),
      storedValue(statistic)!,
      { ...options, id: `${plan.id}.${statistic}` },
    );
  const segments: Segment[] = [];
  const started = now();
  let stoppedBy: Decided['stoppedBy'] = 'minimum';
  for (;;) {
    segments.push(await options.measureSegment(segments.length));
    if (segments.length < stopping['min-blocks']) continue;
    if (!stored) break;
    const comparable = plan.compared.filter(({ statistic }) => storedValue(statistic) !== undefined);
    if (
      comparable.every(
        ({ statistic, maxRegression }) =>
          backed(statistic, sampleCount(segments)) &&
          settled(toStored(segments, statistic, quick), maxRegression),
      )
    ) {
      stoppedBy = 'precision';
      break;
    }
    if (segments.length >= stopping['max-blocks']) {
      stoppedBy = 'max-blocks';
      break;
    }
    if (now() - started >= options.budgetMs) {
      stoppedBy = 'budget';
      break;
    }
  }
  const candidate = pooledFigures(plan.scenario, segments);
  return {
    blocks: segments.length,
    stoppedBy,
    elapsedMs: now() - started,
    candidate,
    comparisons: stored
      ? plan.compared.map(({ statistic, maxRegression }) => ({
          statistic,
          maxRegression,
          ...(storedValue(statistic) !== undefined && backed(statistic, candidate.samples)
            ? { interval: toStored(segments, statistic, interval) }
            : {}),
        }))
      : [],
  };
}
