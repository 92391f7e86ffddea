/**
 * Calibration of statistical decisions on data whose truth is known: each scenario simulates one run
 * (seeded), hands it to the real decision code, and reports the verdict. Rates over many runs are
 * compared with the targets of issue #13:
 * - no true effect: the decision fails in at most 1% of runs;
 * - an effect exactly at the threshold: it fails in at most the nominal one-sided α (2.5%), up to
 *   sampling error (the Wilson interval of the observed rate must reach 2.5%);
 * - twice the threshold, with enough data for the stated confidence: it fails in at least 90% of runs.
 * Sections live beside the decision they exercise (`actions/<gate>/calibration.ts`), are listed in
 * `actions/bench-calibration.ts`, and a seeded subset of their scenarios runs in `npm test`.
 */
import { wilson } from '../stats/intervals.ts';
import { createRandom, type Random } from '../stats/random.ts';

/** What one simulated run of a decision concluded. */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** Which of the targets a scenario is held to. */
export type Truth = 'null' | 'at-threshold' | 'beyond-threshold' | 'between';

export interface Scenario {
  /** The decision exercised, e.g. `fairness.demographic_parity_difference`. */
  decision: string;
  /** What varies, in words: `12 groups × 50 rows`. */
  setting: string;
  /** The true effect relative to the threshold: `null` (0), `at-threshold` (1×), `beyond-threshold` (≥ 1.5×). */
  truth: Truth;
  /** `beyond-threshold` only: the power target applies (enough data for the stated confidence). */
  powered?: boolean;
  /** One simulated run: seeded randomness in, the real decision's verdict out. */
  run(random: Random): Verdict | Promise<Verdict>;
}

export interface ScenarioRates {
  scenario: Scenario;
  runs: number;
  fails: number;
  inconclusive: number;
  /** Wilson 95% interval of the fail rate. */
  failInterval: { lower: number; upper: number };
  target: string;
  met: boolean;
}

export const TARGETS = {
  nullFailRate: 0.01,
  alpha: 0.025,
  power: 0.9,
} as const;

/** Whether the observed fail count is consistent with the scenario's target, allowing for sampling error. */
export function meetsTarget(
  truth: Truth,
  powered: boolean,
  fails: number,
  runs: number,
): { target: string; met: boolean } {
  const interval = wilson(fails, runs) ?? { lower: 0, upper: 1 };
  switch (truth) {
    case 'null':
      return { target: `fail ≤ ${pct(TARGETS.nullFailRate)}`, met: interval.lower <= TARGETS.nullFailRate };
    case 'at-threshold':
      return { target: `fail ≤ ${pct(TARGETS.alpha)}`, met: interval.lower <= TARGETS.alpha };
    case 'beyond-threshold':
      return powered
        ? { target: `fail ≥ ${pct(TARGETS.power)}`, met: interval.upper >= TARGETS.power }
        : { target: 'power (reported)', met: true };
    case 'between':
      return { target: 'reported', met: true };
  }
}

/** Runs a scenario `runs` times with seeds derived from `seed`, and compares its fail rate with its target. */
export async function measure(scenario: Scenario, runs: number, seed = 1): Promise<ScenarioRates> {
  let fails = 0;
  let inconclusive = 0;
  for (let i = 0; i < runs; i += 1) {
    const verdict = await scenario.run(createRandom(seed * 1_000_003 + i));
    if (verdict === 'fail') fails += 1;
    else if (verdict === 'inconclusive') inconclusive += 1;
  }
  const failInterval = wilson(fails, runs) ?? { lower: 0, upper: 1 };
  return {
    scenario,
    runs,
    fails,
    inconclusive,
    failInterval,
    ...meetsTarget(scenario.truth, scenario.powered ?? false, fails, runs),
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

/** One row of the printed table. */
export function formatRates(rates: ScenarioRates): string[] {
  const { scenario, runs, fails, inconclusive, failInterval } = rates;
  return [
    scenario.decision,
    scenario.setting,
    scenario.truth,
    String(runs),
    `${pct(fails / runs)} [${pct(failInterval.lower)}, ${pct(failInterval.upper)}]`,
    pct(inconclusive / runs),
    rates.target,
    rates.met ? 'ok' : 'MISSED',
  ];
}

export const RATE_COLUMNS = [
  'decision',
  'setting',
  'truth',
  'runs',
  'fail rate [95% CI]',
  'inconclusive',
  'target',
  'met',
];

/** The effects every section simulates, as multiples of the threshold, with the target each is held to. */
export const EFFECT_FACTORS: readonly [Truth, number][] = [
  ['null', 0],
  ['at-threshold', 1],
  ['beyond-threshold', 1.5],
  ['beyond-threshold', 2],
];

/** ` (1.5× threshold)` for a setting's text; nothing for the null. */
export function effectLabel(truth: Truth, factor: number, of = 'threshold'): string {
  return truth === 'null' ? '' : ` (${factor}× ${of})`;
}

/** The scenario of `decision` (a substring) with exactly this setting, for tests that run a few. */
export function findScenario(scenarios: readonly Scenario[], decision: string, setting: string): Scenario {
  const found = scenarios.find((item) => item.decision.includes(decision) && item.setting === setting);
  if (!found) throw new Error(`no calibration scenario ${decision} / ${setting}`);
  return found;
}

/** Standard normal variate (Box–Muller) from the shared seeded generator. */
export function normal(random: Random, mean = 0, sd = 1): number {
  const u = 1 - random.next();
  const v = random.next();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Bernoulli(p) draw. */
export function bernoulli(random: Random, p: number): boolean {
  return random.next() < p;
}
