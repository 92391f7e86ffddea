import { readFile } from 'node:fs/promises';
import type { BaseConfig } from '../../shared/config/config-schema.ts';
import type { LoadedConfig } from '../../shared/config/load-config.ts';
import { openDataset, readingDataset } from '../../shared/data/dataset.ts';
import { withEngine } from '../../shared/data/duckdb.ts';
import { quoteIdentifier } from '../../shared/data/sql.ts';
import { errorMessage, InputError, type SourceLocation } from '../../shared/errors.ts';
import type { ResolvedValues, Scalar } from './input-synthesis.ts';
import type { InputValues } from './settings.ts';

/** Rows taken from a dataset: enough distinct batches without reading a large file whole. */
const DATASET_ROWS = 4096;

function flatten(value: unknown, into: Scalar[], file: string): void {
  if (Array.isArray(value)) {
    for (const item of value) flatten(item, into, file);
    return;
  }
  if (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean'
  ) {
    into.push(value);
    return;
  }
  throw new InputError(
    `${file}: expected an array of numbers, strings or booleans, found ${JSON.stringify(value)}`,
  );
}

function cell(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  )
    return value;
  return String(value);
}

/**
 * Reads the columns that feed one input from a configured dataset (first rows only), in order, through
 * the same reader as validate-data (globs, gzip, the CSV dialect), with the types DuckDB reads.
 */
export async function readDatasetRows(
  config: LoadedConfig<BaseConfig>,
  name: string,
  columns: readonly string[],
  input: { name: string; location: SourceLocation },
): Promise<Scalar[][]> {
  return withEngine({}, async ({ connection }) => {
    const dataset = await openDataset(connection, config, name);
    const known = new Set(dataset.columns.map((column) => column.name));
    const missing = columns.filter((column) => !known.has(column));
    if (missing.length > 0) {
      throw new InputError(
        `input "${input.name}" reads column(s) ${missing.join(', ')}, which dataset "${name}" (${dataset.displayFiles[0]}) does not have`,
        input.location,
      );
    }
    const reader = await readingDataset(dataset, () =>
      connection.runAndReadAll(
        `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${dataset.relation({ text: false })} LIMIT ${DATASET_ROWS}`,
      ),
    );
    return reader.getRowsJS().map((row) => row.map(cell));
  });
}

/**
 * Resolves `{ file }` and `{ dataset }` values of `gates.benchmark.inputs.<input>` into data; the other
 * kinds need nothing read. Every problem is an InputError naming the file or the config line.
 */
export async function resolveInputValues(
  input: string,
  values: InputValues,
  config: LoadedConfig<BaseConfig>,
): Promise<ResolvedValues> {
  const where = () => config.locate(['gates', 'benchmark', 'inputs', input, 'values']);
  if (values === 'random') return { kind: 'random' };
  if (values === 'zeros') return { kind: 'zeros' };
  if ('constant' in values) return { kind: 'constant', value: values.constant, location: where() };
  if ('range' in values) return { kind: 'range', low: values.range[0], high: values.range[1] };
  if ('file' in values) {
    const file = config.display(values.file);
    let text: string;
    try {
      text = await readFile(config.resolve(values.file), 'utf8');
    } catch (error) {
      throw new InputError(`cannot read ${file} for input "${input}": ${errorMessage(error)}`, where());
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InputError(`${file} is not valid JSON: ${errorMessage(error)}`);
    }
    const list: Scalar[] = [];
    flatten(parsed, list, file);
    if (list.length === 0) throw new InputError(`${file} holds no values for input "${input}"`, where());
    return { kind: 'list', values: list, origin: file };
  }
  const dataset = config.config.datasets[values.dataset];
  if (!dataset) {
    const known = Object.keys(config.config.datasets);
    throw new InputError(
      `input "${input}" reads dataset "${values.dataset}", which is not under datasets (${known.join(', ') || 'none defined'})`,
      where(),
    );
  }
  const source = config.config.model?.inputs?.[input] ?? input;
  const columns = Array.isArray(source) ? source : [source];
  const rows = await readDatasetRows(config, values.dataset, columns, { name: input, location: where() });
  if (rows.length === 0)
    throw new InputError(`dataset "${values.dataset}" has no rows for input "${input}"`, where());
  return { kind: 'rows', rows, origin: `dataset ${values.dataset}` };
}
