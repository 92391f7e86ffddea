import { formatNumber } from '../../shared/report/markdown.ts';
import type { CheckStatus } from '../../shared/result/gate-result.ts';
import { type Interval, katzLogRatio, zFor } from '../../shared/stats/intervals.ts';
import { adjustPValues, type Correction } from '../../shared/stats/multiple-testing.ts';
import type { DisparityReport, GroupReport, SegmentReport } from './analysis.ts';
import { DENOMINATOR_NAME, HIGHER_IS_WORSE, rate, rateParts, SHORT_NAME } from './metrics.ts';
import { type PairedComparison, regressionPValue } from './paired.ts';
import { pairwiseTest } from './simultaneous.ts';

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'not-judged';

export interface JudgeOptions {
  strict: boolean;
  correction: Correction;
  confidence: number;
  minSupport: number;
  minDenominator: number;
}

/** A policy line: a disparity and the value it must not pass. */
export interface PolicyRule {
  name: string;
  threshold: number;
  /** Set when the threshold was written as the four-fifths heuristic. */
  heuristic?: 'four-fifths';
}

export interface DisparityJudgement {
  kind: 'disparity';
  report: DisparityReport;
  rule: PolicyRule;
  verdict: Verdict;
  status: CheckStatus;
  pValue: number | undefined;
  adjustedPValue: number | undefined;
  message: string;
  /** For inconclusive verdicts: how many times the current data would likely settle it. */
  neededFactor?: number | undefined;
}

export interface BaselineJudgement {
  kind: 'baseline';
  segment: string;
  group: GroupReport;
  comparison: PairedComparison;
  tolerance: number;
  verdict: Verdict;
  status: CheckStatus;
  pValue: number | undefined;
  adjustedPValue: number | undefined;
  message: string;
}

const f = (value: number | undefined) => (value === undefined ? 'undefined' : formatNumber(value));
const signed = (value: number) => `${value >= 0 ? '+' : ''}${formatNumber(value)}`;
const ci = (interval: Interval | undefined, confidence: number, format: (value: number) => string = f) =>
  interval
    ? `${Math.round(confidence * 100)}% CI ${format(interval.lower)} to ${format(interval.upper)}`
    : 'no interval';

/** Whether a value is on the failing side of a rule: above it for differences, below it for ratios. */
function beyond(report: DisparityReport, threshold: number, value: number): boolean {
  return report.spec.kind === 'difference' ? value > threshold : value < threshold;
}

function findGroup(segment: SegmentReport, label: string, level: string): GroupReport | undefined {
  const levelIndex = Math.max(0, segment.groups.controlLevels.indexOf(level));
  return segment.reports.find((report) => report.label === label && report.level === levelIndex);
}

interface Side {
  name: string;
  value: number | undefined;
  numerator: number;
  denominator: number;
}

function sideOf(segment: SegmentReport, report: DisparityReport, label: string): Side {
  const metric = report.decisive!.metric;
  if (label === '(overall)') {
    const level = Math.max(0, segment.groups.controlLevels.indexOf(report.level));
    const totals = segment.levelTotals[level]!;
    const parts = rateParts(metric, totals);
    return { name: 'overall', value: rate(metric, totals), ...parts };
  }
  const group = findGroup(segment, label, report.level)!;
  const parts = rateParts(metric, group.counts);
  const isReference = report.comparison.method === 'reference' && report.comparison.group === label;
  const name = group.description.replace(/ \(.*\)$/, '');
  return {
    name: isReference ? `${name} (the reference)` : name,
    value: group.rates[metric].value,
    numerator: parts.numerator,
    denominator: parts.denominator,
  };
}

/** "FPR for age_band=18-25 is 0.57 vs 0.22 for age_band=41-60 (x2.6, 95% CI x1.9 to x3.5; 140 vs 1,210 negatives)". */
export function describePair(segment: SegmentReport, report: DisparityReport, confidence: number): string {
  const decisive = report.decisive;
  if (!decisive?.high || !decisive.low) return '';
  const metric = decisive.metric;
  const high = sideOf(segment, report, decisive.high);
  const low = sideOf(segment, report, decisive.low);
  const [first, second] = HIGHER_IS_WORSE[metric] ? [high, low] : [low, high];
  const factor = second.value ? first.value! / second.value : undefined;
  const katz = katzLogRatio(
    first.numerator,
    first.denominator,
    second.numerator,
    second.denominator,
    confidence,
  );
  const ratioText =
    factor === undefined
      ? ''
      : `x${formatNumber(factor)}${katz ? `, ${ci(katz, confidence, (v) => `x${formatNumber(v)}`)}` : ''}; `;
  return (
    `${SHORT_NAME[metric]} for ${first.name} is ${f(first.value)} vs ${f(second.value)} for ${second.name} ` +
    `(${ratioText}${formatNumber(first.denominator)} vs ${formatNumber(second.denominator)} ${DENOMINATOR_NAME[metric]})`
  );
}

function exclusions(report: DisparityReport): string {
  const parts: string[] = [];
  if (report.tooSmall.length > 0) {
    parts.push(
      `too small to judge: ${report.tooSmall.map(({ group, reason }) => `${group} (${reason})`).join(', ')}`,
    );
  }
  if (report.undefinedGroups.length > 0) {
    parts.push(`undefined rate (denominator 0), excluded: ${report.undefinedGroups.join(', ')}`);
  }
  return parts.length > 0 ? ` Reported, not judged: ${parts.join('; ')}.` : '';
}

function ruleText(report: DisparityReport, rule: PolicyRule): string {
  const side = report.spec.kind === 'difference' ? 'at most' : 'at least';
  const heuristic = rule.heuristic ? ' (the four-fifths heuristic, not a legal test)' : '';
  return `policy: ${side} ${formatNumber(rule.threshold)}${heuristic}`;
}

/** How many times the current data would likely make the interval clear the threshold. */
function neededFactor(report: DisparityReport, threshold: number, confidence: number): number | undefined {
  if (report.value === undefined || report.standardError === undefined) return undefined;
  const distance = Math.abs(report.value - threshold);
  if (distance === 0) return Number.POSITIVE_INFINITY;
  return ((zFor(confidence) * report.standardError) / distance) ** 2;
}

function neededText(segment: SegmentReport, report: DisparityReport, factor: number | undefined): string {
  if (factor === undefined) return '';
  if (!Number.isFinite(factor) || factor > 100) {
    return ' The estimate is too close to the threshold for more data to settle it in practice.';
  }
  if (factor <= 1)
    return ' The interval clears the threshold only before correcting for the number of checks.';
  const decisive = report.decisive;
  let limiting = '';
  if (decisive?.high && decisive.low) {
    const sides = [decisive.high, decisive.low]
      .filter((label) => label !== '(overall)')
      .map((label) => findGroup(segment, label, report.level))
      .filter((group): group is GroupReport => group !== undefined);
    const smallest = sides.sort(
      (a, b) => a.rates[decisive.metric].denominatorRows - b.rates[decisive.metric].denominatorRows,
    )[0];
    if (smallest) {
      const now = smallest.rates[decisive.metric].denominatorRows;
      limiting = ` (about ${formatNumber(Math.ceil(now * factor))} ${DENOMINATOR_NAME[decisive.metric]} in ${smallest.description} instead of ${formatNumber(now)})`;
    }
  }
  return ` About ${formatNumber(Number(factor.toFixed(1)))}x the current rows would likely settle it${limiting}.`;
}

/**
 * Judges policy disparities and baseline regressions together, correcting for the number of comparisons:
 * fail when the whole interval is beyond the threshold and the corrected p-value is below
 * (1 − confidence)/2; pass when the whole interval is within; otherwise inconclusive (a warning).
 * Strict mode judges point estimates instead.
 */
export function judge(
  disparities: readonly { segment: SegmentReport; report: DisparityReport; rule: PolicyRule }[],
  baselines: readonly {
    segment: string;
    group: GroupReport;
    comparison: PairedComparison;
    tolerance: number;
  }[],
  options: JudgeOptions,
): { disparities: DisparityJudgement[]; baselines: BaselineJudgement[] } {
  const alpha = (1 - options.confidence) / 2;
  const tests = disparities.map(({ segment, report, rule }) =>
    report.value === undefined ? undefined : pairwiseTest(segment, report, rule.threshold),
  );
  const rawDisparity = tests.map((test) => test?.beyondP);
  const rawBaseline = baselines.map(({ group, comparison, tolerance }) =>
    judgedGroup(group, comparison, options) ? regressionPValue(comparison, tolerance) : undefined,
  );
  const tested = [...rawDisparity, ...rawBaseline].filter((p): p is number => p !== undefined);
  const adjusted = adjustPValues(tested, options.correction);
  let next = 0;
  const take = (p: number | undefined) => (p === undefined ? undefined : adjusted[next++]);
  const adjustedDisparity = rawDisparity.map(take);
  const adjustedBaseline = rawBaseline.map(take);

  const judgedDisparities = disparities.map(({ segment, report, rule }, index): DisparityJudgement => {
    const pValue = rawDisparity[index];
    const adjustedPValue = adjustedDisparity[index];
    const within = report.level ? ` within ${report.level}` : '';
    const head = `${report.name} for ${report.segment}${within} is ${f(report.value)}`;
    if (report.value === undefined) {
      const message =
        `${report.name} for ${report.segment} is not judged: fewer than two groups with enough data ` +
        `(min-support ${options.minSupport} rows, min-denominator ${options.minDenominator}).${exclusions(report)}`;
      return {
        kind: 'disparity',
        report,
        rule,
        verdict: 'not-judged',
        status: 'skip',
        pValue,
        adjustedPValue,
        message,
      };
    }
    const pair = describePair(segment, report, options.confidence);
    const interval = report.interval;
    const isBeyond = beyond(report, rule.threshold, report.value);
    let verdict: Verdict;
    let tail: string;
    let factor: number | undefined;
    if (options.strict) {
      verdict = isBeyond ? 'fail' : 'pass';
      tail = ` Strict mode judges the point estimate: ${verdict}.`;
    } else if (adjustedPValue !== undefined && adjustedPValue < alpha) {
      verdict = 'fail';
      tail = ` Some pair of groups is beyond the threshold even allowing for every pair compared: fail (${options.correction}-adjusted p = ${formatNumber(adjustedPValue)}).`;
    } else if ((tests[index]?.withinP ?? 1) < alpha) {
      verdict = 'pass';
      tail = ' The whole interval is within the threshold: pass.';
    } else {
      verdict = 'inconclusive';
      factor = neededFactor(report, rule.threshold, options.confidence);
      tail = ` The interval straddles the threshold: inconclusive.${neededText(segment, report, factor)}`;
    }
    const message = `${head} (${ci(interval, options.confidence)}; ${ruleText(report, rule)})${pair ? `: ${pair}` : ''}.${tail}${exclusions(report)}`;
    const status: CheckStatus = verdict === 'inconclusive' ? 'warn' : verdict === 'fail' ? 'fail' : 'pass';
    return {
      kind: 'disparity',
      report,
      rule,
      verdict,
      status,
      pValue,
      adjustedPValue,
      message,
      ...(factor !== undefined ? { neededFactor: factor } : {}),
    };
  });

  const judgedBaselines = baselines.map(
    ({ segment, group, comparison, tolerance }, index): BaselineJudgement => {
      const pValue = rawBaseline[index];
      const adjustedPValue = adjustedBaseline[index];
      const name = `${SHORT_NAME[comparison.metric]} for ${group.description}`;
      const base = {
        kind: 'baseline' as const,
        segment,
        group,
        comparison,
        tolerance,
        pValue,
        adjustedPValue,
      };
      if (!judgedGroup(group, comparison, options)) {
        const message = `${name} is not judged against the baseline: ${group.rows} rows, ${comparison.rows} ${DENOMINATOR_NAME[comparison.metric]} (min-support ${options.minSupport}, min-denominator ${options.minDenominator}).`;
        return { ...base, verdict: 'not-judged', status: 'skip', message };
      }
      const detail =
        `${name} is ${f(comparison.candidate)} with this model vs ${f(comparison.baseline)} with the baseline on the same ` +
        `${formatNumber(comparison.rows)} ${DENOMINATOR_NAME[comparison.metric]} (regression ${signed(comparison.regression)}, ` +
        `${ci(comparison.interval, options.confidence, signed)}; ${comparison.worse} rows newly wrong, ${comparison.better} fixed; ` +
        `allowed ${formatNumber(tolerance)})`;
      let verdict: Verdict;
      if (options.strict) verdict = comparison.regression > tolerance ? 'fail' : 'pass';
      else if (
        comparison.interval.lower > tolerance &&
        adjustedPValue !== undefined &&
        adjustedPValue < alpha
      ) {
        verdict = 'fail';
      } else if (comparison.interval.upper < tolerance) verdict = 'pass';
      else verdict = 'inconclusive';
      const status: CheckStatus = verdict === 'inconclusive' ? 'warn' : verdict === 'fail' ? 'fail' : 'pass';
      return { ...base, verdict, status, message: `${detail}: ${verdict}.` };
    },
  );
  return { disparities: judgedDisparities, baselines: judgedBaselines };
}

function judgedGroup(group: GroupReport, comparison: PairedComparison, options: JudgeOptions): boolean {
  return group.rows >= options.minSupport && comparison.rows >= options.minDenominator;
}
