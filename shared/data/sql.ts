/**
 * Quoting for SQL built from user-written names and values. Every identifier and literal that comes from a
 * config, a schema or a data file goes through one of these, so no user text is ever read as SQL syntax.
 */

/** A DuckDB identifier: wrapped in double quotes, embedded double quotes doubled. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL character');
  return `"${name.replace(/"/g, '""')}"`;
}

/** A DuckDB string literal: wrapped in single quotes, embedded single quotes doubled. */
export function quoteString(value: string): string {
  if (value.includes('\0')) throw new Error('string literal contains a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A finite number as a DuckDB literal (DOUBLE unless integral), never in exponent-less surprise forms. */
export function quoteNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? String(value) : `${value}::DOUBLE`;
}

/** A string, number or boolean literal. */
export function quoteLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number') return quoteNumber(value);
  return value ? 'TRUE' : 'FALSE';
}

/** A list of string literals, `['a', 'b']`. */
export function quoteStringList(values: readonly string[]): string {
  return `[${values.map(quoteString).join(', ')}]`;
}
