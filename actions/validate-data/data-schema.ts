import { z } from 'zod';
import { fraction, integerAtLeast } from '../../shared/config/zod-helpers.ts';

/** Column types of a data contract. */
export const ColumnType = z.enum(['integer', 'number', 'string', 'boolean', 'date', 'datetime']);
export type ColumnType = z.infer<typeof ColumnType>;

const bound = z.union([z.number(), z.string().min(1)], {
  error: 'expected a number (or a date for date columns)',
});

/** A duration such as `2d`, `12h`, `30m`, `1w`. */
export const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?(s|m|h|d|w)$/, { error: 'expected a duration such as 30m, 12h, 2d or 1w' });

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds in a duration written as `Duration`. */
export function durationMs(duration: string): number {
  const unit = duration.at(-1) as keyof typeof UNIT_MS;
  return Number(duration.slice(0, -1)) * UNIT_MS[unit];
}

/**
 * Refuses a lower bound above its upper bound (`min: 85, max: 18` would fail every row instead of
 * saying the contract is wrong). Numbers compare as numbers, dates as ISO text; mixed kinds are left alone.
 */
function orderedBounds<T extends Record<string, unknown>>(
  pairs: readonly (readonly [keyof T & string, keyof T & string])[],
) {
  return (value: T, context: z.core.$RefinementCtx<T>) => {
    for (const [low, high] of pairs) {
      const [a, b] = [value[low], value[high]];
      if (a === undefined || b === undefined || typeof a !== typeof b) continue;
      if ((a as number | string) > (b as number | string)) {
        context.addIssue({
          code: 'custom',
          path: [low],
          message: `expected at most ${high} (${String(b)}): the bounds contradict each other`,
        });
      }
    }
  };
}

export const ColumnRules = z
  .strictObject({
    type: ColumnType.optional().describe('The type every non-null value must have.'),
    nullable: z
      .boolean()
      .default(true)
      .describe('Whether the column may hold nulls (empty CSV fields, JSON null).'),
    'max-null-fraction': fraction().optional().describe('Largest share of null values allowed.'),
    min: bound.optional().describe('Smallest allowed value (inclusive).'),
    max: bound.optional().describe('Largest allowed value (inclusive).'),
    enum: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional()
      .describe('The only allowed values.'),
    pattern: z
      .string()
      .min(1)
      .optional()
      .describe('A regular expression (RE2) that the whole value must match.'),
    unique: z.boolean().optional().describe('No value may occur twice (nulls are not compared).'),
    'min-length': integerAtLeast(0).optional().describe('Fewest characters a value may have.'),
    'max-length': integerAtLeast(0).optional().describe('Most characters a value may have.'),
    'max-age': Duration.optional().describe(
      'Freshness of a date/datetime column: its newest value at most this old.',
    ),
    description: z.string().optional().describe('What the column means (for people and model cards).'),
  })
  .superRefine(
    orderedBounds([
      ['min', 'max'],
      ['min-length', 'max-length'],
    ]),
  );
export type ColumnRules = z.infer<typeof ColumnRules>;

export const RowCheck = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: 'expected a name of letters, digits, "_" or "-"' }),
  'fail-when': z
    .string()
    .min(1)
    .describe('A SQL condition over the typed columns; rows where it is true fail.'),
  description: z.string().optional(),
});
export type RowCheck = z.infer<typeof RowCheck>;

/** The data contract file (`datasets.<name>.schema`), YAML or JSON. */
export const DataSchema = z.strictObject({
  strict: z.boolean().default(false).describe('Columns not listed under columns are a failure.'),
  rows: z
    .strictObject({ min: integerAtLeast(0).optional(), max: integerAtLeast(0).optional() })
    .superRefine(orderedBounds([['min', 'max']]))
    .optional()
    .describe('Bounds on the number of data rows.'),
  key: z
    .array(z.string())
    .min(1)
    .optional()
    .describe('Columns that identify a row, shown beside failing rows.'),
  unique: z.array(z.array(z.string()).min(1)).optional().describe('Compound keys that must be unique.'),
  columns: z.record(z.string(), ColumnRules).default({}),
  checks: z.array(RowCheck).default([]).describe('Row-level rules in SQL.'),
});
export type DataSchema = z.infer<typeof DataSchema>;
