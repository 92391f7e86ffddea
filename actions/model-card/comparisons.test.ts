import { describe, expect, it } from 'vitest';
import { GATE_RESULT_SCHEMA, GateResult } from '../../shared/result/gate-result.ts';
import { valueRows } from './changes.ts';
import { extractComparisons } from './comparisons.ts';

function result(gate: string, fields: Partial<GateResult>): GateResult {
  return GateResult.parse({
    schema: GATE_RESULT_SCHEMA,
    gate,
    status: 'pass',
    summary: '',
    checks: [],
    metrics: {},
    subject: {},
    startedAt: '2026-11-25T00:00:00.000Z',
    durationMs: 1,
    tool: { name: 'mlgate', version: '0.1.0' },
    ...fields,
  });
}

describe('baseline comparisons carried by results', () => {
  it('reads the explicit form and judges the direction', () => {
    const [comparison] = extractComparisons(
      result('custom', {
        details: {
          comparisons: [
            {
              metric: 'auc',
              baseline: 0.8,
              candidate: 0.78,
              higherIsBetter: true,
              significant: true,
              pValue: 0.01,
            },
          ],
        },
      }),
    );
    expect(comparison).toEqual({
      gate: 'custom',
      metric: 'auc',
      kind: 'values',
      baseline: 0.8,
      candidate: 0.78,
      higherIsBetter: true,
      significant: true,
      pValue: 0.01,
    });
    const [row] = valueRows([comparison!]);
    expect(row).toMatchObject({ label: 'auc', baseline: '0.8', candidate: '0.78', better: 'higher' });
    expect(row!.change).toBe('▼ −0.02 (−2.5%) worse');
  });

  it('reads a DVC metrics diff, skipping params that are not numbers', () => {
    const comparisons = extractComparisons(
      result('rerun-experiments', {
        details: {
          diff: {
            base: 'main',
            metrics: { 'm.json': { auc: { old: 0.8, new: 0.8, diff: 0 }, note: { old: 'a', new: 'b' } } },
          },
        },
      }),
    );
    expect(valueRows(comparisons).map((row) => [row.label, row.change])).toEqual([
      ['m.json: auc (vs main)', 'no change'],
    ]);
  });

  it('reads a ratio with its interval, and ignores checks without a baseline', () => {
    const comparisons = extractComparisons(
      result('benchmark', {
        checks: [
          {
            id: 'a.1.p50',
            status: 'fail',
            message: '',
            observed: 1.3,
            interval: { lower: 1.2, upper: 1.4, confidence: 0.9 },
          },
          { id: 'a.1.p99', status: 'pass', message: '', observed: 2 },
        ],
      }),
    );
    expect(comparisons).toHaveLength(1);
    expect(comparisons[0]).toMatchObject({
      kind: 'ratio',
      estimate: 1.3,
      interval: [1.2, 1.4],
      confidence: 0.9,
    });
    // Benchmark figures are read from the gate's own details (changes.ts), not repeated as generic values.
    expect(valueRows(comparisons)).toEqual([]);
  });
});
