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

/** Whether `text` (YYYY-MM-DD) names a day of the calendar: 2027-02-30 and 2027-13-01 do not. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A calendar date written YYYY-MM-DD (YAML may hand us a Date or a string); impossible dates are refused. */
export const isoDate = (): z.ZodType<string> =>
  z.preprocess(
    (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value),
    z
      .string({ error: 'expected a date YYYY-MM-DD' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD' })
      .refine(isCalendarDate, { error: 'expected a real calendar date (this day does not exist)' }),
  );
