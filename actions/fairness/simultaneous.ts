/**
 * Disparity verdicts from simultaneous pairwise intervals (issue #13). A max − min (or min / max) over
 * groups is beyond a threshold exactly when some pair of groups is, so:
 * - fail: some pair's one-sided test of "beyond the threshold" rejects after Bonferroni over every
 *   one-sided comparison the disparity is made of (a union–intersection test; Holm's first step);
 * - pass: every pair's test of "within the threshold" rejects at the plain level (an intersection–union
 *   test needs no correction).
 * Differences use Newcombe's hybrid score interval per pair (Newcombe 1998, method 10), ratios Katz's log
 * interval. The percentile bootstrap of the maximum this replaces sits above its own estimate with many
 * small groups and failed fair models in half the runs.
 */
import { type Interval, normalCdf, normalQuantile, wilson } from '../../shared/stats/intervals.ts';
import type { DisparityReport, SegmentReport } from './analysis.ts';
import { type Confusion, type RateMetric, rateParts } from './metrics.ts';

/** A rate as counts; weighted rates keep the unweighted denominator, as the Wilson intervals of groups do. */
interface Side {
  successes: number;
  trials: number;
}

/** Bounds of a pair's parameter at a given z (one-sided level Φ(−z) each side), and its point value. */
interface Bounds {
  point: number;
  at(z: number): Interval;
  /** One-sided p-value of "parameter > c". */
  above(c: number): number;
}

/**
 * One comparison inside the disparity: the parameter (a − b, or ln(a/b)) is beyond a threshold when below
 * `limits(threshold).low` or above `.high`; `term` turns the parameter into the disparity's own term
 * (|a − b|, |group − overall|, min(a/b, b/a) ...).
 */
interface Pair {
  bounds: Bounds;
  limits(threshold: number): { low: number; high: number };
  term(parameter: number): number;
}

export interface PairwiseTest {
  /** Bonferroni-adjusted one-sided p-value that the disparity is beyond the threshold. */
  beyondP: number;
  /** p-value that every pair is within the threshold (the largest pairwise one). */
  withinP: number;
}

function sideOf(metric: RateMetric, counts: Confusion, weighted: Confusion): Side {
  const rows = rateParts(metric, counts).denominator;
  const { numerator, denominator } = rateParts(metric, weighted);
  return { successes: denominator > 0 ? (numerator / denominator) * rows : 0, trials: rows };
}

function minus(total: Confusion, part: Confusion): Confusion {
  return { tp: total.tp - part.tp, fp: total.fp - part.fp, tn: total.tn - part.tn, fn: total.fn - part.fn };
}

function sum(parts: readonly Confusion[]): Confusion {
  const total = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const part of parts) {
    total.tp += part.tp;
    total.fp += part.fp;
    total.tn += part.tn;
    total.fn += part.fn;
  }
  return total;
}

const confidenceAt = (z: number) => 1 - 2 * normalCdf(-z);

/** Newcombe's hybrid score interval for a − b. */
function difference(a: Side, b: Side): Bounds {
  const p1 = a.successes / a.trials;
  const p2 = b.successes / b.trials;
  const point = p1 - p2;
  const at = (z: number): Interval => {
    if (z === 0) return { lower: point, upper: point };
    const first = wilson(a.successes, a.trials, confidenceAt(z))!;
    const second = wilson(b.successes, b.trials, confidenceAt(z))!;
    return {
      lower: point - Math.hypot(p1 - first.lower, second.upper - p2),
      upper: point + Math.hypot(first.upper - p1, p2 - second.lower),
    };
  };
  return { point, at, above: (c) => invert(at, point, c) };
}

/** Katz's log interval for ln(a / b), with 0.5 added to every cell when a count is 0. */
function logRatio(a: Side, b: Side): Bounds | undefined {
  if (a.successes === 0 && b.successes === 0) return undefined;
  const correction = a.successes === 0 || b.successes === 0 ? 0.5 : 0;
  const x = a.successes + correction;
  const y = b.successes + correction;
  const point = Math.log(x / (a.trials + correction) / (y / (b.trials + correction)));
  const se = Math.sqrt(
    Math.max(0, 1 / x - 1 / (a.trials + correction) + 1 / y - 1 / (b.trials + correction)),
  );
  return {
    point,
    at: (z) => ({ lower: point - z * se, upper: point + z * se }),
    above: (c) => (se === 0 ? (point > c ? 0 : 1) : normalCdf((c - point) / se)),
  };
}

/** One-sided p of "parameter > c" by inverting a score interval: the level at which its bound meets c. */
function invert(at: (z: number) => Interval, point: number, c: number): number {
  const beyond = point > c;
  // The lower bound falls from the point as z grows; the upper bound rises.
  const reaches = (z: number) => (beyond ? at(z).lower <= c : at(z).upper >= c);
  if (point === c) return 0.5;
  let high = 1;
  while (!reaches(high)) {
    high *= 2;
    if (high > 64) return beyond ? 0 : 1;
  }
  let low = 0;
  for (let i = 0; i < 50; i += 1) {
    const middle = (low + high) / 2;
    if (reaches(middle)) high = middle;
    else low = middle;
  }
  return beyond ? normalCdf(-high) : 1 - normalCdf(-high);
}

/** The pairs of one metric within one control level, for the disparity's method and kind. */
function pairsOf(segment: SegmentReport, report: DisparityReport, metric: RateMetric, level: number): Pair[] {
  const inLevel = segment.reports.filter((group) => group.level === level);
  const judged = inLevel.filter(
    (group) => group.rates[metric].judged && group.rates[metric].value !== undefined,
  );
  const sides = judged.map((group) => ({ group, side: sideOf(metric, group.counts, group.confusion) }));
  const ratio = report.spec.kind === 'ratio';
  const symmetric = (a: Side, b: Side): Pair[] => {
    if (!ratio) {
      return [{ bounds: difference(a, b), limits: (t) => ({ low: -t, high: t }), term: Math.abs }];
    }
    const bounds = logRatio(a, b);
    const limits = (t: number) => ({ low: Math.log(t), high: -Math.log(t) });
    return bounds ? [{ bounds, limits, term: (r) => Math.exp(-Math.abs(r)) }] : [];
  };
  const comparison = report.comparison;
  if (comparison.method === 'between_groups') {
    return sides.flatMap((first, i) =>
      sides.slice(i + 1).flatMap((second) => symmetric(first.side, second.side)),
    );
  }
  if (comparison.method === 'reference') {
    const reference = sides.find(({ group }) => group.label === comparison.group);
    if (!reference) return [];
    return sides
      .filter((entry) => entry !== reference)
      .flatMap((entry) => symmetric(entry.side, reference.side));
  }
  // to_overall: each group against the rest of its level, rescaled: group − overall = (1 − w)(group − rest)
  // and group / overall = 1 / (w + (1 − w) / (group / rest)), w the group's share of the denominator.
  const countsTotal = sum(inLevel.map((group) => group.counts));
  const weightedTotal = segment.levelTotals[level]!;
  const all = rateParts(metric, weightedTotal).denominator;
  return sides.flatMap(({ group, side }) => {
    const rest = sideOf(metric, minus(countsTotal, group.counts), minus(weightedTotal, group.confusion));
    const w = all > 0 ? rateParts(metric, group.confusion).denominator / all : 1;
    if (rest.trials <= 0 || w >= 1) return [];
    if (!ratio) {
      const scale = 1 - w;
      return [
        {
          bounds: difference(side, rest),
          limits: (t: number) => ({ low: -t / scale, high: t / scale }),
          term: (d: number) => Math.abs(scale * d),
        },
      ];
    }
    const bounds = logRatio(side, rest);
    if (!bounds) return [];
    const toOverall = (r: number) => 1 / (w + (1 - w) / Math.exp(r));
    // The log ratio at which group / overall equals y (none when y is out of reach).
    const at = (y: number) => (1 / y > w ? Math.log((1 - w) / (1 / y - w)) : Number.POSITIVE_INFINITY);
    return [
      {
        bounds,
        limits: (t: number) => ({ low: at(t), high: at(1 / t) }),
        term: (r: number) => Math.min(toOverall(r), 1 / toOverall(r)),
      },
    ];
  });
}

/** The range of |term| (or the ratio term) over a parameter interval, using that terms are unimodal at 0. */
function termRange(pair: Pair, interval: Interval): Interval {
  const ends = [pair.term(interval.lower), pair.term(interval.upper)];
  const inside = interval.lower <= 0 && interval.upper >= 0 ? [pair.term(0)] : [];
  const values = [...ends, ...inside];
  return { lower: Math.min(...values), upper: Math.max(...values) };
}

function pairsOfReport(segment: SegmentReport, report: DisparityReport): Pair[] {
  return report.spec.metrics.flatMap((metric) =>
    segment.groups.controlLevels.flatMap((_, level) => pairsOf(segment, report, metric, level)),
  );
}

/**
 * The disparity's interval over every pair of judged groups, in every control level and for every rate it
 * is made of (equalized odds: TPR and FPR). Its beyond side (the lower end of a difference, the upper end
 * of a ratio) is simultaneous, Bonferroni over two one-sided comparisons per pair; its within side is per
 * pair at the plain level. Undefined with no pair to compare.
 */
export function pairwiseInterval(
  segment: SegmentReport,
  report: DisparityReport,
  confidence: number,
): Interval | undefined {
  const pairs = pairsOfReport(segment, report);
  if (pairs.length === 0) return undefined;
  const alpha = (1 - confidence) / 2;
  const zWithin = normalQuantile(1 - alpha);
  const zBeyond = normalQuantile(1 - alpha / (2 * pairs.length));
  const ratio = report.spec.kind === 'ratio';
  let beyond = ratio ? Number.POSITIVE_INFINITY : 0;
  let within = ratio ? Number.POSITIVE_INFINITY : 0;
  for (const pair of pairs) {
    const wide = termRange(pair, pair.bounds.at(zBeyond));
    const narrow = termRange(pair, pair.bounds.at(zWithin));
    if (ratio) {
      beyond = Math.min(beyond, wide.upper);
      within = Math.min(within, narrow.lower);
    } else {
      beyond = Math.max(beyond, wide.lower);
      within = Math.max(within, narrow.upper);
    }
  }
  return ratio ? { lower: within, upper: beyond } : { lower: beyond, upper: within };
}

/** The p-values `pairwiseInterval`'s ends stand for, against one threshold. */
export function pairwiseTest(
  segment: SegmentReport,
  report: DisparityReport,
  threshold: number,
): PairwiseTest {
  const pairs = pairsOfReport(segment, report);
  let beyondP = 1;
  let withinP = 0;
  for (const { bounds, limits } of pairs) {
    const { low, high } = limits(threshold);
    const upperReachable = Number.isFinite(high);
    beyondP = Math.min(beyondP, 1 - bounds.above(low), upperReachable ? bounds.above(high) : 1);
    withinP = Math.max(withinP, bounds.above(low), upperReachable ? 1 - bounds.above(high) : 0);
  }
  return {
    beyondP: pairs.length === 0 ? 1 : Math.min(1, beyondP * 2 * pairs.length),
    withinP: pairs.length === 0 ? 1 : withinP,
  };
}
