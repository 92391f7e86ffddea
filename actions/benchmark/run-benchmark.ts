import type { Interval } from '../../shared/stats/bootstrap.ts';
import { percentileIfBacked, sortedCopy, summarize } from '../../shared/stats/percentiles.ts';
import { createRandom } from '../../shared/stats/random.ts';
import {
  groupRanges,
  isBacked,
  latencyStatistics,
  MIN_UNITS,
  ratioInterval,
  ratioToStored,
  samplesPerUnit,
  seedFor,
} from './compare.ts';
import { type InputPlan, synthesizeFeeds } from './input-synthesis.ts';
import { type Arm, type Block, measureInTurn, runInterleaved, type StopReason } from './interleave.ts';
import {
  type Feeds,
  type ModelRunner,
  measureLatencies,
  measureLatenciesInterleaved,
  measureServer,
  measureTimePerItem,
  type SegmentLength,
  warmUp,
} from './measure.ts';
import { type BenchmarkSettings, LATENCY_STATISTICS } from './settings.ts';

/** A model ready to measure: its session and how its inputs are fed. */
export interface PreparedModel {
  session: ModelRunner;
  plans: InputPlan[];
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

/** One scenario at one batch size. */
export interface ConfigurationResult {
  /** `<scenario>.<batch>`: the prefix of its check ids. */
  id: string;
  scenario: 'single-stream' | 'offline';
  batchSize: number;
  concurrency?: number;
  blocks: number;
  /** What ended the measurement; `minimum` when there was nothing to compare and only the minimum ran. */
  stoppedBy: StopReason | 'minimum';
  elapsedMs: number;
  candidate: ArmFigures;
  baseline?: ArmFigures;
  comparisons: Comparison[];
}

/** The server scenario's figures for one model. */
export interface ServerFigures {
  achievedRate: number;
  issued: number;
  completed: number;
  p99: number | 'insufficient';
  p50: number;
}

export interface ServerResult {
  id: string;
  rate: number;
  latencyBoundMs: number;
  minAchievedRate: number;
  candidate: ServerFigures;
  baseline?: ServerFigures;
}

/** What to compare the candidate with while measuring. */
export type Reference =
  | { kind: 'model'; model: PreparedModel }
  | { kind: 'stored'; statistics: Map<string, Record<string, number | 'insufficient'>> }
  | { kind: 'none' };

export interface RunOptions {
  settings: BenchmarkSettings;
  candidate: PreparedModel;
  reference: Reference;
  /** Called as each configuration starts, for progress reporting. */
  onConfiguration?(id: string, index: number, total: number): void;
}

interface Segment {
  stats: Record<string, number>;
  samples: number[];
  items: number;
}

interface Plan {
  id: string;
  scenario: 'single-stream' | 'offline';
  batchSize: number;
  concurrency?: number;
  compared: { statistic: string; maxRegression: number }[];
}

/** The configurations (scenario x batch size) that take a share of the time budget, in run order. */
export function configurationPlans(settings: BenchmarkSettings): Plan[] {
  const plans: Plan[] = [];
  const single = settings.scenarios['single-stream'];
  if (single) {
    const compared = LATENCY_STATISTICS.filter(
      (statistic) => single['max-regression'][statistic] !== undefined,
    ).map((statistic) => ({ statistic, maxRegression: single['max-regression'][statistic]! }));
    for (const batchSize of single['batch-sizes']) {
      plans.push({ id: `single-stream.${batchSize}`, scenario: 'single-stream', batchSize, compared });
    }
  }
  const offline = settings.scenarios.offline;
  if (offline) {
    for (const batchSize of offline['batch-sizes']) {
      plans.push({
        id: `offline.${batchSize}`,
        scenario: 'offline',
        batchSize,
        concurrency: offline.concurrency,
        compared: [{ statistic: 'time-per-item', maxRegression: offline['max-regression'] }],
      });
    }
  }
  return plans;
}

function pooledFigures(plan: Plan, segments: readonly Segment[]): ArmFigures {
  if (plan.scenario === 'offline') {
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

function feedsFor(model: PreparedModel, batchSize: number, seed: number): Feeds {
  return synthesizeFeeds(model.plans, batchSize, createRandom(seed));
}

async function measureSegment(
  plan: Plan,
  session: ModelRunner,
  feeds: Feeds,
  length: SegmentLength,
): Promise<Segment> {
  if (plan.scenario === 'offline') {
    const { timePerItemMs, items } = await measureTimePerItem(
      session,
      feeds,
      plan.batchSize,
      plan.concurrency ?? 1,
      length,
    );
    return { stats: { 'time-per-item': timePerItemMs }, samples: [], items };
  }
  return latencySegment(plan, await measureLatencies(session, feeds, length));
}

function latencySegment(plan: Plan, samples: number[]): Segment {
  return { stats: latencyStatistics(samples), samples, items: samples.length * plan.batchSize };
}

async function runConfiguration(
  plan: Plan,
  options: RunOptions,
  budgetMs: number,
): Promise<ConfigurationResult> {
  const { settings, candidate, reference } = options;
  const stopping = settings.stopping;
  const length = { minIterations: stopping['min-iterations'], minDurationMs: stopping['min-duration-ms'] };
  const interval = {
    resamples: settings['bootstrap-resamples'],
    confidence: settings.confidence,
    seed: settings.seed,
  };
  // Both models get identical input values (same seed), so only the models differ.
  const candidateFeeds = feedsFor(candidate, plan.batchSize, settings.seed);
  // Precision checks run after every block, so they use fewer resamples than the final interval.
  const quick = { ...interval, resamples: Math.min(500, interval.resamples) };
  const target = stopping['target-ci-width'];
  // Settled: narrow enough, or wholly on one side of the threshold (more blocks would not change the verdict).
  const settled = (found: Interval, maxRegression: number) =>
    found.upper - found.lower < target || found.lower > 1 + maxRegression || found.upper <= 1 + maxRegression;
  const backed = (statistic: string, count: number) =>
    plan.scenario === 'offline' || isBacked(statistic, count);
  const sampleCount = (segments: readonly Segment[]) =>
    segments.reduce((total, segment) => total + segment.samples.length, 0);

  if (reference.kind === 'model') {
    const baselineFeeds = feedsFor(reference.model, plan.batchSize, settings.seed);
    const sessions: Record<Arm, ModelRunner> = {
      baseline: reference.model.session,
      candidate: candidate.session,
    };
    const feeds: Record<Arm, Feeds> = { baseline: baselineFeeds, candidate: candidateFeeds };
    // Paired units per statistic: single blocks, or groups of blocks for tail percentiles. A group's
    // statistics are computed once: groups form left to right and never change once complete.
    const groupCache = new Map<string, Block<Record<string, number>>>();
    const units = (blocks: readonly Block<Segment>[], statistic: string): Block<Record<string, number>>[] => {
      const minimum = plan.scenario === 'offline' ? 1 : samplesPerUnit(statistic);
      if (minimum <= 1) return statBlocks(blocks);
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
    const unitInterval = (blocks: readonly Block<Segment>[], statistic: string, options: typeof interval) => {
      const paired = units(blocks, statistic);
      return paired.length >= MIN_UNITS
        ? ratioInterval(paired, statistic, { ...options, id: `${plan.id}.${statistic}` })
        : undefined;
    };
    await warmUp(sessions.baseline, feeds.baseline, stopping['warmup-iterations']);
    await warmUp(sessions.candidate, feeds.candidate, stopping['warmup-iterations']);
    const run = await runInterleaved<Segment>({
      // Single-stream alternates the models request by request; offline keeps each model's concurrent
      // runs together, since its figure is the throughput of one session with its pipeline full.
      measureBlock: async (index) => {
        if (plan.scenario === 'offline')
          return measureInTurn(index, (arm) => measureSegment(plan, sessions[arm], feeds[arm], length));
        const latencies = await measureLatenciesInterleaved(sessions, feeds, length, index);
        return {
          baseline: latencySegment(plan, latencies.baseline),
          candidate: latencySegment(plan, latencies.candidate),
        };
      },
      minBlocks: stopping['min-blocks'],
      maxBlocks: stopping['max-blocks'],
      budgetMs,
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
    const baselineFigures = pooledFigures(
      plan,
      run.blocks.map((block) => block.baseline),
    );
    const candidateFigures = pooledFigures(
      plan,
      run.blocks.map((block) => block.candidate),
    );
    const counts = Math.min(baselineFigures.samples, candidateFigures.samples);
    return {
      ...describePlan(plan),
      blocks: run.blocks.length,
      stoppedBy: run.stoppedBy,
      elapsedMs: run.elapsedMs,
      candidate: candidateFigures,
      baseline: baselineFigures,
      comparisons: plan.compared.map(({ statistic, maxRegression }) => ({
        statistic,
        maxRegression,
        ...(() => {
          const found = backed(statistic, counts) ? unitInterval(run.blocks, statistic, interval) : undefined;
          return found ? { interval: found, units: units(run.blocks, statistic).length } : {};
        })(),
      })),
    };
  }

  await warmUp(candidate.session, candidateFeeds, stopping['warmup-iterations']);
  const stored = reference.kind === 'stored' ? reference.statistics.get(plan.id) : undefined;
  const storedValue = (statistic: string) => {
    const value = stored?.[statistic];
    return typeof value === 'number' ? value : undefined;
  };
  const toStored = (segments: readonly Segment[], statistic: string, options: typeof interval) =>
    ratioToStored(
      segments.map((segment) => segment.stats[statistic]!),
      storedValue(statistic)!,
      { ...options, id: `${plan.id}.${statistic}` },
    );
  const segments: Segment[] = [];
  const started = performance.now();
  let stoppedBy: ConfigurationResult['stoppedBy'] = 'minimum';
  for (;;) {
    segments.push(await measureSegment(plan, candidate.session, candidateFeeds, length));
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
    if (performance.now() - started >= budgetMs) {
      stoppedBy = 'budget';
      break;
    }
  }
  const candidateFigures = pooledFigures(plan, segments);
  return {
    ...describePlan(plan),
    blocks: segments.length,
    stoppedBy,
    elapsedMs: performance.now() - started,
    candidate: candidateFigures,
    comparisons: stored
      ? plan.compared.map(({ statistic, maxRegression }) => ({
          statistic,
          maxRegression,
          ...(storedValue(statistic) !== undefined && backed(statistic, candidateFigures.samples)
            ? { interval: toStored(segments, statistic, interval) }
            : {}),
        }))
      : [],
  };
}

function statBlocks(blocks: readonly Block<Segment>[]): Block<Record<string, number>>[] {
  return blocks.map((block) => ({ baseline: block.baseline.stats, candidate: block.candidate.stats }));
}

function describePlan(plan: Plan) {
  return {
    id: plan.id,
    scenario: plan.scenario,
    batchSize: plan.batchSize,
    ...(plan.concurrency !== undefined ? { concurrency: plan.concurrency } : {}),
  };
}

function serverFigures(runs: readonly Awaited<ReturnType<typeof measureServer>>[]): ServerFigures {
  const sorted = sortedCopy(runs.flatMap((run) => run.latencies));
  const p50 = percentileIfBacked(sorted, 50);
  return {
    achievedRate: summarize(runs.map((run) => run.achievedRate)).mean,
    issued: runs.reduce((total, run) => total + run.issued, 0),
    completed: sorted.length,
    p99: percentileIfBacked(sorted, 99),
    p50: typeof p50 === 'number' ? p50 : Number.NaN,
  };
}

async function runServer(options: RunOptions): Promise<ServerResult | undefined> {
  const server = options.settings.scenarios.server;
  if (!server) return undefined;
  const { settings, candidate, reference } = options;
  const batch = server['batch-size'];
  const halfMs = (server['duration-s'] * 1000) / 2;
  const random = createRandom(seedFor(settings.seed, 'server'));
  const models: [Arm, PreparedModel][] =
    reference.kind === 'model'
      ? [
          ['candidate', candidate],
          ['baseline', reference.model],
        ]
      : [['candidate', candidate]];
  const runs = new Map<Arm, Awaited<ReturnType<typeof measureServer>>[]>();
  const feeds = new Map(models.map(([arm, model]) => [arm, feedsFor(model, batch, settings.seed)] as const));
  for (const [arm, model] of models)
    await warmUp(model.session, feeds.get(arm)!, settings.stopping['warmup-iterations']);
  // Two halves each, in the order C B B C, so drift during the scenario hits both models alike.
  for (const [arm, model] of [...models, ...[...models].reverse()]) {
    const run = await measureServer(model.session, feeds.get(arm)!, server.rate, halfMs, random);
    runs.set(arm, [...(runs.get(arm) ?? []), run]);
  }
  return {
    id: `server.${batch}`,
    rate: server.rate,
    latencyBoundMs: server['latency-bound-ms'],
    minAchievedRate: server['min-achieved-rate'],
    candidate: serverFigures(runs.get('candidate')!),
    ...(runs.has('baseline') ? { baseline: serverFigures(runs.get('baseline')!) } : {}),
  };
}

/**
 * Runs every configured scenario: single-stream and offline configurations share the time budget
 * (after the server scenario's fixed duration is set aside), each measured in interleaved blocks.
 */
export async function runBenchmark(
  options: RunOptions,
): Promise<{ configurations: ConfigurationResult[]; server?: ServerResult }> {
  const plans = configurationPlans(options.settings);
  const serverMs =
    (options.settings.scenarios.server?.['duration-s'] ?? 0) *
    1000 *
    (options.reference.kind === 'model' ? 2 : 1);
  const budgetMs = Math.max(0, options.settings.stopping['time-budget-s'] * 1000 - serverMs);
  const configurations: ConfigurationResult[] = [];
  const started = performance.now();
  for (const [index, plan] of plans.entries()) {
    options.onConfiguration?.(plan.id, index, plans.length);
    // Time a configuration leaves unused goes to the ones after it.
    const remaining = budgetMs - (performance.now() - started);
    configurations.push(await runConfiguration(plan, options, remaining / (plans.length - index)));
  }
  const server = await runServer(options);
  return server ? { configurations, server } : { configurations };
}
