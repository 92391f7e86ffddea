import { sortedCopy } from '../../shared/stats/percentiles.ts';
import { batchCount, type Interval, trimmedMeanOfSorted } from '../../shared/stats/trimmed-mean-interval.ts';
import {
  BLOCK_TRIM,
  groupRanges,
  isBacked,
  type LogSpread,
  latencyStatistics,
  logSpread,
  MIN_UNITS,
  MIN_UNITS_TO_STOP,
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
  /**
   * Per statistic, how precisely this run pinned it down (from its units' spread): what a later run
   * compared with these figures as a results baseline needs. Absent with fewer than 5 units.
   */
  spread?: Record<string, LogSpread>;
}

/** What a results baseline holds for one configuration: an earlier run's figures. */
export type StoredFigures = Pick<ArmFigures, 'statistics' | 'spread'>;

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

export type DecisionSettings = Pick<BenchmarkSettings, 'stopping' | 'confidence'>;

/** What measuring and deciding one configuration produced. */
export interface Decided {
  blocks: number;
  /** What ended the measurement. */
  stoppedBy: StopReason;
  elapsedMs: number;
  candidate: ArmFigures;
  baseline?: ArmFigures;
  comparisons: Comparison[];
}

/** A segment of single-stream latencies with every statistic computed once. */
export function latencySegment(samples: number[], batchSize: number): Segment {
  return { stats: latencyStatistics(samples), samples, items: samples.length * batchSize };
}

/**
 * The units `statistic` is compared over, as `[start, end)` ranges of blocks: single blocks, or for a
 * tail percentile consecutive blocks joined until each model has LoadGen's minimum number of samples.
 */
function unitRanges(
  scenario: DecisionPlan['scenario'],
  statistic: string,
  counts: readonly Block<number>[],
): [number, number][] {
  const minimum = scenario === 'offline' ? 1 : samplesPerUnit(statistic);
  return minimum <= 1 ? counts.map((_, index) => [index, index + 1]) : groupRanges(counts, minimum);
}

type UnitFigures = (
  segments: readonly Segment[],
  ranges: readonly [number, number][],
) => Record<string, number>[];

/** One model's figures per unit, each group computed once: groups form left to right and never change. */
function unitFigures(): UnitFigures {
  const cache = new Map<string, Record<string, number>>();
  return (segments, ranges) =>
    ranges.map(([start, end]) => {
      if (end - start === 1) return segments[start]!.stats;
      const key = `${start}:${end}`;
      let figures = cache.get(key);
      if (!figures) {
        figures = latencyStatistics(segments.slice(start, end).flatMap((segment) => segment.samples));
        cache.set(key, figures);
      }
      return figures;
    });
}

const ownCounts = (segments: readonly Segment[]) =>
  segments.map((segment) => ({ baseline: segment.samples.length, candidate: segment.samples.length }));

/** Units of one model alone: its segments, or groups of them for tail percentiles. */
function ownUnits(
  scenario: DecisionPlan['scenario'],
  segments: readonly Segment[],
  statistic: string,
): number {
  return unitRanges(scenario, statistic, ownCounts(segments)).length;
}

/** The pooled figures of a run's segments: each statistic over all samples at once (offline: the mean). */
function pooledStatistics(
  scenario: DecisionPlan['scenario'],
  segments: readonly Segment[],
): ArmFigures['statistics'] {
  if (scenario === 'offline') {
    // Trimmed like the block ratios: one stretch that caught a pause or another process does not move it.
    const perItem = trimmedMeanOfSorted(
      sortedCopy(segments.map((segment) => segment.stats['time-per-item']!)),
      BLOCK_TRIM,
    );
    return { 'time-per-item': perItem, 'items-per-second': 1000 / perItem };
  }
  const samples = segments.flatMap((segment) => segment.samples);
  const statistics: ArmFigures['statistics'] = latencyStatistics(samples);
  for (const statistic of ['p50', 'p90', 'p95', 'p99'])
    if (!isBacked(statistic, samples.length)) statistics[statistic] = 'insufficient';
  return statistics;
}

/**
 * How precisely a run pinned down its pooled figure of `statistic`: the same pooled figure computed on
 * consecutive batches of the run (batch means, so slow spells of the machine count), at most
 * `batchCount` of them and each with the samples a tail percentile needs. Undefined with fewer than 5.
 */
function pooledSpread(
  scenario: DecisionPlan['scenario'],
  segments: readonly Segment[],
  statistic: string,
): LogSpread | undefined {
  const minimum = scenario === 'offline' ? 1 : samplesPerUnit(statistic);
  const batches = Math.min(batchCount(segments.length), Math.floor(sampleCount(segments) / minimum));
  if (scenario === 'offline' ? segments.length < MIN_UNITS : batches < MIN_UNITS) return undefined;
  const count = scenario === 'offline' ? batchCount(segments.length) : batches;
  const values: number[] = [];
  for (let k = 0; k < count; k++) {
    const batch = segments.slice(
      Math.round((k * segments.length) / count),
      Math.round(((k + 1) * segments.length) / count),
    );
    const value = pooledStatistics(scenario, batch)[statistic];
    if (typeof value !== 'number' || !(value > 0)) return undefined;
    values.push(value);
  }
  return logSpread(values);
}

/** The figures of one model over all its segments: what the report shows and a results baseline stores. */
export function pooledFigures(scenario: DecisionPlan['scenario'], segments: readonly Segment[]): ArmFigures {
  const statistics = pooledStatistics(scenario, segments);
  const figures: ArmFigures = {
    samples:
      scenario === 'offline'
        ? segments.reduce((total, segment) => total + segment.items, 0)
        : sampleCount(segments),
    statistics,
  };
  const spread: Record<string, LogSpread> = {};
  for (const [statistic, value] of Object.entries(statistics)) {
    if (typeof value !== 'number' || statistic === 'items-per-second') continue;
    const found = pooledSpread(scenario, segments, statistic);
    if (found) spread[statistic] = found;
  }
  return Object.keys(spread).length > 0 ? { ...figures, spread } : figures;
}

function sampleCount(segments: readonly Segment[]): number {
  return segments.reduce((total, segment) => total + segment.samples.length, 0);
}

function backedFor(plan: DecisionPlan) {
  return (statistic: string, count: number) => plan.scenario === 'offline' || isBacked(statistic, count);
}

/**
 * The stopping rule, Stein's two-stage procedure: once `MIN_UNITS_TO_STOP` units are in, their interval
 * fixes how many units would make it narrower than `target-ci-width` (width shrinks as 1/√n), and the
 * run goes on to that many, or until the budget. Never on "wholly above the threshold": stopping as soon
 * as a regression looks proven, looking after every block, fails a candidate exactly at the threshold
 * far more often than the stated confidence allows (each look is another chance to cross). Nor on the
 * width each block shows: it looks small by chance now and then, and stopping at that moment leaves an
 * interval narrower than its data support. A plan fixed once hardly depends on where the estimate lies.
 * An interval wholly at or below the threshold may stop the run at any time: that can only lower the
 * share of false failures.
 */
export function unitsPlanned(interval: Interval, units: number, target: number): number {
  const scale = Math.log(interval.upper / interval.lower) / Math.log(1 + target);
  return Math.max(units, Math.ceil(units * scale * scale));
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
  const backed = backedFor(plan);
  const planned = new Map<string, number>();
  const figuresOf: Block<UnitFigures> = { baseline: unitFigures(), candidate: unitFigures() };
  const unitInterval = (blocks: readonly Block<Segment>[], statistic: string) => {
    const counts = blocks.map((block) => ({
      baseline: block.baseline.samples.length,
      candidate: block.candidate.samples.length,
    }));
    const ranges = unitRanges(plan.scenario, statistic, counts);
    if (ranges.length < MIN_UNITS) return undefined;
    const baseline = figuresOf.baseline(
      blocks.map((block) => block.baseline),
      ranges,
    );
    const candidate = figuresOf.candidate(
      blocks.map((block) => block.candidate),
      ranges,
    );
    const units = ranges.map((_, index) => ({ baseline: baseline[index]!, candidate: candidate[index]! }));
    return { interval: ratioInterval(units, statistic, settings), units: units.length };
  };
  const run = await runInterleaved<Segment>({
    measureBlock: options.measureBlock,
    minBlocks: stopping['min-blocks'],
    maxBlocks: stopping['max-blocks'],
    budgetMs: options.budgetMs,
    ...(options.now ? { now: options.now } : {}),
    precise(blocks) {
      const counts = Math.min(
        sampleCount(blocks.map((block) => block.baseline)),
        sampleCount(blocks.map((block) => block.candidate)),
      );
      return plan.compared.every(({ statistic, maxRegression }) => {
        if (!backed(statistic, counts)) return false;
        const found = unitInterval(blocks, statistic);
        if (found === undefined) return false;
        if (found.interval.upper <= 1 + maxRegression) return true;
        if (found.units < MIN_UNITS_TO_STOP) return false;
        if (!planned.has(statistic))
          planned.set(statistic, unitsPlanned(found.interval, found.units, stopping['target-ci-width']));
        return found.units >= planned.get(statistic)!;
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
    comparisons: plan.compared.map(({ statistic, maxRegression }) => ({
      statistic,
      maxRegression,
      ...(backed(statistic, counts) ? unitInterval(run.blocks, statistic) : {}),
    })),
  };
}

/**
 * The candidate alone, compared with an earlier run's stored figures (`stored`), or with nothing: then
 * the figures are absolute, measured as precisely as a later comparison with them needs. Like with like: the candidate's figure
 * is pooled over all its samples exactly as the stored one was, and the interval counts the spread of
 * both runs (the earlier run's as it recorded it), not a fixed number against per-segment figures.
 */
export async function decideAgainstStored(options: {
  plan: DecisionPlan;
  settings: DecisionSettings;
  budgetMs: number;
  stored: StoredFigures | undefined;
  measureSegment(index: number): Promise<Segment>;
  now?: () => number;
}): Promise<Decided> {
  const { plan, settings, stored } = options;
  const stopping = settings.stopping;
  const now = options.now ?? (() => performance.now());
  const backed = backedFor(plan);
  const storedValue = (statistic: string) => {
    const value = stored?.statistics[statistic];
    return typeof value === 'number' ? value : undefined;
  };
  // Without stored figures, measure until a later run compared with these figures could be precise:
  // the same width, with this run's spread standing in for the later one's.
  const targets = stored
    ? plan.compared.filter(({ statistic }) => storedValue(statistic) !== undefined)
    : plan.compared;
  const planned = new Map<string, number>();
  const precise = (segments: readonly Segment[], statistic: string) => {
    const units = ownUnits(plan.scenario, segments, statistic);
    if (units < MIN_UNITS_TO_STOP) return false;
    if (!planned.has(statistic)) {
      const own = pooledSpread(plan.scenario, segments, statistic);
      if (!own) return false;
      // The width of the interval does not depend on the figures, only on both runs' spreads.
      const width = ratioToStored(
        { value: 1, spread: own },
        { value: 1, spread: stored?.spread?.[statistic] },
        settings,
      );
      planned.set(statistic, unitsPlanned(width, units, stopping['target-ci-width']));
    }
    return units >= planned.get(statistic)!;
  };
  const segments: Segment[] = [];
  const started = now();
  let stoppedBy: StopReason;
  for (;;) {
    segments.push(await options.measureSegment(segments.length));
    if (segments.length < stopping['min-blocks']) continue;
    const count = sampleCount(segments);
    if (targets.every(({ statistic }) => backed(statistic, count) && precise(segments, statistic))) {
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
  const compare = (statistic: string) => {
    const value = candidate.statistics[statistic];
    const own = candidate.spread?.[statistic];
    const earlier = storedValue(statistic);
    if (typeof value !== 'number' || !own || earlier === undefined) return {};
    return {
      interval: ratioToStored(
        { value, spread: own },
        { value: earlier, spread: stored?.spread?.[statistic] },
        settings,
      ),
      units: ownUnits(plan.scenario, segments, statistic),
    };
  };
  return {
    blocks: segments.length,
    stoppedBy,
    elapsedMs: now() - started,
    candidate,
    comparisons: stored
      ? plan.compared.map(({ statistic, maxRegression }) => ({
          statistic,
          maxRegression,
          ...compare(statistic),
        }))
      : [],
  };
}
