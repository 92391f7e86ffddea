import type { GateResult } from '../result/gate-result.ts';
import { checkLabel } from './check-label.ts';
import { inertText, withoutLinksOrMentions } from './inert-text.ts';
import { details, statusBadge, table } from './markdown.ts';
import { renderChart } from './mermaid.ts';

/** Findings listed before the rest are counted; the result file has them all. */
const MAX_LISTED_CHECKS = 20;
/** Failures shown above the fold, cut short; the full list is collapsed below them. */
const INLINE_FAILURES = 3;

/** Foreign text inside a code span: no backtick to close it early, no line break, no mention or link. */
const codeText = (text: string) => withoutLinksOrMentions(text.replace(/[`\r\n]/g, ''));

const cut = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

const VERDICT: Record<GateResult['status'], string> = {
  pass: 'passes',
  warn: 'passes with warnings',
  fail: 'fails',
  error: 'could not run',
};

/**
 * The Markdown a gate adds to the job summary, verdict first and short: one heading line, the gate's
 * sentence, what needs attention as a list (lists wrap where tables would overflow), then its tables and
 * charts in one collapsed block. Ends with a blank line, so a heading appended after it still renders.
 */
export function renderGateSummary(result: GateResult, options: { heading?: boolean } = {}): string {
  const judged = result.checks.filter((check) => check.status !== 'skip');
  const passed = judged.filter((check) => check.status === 'pass').length;
  const parts: string[] = [];
  if (options.heading !== false) {
    parts.push(
      `### ${statusBadge(result.status).split(' ')[0]} \`${codeText(result.gate)}\` ${VERDICT[result.status]}: ${passed} of ${judged.length} checks pass`,
      '',
    );
  }
  parts.push(inertText(result.summary));
  const attention = result.checks.filter((check) => check.status !== 'pass' && check.status !== 'skip');
  const finding = (check: GateResult['checks'][number], length: number) =>
    `- ${statusBadge(check.status)} **${inertText(checkLabel(check))}**: ${inertText(cut(check.message, length))} (\`${codeText(check.id)}\`)`;
  // Failures inline, briefly; everything that needs attention, in full, one click away.
  const failing = attention.filter((check) => check.status === 'fail' || check.status === 'error');
  if (failing.length > 0) {
    parts.push('', ...failing.slice(0, INLINE_FAILURES).map((check) => finding(check, 200)));
  }
  if (attention.length > 0) {
    const listed = attention.slice(0, MAX_LISTED_CHECKS).map((check) => finding(check, 1000));
    if (attention.length > MAX_LISTED_CHECKS) {
      listed.push('', `…and ${attention.length - MAX_LISTED_CHECKS} more in \`${result.gate}.json\`.`);
    }
    const count = `${attention.length} check${attention.length === 1 ? '' : 's'} to read`;
    parts.push('', details(`${result.gate}: ${count}`, listed.join('\n')));
  }
  for (const waiver of result.waivers ?? []) {
    if (waiver.state === 'expired') {
      parts.push(
        '',
        `> Waiver for ${inertText(waiver.check)} expired on ${waiver.until} and no longer applies.`,
      );
    }
  }
  const tables = result.tables ?? [];
  const charts = result.charts ?? [];
  if (tables.length + charts.length > 0) {
    const body = [
      ...tables.map((extra) => `**${inertText(extra.title)}**\n\n${table(extra.columns, extra.rows)}`),
      ...charts.map(renderChart),
    ].join('\n\n');
    const what = [
      tables.length > 0 ? `${tables.length} table${tables.length === 1 ? '' : 's'}` : '',
      charts.length > 0 ? `${charts.length} chart${charts.length === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    parts.push('', details(`${result.gate}: ${what.join(' and ')}`, body));
  }
  return `${parts.join('\n')}\n`;
}
