import type { GateResult } from '../result/gate-result.ts';
import { checkLabel } from './check-label.ts';
import { details, statusBadge, table } from './markdown.ts';
import { renderChart } from './mermaid.ts';

/** Findings listed before the rest are counted; the result file has them all. */
const MAX_LISTED_CHECKS = 20;

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
      `### ${statusBadge(result.status).split(' ')[0]} \`${result.gate}\` ${VERDICT[result.status]}: ${passed} of ${judged.length} checks pass`,
      '',
    );
  }
  parts.push(result.summary);
  const attention = result.checks.filter((check) => check.status !== 'pass' && check.status !== 'skip');
  if (attention.length > 0) {
    parts.push(
      '',
      ...attention
        .slice(0, MAX_LISTED_CHECKS)
        .map(
          (check) =>
            `- ${statusBadge(check.status)} **${checkLabel(check)}**: ${check.message} (\`${check.id}\`)`,
        ),
    );
    if (attention.length > MAX_LISTED_CHECKS) {
      parts.push('', `…and ${attention.length - MAX_LISTED_CHECKS} more in \`${result.gate}.json\`.`);
    }
  }
  for (const waiver of result.waivers ?? []) {
    if (waiver.state === 'expired') {
      parts.push('', `> Waiver for \`${waiver.check}\` expired on ${waiver.until} and no longer applies.`);
    }
  }
  const tables = result.tables ?? [];
  const charts = result.charts ?? [];
  if (tables.length + charts.length > 0) {
    const body = [
      ...tables.map((extra) => `**${extra.title}**\n\n${table(extra.columns, extra.rows)}`),
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
