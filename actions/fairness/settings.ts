import { z } from 'zod';
import { fraction, integerAtLeast, numberBetween } from '../../shared/config/zod-helpers.ts';
import { PAIRED_METRICS } from './paired.ts';

const column = z.string().min(1);

const Segment = z.union([
  column.describe('One sensitive feature (a column).'),
  z.array(column).min(1).describe('An intersection of sensitive features, e.g. [sex, age_band].'),
  z.strictObject({
    features: z.union([column, z.array(column).min(1)]).describe('The sensitive feature(s) of this segment.'),
    control: z
      .array(column)
      .min(1)
      .describe(
        "Control features (Fairlearn's control_features): disparities are computed within each of their levels and the worst level is judged.",
      ),
  }),
]);

const Threshold = z.union([
  z.number(),
  z.literal('four-fifths').describe('0.8 for a ratio: the four-fifths heuristic (not a legal test).'),
]);

const PolicyRule = z.union([
  Threshold,
  z.strictObject({
    threshold: Threshold.describe(
      'For a *_difference, the largest acceptable value; for a *_ratio, the smallest acceptable value.',
    ),
    method: z
      .enum(['between_groups', 'to_overall', 'reference'])
      .default('between_groups')
      .describe(
        "between_groups: largest vs smallest group; to_overall: each group vs all rows; reference: each group vs the segment's reference group (see `reference`).",
      ),
  }),
]);

export const FairnessSettings = z.strictObject({
  dataset: z.string().min(1).describe('The configured dataset (a key of `datasets`) to evaluate on.'),
  label: column.describe('The label column: binary, 0/1 or true/false (1 / true is the positive class).'),
  prediction: z
    .union([
      z.strictObject({
        column: column.describe('A column holding the predicted class (0/1 or true/false).'),
      }),
      z.strictObject({
        model: z.literal(true).describe("Run the config's ONNX model over the dataset."),
        threshold: fraction()
          .default(0.5)
          .describe('A row is predicted positive when its score is >= this threshold.'),
        score: z
          .enum(['probability', 'logit'])
          .optional()
          .describe(
            'What the score output holds: probabilities, or logits (a sigmoid or softmax is applied). Default: inferred from the graph; scores outside [0, 1] are refused.',
          ),
      }),
    ])
    .describe('Where predictions come from: a column, or the model (`{ model: true, threshold: 0.5 }`).'),
  score: z
    .strictObject({ column: column.describe('A column holding P(positive); enables ROC AUC per group.') })
    .optional()
    .describe("Scores for ROC AUC. With `prediction.model` the model's scores are used without this."),
  predictions: z
    .strictObject({
      path: z
        .string()
        .min(1)
        .describe('A CSV/Parquet/JSONL file of predictions, relative to the config file.'),
      key: column.describe('The key column present in both the dataset and this file (e.g. id).'),
    })
    .optional()
    .describe('Read `prediction.column` and `score.column` from this file, joined to the dataset by `key`.'),
  weight: column.optional().describe('A column of non-negative per-row weights (sample_weight).'),
  segments: z
    .array(Segment)
    .min(1, { error: 'expected at least one segment' })
    .describe('The segments to compare groups within: features, intersections, or { features, control }.'),
  bins: z
    .record(column, z.array(z.number()).min(1))
    .default({})
    .describe(
      'Numeric features binned by ascending edges, e.g. { age: [26, 41, 61] } gives < 26, [26, 41), [41, 61), >= 61.',
    ),
  reference: z
    .record(z.string(), z.string())
    .default({})
    .describe("Reference group per segment for `method: reference`, e.g. { age_band: '26-40' }."),
  policy: z
    .record(z.string(), PolicyRule)
    .default({})
    .describe(
      "Disparity name -> threshold, e.g. { equalized_odds_difference: 0.1, demographic_parity_ratio: four-fifths }. Names: Fairlearn's, or <metric>_difference / <metric>_ratio.",
    ),
  'min-support': integerAtLeast(1)
    .default(30)
    .describe('Groups with fewer rows are reported but never judged.'),
  'min-denominator': integerAtLeast(1)
    .default(10)
    .describe(
      'A rate is judged only with at least this many rows in its denominator (positives for TPR, negatives for FPR).',
    ),
  baseline: z
    .strictObject({
      path: z
        .string()
        .min(1)
        .describe('The baseline ONNX model, relative to the config file, run like the candidate.'),
      metrics: z
        .array(z.enum(PAIRED_METRICS))
        .min(1)
        .default(['false_positive_rate', 'true_positive_rate'])
        .describe('Per-group rates compared with the baseline on the same rows.'),
      'max-regression': fraction()
        .default(0.05)
        .describe('The largest acceptable worsening of a group rate vs the baseline (absolute).'),
    })
    .optional()
    .describe(
      'Checks `<segment>.<group>.<metric>.vs-baseline`: is this model measurably worse for a group than the baseline?',
    ),
  missing: z
    .enum(['own-group', 'drop', 'fail'])
    .default('own-group')
    .describe('Missing sensitive values: a group named "(missing)", dropped from that segment, or an error.'),
  strict: z.boolean().default(false).describe('Judge point estimates instead of intervals.'),
  correction: z
    .enum(['holm', 'benjamini-hochberg', 'none'])
    .default('holm')
    .describe('Multiple-comparison correction over every judged disparity and baseline comparison.'),
  confidence: numberBetween(0.5, 0.999).default(0.95).describe('Confidence level of every interval.'),
  bootstrap: z
    .strictObject({
      resamples: integerAtLeast(100).default(1000).describe('Bootstrap resamples for disparity intervals.'),
      seed: z.number().int().default(20240601).describe('Seed: the same seed gives the same intervals.'),
    })
    .default({ resamples: 1000, seed: 20240601 })
    .describe('The seeded Poisson bootstrap behind disparity intervals.'),
});
export type FairnessSettings = z.infer<typeof FairnessSettings>;

export const FairnessOptions = z.object({
  // An absent action input arrives as ''.
  strict: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.stringbool({ truthy: ['true', 'True', 'TRUE'], falsy: ['false', 'False', 'FALSE'] }).optional(),
  ),
});
export type FairnessOptions = z.infer<typeof FairnessOptions>;

export const FAIRNESS_INPUTS = {
  strict: {
    description: 'Judge point estimates instead of intervals (overrides gates.fairness.strict).',
    flag: true,
  },
} as const;
