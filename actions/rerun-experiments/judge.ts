import type { CheckStatus } from '../../shared/result/gate-result.ts';
import { chiSquareQuantile, normalQuantile, studentTQuantile } from '../../shared/stats/intervals.ts';
import type { MetricRule, RerunExperimentsSettings } from './settings.ts';

export type Verdict = 'reproduced' | 'not reproduced' | 'nondeterministic' | 'inconclusive' | 'missing';

/** Reruns from which the run-to-run noise is estimated rather than the values compared as they are. */
export const MIN_REPEATS_FOR_NOISE = 3;
/** One-sided level of the repeat-based decisions (the 95% two-sided intervals used elsewhere). */
const ALPHA = 0.025;

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
  const noisy = !allSame && finite.length === values.length && values.length >= MIN_REPEATS_FOR_NOISE;
  const noise = noisy ? noiseOf(values, allowed) : undefined;
  if (!allSame && (noise ? noise.tooNoisy : !(spread <= allowed))) {
    return {
      ...base,
      verdict: 'nondeterministic',
      status: 'fail',
      spread,
      observed: finite.reduce((sum, value) => sum + value, 0) / finite.length,
      message: noise
        ? `${metric} varies by ${show(spread)} across ${values.length} reruns (${values.map(show).join(', ')}): even the lower 97.5% bound of its run-to-run spread puts two runs more than the tolerance ${tolerance} apart, so it is not deterministic`
        : `${metric} varies by ${show(spread)} across ${values.length} reruns (${values.map(show).join(', ')}), more than the tolerance ${tolerance}: not deterministic`,
    };
  }
  if (noise) return judgeNoisy(metric, tracked, values, rule, { ...base, spread }, noise);
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

interface Noise {
  mean: number;
  sd: number;
  tooNoisy: boolean;
}

/**
 * The run-to-run standard deviation of `values` and whether it is too large for the tolerance with 97.5%
 * confidence: two runs differ by √2·σ·1.96 in 95% of pairs, so the experiment cannot meet ±allowed when
 * even σ's lower confidence bound makes that larger than `allowed`. The range of the values alone grows
 * with the number of reruns and would call more repeats "nondeterministic" more often.
 */
function noiseOf(values: readonly number[], allowed: number): Noise {
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
  const lower = sd * Math.sqrt((n - 1) / chiSquareQuantile(1 - ALPHA, n - 1));
  return { mean, sd, tooNoisy: Math.SQRT2 * normalQuantile(1 - ALPHA) * lower > allowed };
}

/**
 * With repeats that vary, the tracked value is one earlier run with the same noise, so the shift of the
 * mean is known to ± t·s·√(1 + 1/n): not reproduced only when that whole interval is beyond the tolerance,
 * reproduced when it is within, inconclusive (a warning naming how many reruns would settle it) otherwise.
 */
function judgeNoisy(
  metric: string,
  tracked: number,
  values: readonly number[],
  rule: Rule,
  base: { tracked: number; values: number[]; allowed: number; spread: number },
  noise: Noise,
): Judgement {
  const n = values.length;
  const difference = noise.mean - tracked;
  const margin = studentTQuantile(1 - ALPHA, n - 1) * noise.sd * Math.sqrt(1 + 1 / n);
  const tolerance = `±${show(base.allowed)}`;
  const head = `${metric} ${show(noise.mean)} (mean of ${n} reruns, ${show(difference - margin)} to ${show(difference + margin)} from the tracked ${show(tracked)})`;
  const common = { ...base, observed: noise.mean, difference };
  if (Math.abs(difference) - margin > base.allowed) {
    const better =
      rule.direction === 'higher' ? difference > 0 : rule.direction === 'lower' ? difference < 0 : false;
    return {
      ...common,
      verdict: 'not reproduced',
      status: better ? 'warn' : 'fail',
      message: `${head}: beyond the tolerance ${tolerance} even allowing for run-to-run noise${better ? ': better than tracked, so the tracked value is stale' : ''}`,
    };
  }
  if (Math.abs(difference) + margin <= base.allowed) {
    return {
      ...common,
      verdict: 'reproduced',
      status: 'pass',
      message: `${head}: reproduces within the tolerance ${tolerance}`,
    };
  }
  return {
    ...common,
    verdict: 'inconclusive',
    status: 'warn',
    message: `${head}: run-to-run noise (σ ≈ ${show(noise.sd)}) straddles the tolerance ${tolerance}; inconclusive, more reruns (repeats) would settle it unless the shift sits at the tolerance`,
  };
}
