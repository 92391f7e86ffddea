/**
 * The benchmark gate's decisions on simulated latencies whose true ratio is known
 * (`simulated-machine.ts`): the real stopping rule, intervals and verdicts of `decide.ts` and
 * `compare.ts`, model against model (interleaved blocks) and against an earlier run's stored results.
 */
import type { Random } from '../../shared/stats/random.ts';
import type { Scenario, Truth, Verdict } from '../../shared/testing/calibration.ts';
import { judgeComparison } from './compare.ts';
import { type DecisionPlan, type DecisionSettings, decideAgainstStored, decidePaired } from './decide.ts';
import { StoppingSettings } from './settings.ts';
import { type Disturbances, QUIET, SHARED_RUNNER, SimulatedMachine } from './simulated-machine.ts';

type Statistic = 'p50' | 'p99' | 'time-per-item';

/** The gate's default tolerances. */
const MAX_REGRESSION: Record<Statistic, number> = { p50: 0.1, p99: 0.2, 'time-per-item': 0.1 };

/** Simulated time runs ten times faster than the machine's (see `simulated-machine.ts`). */
const LENGTH = { minIterations: 20, minDurationMs: 10 };
const OFFLINE_BATCH = 8;

/** How much measuring a run gets: the budget in simulated ms, or a fixed number of blocks. */
interface Size {
  label: string;
  budgetMs: number;
  minBlocks: number;
  maxBlocks: number;
}

/** One configuration's share of the default 45 s budget (two configurations), in simulated time. */
const TYPICAL: Size = { label: 'typical budget (22 s)', budgetMs: 2250, minBlocks: 10, maxBlocks: 400 };
/** The fewest units an interval is computed from: 5 blocks, or 5 groups of 662 samples for p99. */
const fewUnits = (statistic: Statistic): Size => {
  const blocks = statistic === 'p99' ? 26 : 5;
  return {
    label: `${statistic === 'p99' ? '5 groups' : '5 blocks'}`,
    budgetMs: 0,
    minBlocks: blocks,
    maxBlocks: blocks,
  };
};

function settingsFor(size: Size): DecisionSettings {
  return {
    stopping: StoppingSettings.parse({ 'min-blocks': size.minBlocks, 'max-blocks': size.maxBlocks }),
    confidence: 0.95,
  };
}

function planFor(statistic: Statistic): DecisionPlan {
  return {
    id: statistic === 'time-per-item' ? `offline.${OFFLINE_BATCH}` : 'single-stream.1',
    scenario: statistic === 'time-per-item' ? 'offline' : 'single-stream',
    compared: [{ statistic, maxRegression: MAX_REGRESSION[statistic] }],
  };
}

/** One simulated run of a decision on `statistic` when the candidate is `ratio` times slower. */
type SimulatedRun = (
  random: Random,
  statistic: Statistic,
  ratio: number,
  disturbances: Disturbances,
  size: Size,
) => Promise<Verdict>;

/** Model against model: blocks of both, interleaved as the gate measures them. */
const pairedRun: SimulatedRun = async (random, statistic, ratio, disturbances, size) => {
  const machine = new SimulatedMachine(random, disturbances, ratio);
  const plan = planFor(statistic);
  const decided = await decidePaired({
    plan,
    settings: settingsFor(size),
    budgetMs: size.budgetMs,
    now: machine.now,
    measureBlock: async (index) =>
      plan.scenario === 'offline'
        ? machine.offlineBlock(index, LENGTH, OFFLINE_BATCH)
        : machine.interleavedBlock(index, LENGTH),
  });
  return verdictOf(judgeComparison(decided.comparisons[0]!));
};

/**
 * Against stored results: an earlier run of the baseline model alone (what `results:` reads back), then
 * the candidate alone, on the same simulated machine's law.
 */
const storedRun: SimulatedRun = async (random, statistic, ratio, disturbances, size) => {
  const plan = planFor(statistic);
  const settings = settingsFor(size);
  const alone = async (
    arm: 'baseline' | 'candidate',
    stored: Parameters<typeof decideAgainstStored>[0]['stored'],
  ) => {
    const machine = new SimulatedMachine(random, disturbances, ratio);
    return decideAgainstStored({
      plan,
      settings,
      budgetMs: size.budgetMs,
      stored,
      now: machine.now,
      measureSegment: async () => machine.aloneSegment(arm, plan.scenario, LENGTH, OFFLINE_BATCH),
    });
  };
  // The earlier run is measured as the gate measures without a baseline, with the same budget.
  const earlier = await alone('baseline', undefined);
  const decided = await alone('candidate', earlier.candidate);
  return verdictOf(judgeComparison(decided.comparisons[0]!));
};

function verdictOf(status: ReturnType<typeof judgeComparison>): Verdict {
  return status === 'fail' ? 'fail' : status === 'pass' ? 'pass' : 'inconclusive';
}

const TRUTHS: { truth: Truth; multiple: number; label: string }[] = [
  { truth: 'null', multiple: 0, label: 'ratio 1' },
  { truth: 'at-threshold', multiple: 1, label: 'at the threshold' },
  { truth: 'beyond-threshold', multiple: 1.5, label: '1.5× the tolerance' },
  { truth: 'beyond-threshold', multiple: 2, label: '2× the tolerance' },
];

/** Every benchmark decision: p50, p99 and offline time per item; model against model and stored. */
export function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  const statistics: Statistic[] = ['p50', 'p99', 'time-per-item'];
  for (const mode of ['paired', 'stored'] as const) {
    for (const statistic of statistics) {
      const decision = `benchmark.${mode === 'paired' ? 'vs-model' : 'vs-results'}.${statistic === 'time-per-item' ? 'offline.time-per-item' : `single-stream.${statistic}`}`;
      const run = mode === 'paired' ? pairedRun : storedRun;
      const add = (
        size: Size,
        disturbances: Disturbances,
        environment: string,
        truth: (typeof TRUTHS)[number],
        powered: boolean,
      ) =>
        list.push({
          decision,
          setting: `${environment}, ${size.label}, ${truth.label}`,
          truth: truth.truth,
          ...(truth.truth === 'beyond-threshold' && truth.multiple >= 2 ? { powered } : {}),
          run: (random) =>
            run(random, statistic, 1 + truth.multiple * MAX_REGRESSION[statistic], disturbances, size),
        });
      // Against stored results the machine's slow spells are not cancelled (the two runs were not side
      // by side): on a shared runner a typical budget cannot pin a 20% regression down, and the target
      // is that it says so (inconclusive) rather than guessing.
      for (const truth of TRUTHS) add(TYPICAL, SHARED_RUNNER, 'shared runner', truth, mode === 'paired');
      for (const truth of [TRUTHS[1]!, TRUTHS[3]!]) add(TYPICAL, QUIET, 'quiet', truth, true);
      for (const truth of [TRUTHS[1]!, TRUTHS[3]!])
        add(fewUnits(statistic), SHARED_RUNNER, 'shared runner', truth, false);
    }
  }
  return list;
}
