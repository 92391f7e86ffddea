/**
 * The label people read for a check: the gate's own `label` field when it wrote one (`age_band · 18-25 ·
 * FPR`), else the dotted id with its parts spaced (`eval · drift · income`). The id stays what waivers name.
 */
export function checkLabel(check: { id: string; label?: unknown }): string {
  if (typeof check.label === 'string' && check.label.trim() !== '')
    return check.label.replace(/[\r\n]/g, ' ');
  return check.id.split('.').join(' · ');
}

/** `equalized_odds_difference` → `equalized odds gap`: a snake_case measure name as words. */
export function measureName(name: string): string {
  return name.replace(/_difference$/, '_gap').replace(/_/g, ' ');
}
