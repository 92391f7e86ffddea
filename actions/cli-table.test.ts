import { describe, expect, it } from 'vitest';
import { GATE_RESULT_SCHEMA, type GateResult } from '../shared/result/gate-result.ts';
import { renderRunTable } from './cli-table.ts';

function result(gate: string, status: GateResult['status'], passed: number, total: number): GateResult {
  return {
    schema: GATE_RESULT_SCHEMA,
    gate,
    status,
    summary: `${gate} summary`,
    checks: Array.from({ length: total }, (_, index) => ({
      id: `${gate}.${index}`,
      status: index < passed ? 'pass' : status === 'error' ? 'error' : 'fail',
      message: '',
    })),
    metrics: {},
    subject: {},
    startedAt: '2026-11-25T00:00:00.000Z',
    durationMs: 1234,
    tool: { name: 'mlgate', version: '0.1.0' },
  };
}

describe('the run table', () => {
  it('lines up one row per gate and ends with the verdict', () => {
    const text = renderRunTable(
      [result('validate-data', 'pass', 3, 3), result('fairness', 'warn', 2, 2)],
      `${process.cwd()}/out`,
    );
    expect(text).toBe(
      [
        'gate           status  checks  time   summary',
        'validate-data  ✔ pass  3/3     1.2 s  validate-data summary',
        'fairness       ! warn  2/2     1.2 s  fairness summary',
        '',
        'All gates passed, 1 with warnings to read. Results in out/',
      ].join('\n'),
    );
  });

  it('counts failed and errored gates in the verdict', () => {
    const text = renderRunTable(
      [result('benchmark', 'fail', 1, 2), result('fairness', 'error', 0, 0)],
      '/tmp/out',
    );
    expect(text).toContain('benchmark  ✘ FAIL   1/2');
    expect(text.split('\n').at(-1)).toMatch(/^2 of 2 gates did not pass\./);
  });
});
