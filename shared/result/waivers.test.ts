import { describe, expect, it } from 'vitest';
import type { Check } from './gate-result.ts';
import { applyWaivers, waiverMatches } from './waivers.ts';

const failing: Check = { id: 'eval.age.max', status: 'fail', message: '3 rows above 120' };
const passing: Check = { id: 'eval.age.min', status: 'pass', message: 'ok' };
const now = new Date('2026-11-25T12:00:00Z');

describe('waivers', () => {
  it('match ids literally, with * spanning any characters including dots', () => {
    expect(waiverMatches('eval.age.max', 'eval.age.max')).toBe(true);
    expect(waiverMatches('eval.*', 'eval.age.max')).toBe(true);
    expect(waiverMatches('*.max', 'eval.age.max')).toBe(true);
    expect(waiverMatches('eval.age', 'eval.age.max')).toBe(false);
    expect(waiverMatches('eval.a?e.max', 'eval.age.max')).toBe(false);
  });

  it('turn a failure into a warning that says why, while the waiver is live (until is inclusive)', () => {
    const { checks, report } = applyWaivers(
      [failing, passing],
      [{ check: 'eval.age.*', reason: 'upstream fix in JIRA-12', until: '2026-11-25' }],
      now,
    );
    expect(checks[0]).toMatchObject({
      status: 'warn',
      message: '3 rows above 120 (waived until 2026-11-25: upstream fix in JIRA-12)',
      waived: { check: 'eval.age.*', until: '2026-11-25' },
    });
    expect(checks[1]).toEqual(passing);
    expect(report).toEqual([
      { check: 'eval.age.*', reason: 'upstream fix in JIRA-12', until: '2026-11-25', state: 'applied' },
    ]);
  });

  it('stop applying after the date and name the expired waiver in the report', () => {
    const { checks, report } = applyWaivers(
      [failing],
      [{ check: 'eval.age.max', reason: 'temporary', until: '2026-11-24' }],
      now,
    );
    expect(checks[0]?.status).toBe('fail');
    expect(report[0]?.state).toBe('expired');
  });

  it('never touch passing checks and report a waiver that matched nothing failing as unused', () => {
    const { checks, report } = applyWaivers(
      [passing],
      [{ check: 'eval.*', reason: 'r', until: '2030-01-01' }],
      now,
    );
    expect(checks).toEqual([passing]);
    expect(report[0]?.state).toBe('unused');
    expect(
      applyWaivers([passing], [{ check: 'train.*', reason: 'r', until: '2030-01-01' }], now).report,
    ).toEqual([]);
  });
});
