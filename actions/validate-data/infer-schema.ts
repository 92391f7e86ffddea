import type { DuckDBConnection } from '@duckdb/node-api';
import { stringify } from 'yaml';
import { type Dataset, readingDataset } from '../../shared/data/dataset.ts';
import { querySingle } from '../../shared/data/query.ts';
import { quoteIdentifier } from '../../shared/data/sql.ts';
import type { ColumnRules, ColumnType } from './data-schema.ts';

/** Text columns with at most this many distinct values get an `enum`. */
export const ENUM_LIMIT = 20;

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

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return value;
}

/**
 * A starting data contract inferred from a dataset: DuckDB's detected types, observed ranges, `nullable:
 * false` where no value is missing, `unique` where no value repeats, enums for low-cardinality text. A
 * draft for people to edit, not a verdict: ranges are what was seen, not what is allowed.
 */
export async function inferSchema(connection: DuckDBConnection, dataset: Dataset): Promise<string> {
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
    select.push(
      `count(${id})`,
      `count(DISTINCT ${id})`,
      ordered ? `min(${id})` : 'NULL',
      ordered ? `max(${id})` : 'NULL',
      column.type === 'string' ? `max(length(${id}))` : 'NULL',
      column.type === 'string'
        ? `CASE WHEN count(DISTINCT ${id}) <= ${ENUM_LIMIT} THEN list(DISTINCT ${id} ORDER BY ${id}) END`
        : 'NULL',
    );
  }
  const row = await readingDataset(
    dataset,
    async () =>
      (await querySingle(connection, `SELECT ${select.join(', ')} FROM ${relation}`)).getRowsJS()[0]!,
  );
  const rows = Number(row[0]);
  const rules: Record<string, Partial<ColumnRules>> = {};
  for (const [index, column] of columns.entries()) {
    const [nonNull, distinct, min, max, maxLength, values] = row.slice(1 + index * 6, 7 + index * 6);
    const rule: Partial<ColumnRules> = { type: column.type };
    if (Number(nonNull) === rows) rule.nullable = false;
    if (rows > 1 && Number(distinct) === rows && column.type !== 'boolean') rule.unique = true;
    if (min !== null && min !== undefined) rule.min = plain(min) as number | string;
    if (max !== null && max !== undefined) rule.max = plain(max) as number | string;
    if (Array.isArray(values) && !rule.unique) rule.enum = values.map((value) => String(value));
    else if (maxLength !== null && maxLength !== undefined) rule['max-length'] = Number(maxLength);
    rules[column.name] = rule;
  }
  const header = `# Inferred by mlgate validate-data --infer ${dataset.name} from ${rows} rows: review every rule.\n`;
  // One flow map per column on one line (lineWidth 0): a folded map would lose the `columns:` indentation.
  const lines = Object.entries(rules).map(
    ([name, rule]) =>
      `  ${stringify(name).trim()}: ${stringify(rule, { collectionStyle: 'flow', lineWidth: 0 }).trim()}`,
  );
  return `${header}strict: true\nrows: { min: 1 }\ncolumns:\n${lines.join('\n')}\n`;
}
