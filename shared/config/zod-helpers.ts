import { z } from 'zod';

/** A number in [min, max], whose error reads "expected a number between min and max". */
export function numberBetween(min: number, max: number): z.ZodNumber {
  const error = `expected a number between ${min} and ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

/** A fraction in [0, 1]. */
export const fraction = (): z.ZodNumber => numberBetween(0, 1);

/** A whole number >= min. */
export function integerAtLeast(min: number): z.ZodNumber {
  const error = `expected a whole number >= ${min}`;
  return z.number({ error }).int({ error }).min(min, { error });
}

/** A calendar date written YYYY-MM-DD (YAML may hand us a Date or a string). */
export const isoDate = (): z.ZodType<string> =>
  z.preprocess(
    (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value),
    z.string({ error: 'expected a date YYYY-MM-DD' }).regex(/^\d{4}-\d{2}-\d{2}$/, {
      error: 'expected a date YYYY-MM-DD',
    }),
  );
