import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { type Random, randomExponential } from '../../shared/stats/random.ts';
import { type Arm, type Block, blockOrder } from './interleave.ts';

export type Feeds = readonly Record<string, Tensor>[];

/** What the loops run: a session, or its `run` with the outputs to fetch named (see `runnerOf`). */
export type ModelRunner = Pick<InferenceSession, 'run'>;

/** How long one model's share of a block lasts: at least this many runs and at least this long. */
export interface SegmentLength {
  minIterations: number;
  minDurationMs: number;
}

/** Runs the model `iterations` times, untimed, so caches, allocators and thread pools settle. */
export async function warmUp(session: ModelRunner, feeds: Feeds, iterations: number): Promise<void> {
  for (let i = 0; i < iterations; i++) await session.run(feeds[i % feeds.length]!);
}

/**
 * Single-stream: one request at a time, each timed from the call to the resolved result (what a caller
 * waits). Returns the latencies in milliseconds. Nothing but the clock reads sits inside the timed span.
 */
export async function measureLatencies(
  session: ModelRunner,
  feeds: Feeds,
  length: SegmentLength,
): Promise<number[]> {
  const latencies: number[] = [];
  const started = performance.now();
  let i = 0;
  while (i < length.minIterations || performance.now() - started < length.minDurationMs) {
    const feed = feeds[i % feeds.length]!;
    const before = performance.now();
    await session.run(feed);
    latencies.push(performance.now() - before);
    i++;
  }
  return latencies;
}

/**
 * Single-stream for two models at once: requests alternate between them (ABBA..., starting with the
 * order of block `index`) until each model has at least `minIterations` runs and the block has lasted
 * twice `minDurationMs`. A shared runner changes pace every few hundred milliseconds (another process,
 * frequency scaling, a garbage collection); with whole stretches of one model it hits one side of a
 * block only, while with alternate requests both models see the same conditions. On the fixture model
 * this cut the spread of per-block p50 ratios from about 20% to about 1%.
 */
export async function measureLatenciesInterleaved(
  sessions: Readonly<Record<Arm, ModelRunner>>,
  feeds: Readonly<Record<Arm, Feeds>>,
  length: SegmentLength,
  index: number,
): Promise<Block<number[]>> {
  const latencies: Block<number[]> = { baseline: [], candidate: [] };
  const started = performance.now();
  for (let i = 0; i < length.minIterations || performance.now() - started < 2 * length.minDurationMs; i++) {
    for (const arm of blockOrder(index + i)) {
      const feed = feeds[arm][i % feeds[arm].length]!;
      const before = performance.now();
      await sessions[arm].run(feed);
      latencies[arm].push(performance.now() - before);
    }
  }
  return latencies;
}

/** Offline: `concurrency` loops issue runs back to back on one session; returns milliseconds per item. */
export async function measureTimePerItem(
  session: ModelRunner,
  feeds: Feeds,
  batchSize: number,
  concurrency: number,
  length: SegmentLength,
): Promise<{ timePerItemMs: number; items: number }> {
  let runs = 0;
  const started = performance.now();
  const worker = async (offset: number) => {
    let i = offset;
    while (runs < length.minIterations || performance.now() - started < length.minDurationMs) {
      runs++;
      await session.run(feeds[i++ % feeds.length]!);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, offset) => worker(offset)));
  const elapsed = performance.now() - started;
  const items = runs * batchSize;
  return { timePerItemMs: elapsed / items, items };
}

/** What a server run measured: latencies include the time a request waited behind earlier ones. */
export interface ServerMeasurement {
  latencies: number[];
  /** Completed requests per second over the whole run. */
  achievedRate: number;
  issued: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Server: requests arrive as a Poisson process of `rate` per second for `durationMs` and are issued
 * without waiting for earlier ones. Latency counts from the scheduled arrival, so a model that falls
 * behind sees its queueing delay in p99 rather than hiding it by issuing late.
 */
export async function measureServer(
  session: ModelRunner,
  feeds: Feeds,
  rate: number,
  durationMs: number,
  random: Random,
): Promise<ServerMeasurement> {
  const arrivals: number[] = [];
  for (
    let t = randomExponential(random, rate) * 1000;
    t < durationMs;
    t += randomExponential(random, rate) * 1000
  ) {
    arrivals.push(t);
  }
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let next = 0;
  while (next < arrivals.length) {
    const now = performance.now() - started;
    while (next < arrivals.length && arrivals[next]! <= now) {
      const scheduled = started + arrivals[next]!;
      const feed = feeds[next % feeds.length]!;
      pending.push(session.run(feed).then(() => void latencies.push(performance.now() - scheduled)));
      next++;
    }
    if (next < arrivals.length) await sleep(Math.max(0, arrivals[next]! - (performance.now() - started) - 1));
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - started) / 1000;
  return {
    latencies,
    achievedRate: latencies.length / Math.max(elapsedS, durationMs / 1000),
    issued: arrivals.length,
  };
}
