import { describe, expect, it } from 'vitest';
import { measure } from '../../shared/testing/calibration.ts';
import { scenarios } from './calibration.ts';

// One rerun with noise cannot tell noise from a shift: at a shift of exactly the tolerance it fails
// about half the runs whatever the rule. That row is the documented reason for `repeats`.
const single = (setting: string) => setting.startsWith('1 rerun,') && !setting.includes('σ = 0 ×');

// A seeded subset of `npm run bench:calibration -- --only rerun`: every scenario, few runs each.
describe('rerun-experiments calibration (seeded subset)', () => {
  const all = scenarios();
  it.each(
    all
      .filter((scenario) => !(single(scenario.setting) && scenario.truth === 'at-threshold'))
      .map((scenario) => [scenario.setting, scenario] as const),
  )('%s', async (_, scenario) => {
    const rates = await measure(scenario, 40, 11);
    expect(rates.met, `${rates.fails} of ${rates.runs} failed`).toBe(true);
  });

  it('a single noisy rerun at the tolerance is a coin flip (why repeats exist)', async () => {
    const scenario = all.find((item) => single(item.setting) && item.truth === 'at-threshold')!;
    const rates = await measure(scenario, 40, 11);
    expect(rates.fails / rates.runs).toBeGreaterThan(0.2);
  });
});
