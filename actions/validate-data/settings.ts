import { z } from 'zod';
import { fraction, integerAtLeast } from '../../shared/config/zod-helpers.ts';

export const NumericDriftMethod = z.enum(['wasserstein', 'psi', 'ks']);
export const CategoricalDriftMethod = z.enum(['jensen-shannon', 'psi', 'chi-square']);

export const DriftSettings = z
  .strictObject({
    reference: z.string().min(1).optional().describe('The reference dataset (usually the training data).'),
    'reference-profile': z
      .string()
      .min(1)
      .optional()
      .describe('A profile written by `mlgate validate-data --profile`, used instead of the reference data.'),
    current: z.string().min(1).describe('The dataset compared with the reference.'),
    columns: z
      .array(z.string().min(1))
      .optional()
      .describe('Columns compared (default: every shared column).'),
    numeric: NumericDriftMethod.default('wasserstein').describe(
      'Statistic for numeric columns: wasserstein (distance / reference std), psi, or ks (p-value).',
    ),
    categorical: CategoricalDriftMethod.default('jensen-shannon').describe(
      'Statistic for categorical columns: jensen-shannon (distance, natural log), psi, or chi-square (p-value).',
    ),
    'numeric-threshold': z
      .number()
      .positive()
      .optional()
      .describe(
        'A column drifts at or above this (wasserstein 0.1, psi 0.2; for ks the p-value limit 0.05).',
      ),
    'categorical-threshold': z
      .number()
      .positive()
      .optional()
      .describe(
        'A column drifts at or above this (jensen-shannon 0.1, psi 0.2; for chi-square the p-value limit 0.05).',
      ),
    'drift-share': fraction()
      .default(0.5)
      .describe('The dataset drifts when this share of its columns drift.'),
  })
  .refine((value) => (value.reference === undefined) !== (value['reference-profile'] === undefined), {
    error: 'give exactly one of reference or reference-profile',
  });
export type DriftSettings = z.infer<typeof DriftSettings>;

/** `gates.validate-data` in mlgate.yml. */
export const ValidateDataSettings = z.strictObject({
  datasets: z
    .array(z.string().min(1))
    .optional()
    .describe('Datasets to validate against their schema (default: every dataset that has a schema).'),
  'memory-limit': z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, {
      error: 'expected a size such as 512MB or 2GB',
    })
    .default('2GB')
    .describe('Memory DuckDB may use before spilling to disk.'),
  threads: integerAtLeast(1).optional().describe('Threads DuckDB may use (default: all available cores).'),
  drift: z
    .array(DriftSettings)
    .default([])
    .describe('Reference/current pairs compared for distribution drift.'),
  'model-contract': z
    .union([z.boolean(), z.array(z.string().min(1))])
    .default(true)
    .describe(
      'Check that every model input is fed by a schema column of a compatible type (when model is set): in every validated dataset, none (false), or in the datasets listed (those that feed the model).',
    ),
});
export type ValidateDataSettings = z.infer<typeof ValidateDataSettings>;
