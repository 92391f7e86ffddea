import { z } from 'zod';
import type { InputSpec } from '../../shared/gate.ts';

/** The gate's own inputs: CLI flags and action inputs of the same names. */
export const INPUTS = {
  dataset: { description: 'validate only this dataset', multiple: true, valueName: 'NAME' },
  failures: { description: 'write every failing row of every check to this CSV file', valueName: 'FILE' },
  infer: {
    description: 'write a starting schema inferred from this dataset (to --to, or stdout)',
    valueName: 'DATASET',
  },
  profile: { description: 'write a reference profile of this dataset to --to', valueName: 'DATASET' },
  to: { description: 'output file of --infer or --profile', valueName: 'FILE' },
  force: { description: 'let --infer replace an existing --to file', flag: true },
} as const satisfies Record<string, InputSpec>;

const raw = z.union([z.string(), z.array(z.string())]).optional();

/** An absent input reaches us as `''` from the runner: both mean "not given". */
const optionalText = raw.transform((value) => {
  const text = Array.isArray(value) ? value.at(-1) : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
});

/** Repeated flags, or a multi-line / comma-separated action input. */
const list = raw.transform((value) =>
  (value === undefined ? [] : Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(/[\n,]/))
    .map((item) => item.trim())
    .filter(Boolean),
);

export const ValidateDataOptions = z.object({
  dataset: list,
  failures: optionalText,
  infer: optionalText,
  profile: optionalText,
  to: optionalText,
  force: z
    .stringbool({ truthy: ['true', 'True', 'TRUE'], falsy: ['false', 'False', 'FALSE'] })
    .optional()
    .transform((value) => value === true),
});
export type ValidateDataOptions = z.infer<typeof ValidateDataOptions>;
