/**
 * Calibration of the rerun verdict (issue #13): a metric whose true value moved by a known multiple of the
 * tolerance, with run-to-run noise, goes through the gate's own `judgeMetric`. The tracked value is one
 * earlier run of the same experiment, so it carries the same noise as each rerun.
 */
import type { Random } from '../../shared/stats/random.ts';
import { EFFECT_FACTORS, effectLabel, normal, type Scenario } from '../../shared/testing/calibration.ts';
import { judgeMetric, type Rule } from './judge.ts';

// Binary fractions, so that a shift of exactly the tolerance is exactly representable (0.75 + 1/128).
const TOLERANCE = 1 / 128;
const RULE: Rule = { abs: TOLERANCE, rel: 0, direction: 'either', ignore: false };

function run(random: Random, repeats: number, noise: number, shift: number) {
  const tracked = noise === 0 ? 0.75 : normal(random, 0.75, noise);
  const reruns = Array.from({ length: repeats }, () =>
    noise === 0 ? 0.75 + shift : normal(random, 0.75 + shift, noise),
  );
  const { status, verdict } = judgeMetric('accuracy', tracked, reruns, RULE);
  if (verdict === 'inconclusive') return 'inconclusive' as const;
  return status === 'fail' ? ('fail' as const) : ('pass' as const);
}

export function scenarios(): Scenario[] {
  const settings: [number, number, boolean][] = [
    // [repeats, noise as a share of the tolerance, power target at 2×]
    [1, 0, true],
    [1, 0.1, false],
    [3, 0.1, false],
    [3, 0.25, false],
    [5, 0.1, true],
    [5, 0.25, false],
    [10, 0.25, true],
  ];
  return settings.flatMap(([repeats, noise, powered]) =>
    EFFECT_FACTORS.map(([truth, factor]) => ({
      decision: 'rerun-experiments.metric (abs tolerance, with repeats)',
      setting: `${repeats} rerun${repeats > 1 ? 's' : ''}, noise σ = ${noise} × tolerance${effectLabel(truth, factor, 'tolerance')}`,
      truth,
      powered: powered && factor === 2,
      run: (random: Random) => run(random, repeats, noise * TOLERANCE, factor * TOLERANCE),
    })),
  );
}
