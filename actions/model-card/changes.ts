import { z } from 'zod';
import { checkLabel } from '../../shared/report/check-label.ts';
import { formatNumber } from '../../shared/report/markdown.ts';
import { formatDuration, formatPercentChange, formatPoints } from '../../shared/report/units.ts';
import type { CheckStatus, GateResult } from '../../shared/result/gate-result.ts';
import type { Comparison } from './comparisons.ts';
import { plain } from './text.ts';

/** What a check's verdict means for the merge, in the words the report uses. */
export type Outcome = 'exceeded' | 'waived' | 'inconclusive' | 'within' | 'not judged';

/** One figure of the candidate against the baseline (or against its limit), formatted for people. */
export interface ChangeRow {
  gate: string;
  /** The check that judged it: what a waiver names. */
  id?: string;
  label: string;
  kind: 'model' | 'fairness gap' | 'group vs baseline' | 'latency' | 'drift';
  better?: 'higher' | 'lower';
  baseline?: string;
  candidate?: string;
  change: string;
  limit: string;
  outcome: Outcome;
  /** The waiver's end date, when `waived`. */
  until?: string;
  /** How far towards its limit (1 = at the limit) or, without one, how big the change: ranks rows. */
  weight: number;
  /** One phrase for the headline: the value against its limit. */
  brief: string;
  /** What would settle an inconclusive verdict. */
  settle?: string;
}

const finite = z.number().refine(Number.isFinite);
const Interval = z.looseObject({ lower: finite, upper: finite });
/** The fields this module reads from a gate's checks; anything else is ignored (results may be untrusted). */
const JudgedCheck = z.looseObject({
  id: z.string(),
  status: z.enum(['pass', 'warn', 'fail', 'skip', 'error']),
  observed: finite,
  expected: z.string().optional(),
  interval: Interval.nullable().optional(),
  verdict: z.string().optional(),
  waived: z.looseObject({ until: z.string() }).optional(),
  neededFactor: finite.optional(),
});
type JudgedCheck = z.infer<typeof JudgedCheck>;

const rate = (value: number) => value.toFixed(3);
const RATE_NAMES: Record<string, string> = {
  true_positive_rate: 'TPR',
  false_positive_rate: 'FPR',
  false_negative_rate: 'FNR',
};
const rateName = (metric: string) => RATE_NAMES[metric] ?? metric.replace(/_/g, ' ');
const gap = (value: number) => formatNumber(Number(value.toPrecision(3)));

/** The outcome of a check, as the gate judged it. */
export function outcomeOf(check: { status: CheckStatus; waived?: unknown; verdict?: unknown }): Outcome {
  if (check.waived) return 'waived';
  if (check.status === 'fail' || check.status === 'error') return 'exceeded';
  if (check.status === 'skip') return 'not judged';
  if (check.status === 'warn' || check.verdict === 'inconclusive') return 'inconclusive';
  return 'within';
}

const OUTCOME_WORDS: Record<Outcome, string> = {
  exceeded: '❌ exceeds',
  waived: '⚠️ exceeds, waived',
  inconclusive: '❓ inconclusive',
  within: '✅ within',
  'not judged': 'no limit',
};

/** The verdict cell: `❌ exceeds the limit`, `⚠️ exceeds, waived until 2027-06-30`. */
export function outcomeWords(row: Pick<ChangeRow, 'outcome' | 'until'>): string {
  return row.outcome === 'waived' && row.until
    ? `${OUTCOME_WORDS.waived} to ${row.until}`
    : OUTCOME_WORDS[row.outcome];
}

/** `[+3.7, +7.5] pp` */
const pointsRange = (interval: { lower: number; upper: number }) =>
  `[${formatPoints(interval.lower).replace(' pp', '')}, ${formatPoints(interval.upper)}]`;

/** `+5.6 pp worse` or `no change`, with the interval on a second line; the arrow follows the metric. */
function pointsChange(
  change: number,
  interval: { lower: number; upper: number } | undefined,
  better: 'higher' | 'lower',
): string {
  const range = interval ? `<br>${pointsRange(interval)}` : '';
  if (interval && interval.lower <= 0 && interval.upper >= 0) return `no change${range}`;
  if (change === 0) return 'no change';
  const word = change > 0 === (better === 'higher') ? 'better' : 'worse';
  return `${change > 0 ? '▲' : '▼'} ${formatPoints(change)} ${word}${range}`;
}

const settleText = (check: JudgedCheck) =>
  check.neededFactor !== undefined
    ? `about ${formatNumber(check.neededFactor)}× the rows would settle it`
    : 'more rows would settle it';

function weighed(check: JudgedCheck, value: number, limit: number | undefined): number {
  return limit !== undefined && limit !== 0 ? value / limit : Math.abs(check.observed);
}

function limitNumber(expected: string | undefined): number | undefined {
  const match = /(-?\d+(?:\.\d+)?)/.exec(expected ?? '');
  return match ? Number(match[1]) : undefined;
}

const WithRates = z.looseObject({ metric: z.string(), candidate: finite, baseline: finite });

function fairnessRows(result: GateResult): ChangeRow[] {
  const rows: ChangeRow[] = [];
  const overall = z
    .looseObject({
      path: z.string(),
      overall: z.array(
        z.looseObject({
          metric: z.string(),
          candidate: finite,
          baseline: finite,
          change: finite,
          interval: Interval,
        }),
      ),
      rocAuc: z.looseObject({ candidate: finite, baseline: finite }).optional(),
    })
    .safeParse(result.details?.baseline);
  if (overall.success) {
    const { rocAuc } = overall.data;
    if (rocAuc) {
      const change = rocAuc.candidate - rocAuc.baseline;
      rows.push({
        gate: result.gate,
        label: 'ROC AUC',
        kind: 'model',
        better: 'higher',
        baseline: rate(rocAuc.baseline),
        candidate: rate(rocAuc.candidate),
        change: `${change > 0 ? '▲ +' : change < 0 ? '▼ −' : ''}${Math.abs(change).toFixed(3)}${change === 0 ? ' no change' : change > 0 ? ' better' : ' worse'}<br>(untested)`,
        limit: '—',
        outcome: 'not judged',
        weight: Math.abs(change) / 0.05,
        brief: `ROC AUC ${rate(rocAuc.baseline)} → ${rate(rocAuc.candidate)}`,
      });
    }
    for (const entry of overall.data.overall) {
      const better = entry.metric === 'false_positive_rate' ? 'lower' : 'higher';
      rows.push({
        gate: result.gate,
        label: `${rateName(entry.metric)} (all rows)`,
        kind: 'model',
        better,
        baseline: rate(entry.baseline),
        candidate: rate(entry.candidate),
        change: pointsChange(entry.change, entry.interval, better),
        limit: '—',
        outcome: 'not judged',
        weight: Math.abs(entry.change) / 0.05,
        brief: `${rateName(entry.metric)} ${rate(entry.baseline)} → ${rate(entry.candidate)}`,
      });
    }
  }
  for (const raw of result.checks) {
    const parsed = JudgedCheck.safeParse(raw);
    if (!parsed.success) continue;
    const check = parsed.data;
    const outcome = outcomeOf(check);
    const base = {
      gate: result.gate,
      id: check.id,
      label: plain(checkLabel(check), 120),
      outcome,
      ...(check.waived ? { until: check.waived.until } : {}),
      ...(outcome === 'inconclusive' ? { settle: settleText(check) } : {}),
    };
    const rates = WithRates.safeParse(raw);
    if (check.id.endsWith('.vs-baseline') && rates.success) {
      // `observed` is the regression (positive = worse); show the rate's own change instead.
      const { metric, candidate, baseline } = rates.data;
      const better =
        metric === 'false_positive_rate' || metric === 'false_negative_rate' ? 'lower' : 'higher';
      const flip = better === 'lower' ? 1 : -1;
      const interval = check.interval
        ? better === 'lower'
          ? check.interval
          : { lower: -check.interval.upper, upper: -check.interval.lower }
        : undefined;
      const tolerance = limitNumber(check.expected);
      const limit =
        tolerance === undefined
          ? '—'
          : `${better === 'lower' ? '≤' : '≥'} ${formatPoints(flip * tolerance, 0)}`;
      rows.push({
        ...base,
        kind: 'group vs baseline',
        better,
        baseline: rate(baseline),
        candidate: rate(candidate),
        change: pointsChange(candidate - baseline, interval, better),
        limit,
        weight: weighed(check, check.observed, tolerance),
        brief: `${base.label} ${rate(baseline)} → ${rate(candidate)} (${formatPoints(candidate - baseline)}${interval ? ` ${pointsRange(interval)}` : ''}; limit ${limit})`,
      });
    } else if (check.id.endsWith('.vs-baseline')) {
      // An older or foreign result without the rates: the regression alone, positive meaning worse.
      const tolerance = limitNumber(check.expected);
      const range = check.interval ? `<br>${pointsRange(check.interval)}` : '';
      const covered = check.interval && check.interval.lower <= 0 && check.interval.upper >= 0;
      rows.push({
        ...base,
        kind: 'group vs baseline',
        change: covered
          ? `no change${range}`
          : `${formatPoints(check.observed)} ${check.observed > 0 ? 'worse' : 'better'}${range}`,
        limit: tolerance === undefined ? '—' : `≤ ${formatPoints(tolerance, 0)} worse`,
        weight: weighed(check, check.observed, tolerance),
        brief: `${base.label} ${formatPoints(check.observed)} worse${check.interval ? ` ${pointsRange(check.interval)}` : ''} (limit ${tolerance === undefined ? '—' : `≤ ${formatPoints(tolerance, 0)} worse`})`,
      });
    } else {
      const bound = limitNumber(check.expected);
      const range = check.interval ? ` [${gap(check.interval.lower)}, ${gap(check.interval.upper)}]` : '';
      const limit = check.expected?.replace('<=', '≤').replace('>=', '≥') ?? '—';
      rows.push({
        ...base,
        kind: 'fairness gap',
        better: check.expected?.startsWith('>') ? 'higher' : 'lower',
        candidate: `${gap(check.observed)}${range ? `<br>${range.trim()}` : ''}`,
        change: '—',
        limit,
        weight: check.expected?.startsWith('>')
          ? bound && check.observed > 0
            ? bound / check.observed
            : 0
          : weighed(check, check.observed, bound),
        brief: `${base.label} ${gap(check.observed)}${range} (limit ${limit})`,
      });
    }
  }
  return rows;
}

const Configuration = z.looseObject({
  id: z.string(),
  candidate: z.looseObject({ statistics: z.record(z.string(), z.unknown()) }),
  baseline: z
    .looseObject({ statistics: z.record(z.string(), z.unknown()) })
    .nullable()
    .optional(),
});

function benchmarkRows(result: GateResult): ChangeRow[] {
  const configurations = z.array(Configuration).safeParse(result.details?.configurations);
  const known = configurations.success ? configurations.data : [];
  const rows: ChangeRow[] = [];
  for (const raw of result.checks) {
    const parsed = JudgedCheck.extend({ threshold: finite.optional() }).safeParse(raw);
    if (!parsed.success) continue;
    const check = parsed.data;
    // Without the gate's measured figures (an older or foreign result), the ratio alone.
    const configuration = known.find((entry) => check.id.startsWith(`${entry.id}.`));
    if (!configuration && check.threshold === undefined) continue;
    const statistic = configuration ? check.id.slice(configuration.id.length + 1) : '';
    const figure = (value: unknown) => (typeof value === 'number' ? formatDuration(value) : undefined);
    const threshold = check.threshold;
    const ratio = check.observed;
    const interval = check.interval;
    const covered = interval && interval.lower <= 1 && interval.upper >= 1;
    const range = interval ? `<br>[×${interval.lower.toFixed(3)}, ×${interval.upper.toFixed(3)}]` : '';
    const change = covered
      ? `no change${range}`
      : `${ratio > 1 ? '▲' : '▼'} ×${ratio.toFixed(3)} (${formatPercentChange(ratio)}) ${ratio > 1 ? 'slower' : 'faster'}${range}`;
    const outcome = outcomeOf(check);
    const label = plain(checkLabel(check), 120);
    const baseline = figure(configuration?.baseline?.statistics[statistic]);
    const candidate = figure(configuration?.candidate.statistics[statistic]);
    const limit = threshold ? `≤ ×${threshold.toFixed(2)}` : '—';
    rows.push({
      gate: result.gate,
      id: check.id,
      label: `latency ${label}`,
      kind: 'latency',
      better: 'lower',
      ...(baseline ? { baseline } : {}),
      ...(candidate ? { candidate } : {}),
      change,
      limit,
      outcome,
      ...(check.waived ? { until: check.waived.until } : {}),
      ...(outcome === 'inconclusive' ? { settle: 'a longer time budget would settle it' } : {}),
      weight: threshold && threshold !== 1 ? (ratio - 1) / (threshold - 1) : 0,
      brief: `latency ${label} ×${ratio.toFixed(3)}${interval ? ` [${interval.lower.toFixed(3)}, ${interval.upper.toFixed(3)}]` : ''} (limit ${limit})`,
    });
  }
  return rows;
}

const DriftCheck = JudgedCheck.extend({
  statistic: z.string(),
  threshold: finite,
  reference: z.string(),
  column: z.string(),
});

function driftRows(result: GateResult): ChangeRow[] {
  const worst = new Map<string, z.infer<typeof DriftCheck>>();
  const drifted: ChangeRow[] = [];
  for (const raw of result.checks) {
    const parsed = DriftCheck.safeParse(raw);
    if (!parsed.success) continue;
    const check = parsed.data;
    const pair = `${check.id.split('.')[0]} vs ${check.reference}`;
    const current = worst.get(pair);
    if (!current || check.observed / check.threshold > current.observed / current.threshold)
      worst.set(pair, check);
    if (check.status !== 'pass') drifted.push(driftRow(result.gate, check, `${pair} · ${check.column}`));
  }
  const rows = [...worst].map(([pair, check]) =>
    driftRow(result.gate, check, `${pair}, largest: ${check.column}`),
  );
  return [...rows, ...drifted.filter((row) => !rows.some((shown) => shown.id === row.id))];
}

function driftRow(gate: string, check: z.infer<typeof DriftCheck>, what: string): ChangeRow {
  const outcome = outcomeOf(check);
  return {
    gate,
    id: check.id,
    label: `drift ${what}`,
    kind: 'drift',
    better: 'lower',
    candidate: `${gap(check.observed)}<br>(${check.statistic})`,
    change: '—',
    limit: `< ${formatNumber(check.threshold)}`,
    outcome,
    ...(check.waived ? { until: check.waived.until } : {}),
    weight: check.observed / check.threshold,
    brief: `drift ${what} ${check.statistic} ${gap(check.observed)} (limit < ${formatNumber(check.threshold)})`,
  };
}

/** Every change against the baseline (and every judged gap) the results carry, formatted for people. */
export function changeRows(results: readonly GateResult[]): ChangeRow[] {
  return results.flatMap((result) => {
    if (result.gate === 'fairness') return fairnessRows(result);
    if (result.gate === 'benchmark') return benchmarkRows(result);
    if (result.gate === 'validate-data') return driftRows(result);
    return [];
  });
}

const SEVERITY: Record<Outcome, number> = {
  exceeded: 0,
  waived: 1,
  inconclusive: 2,
  within: 3,
  'not judged': 4,
};

/** The order a reviewer needs: what exceeds or is unsettled first, then the largest, relative to its limit. */
export const bySeverity = (a: ChangeRow, b: ChangeRow) =>
  SEVERITY[a.outcome] - SEVERITY[b.outcome] || b.weight - a.weight;

/** Rows in the headline table: the model's own figures, what needs attention, the largest of each kind. */
export function keyRows(rows: readonly ChangeRow[], limit = 14): ChangeRow[] {
  const chosen = new Set<ChangeRow>(rows.filter((row) => row.kind === 'model'));
  const attention = rows.filter((row) => row.kind !== 'model' && SEVERITY[row.outcome] <= 2).sort(bySeverity);
  for (const row of attention.slice(0, 4)) chosen.add(row);
  // Latency at every configured scenario: its p50 is the figure people compare.
  for (const row of rows) if (row.kind === 'latency' && / · p50$/.test(row.label)) chosen.add(row);
  for (const kind of ['fairness gap', 'group vs baseline', 'latency', 'drift'] as const) {
    if ([...chosen].some((row) => row.kind === kind)) continue;
    const largest = rows.filter((row) => row.kind === kind).sort(bySeverity)[0];
    if (largest) chosen.add(largest);
  }
  return rows
    .filter((row) => chosen.has(row))
    .sort((a, b) => kindOrder(a) - kindOrder(b) || bySeverity(a, b))
    .slice(0, limit);
}

const KIND_ORDER = ['model', 'fairness gap', 'group vs baseline', 'latency', 'drift'] as const;
const kindOrder = (row: ChangeRow) => KIND_ORDER.indexOf(row.kind);

/** Gates whose figures `changeRows` reads itself; their generic comparisons would repeat them. */
const READ_HERE = new Set(['fairness', 'benchmark', 'validate-data']);

/**
 * Rows for the generic before/after figures other gates carry (`details.comparisons`, a DVC metrics diff
 * against the base branch): the model's own metrics, when a gate tracked them.
 */
export function valueRows(comparisons: readonly Comparison[]): ChangeRow[] {
  return comparisons.flatMap((comparison) => {
    const { baseline, candidate } = comparison;
    if (READ_HERE.has(comparison.gate) || comparison.kind !== 'values') return [];
    if (baseline === undefined || candidate === undefined) return [];
    const delta = candidate - baseline;
    const better =
      comparison.higherIsBetter === undefined ? undefined : comparison.higherIsBetter ? 'higher' : 'lower';
    const relative = baseline !== 0 ? ` (${formatPercentChange(candidate / baseline)})` : '';
    const word = better === undefined ? '' : delta > 0 === (better === 'higher') ? ' better' : ' worse';
    const change =
      delta === 0
        ? 'no change'
        : `${delta > 0 ? '▲ +' : '▼ −'}${formatNumber(Math.abs(delta))}${relative}${word}`;
    const label = plain(comparison.metric, 120);
    return [
      {
        gate: comparison.gate,
        label,
        kind: 'model' as const,
        ...(better ? { better } : {}),
        baseline: formatNumber(baseline),
        candidate: formatNumber(candidate),
        change,
        limit: comparison.expected ? plain(comparison.expected, 40) : '—',
        outcome: comparison.status ? outcomeOf({ status: comparison.status }) : ('not judged' as const),
        weight: baseline !== 0 ? Math.abs(delta / baseline) / 0.05 : Math.abs(delta),
        brief: `${label} ${formatNumber(baseline)} → ${formatNumber(candidate)}`,
      },
    ];
  });
}
