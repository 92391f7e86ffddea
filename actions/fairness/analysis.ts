import { type Interval, wilson, zFor } from '../../shared/stats/intervals.ts';
import { percentileOfSorted } from '../../shared/stats/percentiles.ts';
import { createRandom } from '../../shared/stats/random.ts';
import { type Comparison, type DisparitySpec, type DisparityValue, disparity } from './disparities.ts';
import {
  aucStandardError,
  type Confusion,
  cellOf,
  confusionFromCells,
  RATE_METRICS,
  type RateMetric,
  rateParts,
  rocAuc,
  total,
} from './metrics.ts';
import {
  groupSegment,
  partition,
  type SegmentGroups,
  type SegmentSpec,
  sumByGroup,
  type Variable,
} from './segments.ts';
import { pairwiseInterval } from './simultaneous.ts';

export interface AnalysisInput {
  /** 0/1 per row. */
  labels: Uint8Array;
  /** 0/1 per row (score >= threshold already applied). */
  predictions: Uint8Array;
  scores?: Float64Array | undefined;
  weights?: Float64Array | undefined;
  variables: Variable[];
  segments: SegmentSpec[];
}

export interface AnalysisOptions {
  minSupport: number;
  minDenominator: number;
  confidence: number;
  resamples: number;
  seed: number;
  /** The disparities to compute for every segment, with how groups are compared in that segment. */
  disparities: readonly { spec: DisparitySpec; comparison: (segment: string) => Comparison }[];
}

export interface RateEstimate {
  value: number | undefined;
  interval: Interval | undefined;
  /** Rows in the denominator (unweighted), e.g. the negatives behind an FPR. */
  denominatorRows: number;
  /** Whether the group has enough rows, and enough in this denominator, to be judged on this rate. */
  judged: boolean;
}

export interface GroupReport {
  label: string;
  id: string;
  description: string;
  level: number;
  rows: number;
  /** Row counts per confusion cell (unweighted). */
  counts: Confusion;
  /** Weight sums per confusion cell (equal to `counts` without weights). */
  confusion: Confusion;
  rates: Record<RateMetric, RateEstimate>;
  auc?: { value: number; interval: Interval } | undefined;
}

export interface DisparityReport {
  segment: string;
  name: string;
  spec: DisparitySpec;
  comparison: Comparison;
  /** Over every group with a defined rate: Fairlearn's number wherever Fairlearn's is defined. */
  allGroups: number | undefined;
  /** Over the groups with enough data to be judged: what verdicts use. */
  value: number | undefined;
  /** The control level whose disparity is the worst ('' without control features). */
  level: string;
  decisive: DisparityValue['decisive'];
  /** Groups left out of the judged value because they are too small, with the reason. */
  tooSmall: { group: string; reason: string }[];
  /** Groups left out because the rate is undefined (denominator 0). */
  undefinedGroups: string[];
  /** Simultaneous pairwise interval (actions/fairness/simultaneous.ts). */
  interval: Interval | undefined;
  /** Bootstrap standard error. */
  standardError: number | undefined;
  /** One value per resample (NaN where undefined); not serialised. */
  replicates: Float64Array;
}

export interface SegmentReport {
  groups: SegmentGroups;
  reports: GroupReport[];
  /** Per control level, the confusion of all its rows (weighted), for `to_overall`. */
  levelTotals: Confusion[];
  disparities: DisparityReport[];
}

export interface Analysis {
  rows: number;
  overall: GroupReport;
  segments: SegmentReport[];
  /** Partition cells and per-row codes, for paired comparisons against a baseline. */
  cellOfRow: Int32Array;
}

function estimateRates(
  counts: Confusion,
  confusion: Confusion,
  options: Pick<AnalysisOptions, 'minSupport' | 'minDenominator' | 'confidence'>,
): Record<RateMetric, RateEstimate> {
  const rows = total(counts);
  const entries = RATE_METRICS.map((metric) => {
    const weighted = rateParts(metric, confusion);
    const unweighted = rateParts(metric, counts);
    const value = weighted.denominator > 0 ? weighted.numerator / weighted.denominator : undefined;
    // With weights the interval uses the weighted proportion over the unweighted row count.
    const interval =
      value === undefined
        ? undefined
        : wilson(value * unweighted.denominator, unweighted.denominator, options.confidence);
    const judged = rows >= options.minSupport && unweighted.denominator >= options.minDenominator;
    return [metric, { value, interval, denominatorRows: unweighted.denominator, judged }] as const;
  });
  return Object.fromEntries(entries) as Record<RateMetric, RateEstimate>;
}

function aucOf(
  input: AnalysisInput,
  rows: readonly number[],
  counts: Confusion,
  confidence: number,
): GroupReport['auc'] {
  if (!input.scores) return undefined;
  const value = rocAuc(input.labels, input.scores, input.weights, rows);
  if (value === undefined) return undefined;
  const se = aucStandardError(value, counts.tp + counts.fn, counts.tn + counts.fp);
  const z = zFor(confidence);
  return { value, interval: { lower: Math.max(0, value - z * se), upper: Math.min(1, value + z * se) } };
}

interface Evaluated {
  value: number | undefined;
  level: number;
  result: DisparityValue | undefined;
}

/** A disparity within each control level, then the worst level (max difference, min ratio). */
function evaluateSegment(
  segment: SegmentGroups,
  groupTotals: Float64Array,
  levelTotals: readonly Confusion[],
  spec: DisparitySpec,
  comparison: Comparison,
  include: ((metric: RateMetric, group: number) => boolean) | undefined,
): Evaluated {
  let worst: Evaluated = { value: undefined, level: 0, result: undefined };
  for (let level = 0; level < segment.controlLevels.length; level += 1) {
    const members: { group: string; confusion: Confusion; index: number }[] = [];
    segment.groups.forEach((group, index) => {
      if (group.level === level) {
        members.push({ group: group.label, confusion: confusionFromCells(groupTotals, index * 4), index });
      }
    });
    const result = disparity(
      spec,
      members,
      levelTotals[level]!,
      comparison,
      include ? (metric, position) => include(metric, members[position]!.index) : undefined,
      // A judged disparity needs two groups to compare (or one group and the overall / reference).
      include && comparison.method === 'between_groups' ? 2 : 1,
    );
    if (result.value === undefined) continue;
    const better =
      worst.value === undefined ||
      (spec.kind === 'difference' ? result.value > worst.value : result.value < worst.value);
    if (better) worst = { value: result.value, level, result };
  }
  return worst;
}

function levelTotalsOf(segment: SegmentGroups, groupTotals: Float64Array): Confusion[] {
  const totals = segment.controlLevels.map(() => ({ tp: 0, fp: 0, tn: 0, fn: 0 }));
  segment.groups.forEach((group, index) => {
    const c = confusionFromCells(groupTotals, index * 4);
    const into = totals[group.level]!;
    into.tp += c.tp;
    into.fp += c.fp;
    into.tn += c.tn;
    into.fn += c.fn;
  });
  return totals;
}

/** Percentile interval and standard deviation of the defined replicates. */
export function summariseReplicates(
  replicates: Float64Array,
  confidence: number,
): { interval: Interval | undefined; standardError: number | undefined } {
  const defined = replicates.filter((value) => !Number.isNaN(value)).sort();
  if (defined.length < 2) return { interval: undefined, standardError: undefined };
  const alpha = (1 - confidence) / 2;
  let mean = 0;
  for (const value of defined) mean += value;
  mean /= defined.length;
  let squares = 0;
  for (const value of defined) squares += (value - mean) ** 2;
  return {
    interval: {
      lower: percentileOfSorted(defined, alpha * 100),
      upper: percentileOfSorted(defined, (1 - alpha) * 100),
    },
    standardError: Math.sqrt(squares / (defined.length - 1)),
  };
}

/**
 * Computes every group's rates with Wilson intervals and every disparity with a seeded Poisson bootstrap.
 * The bootstrap resamples the confusion counts of the finest partition's cells (each cell count c drawn
 * as Poisson(c), which is exactly what a Poisson bootstrap over rows gives), so its cost does not grow
 * with the number of rows, and every segment sees the same resampled data.
 */
export function analyse(input: AnalysisInput, options: AnalysisOptions): Analysis {
  const rows = input.labels.length;
  const cells = partition(input.variables, rows);
  const counts = new Float64Array(cells.cells * 4);
  const weighted = input.weights ? new Float64Array(cells.cells * 4) : counts;
  for (let row = 0; row < rows; row += 1) {
    const slot = cells.cellOfRow[row]! * 4 + cellOf(input.labels[row]!, input.predictions[row]!);
    counts[slot]! += 1;
    if (input.weights) weighted[slot]! += input.weights[row]!;
  }

  const allRows = Array.from({ length: rows }, (_, index) => index);
  const overallCounts = sumCells(counts);
  const overallConfusion = sumCells(weighted);
  const overall: GroupReport = {
    label: '(overall)',
    id: '(overall)',
    description: 'all rows',
    level: 0,
    rows,
    counts: overallCounts,
    confusion: overallConfusion,
    rates: estimateRates(overallCounts, overallConfusion, options),
    auc: aucOf(input, allRows, overallCounts, options.confidence),
  };

  const segments = input.segments.map((spec) => {
    const groups = groupSegment(spec, input.variables, cells);
    const groupCounts = sumByGroup(groups, counts);
    const groupWeighted = input.weights ? sumByGroup(groups, weighted) : groupCounts;
    const rowsOfGroup: number[][] = groups.groups.map(() => []);
    if (input.scores) {
      for (let row = 0; row < rows; row += 1) {
        const group = groups.groupOfCell[cells.cellOfRow[row]!]!;
        if (group >= 0) rowsOfGroup[group]!.push(row);
      }
    }
    const reports: GroupReport[] = groups.groups.map((group, index) => {
      const c = confusionFromCells(groupCounts, index * 4);
      const w = confusionFromCells(groupWeighted, index * 4);
      return {
        ...group,
        rows: total(c),
        counts: c,
        confusion: w,
        rates: estimateRates(c, w, options),
        auc: aucOf(input, rowsOfGroup[index]!, c, options.confidence),
      };
    });
    const levelTotals = levelTotalsOf(groups, groupWeighted);
    const include = (metric: RateMetric, group: number) => reports[group]!.rates[metric].judged;
    const disparities: DisparityReport[] = options.disparities.map(({ spec, comparison }) => {
      const compare = comparison(groups.spec.id);
      const all = evaluateSegment(groups, groupWeighted, levelTotals, spec, compare, undefined);
      const judged = evaluateSegment(groups, groupWeighted, levelTotals, spec, compare, include);
      const tooSmall = reports.flatMap((report) => {
        const failing = spec.metrics.filter((metric) => !report.rates[metric].judged);
        if (failing.length === 0) return [];
        const reason =
          report.rows < options.minSupport
            ? `${report.rows} rows`
            : failing
                .map((metric) => `${report.rates[metric].denominatorRows} ${denominatorWord(metric)}`)
                .join(', ');
        return [{ group: report.label, reason }];
      });
      const undefinedGroups = [...new Set(all.result?.parts.flatMap((part) => part.undefinedGroups) ?? [])];
      return {
        segment: groups.spec.id,
        name: spec.name,
        spec,
        comparison: compare,
        allGroups: all.value,
        value: judged.value,
        level: groups.controlLevels[judged.level] ?? '',
        decisive: judged.result?.decisive,
        tooSmall,
        undefinedGroups,
        interval: undefined,
        standardError: undefined,
        replicates: new Float64Array(options.resamples),
      };
    });
    return { groups, reports, levelTotals, disparities, include };
  });

  bootstrap(counts, input.weights ? weighted : undefined, segments, options);
  for (const segment of segments) {
    for (const report of segment.disparities) {
      // The bootstrap gives the standard error behind "about N× the rows would settle it"; the interval
      // verdicts use is the simultaneous pairwise one (its percentile interval of a maximum is biased up).
      report.standardError = summariseReplicates(report.replicates, options.confidence).standardError;
      report.interval = pairwiseInterval(segment, report, options.confidence);
    }
  }
  return {
    rows,
    overall,
    segments: segments.map(({ include: _include, ...segment }) => segment),
    cellOfRow: cells.cellOfRow,
  };
}

function denominatorWord(metric: RateMetric): string {
  return metric === 'true_positive_rate' || metric === 'false_negative_rate'
    ? 'positives'
    : metric === 'false_positive_rate'
      ? 'negatives'
      : metric === 'precision'
        ? 'predicted positives'
        : 'rows';
}

function sumCells(cells: Float64Array): Confusion {
  const sums = [0, 0, 0, 0];
  for (let k = 0; k < cells.length; k += 1) sums[k % 4]! += cells[k]!;
  return confusionFromCells(sums);
}

function bootstrap(
  counts: Float64Array,
  weighted: Float64Array | undefined,
  segments: (SegmentReport & { include: (metric: RateMetric, group: number) => boolean })[],
  options: AnalysisOptions,
): void {
  const random = createRandom(options.seed);
  const replicate = new Float64Array(counts.length);
  for (let b = 0; b < options.resamples; b += 1) {
    for (let k = 0; k < counts.length; k += 1) {
      const count = counts[k]!;
      const draw = count > 0 ? random.poisson(count) : 0;
      // With weights, a cell's weight is scaled by its resampled share of rows.
      replicate[k] = weighted && count > 0 ? (weighted[k]! * draw) / count : draw;
    }
    for (const segment of segments) {
      const groupTotals = sumByGroup(segment.groups, replicate);
      const levelTotals = levelTotalsOf(segment.groups, groupTotals);
      for (const report of segment.disparities) {
        const { value } = evaluateSegment(
          segment.groups,
          groupTotals,
          levelTotals,
          report.spec,
          report.comparison,
          segment.include,
        );
        report.replicates[b] = value ?? Number.NaN;
      }
    }
  }
}
