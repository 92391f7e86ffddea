import { markdownTable } from 'markdown-table';
import type { CheckStatus, GateStatus } from '../result/gate-result.ts';
import { withoutLinksOrMentions } from './inert-text.ts';

const ICONS: Record<GateStatus | CheckStatus, string> = {
  pass: '✅',
  warn: '⚠️',
  fail: '❌',
  error: '⛔',
  skip: '⏭️',
};

/** The status as an icon and a word, e.g. `❌ fail`, so it reads without colour. */
export function statusBadge(status: GateStatus | CheckStatus): string {
  return `${ICONS[status]} ${status}`;
}

/**
 * Escapes what would break a table cell or inject markup: pipes, newlines, angle brackets, and (since any
 * cell may carry data or results from a fork) mentions and links. Backticks stay, for cells in code.
 */
export function escapeCell(text: string): string {
  return withoutLinksOrMentions(
    text
      .replace(/\\/g, '\\\\')
      .replace(/\|/g, '\\|')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\r?\n/g, ' '),
  );
}

/** A GitHub-flavoured Markdown table; cells are escaped here. */
export function table(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  return markdownTable([columns.map(escapeCell), ...rows.map((row) => row.map(escapeCell))], {
    alignDelimiters: false,
  });
}

/** A collapsible block, closed unless `open`. */
export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** Formats a number for people: 4 significant digits, no exponent for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e9)) return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}
