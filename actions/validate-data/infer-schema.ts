import type { DuckDBConnection } from '@duckdb/node-api';
import { stringify } from 'yaml';
import { type Dataset, readingDataset } from '../../shared/data/dataset.ts';
import { querySingle } from '../../shared/data/query.ts';
import { quoteIdentifier } from '../../shared/data/sql.ts';
import type { ColumnRules, ColumnType } from './data-schema.ts';

/** Text columns with at most this many distinct values may get an `enum`... */
export const ENUM_LIMIT = 20;
/** ...when even the rarest value was seen this often: a value seen once or twice hints at others unseen. */
export const ENUM_MIN_COUNT = 5;
/** Headroom above (and below) an observed range, as a share of its spread: tails reach further in the next sample. */
const HEADROOM = 1;

function typeOf(duckdbType: string): ColumnType {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(duckdbType)) {
    return 'integer';
  }
  if (/^(FLOAT|DOUBLE|DECIMAL)/.test(duckdbType)) return 'number';
  if (duckdbType === 'BOOLEAN') return 'boolean';
  if (duckdbType === 'DATE') return 'date';
  if (duckdbType.startsWith('TIMESTAMP')) return 'datetime';
  return 'string';
}

function plain(value: unknown, type: ColumnType): number | string {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  return value as number | string;
}

/** What one scan of a dataset tells about a column. */
export interface ColumnProfile {
  name: string;
  type: ColumnType;
  nonNull: number;
  distinct: number;
  min?: number | string;
  max?: number | string;
  maxLength?: number;
  /** Each value and how often it occurs, for text columns with at most ENUM_LIMIT distinct values. */
  counts?: { value: string; count: number }[];
}

/** Names of identifier columns: `id`, `user_id`, `userId`, `order-key`, `uuid`. */
export function isIdLike(name: string): boolean {
  return (
    /^(id|uuid|guid|key)$/i.test(name) ||
    /[_\-. ](id|uuid|guid|key)$/i.test(name) ||
    /[a-z](Id|ID|Uuid|Key)$/.test(name)
  );
}

/** The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) at or above `value`. */
export function roundUp(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find(
    (mantissa) => mantissa * power >= value * (1 - 1e-12),
  )!;
  return Number((step * power).toPrecision(12));
}

/**
 * The range a team would keep for numbers seen between `min` and `max`: [0, 1] for shares and
 * probabilities; otherwise 0 as the floor of non-negative data (a sign is a contract, a smallest value
 * is a sample), and both ends widened by the observed spread and rounded outwards.
 */
export function widenedRange(min: number, max: number): { min: number; max: number } {
  if (min >= 0 && max <= 1) return { min: 0, max: 1 };
  const headroom = (max - min) * HEADROOM;
  return {
    min: min >= 0 ? 0 : -roundUp(-min + headroom),
    max: max <= 0 ? 0 : roundUp(max + headroom),
  };
}

/** Reads every column's type, nulls, distinct values, range, length and (for few values) frequencies in one scan. */
export async function profileColumns(
  connection: DuckDBConnection,
  dataset: Dataset,
): Promise<{ rows: number; columns: ColumnProfile[] }> {
  const relation = dataset.relation({ text: false });
  const described = await readingDataset(dataset, () =>
    connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`),
  );
  const columns = described.getRowObjectsJS().map((row) => ({
    name: String(row.column_name),
    type: typeOf(String(row.column_type)),
  }));
  const select = ['count(*)'];
  for (const column of columns) {
    const id = quoteIdentifier(column.name);
    const ordered = column.type !== 'string' && column.type !== 'boolean';
    const text = column.type === 'string';
    select.push(
      `count(${id})`,
      `count(DISTINCT ${id})`,
      ordered ? `min(${id})` : 'NULL',
      ordered ? `max(${id})` : 'NULL',
      text ? `max(length(${id}))` : 'NULL',
      text ? `CASE WHEN count(DISTINCT ${id}) <= ${ENUM_LIMIT} THEN histogram(${id}) END` : 'NULL',
    );
  }
  const row = await readingDataset(
    dataset,
    async () =>
      (await querySingle(connection, `SELECT ${select.join(', ')} FROM ${relation}`)).getRowsJS()[0]!,
  );
  return {
    rows: Number(row[0]),
    columns: columns.map((column, index) => {
      const [nonNull, distinct, min, max, maxLength, histogram] = row.slice(1 + index * 6, 7 + index * 6);
      const profile: ColumnProfile = { ...column, nonNull: Number(nonNull), distinct: Number(distinct) };
      if (min !== null && min !== undefined) profile.min = plain(min, column.type);
      if (max !== null && max !== undefined) profile.max = plain(max, column.type);
      if (maxLength !== null && maxLength !== undefined) profile.maxLength = Number(maxLength);
      if (Array.isArray(histogram)) {
        profile.counts = (histogram as { key: unknown; value: unknown }[])
          .map(({ key, value }) => ({ value: String(key), count: Number(value) }))
          .sort((a, b) => a.value.localeCompare(b.value));
      }
      return profile;
    }),
  };
}

/** The rules a team would keep for a column, and a comment with what was observed where a rule was left open. */
export function columnRules(
  profile: ColumnProfile,
  rows: number,
): { rule: Partial<ColumnRules>; note?: string } {
  const rule: Partial<ColumnRules> = { type: profile.type };
  if (rows > 0 && profile.nonNull === rows) rule.nullable = false;
  const distinctEverywhere = rows > 1 && profile.distinct === rows;
  if (
    distinctEverywhere &&
    (profile.type === 'integer' || profile.type === 'string') &&
    isIdLike(profile.name)
  ) {
    rule.unique = true;
  }
  const { min, max } = profile;
  if (
    (profile.type === 'integer' || profile.type === 'number') &&
    typeof min === 'number' &&
    typeof max === 'number'
  ) {
    // New ids continue past the last one: an identifier's range would close on the next refresh.
    if (!rule.unique) Object.assign(rule, widenedRange(min, max));
    return { rule, note: `observed ${min} to ${max}` };
  }
  if (profile.type === 'date' || profile.type === 'datetime') {
    // New data is newer: a date range closes on the next refresh.
    return min === undefined ? { rule } : { rule, note: `observed ${min} to ${max}` };
  }
  if (profile.type !== 'string' || rule.unique) return { rule };
  const counts = profile.counts;
  if (counts && counts.length > 0 && Math.min(...counts.map(({ count }) => count)) >= ENUM_MIN_COUNT) {
    rule.enum = counts.map(({ value }) => value);
    return { rule };
  }
  if (counts && counts.length > 0) {
    return {
      rule,
      note: `seen: ${counts.map(({ value, count }) => `${value} (${count})`).join(', ')}; too rare for an enum`,
    };
  }
  return { rule, note: `${profile.distinct} distinct values, longest ${profile.maxLength ?? 0} characters` };
}

const HEADER = [
  'Review before you rely on it: this is what the data looks like today, loosened to what should still hold.',
  '- nullable: false where no value was missing; unique only for id-like integer and text columns;',
  `- enum only for text columns whose every value was seen at least ${ENUM_MIN_COUNT} times (others list what was seen);`,
  '- numeric ranges widened to round numbers with headroom, none for ids (the observed range is in the comment);',
  '  dates are left open (the observed range is in the comment).',
];

/**
 * A starting data contract inferred from a dataset, meant to be kept: it should pass on the next sample
 * of the same data. Types, nullability, ids' uniqueness, enums for clearly categorical text, ranges
 * rounded outwards; what was observed but not made a rule is in a comment beside the column.
 */
export async function inferSchema(connection: DuckDBConnection, dataset: Dataset): Promise<string> {
  const { rows, columns } = await profileColumns(connection, dataset);
  // One flow map per column on one line (lineWidth 0): a folded map would lose the `columns:` indentation.
  const lines = columns.map((profile) => {
    const { rule, note } = columnRules(profile, rows);
    const line = `  ${stringify(profile.name).trim()}: ${stringify(rule, { collectionStyle: 'flow', lineWidth: 0 }).trim()}`;
    return note ? `${line} # ${note.replace(/\s+/g, ' ')}` : line;
  });
  const header = [
    `Inferred by mlgate validate-data --infer ${dataset.name} from ${rows} rows.`,
    ...HEADER,
  ].map((line) => `# ${line}`);
  return `${header.join('\n')}\nstrict: true\nrows: { min: 1 }\ncolumns:\n${lines.join('\n')}\n`;
}
