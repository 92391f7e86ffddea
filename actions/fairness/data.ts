import { DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../../shared/errors.ts';

export type Value = string | number | boolean | null;

/** A dataset read into memory, column by column. */
export interface DataTable {
  rows: number;
  columns: Map<string, Value[]>;
}

export type DataFormat = 'csv' | 'tsv' | 'parquet' | 'jsonl';

function guessFormat(path: string): DataFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.tsv')) return 'tsv';
  return 'csv';
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

function source(path: string, format: DataFormat): string {
  switch (format) {
    case 'parquet':
      return `read_parquet(${sqlString(path)})`;
    case 'jsonl':
      return `read_json(${sqlString(path)}, format = 'newline_delimited')`;
    case 'tsv':
      return `read_csv(${sqlString(path)}, header = true, delim = '\t')`;
    case 'csv':
      return `read_csv(${sqlString(path)}, header = true)`;
  }
}

function toValue(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

/**
 * Reads a dataset (a file or a glob) with DuckDB. `display` is how the path appears in messages.
 * Any reading problem is the user's (missing file, malformed CSV) and becomes an InputError.
 */
export async function readDataTable(path: string, display: string, format?: DataFormat): Promise<DataTable> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT * FROM ${source(path, format ?? guessFormat(path))}`,
    );
    const names = reader.columnNames();
    const values = reader.getColumnsJS();
    const columns = new Map<string, Value[]>();
    names.forEach((name, index) => {
      columns.set(name, (values[index] ?? []).map(toValue));
    });
    return { rows: reader.currentRowCount, columns };
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    throw new InputError(`cannot read dataset: ${reason}`, { file: display });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
