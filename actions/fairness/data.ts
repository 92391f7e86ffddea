import type { DuckDBConnection } from '@duckdb/node-api';
import type { LoadedConfig } from '../../shared/config/load-config.ts';
import { type Dataset, openDataset, openDatasetFiles, readingDataset } from '../../shared/data/dataset.ts';
import { withEngine } from '../../shared/data/duckdb.ts';
import type { SourceLocation } from '../../shared/errors.ts';

export type Value = string | number | boolean | null;

/** A dataset read into memory, column by column. */
export interface DataTable {
  rows: number;
  columns: Map<string, Value[]>;
  /** The file(s) as they should appear in messages. */
  display: string;
}

function toValue(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

async function readAll(dataset: Dataset, connection: DuckDBConnection): Promise<DataTable> {
  return readingDataset(dataset, async () => {
    // Typed columns: the model wants numbers, and labels may be booleans.
    const reader = await connection.runAndReadAll(`SELECT * FROM ${dataset.relation({ text: false })}`);
    const values = reader.getColumnsJS();
    const columns = new Map<string, Value[]>();
    reader.columnNames().forEach((name, index) => {
      columns.set(name, (values[index] ?? []).map(toValue));
    });
    return { rows: reader.currentRowCount, columns, display: dataset.displayFiles.join(', ') };
  });
}

/** Reads `datasets.<name>` of the config whole, through shared/data (DuckDB). Throws InputError. */
export function readConfiguredDataset(config: LoadedConfig, name: string): Promise<DataTable> {
  return withEngine({}, async ({ connection }) =>
    readAll(await openDataset(connection, config, name), connection),
  );
}

/** Reads a data file that is not a configured dataset (a predictions file). Throws InputError. */
export function readDataFile(
  path: string,
  displayPath: string,
  location: SourceLocation,
): Promise<DataTable> {
  return withEngine({}, async ({ connection }) =>
    readAll(
      await openDatasetFiles(connection, { name: displayPath, path, displayPath, location }),
      connection,
    ),
  );
}
