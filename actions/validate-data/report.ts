import { formatNumber } from '../../shared/report/markdown.ts';
import type { Check, Table } from '../../shared/result/gate-result.ts';

/** The rows of the summary's table of failing checks. */
export function failingTable(checks: readonly Check[]): Table | undefined {
  const failing = checks.filter((check) => check.status === 'fail' || check.status === 'warn');
  if (failing.length === 0) return undefined;
  return {
    title: 'Failing checks',
    columns: ['Check', 'Failing rows', 'Examples (row: value)', 'Message'],
    rows: failing.map((check) => {
      const examples = Array.isArray(check.examples)
        ? (check.examples as { row: number; value: unknown }[])
        : [];
      return [
        check.id,
        typeof check.failing === 'number' ? formatNumber(check.failing) : '',
        examples.map((example) => `${example.row}: ${JSON.stringify(example.value)}`).join('; '),
        check.message,
      ];
    }),
  };
}

/**
 * The size of the shift decides (the threshold); the p-value only says whether a shift is detectable. A
 * detectable shift below the threshold is named as such, not called "stable".
 */
function driftVerdict(check: Check): string {
  if (check.drifted) return 'drift';
  if (check.verdict === 'inconclusive') return 'inconclusive';
  const p = Number(check.pValue);
  return Number.isFinite(p) && p < 0.05
    ? 'small shift (detectable, below the threshold)'
    : 'no shift beyond noise';
}

/** One row per compared column: statistic, threshold, p-value and verdict. */
export function driftTable(checks: readonly Check[]): Table | undefined {
  const columns = checks.filter((check) => typeof check.statistic === 'string');
  if (columns.length === 0) return undefined;
  return {
    title: 'Drift',
    columns: ['Check', 'Statistic', 'Value', 'Threshold', 'p-value', 'Verdict'],
    rows: columns.map((check) => [
      check.id,
      String(check.statistic),
      formatNumber(Number(check.value)),
      formatNumber(Number(check.threshold)),
      `${formatNumber(Number(check.pValue))} (${String(check.pTest)})`,
      driftVerdict(check),
    ]),
  };
}

/** One line: the contract verdict, then one clause per drift comparison. */
export function summarize(datasets: readonly string[], checks: readonly Check[]): string {
  const parts: string[] = [];
  const contract = checks.filter((check) => !check.id.includes('.drift'));
  const failed = contract.filter((check) => check.status === 'fail');
  if (datasets.length) {
    parts.push(
      failed.length === 0
        ? `${datasets.length} dataset${datasets.length === 1 ? '' : 's'} meet${datasets.length === 1 ? 's' : ''} ${datasets.length === 1 ? 'its' : 'their'} contract`
        : `${failed.length} of ${contract.length} checks fail in ${[...new Set(failed.map((check) => check.id.split('.')[0]))].join(', ')}`,
    );
  }
  for (const check of checks.filter((candidate) => /\.drift$/.test(candidate.id))) {
    const current = check.id.slice(0, -'.drift'.length);
    parts.push(
      check.drifted
        ? `${current} drifts from ${String(check.reference)}`
        : check.verdict === 'inconclusive'
          ? `drift of ${current} inconclusive`
          : `no drift in ${current}`,
    );
  }
  return parts.join('; ') || 'nothing to check: no dataset has a schema and no drift is configured';
}
