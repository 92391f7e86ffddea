/**
 * A simulated machine for the benchmark's calibration: latencies whose true ratio is known, fed to the
 * real decision code (`decide.ts`) in place of onnxruntime sessions and the clock.
 *
 * Every disturbance has the same law for both models, so the candidate's latencies are `ratio` times
 * the baseline's in distribution and every statistic (p50, p99, mean, time per item) has the true ratio
 * `ratio` exactly. What varies is how hard the disturbances make it to see:
 * - `pace`: the whole machine runs at 1× (0.04 ms) or 2–2.75× (0.08–0.11 ms) and switches at random,
 *   like the 2-core development machine shared by other jobs. Time runs ten times faster than on the
 *   machine (blocks of 2 × 10 ms, switches every 30 ms on average) to keep the calibration quick while
 *   keeping the ratio of block length to time between switches.
 * - `drift`: each model has its own slow state, an AR(1) log factor per block (caches, allocator,
 *   frequency of the core it happens to run on), so consecutive blocks are correlated.
 * - `spikes`: one request in `share` is stretched by a Pareto(shape) factor: a heavy tail.
 */

import type { Random } from '../../shared/stats/random.ts';
import { normal } from '../../shared/testing/calibration.ts';
import { latencySegment, type Segment } from './decide.ts';
import { type Arm, type Block, blockOrder } from './interleave.ts';

export interface Disturbances {
  pace?: { meanDwellMs: number };
  drift?: { correlation: number; sd: number };
  spikes?: { share: number; shape: number };
  /** Spread of single requests (log sd). */
  jitter: number;
}

/** Everything at once: what the development machine shows on a bad day. */
export const SHARED_RUNNER: Disturbances = {
  pace: { meanDwellMs: 30 },
  drift: { correlation: 0.7, sd: 0.03 },
  spikes: { share: 0.01, shape: 1.5 },
  jitter: 0.1,
};

/** A quiet machine: independent request-to-request jitter only. */
export const QUIET: Disturbances = { jitter: 0.1 };

const BASE_MS = 0.04;
/** Share of the time the machine runs slow. */
const SLOW_SHARE = 0.3;

/** Segment lengths as in the gate's `stopping` settings, scaled like the simulated time. */
export interface SimulatedLength {
  minIterations: number;
  minDurationMs: number;
}

/** The simulated machine: a clock, the shared pace, and each model's own drifting state. */
export class SimulatedMachine {
  private timeMs = 0;
  private slowdown = 1;
  private switchAtMs = 0;
  private readonly state: Record<Arm, number> = { baseline: 0, candidate: 0 };
  private readonly costs: Record<Arm, number>;

  private readonly random: Random;
  private readonly disturbances: Disturbances;

  constructor(random: Random, disturbances: Disturbances, ratio: number) {
    this.random = random;
    this.disturbances = disturbances;
    this.costs = { baseline: BASE_MS, candidate: BASE_MS * ratio };
    const drift = disturbances.drift;
    // Start each model's state from its stationary law, so the first blocks are like the rest.
    if (drift)
      for (const arm of ['baseline', 'candidate'] as const) this.state[arm] = normal(random, 0, drift.sd);
  }

  /** The simulated clock, in milliseconds. */
  now = (): number => this.timeMs;

  private pace(): number {
    const pace = this.disturbances.pace;
    if (!pace) return 1;
    while (this.timeMs >= this.switchAtMs) {
      this.slowdown = this.random.next() < SLOW_SHARE ? 2 + 0.75 * this.random.next() : 1;
      this.switchAtMs += -Math.log(1 - this.random.next()) * pace.meanDwellMs;
    }
    return this.slowdown;
  }

  /** Moves each model's slow state one block on (AR(1) with the stationary sd `drift.sd`). */
  private nextBlock(): void {
    const drift = this.disturbances.drift;
    if (!drift) return;
    const innovation = drift.sd * Math.sqrt(1 - drift.correlation ** 2);
    for (const arm of ['baseline', 'candidate'] as const)
      this.state[arm] = drift.correlation * this.state[arm] + normal(this.random, 0, innovation);
  }

  private request(arm: Arm, pace: number): number {
    let latency =
      this.costs[arm] * pace * Math.exp(this.state[arm] + normal(this.random, 0, this.disturbances.jitter));
    const spikes = this.disturbances.spikes;
    if (spikes && this.random.next() < spikes.share)
      latency *= (1 - this.random.next()) ** (-1 / spikes.shape);
    this.timeMs += latency;
    return latency;
  }

  /** Single-stream, both models in turn request by request (as `measureLatenciesInterleaved`). */
  interleavedBlock(index: number, length: SimulatedLength): Block<Segment> {
    this.nextBlock();
    const latencies: Block<number[]> = { baseline: [], candidate: [] };
    const started = this.timeMs;
    for (let i = 0; i < length.minIterations || this.timeMs - started < 2 * length.minDurationMs; i++) {
      // One pace per pair: both requests of a turn see the same machine, as they nearly do on the real one.
      const pace = this.pace();
      for (const arm of blockOrder(index + i)) latencies[arm].push(this.request(arm, pace));
    }
    return {
      baseline: latencySegment(latencies.baseline, 1),
      candidate: latencySegment(latencies.candidate, 1),
    };
  }

  /** One model alone (as `measureLatencies` or `measureTimePerItem`): a segment of a run without a baseline model. */
  aloneSegment(
    arm: Arm,
    scenario: 'single-stream' | 'offline',
    length: SimulatedLength,
    batchSize: number,
  ): Segment {
    this.nextBlock();
    return scenario === 'offline'
      ? this.offlineSegment(arm, length, batchSize)
      : this.latencySegment(arm, length);
  }

  private latencySegment(arm: Arm, length: SimulatedLength): Segment {
    const latencies: number[] = [];
    const started = this.timeMs;
    while (latencies.length < length.minIterations || this.timeMs - started < length.minDurationMs)
      latencies.push(this.request(arm, this.pace()));
    return latencySegment(latencies, 1);
  }

  /** Offline, one model's stretch (as `measureTimePerItem` with one run at a time). */
  private offlineSegment(arm: Arm, length: SimulatedLength, batchSize: number): Segment {
    let runs = 0;
    const started = this.timeMs;
    while (runs < length.minIterations || this.timeMs - started < length.minDurationMs) {
      this.request(arm, this.pace() * batchSize);
      runs++;
    }
    const items = runs * batchSize;
    return { stats: { 'time-per-item': (this.timeMs - started) / items }, samples: [], items };
  }

  /** Offline, both models one stretch each in the order of block `index` (as `measureInTurn`). */
  offlineBlock(index: number, length: SimulatedLength, batchSize: number): Block<Segment> {
    this.nextBlock();
    const measured: Partial<Block<Segment>> = {};
    for (const arm of blockOrder(index)) measured[arm] = this.offlineSegment(arm, length, batchSize);
    return measured as Block<Segment>;
  }
}
