import type { Check, WaiverReport } from './gate-result.ts';

/** A waiver as written in `mlgate.yml`: `{ check, reason, until }`. */
export interface Waiver {
  check: string;
  reason: string;
  /** Last day (inclusive, UTC) on which the waiver applies, as YYYY-MM-DD. */
  until: string;
}

/**
 * A check pattern matches ids literally, except `*`, which matches any run of characters (dots included),
 * so `eval.*` waives every check under `eval`.
 */
export function waiverMatches(pattern: string, checkId: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(checkId);
}

/**
 * Whether the waiver's last day is before `today`, compared as UTC days rather than as text; a date that
 * does not parse counts as expired, so a malformed waiver can never apply.
 */
function isExpired(waiver: Waiver, today: string): boolean {
  return !(Date.parse(`${waiver.until}T00:00:00Z`) >= Date.parse(`${today}T00:00:00Z`));
}

/**
 * Turns each failing check that a live waiver covers into a warning that says why.
 * Expired waivers change nothing; every waiver whose pattern touches this gate's checks is reported,
 * so an expired one is named in the result instead of silently ceasing to apply.
 */
export function applyWaivers(
  checks: readonly Check[],
  waivers: readonly Waiver[],
  now: Date,
): { checks: Check[]; report: WaiverReport[] } {
  const today = now.toISOString().slice(0, 10);
  const used = new Set<Waiver>();
  const result = checks.map((check) => {
    const matching = waivers.filter((waiver) => waiverMatches(waiver.check, check.id));
    if (matching.length === 0 || check.status !== 'fail') return check;
    const live = matching.find((waiver) => !isExpired(waiver, today));
    if (!live) return check;
    used.add(live);
    return {
      ...check,
      status: 'warn' as const,
      message: `${check.message} (waived until ${live.until}: ${live.reason})`,
      waived: { check: live.check, reason: live.reason, until: live.until },
    };
  });
  const report: WaiverReport[] = [];
  for (const waiver of waivers) {
    if (!checks.some((check) => waiverMatches(waiver.check, check.id))) continue;
    const state = isExpired(waiver, today) ? 'expired' : used.has(waiver) ? 'applied' : 'unused';
    report.push({ check: waiver.check, reason: waiver.reason, until: waiver.until, state });
  }
  return { checks: result, report };
}
