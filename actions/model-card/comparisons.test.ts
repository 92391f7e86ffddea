import { describe, expect, it } from 'vitest';
import { GATE_RESULT_SCHEMA, GateResult } from '../../shared/result/gate-result.ts';
import { extractComparisons } from './comparisons.ts';
import { formatChange, formatSignificance, judgeChange } from './render-card.ts';

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
    expect(formatChange(comparison!)).toBe('▼ -0.02 (-2.5%)');
    expect(judgeChange(comparison!)).toBe('worse');
    expect(formatSignificance(comparison!)).toBe('significant, p = 0.01');
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
    expect(comparisons.map((comparison) => [comparison.metric, formatChange(comparison)])).toEqual([
      ['m.json: auc (vs main)', '＝ 0'],
    ]);
  });

  it('calls a ratio significant when its interval excludes 1, and ignores checks without a baseline', () => {
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
    expect(formatChange(comparisons[0]!)).toBe('▲ ×1.3');
    expect(formatSignificance(comparisons[0]!)).toBe('significant, 90% CI [1.2, 1.4]');
  });
});
