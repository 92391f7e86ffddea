import type { GateResult } from '../result/gate-result.ts';
import { inertText, withoutLinksOrMentions } from './inert-text.ts';
import { details, formatNumber, statusBadge, table } from './markdown.ts';
import { renderChart } from './mermaid.ts';

/** Checks listed in full before the rest are counted; keeps summaries readable and small. */
const MAX_LISTED_CHECKS = 50;

function cell(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The Markdown section a gate adds to the job summary: verdict, checks needing attention, tables, charts. */
export function renderGateSummary(result: GateResult): string {
  const parts = [
    `### ${statusBadge(result.status)} \`${withoutLinksOrMentions(result.gate.replace(/[`\r\n]/g, ''))}\``,
    '',
    inertText(result.summary),
  ];
  const attention = result.checks.filter((check) => check.status !== 'pass' && check.status !== 'skip');
  const passed = result.checks.filter((check) => check.status === 'pass').length;
  if (attention.length > 0) {
    const rows = attention
      .slice(0, MAX_LISTED_CHECKS)
      .map((check) => [
        statusBadge(check.status),
        check.id,
        check.message,
        cell(check.observed),
        cell(check.expected),
      ]);
    parts.push('', table(['status', 'check', 'message', 'observed', 'expected'], rows));
    if (attention.length > MAX_LISTED_CHECKS) {
      parts.push('', `…and ${attention.length - MAX_LISTED_CHECKS} more in \`${result.gate}.json\`.`);
    }
  }
  parts.push('', `${passed} of ${result.checks.length} checks passed.`);
  for (const waiver of result.waivers ?? []) {
    if (waiver.state === 'expired') {
      parts.push(
        '',
        `> Waiver for ${inertText(waiver.check)} expired on ${waiver.until} and no longer applies.`,
      );
    }
  }
  for (const extra of result.tables ?? []) {
    parts.push('', details(inertText(extra.title), table(extra.columns, extra.rows)));
  }
  for (const chart of result.charts ?? []) parts.push('', renderChart(chart));
  return parts.join('\n');
}
