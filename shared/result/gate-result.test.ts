import { describe, expect, it } from 'vitest';
import { exitCodeFor, GATE_RESULT_SCHEMA, GateResult, statusFromChecks, worstStatus } from './gate-result.ts';

describe('the gate result model', () => {
  it('derives the gate status from the worst check; skips and no checks are a pass', () => {
    expect(statusFromChecks([])).toBe('pass');
    expect(statusFromChecks([{ status: 'skip' }, { status: 'pass' }])).toBe('pass');
    expect(statusFromChecks([{ status: 'pass' }, { status: 'warn' }])).toBe('warn');
    expect(statusFromChecks([{ status: 'warn' }, { status: 'fail' }, { status: 'pass' }])).toBe('fail');
    expect(statusFromChecks([{ status: 'fail' }, { status: 'error' }])).toBe('error');
    expect(worstStatus(['pass', 'warn', 'pass'])).toBe('warn');
  });

  it('maps statuses to exit codes: 0 pass or warn, 1 fail, 2 error', () => {
    expect([exitCodeFor('pass'), exitCodeFor('warn'), exitCodeFor('fail'), exitCodeFor('error')]).toEqual([
      0, 0, 1, 2,
    ]);
  });

  it('accepts a complete result with gate-specific check fields and rejects a wrong schema tag', () => {
    const result = {
      schema: GATE_RESULT_SCHEMA,
      gate: 'validate-data',
      status: 'fail',
      summary: '1 of 2 checks failed',
      checks: [
        { id: 'eval.age.max', status: 'fail', message: 'too old', observed: 130, expected: 120, failing: 3 },
        { id: 'eval.rows', status: 'pass', message: 'ok' },
      ],
      metrics: { rows: 5000 },
      subject: { model: { name: 'loans', version: '1.1.0', sha256: 'a'.repeat(64) }, commit: 'abc' },
      startedAt: '2026-11-25T00:00:00.000Z',
      durationMs: 12,
      tool: { name: 'mlgate', version: '0.1.0' },
    };
    const parsed = GateResult.parse(result);
    expect(parsed.checks[0]).toMatchObject({ failing: 3 });
    expect(GateResult.safeParse({ ...result, schema: 'mlgate/gate-result@2' }).success).toBe(false);
    expect(GateResult.safeParse({ ...result, status: 'ok' }).success).toBe(false);
  });
});
