import type { DuckDBConnection } from '@duckdb/node-api';
import type { LoadedConfig } from '../../shared/config/load-config.ts';
import { type Dataset, openDataset, openDatasetFiles, readingDataset } from '../../shared/data/dataset.ts';
import { withEngine } from '../../shared/data/duckdb.ts';
import { quoteIdentifier } from '../../shared/data/sql.ts';
import type { SourceLocation } from '../../shared/errors.ts';

export type Value = string | number | boolean | null;

/** A dataset read into memory, column by column. */
export interface DataTable {
  rows: number;
  /** The columns that were read (see `wanted`). */
  columns: Map<string, Value[]>;
  /** Every column the data has, read or not, for messages. */
  names: string[];
  /** The file(s) as they should appear in messages. */
  display: string;
}

function toValue(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

async function readAll(
  dataset: Dataset,
  connection: DuckDBConnection,
  wanted: ReadonlySet<string> | undefined,
): Promise<DataTable> {
  const names = dataset.columns.map((column) => column.name);
  // Converting DuckDB values to JavaScript costs about a second per million values: read only what is used.
  const selected = wanted ? names.filter((name) => wanted.has(name)) : names;
  const list = selected.length > 0 ? selected.map(quoteIdentifier).join(', ') : 'NULL AS "(none)"';
  return readingDataset(dataset, async () => {
    // Typed columns: the model wants numbers, and labels may be booleans.
    const reader = await connection.runAndReadAll(`SELECT ${list} FROM ${dataset.relation({ text: false })}`);
    const values = reader.getColumnsJS();
    const columns = new Map<string, Value[]>();
    reader.columnNames().forEach((name, index) => {
      columns.set(name, (values[index] ?? []).map(toValue));
    });
    return { rows: reader.currentRowCount, columns, names, display: dataset.displayFiles.join(', ') };
  });
}

/**
 * Reads `datasets.<name>` of the config through shared/data (DuckDB): the `wanted` columns that exist
 * (all columns without `wanted`). Throws InputError.
 */
export function readConfiguredDataset(
  config: LoadedConfig,
  name: string,
  wanted?: ReadonlySet<string>,
): Promise<DataTable> {
  return withEngine({}, async ({ connection }) =>
    readAll(await openDataset(connection, config, name), connection, wanted),
  );
}

/** Reads a data file that is not a configured dataset (a predictions file). Throws InputError. */
export function readDataFile(
  path: string,
  displayPath: string,
  location: SourceLocation,
  wanted?: ReadonlySet<string>,
): Promise<DataTable> {
  return withEngine({}, async ({ connection }) =>
    readAll(
      await openDatasetFiles(connection, { name: displayPath, path, displayPath, location }),
      connection,
      wanted,
    ),
  );
}
