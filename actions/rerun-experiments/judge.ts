import type { CheckStatus } from '../../shared/result/gate-result.ts';
import type { MetricRule, RerunExperimentsSettings } from './settings.ts';

export type Verdict = 'reproduced' | 'not reproduced' | 'nondeterministic' | 'missing';

export interface Rule {
  abs: number;
  rel: number;
  direction: 'higher' | 'lower' | 'either';
  ignore: boolean;
}

/** The rule for one metric: `<experiment>.<metric>` wins over `<metric>`, which wins over the defaults. */
export function ruleFor(
  settings: Pick<RerunExperimentsSettings, 'tolerance' | 'metrics'>,
  experiment: string,
  metric: string,
): Rule {
  const specific: MetricRule | undefined =
    settings.metrics[`${experiment}.${metric}`] ?? settings.metrics[metric];
  return {
    abs: specific?.abs ?? (specific?.rel !== undefined ? 0 : (settings.tolerance.abs ?? 0)),
    rel: specific?.rel ?? (specific?.abs !== undefined ? 0 : (settings.tolerance.rel ?? 0)),
    direction: specific?.direction ?? 'either',
    ignore: specific?.ignore ?? false,
  };
}

/** The largest accepted deviation from `tracked`: max(abs, rel x |tracked|), as Python's math.isclose. */
export function allowedDeviation(rule: Pick<Rule, 'abs' | 'rel'>, tracked: number): number {
  return Math.max(rule.abs, rule.rel * Math.abs(tracked));
}

export interface Judgement {
  verdict: Verdict;
  status: CheckStatus;
  tracked: number;
  /** The rerun value: the common value when every repeat agrees, else their mean. */
  observed?: number;
  /** One value per rerun that wrote the metric. */
  values: number[];
  /** max - min across the reruns. */
  spread: number;
  allowed: number;
  /** observed - tracked. */
  difference?: number;
  message: string;
}

function show(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Judges one metric from its reruns (`undefined` where a rerun did not write it). Missing comes first, then
 * nondeterminism (reruns disagree with each other by more than the tolerance: a comparison with the tracked
 * value would be luck), then the distance to the tracked value, direction-aware.
 */
export function judgeMetric(
  metric: string,
  tracked: number,
  reruns: readonly (number | undefined)[],
  rule: Rule,
): Judgement {
  const values = reruns.filter((value): value is number => value !== undefined);
  const allowed = allowedDeviation(rule, tracked);
  const tolerance = `±${show(allowed)}`;
  const base = { tracked, values, allowed };
  if (values.length < reruns.length || values.length === 0) {
    const missing = reruns.length - values.length;
    return {
      ...base,
      verdict: 'missing',
      status: 'fail',
      spread: 0,
      message:
        reruns.length > 1
          ? `${missing} of ${reruns.length} reruns did not write ${metric}`
          : `the rerun did not write ${metric}`,
    };
  }
  const finite = values.filter((value) => !Number.isNaN(value));
  const spread = finite.length === values.length ? Math.max(...values) - Math.min(...values) : Number.NaN;
  const allSame = values.every((value) => same(value, values[0]!));
  if (!allSame && !(spread <= allowed)) {
    return {
      ...base,
      verdict: 'nondeterministic',
      status: 'fail',
      spread,
      observed: finite.reduce((sum, value) => sum + value, 0) / finite.length,
      message: `${metric} varies by ${show(spread)} across ${values.length} reruns (${values.map(show).join(', ')}), more than the tolerance ${tolerance}: not deterministic`,
    };
  }
  // Summing equal values can drift in the last bit, so agreement is reported as the value itself.
  const observed = allSame ? values[0]! : values.reduce((sum, value) => sum + value, 0) / values.length;
  const difference = observed - tracked;
  if (same(observed, tracked) || Math.abs(difference) <= allowed) {
    return {
      ...base,
      verdict: 'reproduced',
      status: 'pass',
      spread,
      observed,
      difference,
      message: `${metric} ${show(observed)} reproduces the tracked ${show(tracked)} (tolerance ${tolerance})`,
    };
  }
  const better =
    rule.direction === 'higher' ? difference > 0 : rule.direction === 'lower' ? difference < 0 : false;
  const way = difference > 0 ? 'above' : 'below';
  return {
    ...base,
    verdict: 'not reproduced',
    status: better ? 'warn' : 'fail',
    spread,
    observed,
    difference,
    message: `${metric} ${show(observed)} is ${show(Math.abs(difference))} ${way} the tracked ${show(tracked)} (tolerance ${tolerance})${better ? ': better than tracked, so the tracked value is stale' : ''}`,
  };
}
