import { describe, expect, it } from 'vitest';
import { findScenario, measure } from '../../shared/testing/calibration.ts';
import { scenarios } from './calibration.ts';

const all = scenarios();

const find = (decision: string, setting: string) => findScenario(all, decision, setting);

// A seeded subset of `npm run bench:calibration -- --only fairness`, with few runs: each must still
// meet its target (up to the Wilson interval of so few runs).
describe('fairness calibration (seeded subset)', () => {
  it.each([
    ['demographic_parity_difference (between_groups)', '12 groups × 50 rows'],
    ['demographic_parity_difference (between_groups)', '20 groups × 30 rows'],
    ['equalized_odds_difference', '12 groups × 60 rows'],
    ['demographic_parity_difference (reference)', '12 groups × 100 rows (1× threshold)'],
    ['demographic_parity_ratio', '3 groups × 2000 rows (2× threshold)'],
    ['vs-baseline', '10 positives, changes one way (1× threshold)'],
    ['vs-baseline', '3000 positives, 5% fixed (2× threshold)'],
  ])('%s, %s', async (decision, setting) => {
    const rates = await measure(find(decision, setting), 12, 7);
    expect(rates.met, `${rates.fails} of ${rates.runs} failed`).toBe(true);
  });

  it('12 groups with equal rates do not fail', async () => {
    const rates = await measure(
      find('demographic_parity_difference (between_groups)', '12 groups × 100 rows'),
      20,
      3,
    );
    expect(rates.fails).toBe(0);
  });
});
