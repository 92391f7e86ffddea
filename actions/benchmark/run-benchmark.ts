import { percentileIfBacked, sortedCopy, summarize } from '../../shared/stats/percentiles.ts';
import { createRandom } from '../../shared/stats/random.ts';
import { seedFor } from './compare.ts';
import {
  type ArmFigures,
  type Comparison,
  type Decided,
  type DecisionPlan,
  decideAgainstStored,
  decidePaired,
  latencySegment,
  type Segment,
  type StoredFigures,
} from './decide.ts';
import { type InputPlan, synthesizeFeeds } from './input-synthesis.ts';
import { type Arm, measureInTurn } from './interleave.ts';
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

export type { ArmFigures, Comparison };

/** A model ready to measure: its session and how its inputs are fed. */
export interface PreparedModel {
  session: ModelRunner;
  plans: InputPlan[];
}

/** One scenario at one batch size. */
export interface ConfigurationResult extends Decided {
  /** `<scenario>.<batch>`: the prefix of its check ids. */
  id: string;
  scenario: 'single-stream' | 'offline';
  batchSize: number;
  concurrency?: number;
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
  | { kind: 'stored'; figures: Map<string, StoredFigures> }
  | { kind: 'none' };

export interface RunOptions {
  settings: BenchmarkSettings;
  candidate: PreparedModel;
  reference: Reference;
  /** Called as each configuration starts, for progress reporting. */
  onConfiguration?(id: string, index: number, total: number): void;
}

interface Plan extends DecisionPlan {
  batchSize: number;
  concurrency?: number;
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
  return latencySegment(await measureLatencies(session, feeds, length), plan.batchSize);
}

async function runConfiguration(
  plan: Plan,
  options: RunOptions,
  budgetMs: number,
): Promise<ConfigurationResult> {
  const { settings, candidate, reference } = options;
  const stopping = settings.stopping;
  const length = { minIterations: stopping['min-iterations'], minDurationMs: stopping['min-duration-ms'] };
  // Both models get identical input values (same seed), so only the models differ.
  const candidateFeeds = feedsFor(candidate, plan.batchSize, settings.seed);
  if (reference.kind === 'model') {
    const sessions: Record<Arm, ModelRunner> = {
      baseline: reference.model.session,
      candidate: candidate.session,
    };
    const feeds: Record<Arm, Feeds> = {
      baseline: feedsFor(reference.model, plan.batchSize, settings.seed),
      candidate: candidateFeeds,
    };
    await warmUp(sessions.baseline, feeds.baseline, stopping['warmup-iterations']);
    await warmUp(sessions.candidate, feeds.candidate, stopping['warmup-iterations']);
    const decided = await decidePaired({
      plan,
      settings,
      budgetMs,
      // Single-stream alternates the models request by request; offline keeps each model's concurrent
      // runs together, since its figure is the throughput of one session with its pipeline full.
      measureBlock: async (index) => {
        if (plan.scenario === 'offline')
          return measureInTurn(index, (arm) => measureSegment(plan, sessions[arm], feeds[arm], length));
        const latencies = await measureLatenciesInterleaved(sessions, feeds, length, index);
        return {
          baseline: latencySegment(latencies.baseline, plan.batchSize),
          candidate: latencySegment(latencies.candidate, plan.batchSize),
        };
      },
    });
    return { ...describePlan(plan), ...decided };
  }
  await warmUp(candidate.session, candidateFeeds, stopping['warmup-iterations']);
  const decided = await decideAgainstStored({
    plan,
    settings,
    budgetMs,
    stored: reference.kind === 'stored' ? reference.figures.get(plan.id) : undefined,
    measureSegment: () => measureSegment(plan, candidate.session, candidateFeeds, length),
  });
  return { ...describePlan(plan), ...decided };
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
