import { HIGHER_IS_WORSE, rocAuc } from './metrics.ts';
import { PAIRED_METRICS, type PairedMetric, pairedComparison } from './paired.ts';

interface Arm {
  predictions: Uint8Array;
  scores: ArrayLike<number> | undefined;
}

/** One overall rate of both models on the same rows, with the paired interval of the change. */
export interface OverallComparison {
  metric: PairedMetric;
  rows: number;
  candidate: number;
  baseline: number;
  /** candidate − baseline, in the metric's own direction (not the regression's). */
  change: number;
  interval: { lower: number; upper: number; confidence: number };
}

/**
 * The whole evaluation set's rates and ROC AUC for the candidate and the baseline, for the report's
 * "baseline vs candidate" table; judged nowhere (the per-group checks are what the policy judges).
 */
export function overallAgainstBaseline(input: {
  path: string;
  labels: Uint8Array;
  candidate: Arm;
  baseline: Arm;
  confidence: number;
}): { path: string; overall: OverallComparison[]; rocAuc?: { candidate: number; baseline: number } } {
  const rows = Array.from({ length: input.labels.length }, (_, row) => row);
  const overall = PAIRED_METRICS.filter((metric) => metric !== 'false_negative_rate').map((metric) => {
    const paired = pairedComparison(
      metric,
      input.labels,
      input.candidate.predictions,
      input.baseline.predictions,
      rows,
      input.confidence,
    );
    // The regression is signed towards harm; flip it back where a higher rate is the better one.
    const sign = HIGHER_IS_WORSE[metric] ? 1 : -1;
    return {
      metric,
      rows: paired.rows,
      candidate: paired.candidate,
      baseline: paired.baseline,
      change: paired.candidate - paired.baseline,
      interval: {
        lower: sign > 0 ? paired.interval.lower : -paired.interval.upper,
        upper: sign > 0 ? paired.interval.upper : -paired.interval.lower,
        confidence: input.confidence,
      },
    };
  });
  const candidateAuc = input.candidate.scores && rocAuc(input.labels, input.candidate.scores);
  const baselineAuc = input.baseline.scores && rocAuc(input.labels, input.baseline.scores);
  return {
    path: input.path,
    overall,
    ...(candidateAuc !== undefined && baselineAuc !== undefined
      ? { rocAuc: { candidate: candidateAuc, baseline: baselineAuc } }
      : {}),
  };
}
