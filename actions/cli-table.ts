import { relative } from 'node:path';
import type { GateResult } from '../shared/result/gate-result.ts';

const MARK: Record<GateResult['status'], string> = {
  pass: '✔ pass',
  warn: '! warn',
  fail: '✘ FAIL',
  error: '✘ ERROR',
};

/** The one-screen table `mlgate run` prints: one line per gate, then the verdict. */
export function renderRunTable(results: readonly GateResult[], out: string): string {
  if (results.length === 0) return 'No gate is configured: add one under `gates:` in mlgate.yml.';
  const rows = results.map((result) => {
    const passed = result.checks.filter((check) => check.status === 'pass').length;
    return [
      result.gate,
      MARK[result.status],
      `${passed}/${result.checks.length}`,
      `${(result.durationMs / 1000).toFixed(1)} s`,
      result.summary,
    ];
  });
  const header = ['gate', 'status', 'checks', 'time', 'summary'];
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]!.length)),
  );
  const line = (row: readonly string[]) =>
    row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!))).join('  ');
  const failed = results.filter((result) => result.status === 'fail' || result.status === 'error').length;
  const warned = results.filter((result) => result.status === 'warn').length;
  const verdict =
    failed > 0
      ? `${failed} of ${results.length} gates did not pass.`
      : warned > 0
        ? `All gates passed, ${warned} with warnings to read.`
        : 'All gates passed.';
  return [
    line(header),
    ...rows.map(line),
    '',
    `${verdict} Results in ${relative(process.cwd(), out) || '.'}/`,
  ].join('\n');
}
