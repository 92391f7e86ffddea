import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { type Dataset, readingDataset } from '../../shared/data/dataset.ts';
import { querySingle } from '../../shared/data/query.ts';
import { quoteIdentifier, quoteStringList } from '../../shared/data/sql.ts';
import { InputError } from '../../shared/errors.ts';
import { percentileOfSorted } from '../../shared/stats/percentiles.ts';
import { typedExpression } from './compile-checks.ts';
import type { DataSchema } from './data-schema.ts';

export const PROFILE_SCHEMA = 'mlgate/data-profile@1';
/** Reference quantiles that become the fixed bin edges of numeric columns (5 %, 10 %, ..., 95 %). */
export const EDGE_QUANTILES = Array.from({ length: 19 }, (_, index) => (index + 1) / 20);
/** Reference quantiles where the outer bins end, so that one extreme value cannot stretch them. */
export const TAIL_QUANTILES = [0.001, 0.999] as const;
/** Categories counted exactly per column; the rest are summed into `other`. */
export const CATEGORY_CAP = 1000;

const count = z.number().int().nonnegative();

export const NumericProfile = z.object({
  kind: z.literal('numeric'),
  count,
  nulls: count,
  min: z.number().nullable(),
  max: z.number().nullable(),
  sum: z.number(),
  sumSquares: z.number(),
  /** Right-closed bins: (-inf, e0], (e0, e1], ..., (e[k-1], e[k]], (e[k], +inf). */
  edges: z.array(z.number()),
  /** One count per bin: edges.length + 1 entries, the first and last are the under/overflow bins. */
  counts: z.array(count),
  /** The 0.1% and 99.9% quantiles, where the outer bins end for distances (absent in older profiles). */
  tails: z.tuple([z.number(), z.number()]).optional(),
});
export type NumericProfile = z.infer<typeof NumericProfile>;

export const CategoricalProfile = z.object({
  kind: z.literal('categorical'),
  count,
  nulls: count,
  categories: z.record(z.string(), count),
  /** Values beyond the category cap. */
  other: count,
});
export type CategoricalProfile = z.infer<typeof CategoricalProfile>;

export const ColumnProfile = z.discriminatedUnion('kind', [NumericProfile, CategoricalProfile]);
export type ColumnProfile = z.infer<typeof ColumnProfile>;

/** A dataset's distribution summary: enough to compute drift without the data. */
export const DataProfile = z.object({
  schema: z.literal(PROFILE_SCHEMA),
  dataset: z.string(),
  rows: count,
  columns: z.record(z.string(), ColumnProfile),
});
export type DataProfile = z.infer<typeof DataProfile>;

/** A column to profile: its kind and the SQL of its typed value over the dataset's text relation. */
export interface ProfiledColumn {
  name: string;
  kind: 'numeric' | 'categorical';
  sql: string;
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/**
 * Which columns can be profiled and how: the schema's type when declared (integer/number are numeric,
 * string/boolean categorical, dates are left out), otherwise the type DuckDB detects.
 */
export async function profilableColumns(
  connection: DuckDBConnection,
  dataset: Dataset,
  schema: DataSchema | undefined,
): Promise<ProfiledColumn[]> {
  const detected = await readingDataset(dataset, async () => {
    const reader = await connection.runAndReadAll(
      `DESCRIBE SELECT * FROM ${dataset.relation({ text: false })}`,
    );
    return new Map(reader.getRowObjectsJS().map((row) => [String(row.column_name), String(row.column_type)]));
  });
  const columns: ProfiledColumn[] = [];
  for (const column of dataset.columns) {
    const raw = quoteIdentifier(column.name);
    const type = schema?.columns[column.name]?.type;
    if (type === 'date' || type === 'datetime') continue;
    if (type === 'integer' || type === 'number') {
      columns.push({
        name: column.name,
        kind: 'numeric',
        sql: `CAST(${typedExpression(raw, column.type, type)} AS DOUBLE)`,
      });
    } else if (type === 'string' || type === 'boolean') {
      columns.push({
        name: column.name,
        kind: 'categorical',
        sql: `CAST(${typedExpression(raw, column.type, type)} AS VARCHAR)`,
      });
    } else if (NUMERIC.test(detected.get(column.name) ?? '')) {
      columns.push({ name: column.name, kind: 'numeric', sql: `TRY_CAST(${raw} AS DOUBLE)` });
    } else if (!/^(DATE|TIMESTAMP)/.test(detected.get(column.name) ?? '')) {
      columns.push({ name: column.name, kind: 'categorical', sql: `CAST(${raw} AS VARCHAR)` });
    }
  }
  return columns;
}

function edgeLiteral(value: number): string {
  return `CAST('${String(value)}' AS DOUBLE)`;
}

function jsNumber(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value ?? 0);
}

/** Bin edges and tails at the reference quantiles, one query for every numeric column. */
export async function quantileEdges(
  connection: DuckDBConnection,
  dataset: Dataset,
  columns: readonly ProfiledColumn[],
): Promise<Record<string, { edges: number[]; tails?: [number, number] }>> {
  const numeric = columns.filter((column) => column.kind === 'numeric');
  if (numeric.length === 0) return {};
  const list = `[${[TAIL_QUANTILES[0], ...EDGE_QUANTILES, TAIL_QUANTILES[1]].join(', ')}]`;
  const row = await readingDataset(dataset, async () => {
    const threads = (await connection.runAndReadAll("SELECT current_setting('threads')")).getRowsJS()[0]![0];
    // approx_quantile (a t-digest) is fast but depends on the order values arrive in; one thread reads the
    // files in order, so the same data always gives the same edges.
    await connection.run('SET threads = 1');
    try {
      const reader = await querySingle(
        connection,
        `SELECT ${numeric.map((column) => `approx_quantile(${column.sql}, ${list})`).join(', ')} FROM ${dataset.relation({ text: true })}`,
      );
      return reader.getRowsJS()[0]!;
    } finally {
      await connection.run(`SET threads = ${Number(threads)}`);
    }
  });
  return Object.fromEntries(
    numeric.map((column, index) => {
      const values = ((row[index] as number[] | null) ?? []).map(Number);
      if (values.length === 0) return [column.name, { edges: [] }];
      const edges = [...new Set(values.slice(1, -1))].sort((a, b) => a - b);
      return [column.name, { edges, tails: [values[0]!, values.at(-1)!] as [number, number] }];
    }),
  );
}

/**
 * Profiles `columns` of a dataset in one scan. Numeric columns are binned at `edges` (computed from this
 * dataset's own quantiles when a column has none), so profiles binned at the same edges add up exactly.
 */
export async function profileDataset(
  connection: DuckDBConnection,
  dataset: Dataset,
  columns: readonly ProfiledColumn[],
  edges: Record<string, number[]> = {},
): Promise<DataProfile> {
  const missing = columns.filter((column) => column.kind === 'numeric' && !edges[column.name]);
  const own = await quantileEdges(connection, dataset, missing);
  const allEdges: Record<string, number[]> = {
    ...Object.fromEntries(Object.entries(own).map(([name, quantiles]) => [name, quantiles.edges])),
    ...edges,
  };
  const select = ['count(*)'];
  for (const column of columns) {
    if (column.kind === 'numeric') {
      const columnEdges = allEdges[column.name] ?? [];
      const histogram = columnEdges.length
        ? `histogram(${column.sql}, [${columnEdges.map(edgeLiteral).join(', ')}])`
        : `count(${column.sql})`;
      select.push(
        `count(${column.sql})`,
        `min(${column.sql})`,
        `max(${column.sql})`,
        `coalesce(sum(${column.sql}), 0)`,
        `coalesce(sum(${column.sql} * ${column.sql}), 0)`,
        histogram,
      );
    } else {
      select.push(`count(${column.sql})`);
    }
  }
  const row = await readingDataset(dataset, async () => {
    const reader = await querySingle(
      connection,
      `SELECT ${select.join(', ')} FROM ${dataset.relation({ text: true })}`,
    );
    return reader.getRowsJS()[0]!;
  });
  const rows = jsNumber(row[0]);
  const categories = await categoryCounts(
    connection,
    dataset,
    columns.filter((column) => column.kind === 'categorical'),
  );
  let cursor = 1;
  const profiles: Record<string, ColumnProfile> = {};
  for (const column of columns) {
    if (column.kind === 'numeric') {
      const [nonNull, min, max, sum, sumSquares, histogram] = row.slice(cursor, cursor + 6);
      cursor += 6;
      const columnEdges = allEdges[column.name] ?? [];
      const counts = columnEdges.length
        ? binCounts(columnEdges, histogram as { key: unknown; value: unknown }[] | null)
        : [jsNumber(histogram)];
      profiles[column.name] = {
        kind: 'numeric',
        count: jsNumber(nonNull),
        nulls: rows - jsNumber(nonNull),
        min: min === null ? null : Number(min),
        max: max === null ? null : Number(max),
        sum: Number(sum),
        sumSquares: Number(sumSquares),
        edges: columnEdges,
        counts,
        ...(own[column.name]?.tails ? { tails: own[column.name]!.tails } : {}),
      };
    } else {
      const nonNull = jsNumber(row[cursor]);
      cursor += 1;
      const kept = categories.get(column.name) ?? [];
      profiles[column.name] = {
        kind: 'categorical',
        count: nonNull,
        nulls: rows - nonNull,
        categories: Object.fromEntries([...kept].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))),
        other: nonNull - kept.reduce((total, [, value]) => total + value, 0),
      };
    }
  }
  return { schema: PROFILE_SCHEMA, dataset: dataset.name, rows, columns: profiles };
}

/** Columns per GROUPING SETS query: `grouping_id` is a bit mask over them. */
const GROUPING_CHUNK = 30;

/**
 * The `CATEGORY_CAP` most frequent values of each categorical column (ties by value), one scan for a chunk
 * of columns. A hash aggregate per column: DuckDB's `histogram()` of a high-cardinality text column is
 * many times slower.
 */
async function categoryCounts(
  connection: DuckDBConnection,
  dataset: Dataset,
  columns: readonly ProfiledColumn[],
): Promise<Map<string, [string, number][]>> {
  const counts = new Map<string, [string, number][]>();
  for (let start = 0; start < columns.length; start += GROUPING_CHUNK) {
    const chunk = columns.slice(start, start + GROUPING_CHUNK);
    const aliases = chunk.map((_, index) => quoteIdentifier(`__mlgate_c${index}`));
    const projection = chunk.map((column, index) => `${column.sql} AS ${aliases[index]}`).join(', ');
    const value = chunk.length === 1 ? aliases[0]! : `coalesce(${aliases.join(', ')})`;
    const sql =
      `SELECT grouping_id(${aliases.join(', ')}) AS g, ${value} AS v, count(*) AS n ` +
      `FROM (SELECT ${projection} FROM ${dataset.relation({ text: true })}) ` +
      `GROUP BY GROUPING SETS (${aliases.map((alias) => `(${alias})`).join(', ')}) HAVING v IS NOT NULL ` +
      `QUALIFY row_number() OVER (PARTITION BY g ORDER BY n DESC, v) <= ${CATEGORY_CAP}`;
    const rows = await readingDataset(dataset, async () => (await querySingle(connection, sql)).getRowsJS());
    const full = 2 ** chunk.length - 1;
    for (const [index, column] of chunk.entries()) {
      // In the grouping set of column i only its bit (most significant first) is clear.
      const id = full - 2 ** (chunk.length - 1 - index);
      counts.set(
        column.name,
        rows.filter((row) => jsNumber(row[0]) === id).map((row) => [String(row[1]), jsNumber(row[2])]),
      );
    }
  }
  return counts;
}

/**
 * DuckDB's `histogram(x, edges)` keys each right-closed bin by its upper edge and leaves empty bins out
 * (the overflow bin has no finite key): spread it back over every bin.
 */
function binCounts(edges: readonly number[], histogram: { key: unknown; value: unknown }[] | null): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const bin of histogram ?? []) {
    const key = bin.key === null ? Number.POSITIVE_INFINITY : Number(bin.key);
    let index = Number.isFinite(key) ? edges.indexOf(key) : edges.length;
    if (index === -1) index = edges.findIndex((edge) => edge >= key);
    counts[index === -1 ? edges.length : index]! += jsNumber(bin.value);
  }
  return counts;
}

/**
 * Profiles `columns` of a dataset binned as `reference` was, so that the two can be compared bin by bin:
 * numeric columns at the reference's edges, categorical columns counted for every category the reference
 * kept as well as the current's own most frequent ones (the rest is `other`). Binning each side by its own
 * most frequent categories only made identical distributions of more than `CATEGORY_CAP` categories look
 * drifted.
 */
export async function profileAgainst(
  connection: DuckDBConnection,
  dataset: Dataset,
  columns: readonly ProfiledColumn[],
  reference: DataProfile,
): Promise<DataProfile> {
  const profile = await profileDataset(connection, dataset, columns, edgesOf(reference));
  for (const column of columns) {
    const kept = reference.columns[column.name];
    const own = profile.columns[column.name];
    if (kept?.kind !== 'categorical' || own?.kind !== 'categorical') continue;
    const names = Object.keys(kept.categories);
    const counted = new Map<string, number>();
    if (names.length > 0) {
      const sql =
        `SELECT v, count(*) FROM (SELECT ${column.sql} AS v FROM ${dataset.relation({ text: true })}) ` +
        `WHERE v IN (SELECT unnest(${quoteStringList(names)})) GROUP BY v`;
      const rows = await readingDataset(dataset, async () =>
        (await querySingle(connection, sql)).getRowsJS(),
      );
      for (const [value, n] of rows) counted.set(String(value), jsNumber(n));
    }
    const merged = new Map([
      ...Object.entries(own.categories),
      ...names.map((name) => [name, counted.get(name) ?? 0] as const),
    ]);
    const categories = Object.fromEntries(
      [...merged].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)),
    );
    const inKept = [...merged.values()].reduce((total, value) => total + value, 0);
    profile.columns[column.name] = { ...own, categories, other: own.count - inKept };
  }
  return profile;
}

/**
 * The profile `profileDataset` gives for the same values, built in memory (for calibration and tests):
 * numbers are numeric columns, strings categorical; edges and categories are taken from `reference` when
 * given. Quantiles are exact where DuckDB's are approximate.
 */
export function profileInMemory(
  dataset: string,
  data: Record<string, readonly number[] | readonly string[]>,
  reference?: DataProfile,
): DataProfile {
  const columns: Record<string, ColumnProfile> = {};
  let rows = 0;
  for (const [name, values] of Object.entries(data)) {
    rows = Math.max(rows, values.length);
    const known = reference?.columns[name];
    if (typeof values[0] === 'number' || known?.kind === 'numeric') {
      const numbers = values as readonly number[];
      const sorted = Float64Array.from(numbers).sort();
      const edges =
        known?.kind === 'numeric'
          ? known.edges
          : sorted.length === 0
            ? []
            : [...new Set(EDGE_QUANTILES.map((q) => percentileOfSorted(sorted, q * 100)))].sort(
                (a, b) => a - b,
              );
      const counts = new Array<number>(edges.length + 1).fill(0);
      let sum = 0;
      let sumSquares = 0;
      for (const value of numbers) {
        sum += value;
        sumSquares += value * value;
        // Right-closed bins, as DuckDB's histogram(x, edges).
        let low = 0;
        let high = edges.length;
        while (low < high) {
          const middle = (low + high) >> 1;
          if (edges[middle]! < value) low = middle + 1;
          else high = middle;
        }
        counts[low]! += 1;
      }
      columns[name] = {
        kind: 'numeric',
        count: numbers.length,
        nulls: 0,
        min: sorted.length ? sorted[0]! : null,
        max: sorted.length ? sorted[sorted.length - 1]! : null,
        sum,
        sumSquares,
        edges,
        counts,
        ...(known || sorted.length === 0
          ? {}
          : {
              tails: [
                percentileOfSorted(sorted, TAIL_QUANTILES[0] * 100),
                percentileOfSorted(sorted, TAIL_QUANTILES[1] * 100),
              ] as [number, number],
            }),
      };
    } else {
      const tally = new Map<string, number>();
      for (const value of values as readonly string[]) tally.set(value, (tally.get(value) ?? 0) + 1);
      const byCount = (x: [string, number], y: [string, number]) =>
        y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
      const own = [...tally].sort(byCount).slice(0, CATEGORY_CAP);
      const fromReference =
        known?.kind === 'categorical'
          ? Object.keys(known.categories).map(
              (category) => [category, tally.get(category) ?? 0] as [string, number],
            )
          : [];
      const kept = [...new Map([...own, ...fromReference])].sort((x, y) =>
        x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0,
      );
      columns[name] = {
        kind: 'categorical',
        count: values.length,
        nulls: 0,
        categories: Object.fromEntries(kept),
        other: values.length - kept.reduce((total, [, value]) => total + value, 0),
      };
    }
  }
  return { schema: PROFILE_SCHEMA, dataset, rows, columns };
}

/** The numeric bin edges of a profile, to bin another dataset the same way. */
export function edgesOf(profile: DataProfile): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(profile.columns).flatMap(([name, column]) =>
      column.kind === 'numeric' ? [[name, column.edges]] : [],
    ),
  );
}

/**
 * Adds profiles of disjoint shards binned at the same edges: the result equals the profile of their union
 * (counts, categories, min and max exactly; sums up to floating-point rounding).
 */
export function mergeProfiles(first: DataProfile, ...rest: DataProfile[]): DataProfile {
  let merged: DataProfile = structuredClone(first);
  for (const next of rest) {
    const columns: Record<string, ColumnProfile> = {};
    for (const [name, a] of Object.entries(merged.columns)) {
      const b = next.columns[name];
      if (!b || b.kind !== a.kind) throw new InputError(`cannot merge profiles: column ${name} differs`);
      if (a.kind === 'numeric' && b.kind === 'numeric') {
        if (a.edges.length !== b.edges.length || a.edges.some((edge, index) => edge !== b.edges[index])) {
          throw new InputError(`cannot merge profiles: column ${name} is binned at different edges`);
        }
        columns[name] = {
          ...a,
          count: a.count + b.count,
          nulls: a.nulls + b.nulls,
          min: a.min === null ? b.min : b.min === null ? a.min : Math.min(a.min, b.min),
          max: a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max),
          sum: a.sum + b.sum,
          sumSquares: a.sumSquares + b.sumSquares,
          counts: a.counts.map((value, index) => value + b.counts[index]!),
          ...(a.tails && b.tails
            ? {
                tails: [Math.min(a.tails[0], b.tails[0]), Math.max(a.tails[1], b.tails[1])] as [
                  number,
                  number,
                ],
              }
            : { tails: undefined }),
        };
      } else if (a.kind === 'categorical' && b.kind === 'categorical') {
        const categories: Record<string, number> = { ...a.categories };
        for (const [category, value] of Object.entries(b.categories)) {
          categories[category] = (categories[category] ?? 0) + value;
        }
        const sorted = Object.keys(categories).sort();
        columns[name] = {
          ...a,
          count: a.count + b.count,
          nulls: a.nulls + b.nulls,
          categories: Object.fromEntries(sorted.map((category) => [category, categories[category]!])),
          other: a.other + b.other,
        };
      }
    }
    merged = { ...merged, rows: merged.rows + next.rows, columns };
  }
  return merged;
}
