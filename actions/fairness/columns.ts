import { InputError, type SourceLocation } from '../../shared/errors.ts';
import type { DataTable, Value } from './data.ts';

/** A column by name, or an InputError at `location` listing the columns there are. */
export function requireColumn(
  table: DataTable,
  name: string,
  what: string,
  location: SourceLocation,
  file: string,
): Value[] {
  const values = table.columns.get(name);
  if (values) return values;
  const known = table.names.join(', ');
  throw new InputError(
    `${what} ${JSON.stringify(name)} is not a column of ${file} (columns: ${known})`,
    location,
  );
}

const TRUE = new Set(['1', 'true', 'True', 'TRUE']);
const FALSE = new Set(['0', 'false', 'False', 'FALSE']);

/** 0/1 per row from 0/1, true/false, or their text; anything else is the user's mistake. */
export function binaryColumn(values: readonly Value[], what: string, location: SourceLocation): Uint8Array {
  const out = new Uint8Array(values.length);
  const seen = new Set<string>();
  let firstBad: number | undefined;
  values.forEach((value, row) => {
    const text = value === null ? '' : String(value);
    if (TRUE.has(text)) out[row] = 1;
    else if (FALSE.has(text)) out[row] = 0;
    else {
      seen.add(value === null ? '(empty)' : text);
      firstBad ??= row;
    }
  });
  if (firstBad !== undefined) {
    const examples = [...seen].slice(0, 5).join(', ');
    throw new InputError(
      `${what} is not binary: expected 0/1 or true/false, found ${examples} (first at data row ${firstBad + 1})`,
      location,
    );
  }
  return out;
}

/** Finite numbers per row; `allowEmpty` keeps empties as NaN. */
export function numericColumn(
  values: readonly Value[],
  what: string,
  location: SourceLocation,
  check?: (value: number) => boolean,
): Float64Array {
  const out = new Float64Array(values.length);
  values.forEach((value, row) => {
    const number =
      typeof value === 'number' ? value : value === null || value === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(number) || (check && !check(number))) {
      throw new InputError(`${what} holds ${JSON.stringify(value)} at data row ${row + 1}`, location);
    }
    out[row] = number;
  });
  return out;
}

/** Reorders a side table's column to the dataset's rows through a shared key column. */
export function joinByKey(
  datasetKeys: readonly Value[],
  sideKeys: readonly Value[],
  sideValues: readonly Value[],
  file: string,
  location: SourceLocation,
): Value[] {
  const index = new Map<string, number>();
  sideKeys.forEach((key, row) => {
    const text = String(key);
    if (index.has(text))
      throw new InputError(`key ${text} appears twice in ${file} (data row ${row + 1})`, location);
    index.set(text, row);
  });
  return datasetKeys.map((key, row) => {
    const found = index.get(String(key));
    if (found === undefined) {
      throw new InputError(
        `${file} has no row for key ${String(key)} (dataset data row ${row + 1})`,
        location,
      );
    }
    return sideValues[found]!;
  });
}
