/** Per-group confusion counts and the rates computed from them. Pure functions; no I/O. */

/** A binary confusion matrix; cells are weight sums (row counts when there are no weights). */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export const emptyConfusion = (): Confusion => ({ tp: 0, fp: 0, tn: 0, fn: 0 });

/** The rates mlgate computes per group, with Fairlearn's names. */
export const RATE_METRICS = [
  'base_rate',
  'selection_rate',
  'true_positive_rate',
  'false_positive_rate',
  'false_negative_rate',
  'precision',
  'accuracy',
] as const;
export type RateMetric = (typeof RATE_METRICS)[number];

/** How each rate is named in messages and tables. */
export const SHORT_NAME: Record<RateMetric, string> = {
  base_rate: 'base rate',
  selection_rate: 'selection rate',
  true_positive_rate: 'TPR',
  false_positive_rate: 'FPR',
  false_negative_rate: 'FNR',
  precision: 'precision',
  accuracy: 'accuracy',
};

/** What each rate's denominator counts, for "7 negatives" in messages. */
export const DENOMINATOR_NAME: Record<RateMetric, string> = {
  base_rate: 'rows',
  selection_rate: 'rows',
  true_positive_rate: 'positives',
  false_positive_rate: 'negatives',
  false_negative_rate: 'positives',
  precision: 'predicted positives',
  accuracy: 'rows',
};

/** Whether a higher value of the rate is the harmful direction (used to order groups in messages). */
export const HIGHER_IS_WORSE: Record<RateMetric, boolean> = {
  base_rate: true,
  selection_rate: true,
  true_positive_rate: false,
  false_positive_rate: true,
  false_negative_rate: true,
  precision: false,
  accuracy: false,
};

/** The numerator and denominator of a rate. */
export function rateParts(metric: RateMetric, c: Confusion): { numerator: number; denominator: number } {
  const total = c.tp + c.fp + c.tn + c.fn;
  switch (metric) {
    case 'base_rate':
      return { numerator: c.tp + c.fn, denominator: total };
    case 'selection_rate':
      return { numerator: c.tp + c.fp, denominator: total };
    case 'true_positive_rate':
      return { numerator: c.tp, denominator: c.tp + c.fn };
    case 'false_positive_rate':
      return { numerator: c.fp, denominator: c.fp + c.tn };
    case 'false_negative_rate':
      return { numerator: c.fn, denominator: c.tp + c.fn };
    case 'precision':
      return { numerator: c.tp, denominator: c.tp + c.fp };
    case 'accuracy':
      return { numerator: c.tp + c.tn, denominator: total };
  }
}

/**
 * A rate, or undefined when its denominator is 0 (TPR of a group with no positives, FPR of a group with
 * no negatives). Fairlearn returns 0 there (sklearn's zero_division); mlgate does not invent a value.
 */
export function rate(metric: RateMetric, c: Confusion): number | undefined {
  const { numerator, denominator } = rateParts(metric, c);
  return denominator > 0 ? numerator / denominator : undefined;
}

export function total(c: Confusion): number {
  return c.tp + c.fp + c.tn + c.fn;
}

export function addConfusion(into: Confusion, from: Confusion): void {
  into.tp += from.tp;
  into.fp += from.fp;
  into.tn += from.tn;
  into.fn += from.fn;
}

/** The confusion index of one row: 0 tn, 1 fp, 2 fn, 3 tp (label * 2 + prediction). */
export function cellOf(label: number, prediction: number): number {
  return label * 2 + prediction;
}

/** Turns four cell totals (indexed as `cellOf`) at `offset` into a Confusion. */
export function confusionFromCells(cells: ArrayLike<number>, offset = 0): Confusion {
  return { tn: cells[offset]!, fp: cells[offset + 1]!, fn: cells[offset + 2]!, tp: cells[offset + 3]! };
}

/** Confusion of the given rows (all rows when `rows` is absent), optionally weighted. */
export function confusionOf(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  weights?: ArrayLike<number>,
  rows?: Iterable<number>,
): Confusion {
  const cells = [0, 0, 0, 0];
  const indices = rows ?? Array.from({ length: labels.length }, (_, index) => index);
  for (const index of indices) {
    cells[cellOf(labels[index]!, predictions[index]!)]! += weights ? weights[index]! : 1;
  }
  return confusionFromCells(cells);
}

/**
 * ROC AUC (the Mann–Whitney statistic, ties counting one half), optionally weighted; equal to sklearn's
 * `roc_auc_score`. Undefined unless both classes are present.
 */
export function rocAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
  rows?: readonly number[],
): number | undefined {
  const indices = rows ? [...rows] : Array.from({ length: labels.length }, (_, index) => index);
  indices.sort((a, b) => scores[a]! - scores[b]!);
  let negativeBelow = 0;
  let positives = 0;
  let pairs = 0;
  for (let start = 0; start < indices.length; ) {
    let end = start;
    let blockPositive = 0;
    let blockNegative = 0;
    while (end < indices.length && scores[indices[end]!] === scores[indices[start]!]) {
      const index = indices[end]!;
      const weight = weights ? weights[index]! : 1;
      if (labels[index] === 1) blockPositive += weight;
      else blockNegative += weight;
      end += 1;
    }
    pairs += blockPositive * (negativeBelow + blockNegative / 2);
    negativeBelow += blockNegative;
    positives += blockPositive;
    start = end;
  }
  return positives > 0 && negativeBelow > 0 ? pairs / (positives * negativeBelow) : undefined;
}

/**
 * Hanley & McNeil's (1982) standard error of an AUC from the number of positives and negatives, for
 * an approximate interval where scores exist.
 */
export function aucStandardError(auc: number, positives: number, negatives: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) /
    (positives * negatives);
  return Math.sqrt(Math.max(0, variance));
}
