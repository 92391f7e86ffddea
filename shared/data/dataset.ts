import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CsvDialect, DatasetConfig } from '../config/config-schema.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import { isInside } from '../config/repository-paths.ts';
import { errorMessage, InputError, type SourceLocation } from '../errors.ts';
import { findLongLine, findRaggedRow, gzipProblem, readFailure } from './csv-diagnosis.ts';
import { quoteString, quoteStringList } from './sql.ts';

export type DatasetFormat = 'csv' | 'tsv' | 'parquet' | 'jsonl';

/** A column as DuckDB reads it. */
export interface DatasetColumn {
  name: string;
  /** DuckDB type name, e.g. `VARCHAR`, `BIGINT`, `DOUBLE`. */
  type: string;
}

/** How a relation reads its files. */
export interface RelationOptions {
  /**
   * Read CSV/TSV fields as text (no type guessing), so that type checks see exactly what was written.
   * Parquet and JSON Lines carry their own types and ignore this.
   */
  text?: boolean;
  /** Add DuckDB's `filename` column (the file each row came from). */
  withFile?: boolean;
}

/**
 * One named dataset of `mlgate.yml`, resolved to its files. All readers go through DuckDB: `relation()` is
 * a table expression usable in any query (`SELECT ... FROM ${dataset.relation()}`).
 */
export interface Dataset {
  name: string;
  format: DatasetFormat;
  /** Absolute paths, in the order DuckDB reads them (sorted glob expansion). */
  files: string[];
  /** The same files as they should appear in messages. */
  displayFiles: string[];
  /** Where `datasets.<name>` was written in the config. */
  location: SourceLocation;
  /** Columns as read with `relation({ text: true })`. */
  columns: DatasetColumn[];
  relation(options?: RelationOptions): string;
  /** Turns a DuckDB error met while reading this dataset into a one-line InputError naming the file. */
  explainError(error: unknown): Promise<InputError>;
}

const EXTENSIONS: readonly [RegExp, DatasetFormat][] = [
  [/\.csv(\.gz)?$/i, 'csv'],
  [/\.tsv(\.gz)?$/i, 'tsv'],
  [/\.(parquet|pq)$/i, 'parquet'],
  [/\.(jsonl|ndjson|json)(\.gz)?$/i, 'jsonl'],
];

/** The format a path's extension names, if any. */
export function formatFromPath(path: string): DatasetFormat | undefined {
  return EXTENSIONS.find(([pattern]) => pattern.test(path))?.[1];
}

/** Options of `openDatasetFiles`, for datasets that are not (or not only) in a config. */
export interface DatasetSpec {
  name: string;
  /** Absolute path or glob. */
  path: string;
  /** The path as written, for messages. */
  displayPath: string;
  format?: DatasetFormat | undefined;
  csv?: CsvDialect | undefined;
  location: SourceLocation;
  /** A folder every matched file must lie in once symbolic links are followed (the repository). */
  confineTo?: string | undefined;
}

/**
 * Opens `datasets.<name>` of a loaded config: expands its glob, checks every file can be read and lists its
 * columns. Throws InputError (pointing at the config or the file) for an unknown dataset, no matching file, an
 * unknown format or an unreadable file.
 */
export async function openDataset(
  connection: DuckDBConnection,
  config: LoadedConfig,
  name: string,
): Promise<Dataset> {
  const entry: DatasetConfig | undefined = config.config.datasets[name];
  if (!entry) {
    const known = Object.keys(config.config.datasets);
    throw new InputError(
      `unknown dataset "${name}"${known.length ? ` (datasets: ${known.join(', ')})` : '; add it under datasets:'}`,
      config.locate(['datasets']),
    );
  }
  return openDatasetFiles(connection, {
    name,
    path: config.resolve(entry.path),
    displayPath: config.display(entry.path),
    format: entry.format,
    csv: entry.csv,
    location: config.locate(['datasets', name, 'path']),
    confineTo: config.root,
  });
}

/** `openDataset` for a path that is not in a config (tests, benchmarks, tools). */
export async function openDatasetFiles(connection: DuckDBConnection, spec: DatasetSpec): Promise<Dataset> {
  const listed = await connection.runAndReadAll(
    `SELECT file FROM glob(${quoteString(spec.path)}) ORDER BY file`,
  );
  const files = listed.getRowsJS().map((row) => String(row[0]));
  if (files.length === 0) {
    throw new InputError(`dataset "${spec.name}": no file matches ${spec.displayPath}`, spec.location);
  }
  const escaping =
    spec.confineTo === undefined ? undefined : files.find((file) => !isInside(file, spec.confineTo!));
  if (escaping) {
    throw new InputError(
      `dataset "${spec.name}": ${escaping} is a link to a file outside the repository; set paths: { allow-outside: true } to read it`,
      spec.location,
    );
  }
  // DuckDB reads a gzip stream cut short as if it ended there: a truncated download would be judged as
  // complete data. Decompressing each file once to its end (zlib, well under the scan's cost) rules it out.
  for (const [position, file] of files.entries()) {
    if (!file.endsWith('.gz')) continue;
    const problem = await gzipProblem(file);
    if (problem) {
      throw new InputError(`cannot decompress: ${problem} (the file is truncated or corrupt)`, {
        file:
          files.length === 1 && !/[*?[]/.test(spec.displayPath)
            ? spec.displayPath
            : displayName(spec.displayPath, files[position]!),
      });
    }
  }
  const format = spec.format ?? formatFromPath(files[0]!);
  if (!format) {
    throw new InputError(
      `dataset "${spec.name}": cannot tell the format of ${basename(files[0]!)}; set format: csv, tsv, parquet or jsonl`,
      spec.location,
    );
  }
  const displayFiles = files.map((file) =>
    files.length === 1 && !/[*?[]/.test(spec.displayPath)
      ? spec.displayPath
      : displayName(spec.displayPath, file),
  );
  const delimiter =
    spec.csv?.delimiter ??
    (format === 'tsv' ? '\t' : format === 'csv' ? await sniffDelimiter(connection, files[0]!) : ',');
  const dialect = {
    delimiter,
    quote: spec.csv?.quote ?? '"',
    escape: spec.csv?.escape ?? spec.csv?.quote ?? '"',
  };
  const fileList = quoteStringList(files);
  const relation = (options: RelationOptions = {}): string => {
    const file = options.withFile ? ', filename = true' : '';
    switch (format) {
      case 'parquet':
        return `read_parquet(${fileList}${file})`;
      case 'jsonl':
        return `read_json(${fileList}, format = 'newline_delimited'${file})`;
      default: {
        const nulls = quoteStringList(['', ...(spec.csv?.nulls ?? [])]);
        return (
          `read_csv(${fileList}, header = ${spec.csv?.header === false ? 'false' : 'true'}, ` +
          `delim = ${quoteString(dialect.delimiter)}, quote = ${quoteString(dialect.quote)}, ` +
          `escape = ${quoteString(dialect.escape)}, nullstr = ${nulls}, strict_mode = true, ` +
          `all_varchar = ${options.text === false ? 'false' : 'true'}${file})`
        );
      }
    }
  };
  const dataset: Dataset = {
    name: spec.name,
    format,
    files,
    displayFiles,
    location: spec.location,
    columns: [],
    relation,
    async explainError(error) {
      if (error instanceof InputError) return error;
      const message = errorMessage(error);
      const index = Math.max(
        0,
        files.findIndex((candidate) => message.includes(candidate) || message.includes(basename(candidate))),
      );
      const file = displayFiles[index]!;
      const failure = readFailure(message);
      const tooLong = /Maximum line size of (\d+) bytes/.exec(failure.reason);
      if (tooLong) {
        // DuckDB counts this line from the start of its read buffer, not of the file: find it ourselves.
        const line = await findLongLine(files[index]!, Number(tooLong[1])).catch(() => undefined);
        return new InputError(`cannot read ${format} data: ${failure.reason}`, {
          file,
          ...((line ?? failure.line) ? { line: line ?? failure.line } : {}),
        });
      }
      if (format === 'csv' || format === 'tsv') {
        for (const [position, candidate] of files.entries()) {
          const ragged = await findRaggedRow(candidate, dialect).catch(() => undefined);
          if (ragged) {
            return new InputError(
              `malformed ${format.toUpperCase()}: this row has ${ragged.fields} fields, the header has ${ragged.expected}`,
              { file: displayFiles[position]!, line: ragged.line },
            );
          }
        }
      }
      return new InputError(`cannot read ${format} data: ${failure.reason}`, {
        file,
        ...(failure.line !== undefined ? { line: failure.line } : {}),
      });
    },
  };
  try {
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation({ text: true })}`);
    dataset.columns = described.getRowObjectsJS().map((row) => ({
      name: String(row.column_name),
      type: String(row.column_type),
    }));
    // DESCRIBE reads only what it needs to guess; one cheap full read proves every file is readable.
    if (format === 'parquet') await connection.run(`SELECT count(*) FROM ${relation()}`);
  } catch (error) {
    throw await dataset.explainError(error);
  }
  return dataset;
}

/** Delimiters a sniffed CSV may have; anything else DuckDB guesses is more likely a misreading. */
const SNIFFED_DELIMITERS = new Set([',', ';', '\t', '|']);

/**
 * The field delimiter of a CSV file whose dialect the config does not give, as DuckDB's CSV sniffer
 * reads it from the start of the file. `,` when the sniffer finds a single column: a one-column file,
 * or a ragged one, which the sniffer "fixes" by picking a delimiter absent from the file and which must
 * instead fail with its line number. Quote and escape keep their RFC 4180 defaults: the sniffer sees no
 * quote in a sample without quoted fields, and a file quoted further down would then be misread.
 */
async function sniffDelimiter(connection: DuckDBConnection, file: string): Promise<string> {
  try {
    const reader = await connection.runAndReadAll(
      `SELECT Delimiter, len(Columns) FROM sniff_csv(${quoteString(file)})`,
    );
    const [delimiter, columns] = reader.getRowsJS()[0] ?? [];
    return Number(columns) > 1 && SNIFFED_DELIMITERS.has(String(delimiter)) ? String(delimiter) : ',';
  } catch {
    // An unreadable file gets its one-line error from the full read that follows.
    return ',';
  }
}

function displayName(pattern: string, file: string): string {
  const slash = pattern.lastIndexOf(
    '/',
    pattern.search(/[*?[]/) === -1 ? undefined : pattern.search(/[*?[]/),
  );
  return slash === -1 ? basename(file) : `${pattern.slice(0, slash)}/${basename(file)}`;
}

/**
 * Runs `work` (queries over `dataset`) and turns any DuckDB error into the dataset's one-line InputError.
 */
export async function readingDataset<T>(dataset: Dataset, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Only what the data can cause becomes the user's error; anything else (a binder error) is our bug.
    if (error instanceof InputError || DATA_ERROR.test(errorMessage(error)))
      throw await dataset.explainError(error);
    throw error;
  }
}

/** DuckDB error classes raised by unreadable or malformed input. */
const DATA_ERROR =
  /^(Invalid Input|IO|Conversion|Out of Range|Invalid Error|Parser) Error|^Invalid Input Error|CSV|JSON|[Pp]arquet/;
