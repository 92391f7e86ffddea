import { describe, expect, it } from 'vitest';
import { measure } from '../../shared/testing/calibration.ts';
import { scenarios } from './calibration.ts';

/**
 * A seeded subset of `npm run bench:calibration -- --only benchmark`: each scenario's fail rate must meet
 * its target (a false-fail rate consistent with ≤ 1% or ≤ 2.5%, power ≥ 90%) over a few runs, so a later
 * change to the stopping rule, the intervals or the verdicts cannot silently break them.
 */
const SUBSET: { decision: string; setting: string; runs: number }[] = [
  // Before the repair: 16% at 200 runs (stopping as soon as the interval cleared the threshold).
  {
    decision: 'benchmark.vs-model.single-stream.p50',
    setting: 'shared runner, typical budget (22 s), at the threshold',
    runs: 30,
  },
  // Before: 17% (5 correlated blocks treated as independent).
  {
    decision: 'benchmark.vs-model.single-stream.p50',
    setting: 'shared runner, 5 blocks, at the threshold',
    runs: 40,
  },
  {
    decision: 'benchmark.vs-model.single-stream.p99',
    setting: 'shared runner, typical budget (22 s), 2× the tolerance',
    runs: 10,
  },
  {
    decision: 'benchmark.vs-model.offline.time-per-item',
    setting: 'shared runner, typical budget (22 s), ratio 1',
    runs: 20,
  },
  // Before: 35% (one segment's figure against a pooled figure, and the stored run taken as exact).
  {
    decision: 'benchmark.vs-results.single-stream.p50',
    setting: 'shared runner, typical budget (22 s), ratio 1',
    runs: 12,
  },
  {
    decision: 'benchmark.vs-results.single-stream.p99',
    setting: 'quiet, typical budget (22 s), at the threshold',
    runs: 12,
  },
];

describe('benchmark calibration (seeded subset)', () => {
  const all = scenarios();
  for (const { decision, setting, runs } of SUBSET) {
    it(`${decision}: ${setting}`, async () => {
      const scenario = all.find((s) => s.decision === decision && s.setting === setting);
      expect(scenario, `${decision} ${setting} is a scenario`).toBeDefined();
      const rates = await measure(scenario!, runs, 7);
      expect(rates.met, `${rates.fails} of ${runs} failed; target ${rates.target}`).toBe(true);
    }, 60_000);
  }
});
