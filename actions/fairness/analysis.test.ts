import { describe, expect, it } from 'vitest';
import { type AnalysisOptions, analyse } from './analysis.ts';
import { parseDisparity } from './disparities.ts';
import { type CellValue, encodeVariable } from './segments.ts';
import { judge } from './verdicts.ts';

// Fairlearn's user guide example, with its second sensitive feature (the intersection (a, 8) is empty).
const Y_TRUE = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1];
const Y_PRED = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1];
const SF0 = ['d', 'a', 'c', 'b', 'b', 'c', 'c', 'c', 'b', 'd', 'c', 'a', 'b', 'd', 'c', 'c'];
const SF1 = [8, 6, 8, 8, 8, 8, 6, 6, 6, 8, 6, 6, 6, 6, 8, 6];

function options(
  overrides: Partial<AnalysisOptions> = {},
  names = ['equal_opportunity_difference'],
): AnalysisOptions {
  return {
    minSupport: 0,
    minDenominator: 0,
    confidence: 0.95,
    resamples: 200,
    seed: 1,
    disparities: names.map((name) => ({
      spec: parseDisparity(name)!,
      comparison: () => ({ method: 'between_groups' }),
    })),
    ...overrides,
  };
}

function input(
  labels: number[],
  predictions: number[],
  features: Record<string, CellValue[]>,
  segments: (string[] | { features: string[]; control: string[] })[],
  missing: 'own-group' | 'drop' = 'own-group',
) {
  return {
    labels: Uint8Array.from(labels),
    predictions: Uint8Array.from(predictions),
    variables: Object.entries(features).map(([name, values]) => encodeVariable(name, values, { missing })),
    segments: segments.map((segment) => {
      const spec = Array.isArray(segment) ? { features: segment, control: [] } : segment;
      return { id: spec.features.join('+'), ...spec };
    }),
  };
}

describe('analyse: groups and point estimates', () => {
  it('reproduces the Fairlearn recall by group and by intersection, leaving empty cells out', () => {
    const result = analyse(
      input(Y_TRUE, Y_PRED, { 'SF 0': SF0, 'SF 1': SF1 }, [['SF 0'], ['SF 0', 'SF 1']]),
      options({}, ['equal_opportunity_difference', 'equal_opportunity_ratio']),
    );
    const [single, both] = result.segments;
    expect(single!.reports.map((g) => [g.label, g.rates.true_positive_rate.value])).toEqual([
      ['a', 0],
      ['b', 0.5],
      ['c', 0.75],
      ['d', 0],
    ]);
    expect(single!.disparities[0]!.allGroups).toBe(0.75);
    expect(single!.disparities[1]!.allGroups).toBe(0);
    expect(both!.reports.map((g) => [g.label, g.rates.true_positive_rate.value])).toEqual([
      ['a+6', 0],
      ['b+6', 0.5],
      ['b+8', 0.5],
      ['c+6', 1],
      ['c+8', 0.5],
      ['d+6', 0],
      // Fairlearn's user guide shows 0 here: (d, 8) has no positives, so its recall is undefined.
      ['d+8', undefined],
    ]);
    expect(both!.reports[0]!.description).toBe('SF 0=a, SF 1=6');
    expect(both!.disparities[0]!.allGroups).toBe(1);
    expect(result.overall.rates.true_positive_rate.value).toBe(0.5);
  });

  it('weights rows like Fairlearn sample_weight (user guide: overall 0.45, c 0.714286)', () => {
    const weights = Float64Array.from([1, 2, 1, 3, 2, 3, 1, 2, 1, 2, 3, 1, 2, 3, 2, 3]);
    const result = analyse({ ...input(Y_TRUE, Y_PRED, { 'SF 0': SF0 }, [['SF 0']]), weights }, options());
    expect(result.overall.rates.true_positive_rate.value).toBeCloseTo(0.45, 12);
    const byGroup = result.segments[0]!.reports.map((g) => g.rates.true_positive_rate.value);
    expect(byGroup[2]).toBeCloseTo(0.714286, 6);
    expect(byGroup[1]).toBe(0.5);
    expect(result.segments[0]!.reports[2]!.rows).toBe(7);
  });

  it('puts missing sensitive values in their own group, or drops them', () => {
    const sex: CellValue[] = ['f', 'm', null, 'f', '', 'm'];
    const labels = [1, 0, 1, 0, 1, 0];
    const preds = [1, 1, 0, 0, 1, 0];
    const own = analyse(input(labels, preds, { sex }, [['sex']]), options());
    expect(own.segments[0]!.reports.map((g) => [g.label, g.rows])).toEqual([
      ['f', 2],
      ['m', 2],
      ['(missing)', 2],
    ]);
    const dropped = analyse(input(labels, preds, { sex }, [['sex']], 'drop'), options());
    expect(dropped.segments[0]!.reports.map((g) => g.label)).toEqual(['f', 'm']);
  });

  it('names groups whose rate is undefined instead of counting them as 0', () => {
    const result = analyse(
      input([1, 1, 0, 1, 0, 0, 0], [1, 0, 0, 1, 1, 1, 0], { g: ['x', 'x', 'x', 'y', 'y', 'z', 'z'] }, [
        ['g'],
      ]),
      options(),
    );
    const report = result.segments[0]!.disparities[0]!;
    expect(report.undefinedGroups).toEqual(['z']);
    expect(report.allGroups).toBe(0.5);
  });

  it('computes disparities within each control level and keeps the worst', () => {
    // Within north: TPR a 1, b 0 (difference 1). Within south: a 0.5, b 0.5 (difference 0).
    const labels = [1, 1, 1, 1, 1, 1, 1, 1];
    const preds = [1, 1, 0, 0, 1, 0, 1, 0];
    const result = analyse(
      input(
        labels,
        preds,
        { g: ['a', 'a', 'b', 'b', 'a', 'a', 'b', 'b'], region: ['n', 'n', 'n', 'n', 's', 's', 's', 's'] },
        [{ features: ['g'], control: ['region'] }],
      ),
      options(),
    );
    const report = result.segments[0]!.disparities[0]!;
    expect(report.value).toBe(1);
    expect(report.level).toBe('region=n');
    expect(result.segments[0]!.reports.map((g) => g.description)).toEqual([
      'g=a (region=n)',
      'g=b (region=n)',
      'g=a (region=s)',
      'g=b (region=s)',
    ]);
  });
});

/** Rows for one group with exact counts of each confusion cell. */
function rows(group: string, cells: { tp: number; fp: number; tn: number; fn: number }) {
  const out: { label: number; prediction: number; group: string }[] = [];
  const push = (count: number, label: number, prediction: number) => {
    for (let i = 0; i < count; i += 1) out.push({ label, prediction, group });
  };
  push(cells.tp, 1, 1);
  push(cells.fp, 0, 1);
  push(cells.tn, 0, 0);
  push(cells.fn, 1, 0);
  return out;
}

function judgeOf(data: ReturnType<typeof rows>, threshold: number, overrides: { strict?: boolean } = {}) {
  const analysis = analyse(
    input(
      data.map((r) => r.label),
      data.map((r) => r.prediction),
      { group: data.map((r) => r.group) },
      [['group']],
    ),
    options({ minSupport: 30, minDenominator: 10, resamples: 400 }, ['equalized_odds_difference']),
  );
  const segment = analysis.segments[0]!;
  return judge(
    [{ segment, report: segment.disparities[0]!, rule: { name: 'equalized_odds_difference', threshold } }],
    [],
    {
      strict: overrides.strict ?? false,
      correction: 'holm',
      confidence: 0.95,
      minSupport: 30,
      minDenominator: 10,
    },
  ).disparities[0]!;
}

describe('the worked example of docs/fairness.md', () => {
  it('gives the documented numbers and judges nothing below min-support', () => {
    const labels = [1, 1, 0, 0, 0, 1, 1, 0];
    const preds = [1, 0, 1, 0, 0, 1, 1, 0];
    const g = ['A', 'A', 'A', 'A', 'A', 'B', 'B', 'B'];
    const names = ['equalized_odds_difference', 'equalized_odds_ratio', 'demographic_parity_ratio'];
    const analysis = analyse(
      input(labels, preds, { g }, [['g']]),
      options({ minSupport: 30, minDenominator: 10 }, names),
    );
    const segment = analysis.segments[0]!;
    const [eod, eor, dpr] = segment.disparities;
    expect(eod!.allGroups).toBe(0.5);
    expect(eor!.allGroups).toBe(0);
    expect(dpr!.allGroups).toBeCloseTo(0.6, 15);
    const judged = judge(
      [{ segment, report: eod!, rule: { name: 'equalized_odds_difference', threshold: 0.1 } }],
      [],
      { strict: false, correction: 'holm', confidence: 0.95, minSupport: 30, minDenominator: 10 },
    );
    expect(judged.disparities[0]!.status).toBe('skip');
  });
});

describe('verdicts', () => {
  const big = (group: string, fpr: number) =>
    rows(group, { tp: 150, fn: 50, fp: Math.round(400 * fpr), tn: 400 - Math.round(400 * fpr) });

  it('fails when the whole interval is beyond the threshold and names both groups with counts', () => {
    const result = judgeOf([...big('young', 0.5), ...big('old', 0.2)], 0.1);
    expect(result.verdict).toBe('fail');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('FPR for group=young is 0.5 vs 0.2 for group=old (x2.5, 95% CI x');
    expect(result.message).toContain('400 vs 400 negatives');
    expect(result.report.interval!.lower).toBeGreaterThan(0.1);
  });

  it('passes when the whole interval is within the threshold', () => {
    const result = judgeOf([...big('young', 0.21), ...big('old', 0.2)], 0.2);
    expect(result.verdict).toBe('pass');
  });

  it('is inconclusive (a warning) when the interval straddles the threshold, with the data needed', () => {
    const result = judgeOf([...big('young', 0.32), ...big('old', 0.2)], 0.1);
    expect(result.verdict).toBe('inconclusive');
    expect(result.status).toBe('warn');
    expect(result.neededFactor).toBeGreaterThan(1);
    expect(result.message).toMatch(
      /About [\d.]+x the current rows would likely settle it \(about [\d,]+ negatives in group=/,
    );
  });

  it('does not let a 5-person group with a wild rate fail the gate, even in strict mode', () => {
    const wild = rows('tiny', { tp: 0, fn: 1, fp: 4, tn: 0 });
    const data = [...big('a', 0.2), ...big('b', 0.21), ...wild];
    for (const strict of [false, true]) {
      const result = judgeOf(data, 0.1, { strict });
      expect(result.status).toBe('pass');
      expect(result.report.allGroups).toBeGreaterThan(0.7);
      expect(result.message).toContain('too small to judge: tiny (5 rows)');
    }
  });

  it('skips a segment with a single judged group', () => {
    const result = judgeOf([...big('a', 0.2), ...rows('tiny', { tp: 1, fn: 1, fp: 1, tn: 1 })], 0.1);
    expect(result.status).toBe('skip');
    expect(result.message).toContain('fewer than two groups with enough data');
  });

  it('gives identical intervals, p-values and messages across reruns', () => {
    const data = [...big('young', 0.3), ...big('old', 0.2)];
    const first = judgeOf(data, 0.1);
    const second = judgeOf(data, 0.1);
    expect(second.report.replicates).toEqual(first.report.replicates);
    expect(second.message).toBe(first.message);
    expect(second.pValue).toBe(first.pValue);
  });
});
