import type { SourceDocument } from '../../shared/config/yaml-file.ts';
import { locate } from '../../shared/config/yaml-file.ts';
import type { DatasetColumn } from '../../shared/data/dataset.ts';
import { quoteIdentifier, quoteLiteral, quoteNumber, quoteString } from '../../shared/data/sql.ts';
import { InputError, type SourceLocation } from '../../shared/errors.ts';
import { type ColumnRules, type ColumnType, type DataSchema, durationMs } from './data-schema.ts';

/** How a planned check is measured. */
export type Measure =
  /** Rows where `condition` is true fail; `value` is what the examples show. */
  | { kind: 'rows'; condition: string; value: string; columns: string[] }
  /** Rows whose (non-null) key occurs more than once fail. */
  | { kind: 'unique'; key: string[]; columns: string[] }
  /** The share of nulls must stay at or under `limit`. */
  | { kind: 'null-fraction'; condition: string; value: string; limit: number; columns: string[] }
  /** The newest value must be at most `maxAgeMs` old. */
  | { kind: 'max-age'; value: string; maxAgeMs: number; columns: string[] };

/** One check of the contract, compiled to SQL over the projection `PlannedValidation.projection`. */
export interface PlannedCheck {
  id: string;
  rule: string;
  column?: string;
  expected: unknown;
  location: SourceLocation;
  measure: Measure;
}

/** A check decided without reading data (rows present, strict columns, ...). */
export interface StaticCheck {
  id: string;
  rule: string;
  column?: string;
  pass: boolean;
  message: string;
  observed: unknown;
  expected: unknown;
  location: SourceLocation;
}

export interface PlannedValidation {
  /** `SELECT` list turning raw columns into typed ones (user names) plus raw copies (`__mlgate_r<i>`). */
  projection: string;
  checks: PlannedCheck[];
  staticChecks: StaticCheck[];
  rows: { min?: number | undefined; max?: number | undefined; location: SourceLocation } | undefined;
  /** Columns of the schema's `key`, as SQL over the projection (raw text). */
  key: { name: string; sql: string }[];
}

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** The raw copy of column `index` in the projection. */
export const rawAlias = (index: number): string => quoteIdentifier(`__mlgate_r${index}`);

function asText(raw: string, nativeType: string): string {
  return nativeType === 'VARCHAR' ? raw : `CAST(${raw} AS VARCHAR)`;
}

/**
 * The typed value of a column, NULL when the value does not have the type. Text is what was written
 * (CSV) or the value's canonical text (Parquet, JSON), so every format is judged the same way.
 */
export function typedExpression(raw: string, nativeType: string, type: ColumnType | undefined): string {
  const text = asText(raw, nativeType);
  switch (type) {
    case undefined:
      return raw;
    case 'string':
      return text;
    case 'integer':
      if (INTEGER_TYPES.test(nativeType)) return `CAST(${raw} AS BIGINT)`;
      // TRY_CAST to BIGINT rounds 1.5 to 2: an integer must equal itself read as a double.
      return `CASE WHEN TRY_CAST(${text} AS DOUBLE) = TRY_CAST(${text} AS BIGINT) THEN TRY_CAST(${text} AS BIGINT) END`;
    case 'number':
      return NUMERIC_TYPES.test(nativeType) ? `CAST(${raw} AS DOUBLE)` : `TRY_CAST(${text} AS DOUBLE)`;
    case 'boolean':
      return nativeType === 'BOOLEAN' ? raw : `TRY_CAST(${text} AS BOOLEAN)`;
    case 'date':
      return nativeType === 'DATE' ? raw : `TRY_CAST(${text} AS DATE)`;
    case 'datetime':
      return nativeType.startsWith('TIMESTAMP')
        ? `CAST(${raw} AS TIMESTAMP)`
        : `TRY_CAST(${text} AS TIMESTAMP)`;
  }
}

function boundLiteral(value: number | string, type: ColumnType | undefined, where: SourceLocation): string {
  if (type === 'date' || type === 'datetime') {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new InputError(`expected a ${type} such as 2024-01-31`, where);
    }
    return `CAST(${quoteString(value)} AS ${type === 'date' ? 'DATE' : 'TIMESTAMP'})`;
  }
  if (typeof value !== 'number') throw new InputError(`expected a number, got "${value}"`, where);
  return quoteNumber(value);
}

/**
 * Compiles a data contract against the columns a dataset actually has. Pure: no data is read. Throws
 * InputError (with the schema line) for contradictions the data cannot settle: an unknown column in a key,
 * a rule that does not fit the column's type.
 */
export function compileValidation(
  dataset: string,
  columns: readonly DatasetColumn[],
  schema: DataSchema,
  source: SourceDocument,
): PlannedValidation {
  const at = (path: PropertyKey[]) => locate(source, path);
  const byName = new Map(columns.map((column, index) => [column.name, { ...column, index }]));
  for (const column of columns) {
    if (column.name.startsWith('__mlgate_')) {
      throw new InputError(`column "${column.name}" uses the reserved prefix __mlgate_`, {
        file: source.file,
      });
    }
  }
  const select: string[] = [];
  const checks: PlannedCheck[] = [];
  const staticChecks: StaticCheck[] = [];
  for (const [index, column] of columns.entries()) {
    const raw = quoteIdentifier(column.name);
    const rules = schema.columns[column.name];
    select.push(
      `${typedExpression(raw, column.type, rules?.type)} AS ${raw}`,
      `${raw} AS ${rawAlias(index)}`,
    );
  }
  for (const [name, rules] of Object.entries(schema.columns)) {
    const found = byName.get(name);
    const location = at(['columns', name]);
    const present = found !== undefined;
    staticChecks.push({
      id: `${dataset}.${name}.present`,
      rule: 'present',
      column: name,
      pass: present,
      message: present ? `column ${name} is present` : `column ${name} is missing from the data`,
      observed: present,
      expected: true,
      location,
    });
    if (found) checks.push(...columnChecks(dataset, name, found.index, found.type, rules, at));
  }
  if (schema.strict) {
    const extra = columns.map((column) => column.name).filter((name) => !(name in schema.columns));
    staticChecks.push({
      id: `${dataset}.columns`,
      rule: 'columns',
      pass: extra.length === 0,
      message:
        extra.length === 0
          ? 'no column outside the schema'
          : `${extra.length} column(s) not in the schema (strict): ${extra.join(', ')}`,
      observed: columns.map((column) => column.name),
      expected: Object.keys(schema.columns),
      location: at(['strict']),
    });
  }
  const requireColumn = (name: string, path: PropertyKey[]) => {
    if (!byName.has(name)) {
      throw new InputError(`column "${name}" does not exist in dataset ${dataset}`, at(path));
    }
    return quoteIdentifier(name);
  };
  for (const [position, key] of (schema.unique ?? []).entries()) {
    const sql = key.map((name, index) => requireColumn(name, ['unique', position, index]));
    checks.push({
      id: `${dataset}.unique.${key.join('+')}`,
      rule: 'unique',
      expected: 'unique',
      location: at(['unique', position]),
      measure: { kind: 'unique', key: sql, columns: key },
    });
  }
  for (const [position, check] of schema.checks.entries()) {
    const referenced = columns
      .map((column) => column.name)
      .filter((name) => mentions(check['fail-when'], name));
    checks.push({
      id: `${dataset}.check.${check.name}`,
      rule: 'check',
      expected: `not (${check['fail-when']})`,
      location: at(['checks', position, 'fail-when']),
      measure: {
        kind: 'rows',
        condition: `coalesce((${check['fail-when']}), false)`,
        value: referenced.length
          ? `json_object(${referenced.map((name) => `${quoteString(name)}, ${quoteIdentifier(name)}`).join(', ')})`
          : 'NULL',
        columns: referenced,
      },
    });
  }
  const key = (schema.key ?? []).map((name, index) => {
    requireColumn(name, ['key', index]);
    return { name, sql: rawAlias(byName.get(name)!.index) };
  });
  return {
    projection: select.join(', '),
    checks,
    staticChecks,
    rows: schema.rows ? { ...schema.rows, location: at(['rows']) } : undefined,
    key,
  };
}

function mentions(expression: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`).test(expression);
}

function columnChecks(
  dataset: string,
  name: string,
  index: number,
  nativeType: string,
  rules: ColumnRules,
  at: (path: PropertyKey[]) => SourceLocation,
): PlannedCheck[] {
  const raw = rawAlias(index);
  const typed = quoteIdentifier(name);
  const text =
    rules.type === undefined || rules.type === 'string'
      ? asText(typed, nativeType)
      : `CAST(${typed} AS VARCHAR)`;
  const value = asText(raw, nativeType);
  const checks: PlannedCheck[] = [];
  const add = (rule: string, key: string, expected: unknown, measure: Measure) =>
    checks.push({
      id: `${dataset}.${name}.${rule}`,
      rule,
      column: name,
      expected,
      location: at(['columns', name, key]),
      measure,
    });
  const rows = (condition: string) => ({ kind: 'rows' as const, condition, value, columns: [name] });
  if (rules.type && rules.type !== 'string') {
    add('type', 'type', rules.type, rows(`${raw} IS NOT NULL AND ${typed} IS NULL`));
  }
  if (!rules.nullable) add('nullable', 'nullable', 'no nulls', rows(`${raw} IS NULL`));
  if (rules['max-null-fraction'] !== undefined) {
    add('null-fraction', 'max-null-fraction', rules['max-null-fraction'], {
      kind: 'null-fraction',
      condition: `${raw} IS NULL`,
      value,
      limit: rules['max-null-fraction'],
      columns: [name],
    });
  }
  const ordered = rules.type === undefined ? `TRY_CAST(${asText(raw, nativeType)} AS DOUBLE)` : typed;
  if (rules.min !== undefined || rules.max !== undefined) {
    if (rules.type === 'string' || rules.type === 'boolean') {
      throw new InputError(
        `min/max need a numeric, date or datetime column, not ${rules.type}`,
        at(['columns', name]),
      );
    }
  }
  if (rules.min !== undefined) {
    const literal = boundLiteral(rules.min, rules.type, at(['columns', name, 'min']));
    add('min', 'min', rules.min, rows(`${ordered} < ${literal}`));
  }
  if (rules.max !== undefined) {
    const literal = boundLiteral(rules.max, rules.type, at(['columns', name, 'max']));
    add('max', 'max', rules.max, rows(`${ordered} > ${literal}`));
  }
  if (rules.enum) {
    const numeric = rules.type === 'integer' || rules.type === 'number' || rules.type === 'boolean';
    const values = rules.enum.map((item) => {
      if (numeric && typeof item === 'string') {
        throw new InputError(`enum value "${item}" is not a ${rules.type}`, at(['columns', name, 'enum']));
      }
      return numeric ? quoteLiteral(item) : quoteString(String(item));
    });
    add('enum', 'enum', rules.enum, rows(`${numeric ? typed : text} NOT IN (${values.join(', ')})`));
  }
  if (rules.pattern !== undefined) {
    add(
      'pattern',
      'pattern',
      rules.pattern,
      rows(`NOT regexp_full_match(${text}, ${quoteString(rules.pattern)})`),
    );
  }
  if (rules['min-length'] !== undefined) {
    add('min-length', 'min-length', rules['min-length'], rows(`length(${text}) < ${rules['min-length']}`));
  }
  if (rules['max-length'] !== undefined) {
    add('max-length', 'max-length', rules['max-length'], rows(`length(${text}) > ${rules['max-length']}`));
  }
  if (rules.unique) add('unique', 'unique', 'unique', { kind: 'unique', key: [typed], columns: [name] });
  if (rules['max-age'] !== undefined) {
    if (rules.type !== 'date' && rules.type !== 'datetime') {
      throw new InputError('max-age needs a date or datetime column', at(['columns', name, 'max-age']));
    }
    add('max-age', 'max-age', rules['max-age'], {
      kind: 'max-age',
      value: `CAST(${typed} AS TIMESTAMP)`,
      maxAgeMs: durationMs(rules['max-age']),
      columns: [name],
    });
  }
  return checks;
}
