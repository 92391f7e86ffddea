import { describe, expect, it } from 'vitest';
import type { Check } from '../../shared/result/gate-result.ts';
import { driftTable, failingTable, summarize } from './report.ts';

const checks: Check[] = [
  { id: 'eval.rows', status: 'pass', message: '5,000 rows' },
  {
    id: 'eval.age.type',
    status: 'fail',
    message: '2 value(s) of age are not integer',
    failing: 2,
    examples: [
      { row: 17, value: 'abc' },
      { row: 1203, value: 'forty' },
    ],
  },
  {
    id: 'eval.drift.income',
    status: 'warn',
    message: 'wasserstein = 0.4 >= 0.1',
    statistic: 'wasserstein',
    value: 0.4,
    threshold: 0.1,
    pValue: 1e-9,
    pTest: 'ks',
    drifted: true,
  },
  { id: 'eval.drift', status: 'fail', message: '1 of 2', drifted: true, reference: 'train' },
];

describe('validate-data report', () => {
  it('tables failing checks with their example rows', () => {
    expect(failingTable(checks)?.rows).toEqual([
      ['eval.age.type', '2', '17: "abc"; 1203: "forty"', '2 value(s) of age are not integer'],
      ['eval.drift.income', '', '', 'wasserstein = 0.4 >= 0.1'],
      ['eval.drift', '', '', '1 of 2'],
    ]);
    expect(failingTable(checks.slice(0, 1))).toBeUndefined();
  });

  it('tables drift per column', () => {
    expect(driftTable(checks)).toEqual({
      title: 'Drift',
      columns: ['Check', 'Statistic', 'Value', 'Threshold', 'p-value', 'Verdict'],
      rows: [['eval.drift.income', 'wasserstein', '0.4', '0.1', '1.000e-9 (ks)', 'drift']],
    });
  });

  it('names a detectable shift below the threshold as such, not as stable', () => {
    const small = { ...checks[2]!, status: 'pass' as const, value: 0.02, drifted: false, pValue: 0.028 };
    const none = { ...small, pValue: 0.5 };
    expect(driftTable([small, none])?.rows.map((row) => row[5])).toEqual([
      'small shift (detectable, below the threshold)',
      'no shift beyond noise',
    ]);
  });

  it('summarizes contract and drift in one line', () => {
    expect(summarize(['eval'], checks)).toBe('1 of 2 checks fail in eval; eval drifts from train');
    expect(summarize(['eval'], checks.slice(0, 1))).toBe('1 dataset meets its contract');
    expect(summarize([], [])).toBe('nothing to check: no dataset has a schema and no drift is configured');
  });
});
