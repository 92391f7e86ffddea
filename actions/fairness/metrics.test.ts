import { describe, expect, it } from 'vitest';
import { confusionOf, rate, rocAuc } from './metrics.ts';

// Fairlearn's user guide (docs/user_guide/assessment.rst, "Metrics with Grouping").
const Y_TRUE = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1];
const Y_PRED = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1];
const GROUPS = ['d', 'a', 'c', 'b', 'b', 'c', 'c', 'c', 'b', 'd', 'c', 'a', 'b', 'd', 'c', 'c'];
const WEIGHTS = [1, 2, 1, 3, 2, 3, 1, 2, 1, 2, 3, 1, 2, 3, 2, 3];
const rowsOf = (group: string) => GROUPS.flatMap((g, index) => (g === group ? [index] : []));

describe('rates against Fairlearn documented values', () => {
  it('recall (TPR) and precision overall and by group', () => {
    const overall = confusionOf(Y_TRUE, Y_PRED);
    expect(rate('true_positive_rate', overall)).toBe(0.5);
    expect(rate('precision', overall)).toBeCloseTo(0.555556, 6);
    const recall = Object.fromEntries(
      ['a', 'b', 'c', 'd'].map((g) => [
        g,
        rate('true_positive_rate', confusionOf(Y_TRUE, Y_PRED, undefined, rowsOf(g))),
      ]),
    );
    expect(recall).toEqual({ a: 0, b: 0.5, c: 0.75, d: 0 });
    const precision = ['a', 'b', 'c', 'd'].map((g) =>
      rate('precision', confusionOf(Y_TRUE, Y_PRED, undefined, rowsOf(g))),
    );
    expect(precision).toEqual([0, 1, 0.6, 0]);
  });

  it('weighted recall', () => {
    expect(rate('true_positive_rate', confusionOf(Y_TRUE, Y_PRED, WEIGHTS))).toBeCloseTo(0.45, 12);
    expect(rate('true_positive_rate', confusionOf(Y_TRUE, Y_PRED, WEIGHTS, rowsOf('c')))).toBeCloseTo(
      0.714286,
      6,
    );
    expect(rate('true_positive_rate', confusionOf(Y_TRUE, Y_PRED, WEIGHTS, rowsOf('b')))).toBe(0.5);
  });

  it('matches Fairlearn test_base_metrics hand values for TPR, FNR and FPR', () => {
    const tpr = confusionOf([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 0, 0, 0]);
    expect(rate('true_positive_rate', tpr)).toBe(0.25);
    expect(rate('false_negative_rate', confusionOf([1, 1, 1, 1, 0, 0], [0, 0, 1, 0, 0, 1]))).toBe(0.75);
    // y_true [-1,-1,-1,-1,1,1,1], y_pred [-1,1,1,-1,-1,1,-1] with -1 as the negative class.
    expect(rate('false_positive_rate', confusionOf([0, 0, 0, 0, 1, 1, 1], [0, 1, 1, 0, 0, 1, 0]))).toBe(0.5);
  });
});

describe('rates worked by hand', () => {
  const c = confusionOf([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], [1, 1, 0, 1, 1, 0, 0, 0, 0, 0]);
  it('computes every rate from the counts', () => {
    expect(c).toEqual({ tp: 2, fn: 1, fp: 2, tn: 5 });
    expect(rate('base_rate', c)).toBe(0.3);
    expect(rate('selection_rate', c)).toBe(0.4);
    expect(rate('true_positive_rate', c)).toBeCloseTo(2 / 3, 15);
    expect(rate('false_positive_rate', c)).toBeCloseTo(2 / 7, 15);
    expect(rate('false_negative_rate', c)).toBeCloseTo(1 / 3, 15);
    expect(rate('precision', c)).toBe(0.5);
    expect(rate('accuracy', c)).toBe(0.7);
  });

  it('leaves a rate undefined when its denominator is 0 (Fairlearn would say 0)', () => {
    const noPositives = confusionOf([0, 0, 0], [1, 0, 0]);
    expect(rate('true_positive_rate', noPositives)).toBeUndefined();
    expect(rate('false_negative_rate', noPositives)).toBeUndefined();
    expect(rate('false_positive_rate', noPositives)).toBeCloseTo(1 / 3, 15);
    expect(rate('precision', confusionOf([1, 0], [0, 0]))).toBeUndefined();
    expect(rate('selection_rate', confusionOf([], []))).toBeUndefined();
  });
});

describe('rocAuc', () => {
  it('equals sklearn roc_auc_score on its documented example and counts ties as one half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 0, 1], [0.2, 0.3, 0.1], [1, 3, 1])).toBe(0);
  });
  it('weights rows and is undefined with one class', () => {
    // Pairs (pos, neg): (0.9, 0.5) weight 2*1 won, (0.4, 0.5) weight 1*1 lost -> 2/3.
    expect(rocAuc([1, 1, 0], [0.9, 0.4, 0.5], [2, 1, 1])).toBeCloseTo(2 / 3, 15);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeUndefined();
  });
});
