import { formatNumber } from '../../shared/report/markdown.ts';
import type { Chart, Table } from '../../shared/result/gate-result.ts';
import type { Interval } from '../../shared/stats/intervals.ts';
import type { Analysis, GroupReport } from './analysis.ts';
import { RATE_METRICS, type RateMetric, SHORT_NAME } from './metrics.ts';
import type { BaselineJudgement, DisparityJudgement } from './verdicts.ts';

const f = (value: number) => formatNumber(Number(value.toFixed(3)));
const interval = (value: number | undefined, range: Interval | undefined) =>
  value === undefined ? 'undefined' : range ? `${f(value)} [${f(range.lower)}, ${f(range.upper)}]` : f(value);

/** The two halves of the per-group table: each fits GitHub's 850 px column with its intervals. */
const TABLE_PARTS: readonly { title: string; metrics: readonly RateMetric[]; auc: boolean }[] = [
  {
    title: 'Error rates',
    metrics: ['true_positive_rate', 'false_positive_rate', 'false_negative_rate', 'precision'],
    auc: false,
  },
  { title: 'Selection and accuracy', metrics: ['base_rate', 'selection_rate', 'accuracy'], auc: true },
];

function groupRow(
  group: GroupReport,
  minSupport: number,
  metrics: readonly RateMetric[],
  withAuc: boolean,
): string[] {
  const name = group.rows < minSupport ? `${group.description} (below min-support)` : group.description;
  const cells = metrics.map((metric) => {
    const estimate = group.rates[metric];
    if (estimate.value === undefined)
      return `undefined (0 ${metric === 'false_positive_rate' ? 'negatives' : 'positives'})`;
    return interval(estimate.value, estimate.interval);
  });
  const auc = withAuc ? [group.auc ? interval(group.auc.value, group.auc.interval) : 'undefined'] : [];
  return [name, formatNumber(group.rows), ...cells, ...auc];
}

/** Two tables per segment (error rates; selection and accuracy): each group's rates with their intervals, then all rows. */
export function segmentTables(analysis: Analysis, minSupport: number, confidence: number): Table[] {
  const withAuc = analysis.overall.auc !== undefined;
  return analysis.segments.flatMap((segment) =>
    TABLE_PARTS.map((part) => {
      const auc = part.auc && withAuc;
      return {
        title: `${part.title} by ${segment.groups.spec.id} (${Math.round(confidence * 100)}% intervals)`,
        columns: [
          'group',
          'n',
          ...part.metrics.map((metric) => SHORT_NAME[metric]),
          ...(auc ? ['ROC AUC'] : []),
        ],
        rows: [
          ...segment.reports.map((group) => groupRow(group, minSupport, part.metrics, auc)),
          groupRow(analysis.overall, 0, part.metrics, auc),
        ],
      };
    }),
  );
}

/** Every disparity of every segment: the judged value and interval, Fairlearn's all-groups value, and the verdict. */
export function disparityTable(
  analysis: Analysis,
  judged: readonly DisparityJudgement[],
  confidence: number,
): Table {
  const verdictOf = new Map(judged.map((judgement) => [judgement.report, judgement]));
  const rows = analysis.segments.flatMap((segment) =>
    segment.disparities.map((report) => {
      const judgement = verdictOf.get(report);
      return [
        report.segment,
        report.name + (report.comparison.method === 'between_groups' ? '' : ` (${report.comparison.method})`),
        interval(report.value, report.interval),
        report.allGroups === undefined ? 'undefined' : f(report.allGroups),
        judgement
          ? `${report.spec.kind === 'difference' ? '<=' : '>='} ${formatNumber(judgement.rule.threshold)}`
          : '',
        judgement ? judgement.verdict : 'reported',
      ];
    }),
  );
  return {
    title: 'Disparities',
    columns: [
      'segment',
      'disparity',
      `judged groups [${Math.round(confidence * 100)}% CI]`,
      'all groups (Fairlearn)',
      'policy',
      'verdict',
    ],
    rows,
  };
}

export function baselineTable(judged: readonly BaselineJudgement[], confidence: number): Table {
  return {
    title: `Against the baseline, same rows (${Math.round(confidence * 100)}% intervals)`,
    columns: ['segment', 'group', 'metric', 'candidate', 'baseline', 'regression [CI]', 'verdict'],
    rows: judged.map(({ segment, group, comparison, verdict }) => [
      segment,
      group.id,
      SHORT_NAME[comparison.metric],
      f(comparison.candidate),
      f(comparison.baseline),
      `${f(comparison.regression)} [${f(comparison.interval.lower)}, ${f(comparison.interval.upper)}]`,
      verdict,
    ]),
  };
}

/**
 * One chart per judged disparity: each segment's gap (or ratio) as a bar against the policy's limit as a
 * line, on an axis from zero, so "beyond the limit" reads directly. Per-group rates stay in the tables:
 * xychart cannot draw two bar series side by side honestly (mermaid-js/mermaid#7392).
 */
export function segmentCharts(_analysis: Analysis, judged: readonly DisparityJudgement[]): Chart[] {
  const names = [...new Set(judged.map((judgement) => judgement.report.name))];
  return names.flatMap((name) => {
    const mine = judged.filter(
      (judgement) => judgement.report.name === name && judgement.report.value !== undefined,
    );
    if (mine.length === 0) return [];
    const values = mine.map((judgement) => judgement.report.value!);
    const uppers = mine.map((judgement) => judgement.report.interval?.upper ?? judgement.report.value!);
    const top = Math.max(...values, ...uppers, ...mine.map((judgement) => judgement.rule.threshold));
    return [
      {
        title: `${name.replace(/_/g, ' ')} by segment, against the limit`,
        kind: 'bar' as const,
        labels: mine.map((judgement) => judgement.report.segment),
        yLabel: name.endsWith('_ratio') ? 'ratio' : 'gap',
        yMin: 0,
        yMax: Number((Math.ceil(top * 11) / 10).toFixed(1)),
        series: [
          { name: 'this model', kind: 'bar' as const, values },
          { name: 'limit', kind: 'line' as const, values: mine.map((judgement) => judgement.rule.threshold) },
        ],
      },
    ];
  });
}

const round = (value: number | undefined) => (value === undefined ? null : Number(value.toPrecision(6)));
const range = (value: Interval | undefined) =>
  value ? { lower: round(value.lower), upper: round(value.upper) } : null;

/** The per-group numbers for other consumers (the model card), JSON-friendly. */
export function segmentDetails(analysis: Analysis) {
  const group = (report: GroupReport) => ({
    group: report.label,
    description: report.description,
    n: report.rows,
    metrics: Object.fromEntries(
      RATE_METRICS.map((metric) => [
        metric,
        {
          value: round(report.rates[metric].value),
          interval: range(report.rates[metric].interval),
          denominator: report.rates[metric].denominatorRows,
          judged: report.rates[metric].judged,
        },
      ]),
    ),
    ...(report.auc
      ? { roc_auc: { value: round(report.auc.value), interval: range(report.auc.interval) } }
      : {}),
  });
  return {
    overall: group(analysis.overall),
    segments: analysis.segments.map((segment) => ({
      segment: segment.groups.spec.id,
      features: segment.groups.spec.features,
      control: segment.groups.spec.control,
      groups: segment.reports.map(group),
      disparities: segment.disparities.map((report) => ({
        name: report.name,
        method: report.comparison.method,
        value: round(report.value),
        interval: range(report.interval),
        allGroups: round(report.allGroups),
        level: report.level || undefined,
        decisive: report.decisive
          ? { metric: report.decisive.metric, high: report.decisive.high, low: report.decisive.low }
          : undefined,
        tooSmall: report.tooSmall,
        undefinedGroups: report.undefinedGroups,
      })),
    })),
  };
}

/** Where the same quantities live in AIF360 and Aequitas, for auditors. */
export const EQUIVALENTS = {
  demographic_parity_difference:
    'AIF360 statistical_parity_difference (signed, unprivileged − privileged, two groups); Aequitas pprev (predicted prevalence) compared by difference',
  demographic_parity_ratio: 'AIF360 disparate_impact (unprivileged / privileged); Aequitas pprev_disparity',
  equal_opportunity_difference:
    'AIF360 equal_opportunity_difference (signed TPR difference); Aequitas tpr compared by difference',
  equal_opportunity_ratio: 'Aequitas tpr_disparity (group / reference)',
  equalized_odds_difference:
    'the worse of |TPR difference| and |FPR difference|; AIF360 average_odds_difference averages the two signed differences instead',
  equalized_odds_ratio: 'the smaller of the TPR and FPR ratios; Aequitas tpr_disparity and fpr_disparity',
} as const;
