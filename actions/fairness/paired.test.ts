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
    // se = sqrt((b + c) - (b - c)^2 / n) / n = sqrt(4 - 0.4) / 10
    expect(fpr.standardError).toBeCloseTo(Math.sqrt(3.6) / 10, 15);
    expect(fpr.interval.lower).toBeCloseTo(0.2 - 1.959963984540054 * (Math.sqrt(3.6) / 10), 12);
  });

  it('turns a TPR drop into a positive regression and ignores rows outside the rate', () => {
    const tpr = pairedComparison('true_positive_rate', labels, candidate, baseline, rows, 0.95);
    expect(tpr).toMatchObject({ rows: 2, candidate: 0.5, baseline: 1, worse: 1, better: 0, regression: 0.5 });
    const accuracy = pairedComparison('accuracy', labels, candidate, baseline, rows, 0.95);
    expect(accuracy.rows).toBe(12);
    expect(accuracy.worse - accuracy.better).toBe(3);
  });

  it('gives a one-sided p-value against the tolerance, exact when the models agree', () => {
    const same = pairedComparison('false_positive_rate', labels, baseline, baseline, rows, 0.95);
    expect(same.regression).toBe(0);
    expect(regressionPValue(same, 0.05)).toBe(1);
    const fpr = pairedComparison('false_positive_rate', labels, candidate, baseline, rows, 0.95);
    expect(regressionPValue(fpr, 0.2)).toBeCloseTo(0.5, 12);
  });
});
