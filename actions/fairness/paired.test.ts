import { describe, expect, it } from 'vitest';
import { pairedComparison, regressionPValue } from './paired.ts';

describe('pairedComparison', () => {
  // 10 negatives: the candidate adds 3 false positives the baseline did not make and removes 1.
  const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
  const candidate = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0];
  const baseline = [0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1];
  const rows = labels.map((_, i) => i);

  it('counts discordant rows and the FPR change on the same negatives', () => {
    const fpr = pairedComparison('false_positive_rate', labels, candidate, baseline, rows, 0.95);
    expect(fpr).toMatchObject({ rows: 10, candidate: 0.4, baseline: 0.2, worse: 3, better: 1 });
    expect(fpr.regression).toBeCloseTo(0.2, 15);
    // Tango's score interval; references from maximising the restricted likelihood numerically (scipy).
    expect(fpr.interval.lower).toBeCloseTo(-0.2170853745688078, 6);
    expect(fpr.interval.upper).toBeCloseTo(0.5514532022365431, 6);
    expect(regressionPValue(fpr, 0.05)).toBeCloseTo(0.22247014252990505, 6);
  });

  it('does not claim certainty when no row is discordant', () => {
    const ten = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const same = pairedComparison('false_positive_rate', labels, baseline, baseline, ten, 0.95);
    expect(same.interval.lower).toBeCloseTo(-0.27753281323932305, 6);
    expect(same.interval.upper).toBeCloseTo(0.27753279986490054, 6);
    expect(regressionPValue(same, 0.05)).toBeCloseTo(0.7659200450680825, 6);
  });

  it('turns a TPR drop into a positive regression and ignores rows outside the rate', () => {
    const tpr = pairedComparison('true_positive_rate', labels, candidate, baseline, rows, 0.95);
    expect(tpr).toMatchObject({ rows: 2, candidate: 0.5, baseline: 1, worse: 1, better: 0, regression: 0.5 });
    const accuracy = pairedComparison('accuracy', labels, candidate, baseline, rows, 0.95);
    expect(accuracy.rows).toBe(12);
    expect(accuracy.worse - accuracy.better).toBe(3);
  });

  it('gives a one-sided p-value against the tolerance, one half at the estimate', () => {
    const fpr = pairedComparison('false_positive_rate', labels, candidate, baseline, rows, 0.95);
    expect(regressionPValue(fpr, 0.2)).toBeCloseTo(0.5, 12);
  });
});
