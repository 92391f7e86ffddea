import { describe, expect, it } from 'vitest';
import { difference, disparity, parseDisparity, ratio } from './disparities.ts';
import { confusionOf } from './metrics.ts';

const recall = [
  { group: 'a', value: 0 },
  { group: 'b', value: 0.5 },
  { group: 'c', value: 0.75 },
  { group: 'd', value: 0 },
];

describe('difference and ratio (Fairlearn MetricFrame)', () => {
  it('between_groups: the user guide values 0.75 and 0.0 for recall', () => {
    expect(difference(recall, 0.5, { method: 'between_groups' })).toMatchObject({
      value: 0.75,
      high: 'c',
      low: 'a',
    });
    expect(ratio(recall, 0.5, { method: 'between_groups' }).value).toBe(0);
  });

  it('to_overall: max |group − overall| and the smallest group/overall, inverted above 1', () => {
    expect(difference(recall, 0.5, { method: 'to_overall' }).value).toBe(0.5);
    expect(ratio(recall, 0.5, { method: 'to_overall' }).value).toBe(0);
    const rates = [
      { group: 'x', value: 0.2 },
      { group: 'y', value: 0.5 },
    ];
    expect(difference(rates, 0.3, { method: 'to_overall' })).toMatchObject({ value: 0.2, high: 'y' });
    expect(ratio(rates, 0.3, { method: 'to_overall' }).value).toBeCloseTo(0.6, 15);
  });

  it('reference: each group against one named group (Aequitas)', () => {
    const rates = [
      { group: 'ref', value: 0.2 },
      { group: 'x', value: 0.5 },
      { group: 'y', value: 0.1 },
    ];
    expect(difference(rates, undefined, { method: 'reference', group: 'ref' })).toMatchObject({
      value: 0.3,
      high: 'x',
      low: 'ref',
    });
    expect(ratio(rates, undefined, { method: 'reference', group: 'ref' })).toMatchObject({
      value: 0.4,
      high: 'x',
    });
    expect(difference(rates, undefined, { method: 'reference', group: 'nobody' }).value).toBeUndefined();
  });

  it('skips undefined groups and names them instead of counting them as 0', () => {
    const values = [
      { group: 'x', value: undefined },
      { group: 'y', value: 0.5 },
      { group: 'z', value: 0.25 },
    ];
    const result = difference(values, 0.4, { method: 'between_groups' });
    expect(result).toMatchObject({ value: 0.25, undefinedGroups: ['x'], groups: 2 });
  });

  it('a single group differs by 0 from itself; a ratio of zeros is undefined', () => {
    expect(difference([{ group: 'only', value: 0.3 }], 0.3, { method: 'between_groups' }).value).toBe(0);
    expect(ratio([{ group: 'only', value: 0.3 }], 0.3, { method: 'between_groups' }).value).toBe(1);
    const zeros = [
      { group: 'x', value: 0 },
      { group: 'y', value: 0 },
    ];
    expect(ratio(zeros, 0, { method: 'between_groups' }).value).toBeUndefined();
  });
});

describe('named disparities worked by hand', () => {
  // A: TPR 3/4, FPR 1/4, selection 4/8. B: TPR 1/2, FPR 1/4, selection 2/6.
  const a = confusionOf([1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 1, 0, 0, 0]);
  const b = confusionOf([1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0]);
  const overall = confusionOf(
    [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
    [1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0],
  );
  const groups = [
    { group: 'A', confusion: a },
    { group: 'B', confusion: b },
  ];
  const between = { method: 'between_groups' } as const;
  const value = (name: string) => disparity(parseDisparity(name)!, groups, overall, between).value;

  it('demographic parity, equalized odds (worst of TPR and FPR), equal opportunity', () => {
    expect(value('demographic_parity_difference')).toBeCloseTo(1 / 6, 15);
    expect(value('demographic_parity_ratio')).toBeCloseTo(2 / 3, 15);
    expect(value('equalized_odds_difference')).toBeCloseTo(0.25, 15);
    expect(value('equalized_odds_ratio')).toBeCloseTo(2 / 3, 15);
    expect(value('equal_opportunity_difference')).toBeCloseTo(0.25, 15);
    expect(value('equal_opportunity_ratio')).toBeCloseTo(2 / 3, 15);
    expect(value('false_positive_rate_difference')).toBe(0);
    expect(value('accuracy_score_ratio')).toBeCloseTo(4 / 6 / (6 / 8), 15);
  });

  it('names the metric and groups that set equalized odds', () => {
    const result = disparity(parseDisparity('equalized_odds_difference')!, groups, overall, between);
    expect(result.decisive).toMatchObject({ metric: 'true_positive_rate', high: 'A', low: 'B' });
  });

  it('equalized odds falls back to the defined part when a group has no positives', () => {
    const noPositives = confusionOf([0, 0, 0, 0], [1, 0, 0, 0]);
    const result = disparity(
      parseDisparity('equalized_odds_difference')!,
      [...groups, { group: 'C', confusion: noPositives }],
      overall,
      between,
    );
    const tpr = result.parts.find((part) => part.metric === 'true_positive_rate')!;
    expect(tpr.undefinedGroups).toEqual(['C']);
    expect(tpr.value).toBeCloseTo(0.25, 15);
    // Fairlearn would count C's TPR as 0 and report 0.75 here.
    expect(result.value).toBeCloseTo(0.25, 15);
  });

  it('rejects names it does not know', () => {
    expect(parseDisparity('equalised_odds_difference')).toBeUndefined();
    expect(parseDisparity('roc_auc_difference')).toBeUndefined();
    expect(parseDisparity('true_positive_rate_ratio')).toEqual({
      name: 'true_positive_rate_ratio',
      kind: 'ratio',
      metrics: ['true_positive_rate'],
    });
  });
});
