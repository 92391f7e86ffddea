import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourceDocument } from '../../shared/config/yaml-file.ts';
import { type Dataset, readingDataset } from '../../shared/data/dataset.ts';
import { querySingle, streamSingle } from '../../shared/data/query.ts';
import { quoteIdentifier, quoteString } from '../../shared/data/sql.ts';
import { errorMessage, InputError } from '../../shared/errors.ts';
import { formatNumber } from '../../shared/report/markdown.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { compileValidation, type PlannedCheck, type PlannedValidation } from './compile-checks.ts';
import type { DataSchema } from './data-schema.ts';
import type { FailuresFile } from './failures-file.ts';

/** Failing rows shown per check. */
export const MAX_EXAMPLES = 5;

export interface Example {
  /** 1-based data row (header not counted) within its file. */
  row: number;
  value: unknown;
  file?: string;
  key?: Record<string, unknown>;
}

export interface ValidationResult {
  rows: number;
  checks: Check[];
}

export interface ValidateOptions {
  now: Date;
  failures?: FailuresFile | undefined;
}

interface Measured {
  failing: number;
  pass: boolean;
  observed: unknown;
  message: string;
  /** Whether failing rows can be listed (not for dataset-level facts such as freshness). */
  listRows: boolean;
}

/**
 * Checks a dataset against its contract in as few scans as the rules allow: one aggregate pass for every
 * rule, one more (only when something fails) that lists failing rows with their file order row numbers.
 */
export async function validateDataset(
  connection: DuckDBConnection,
  dataset: Dataset,
  schema: DataSchema,
  source: SourceDocument,
  options: ValidateOptions,
): Promise<ValidationResult> {
  const plan = compileValidation(dataset.name, dataset.columns, schema, source);
  const relation = dataset.relation({ text: true });
  const base = `(SELECT ${plan.projection} FROM ${relation})`;
  const unjudgeable = await checkUserSql(connection, plan, base);
  const judged = plan.checks.filter((check) => !unjudgeable.has(check));
  const aggregates = ['count(*)'];
  for (const check of judged) aggregates.push(...aggregateSql(check));
  const row = await readingDataset(dataset, async () => {
    const reader = await querySingle(connection, `SELECT ${aggregates.join(', ')} FROM ${base} AS t`);
    return reader.getRowsJS()[0]!;
  });
  const rowCount = Number(row[0]);
  let cursor = 1;
  const measured = new Map<PlannedCheck, Measured>();
  for (const check of judged) {
    const width = aggregateSql(check).length;
    const values = row.slice(cursor, cursor + width);
    cursor += width;
    measured.set(check, await measure(connection, base, check, values, rowCount, options.now, dataset));
  }
  const listed = judged.filter((check) => !measured.get(check)!.pass && measured.get(check)!.listRows);
  const examples = listed.length
    ? await listFailingRows(connection, dataset, plan, listed, options.failures)
    : new Map<PlannedCheck, Example[]>();

  const checks: Check[] = [];
  if (plan.rows) {
    const { min, max, location } = plan.rows;
    const pass = (min === undefined || rowCount >= min) && (max === undefined || rowCount <= max);
    checks.push({
      id: `${dataset.name}.rows`,
      status: pass ? 'pass' : 'fail',
      message: `${formatNumber(rowCount)} rows${pass ? '' : `, expected ${describeRange(min, max)}`}`,
      observed: rowCount,
      expected: { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) },
      location,
      dataset: dataset.name,
      rule: 'rows',
    });
  }
  const dataFiles =
    dataset.displayFiles.length === 1
      ? dataset.displayFiles[0]!
      : `${dataset.displayFiles[0]} (and ${dataset.displayFiles.length - 1} more files)`;
  for (const check of plan.staticChecks) {
    checks.push({
      id: check.id,
      status: check.pass ? 'pass' : 'fail',
      message:
        check.rule === 'present' && !check.pass
          ? `column ${check.column} is missing from ${dataFiles}`
          : check.message,
      observed: check.observed,
      expected: check.expected,
      location: check.location,
      dataset: dataset.name,
      rule: check.rule,
      ...(check.column !== undefined ? { column: check.column } : {}),
    });
  }
  const present = new Set(
    plan.staticChecks.filter((check) => check.rule === 'present').map((check) => check.id),
  );
  for (const [check, column] of unjudgeable) {
    // A column the contract's SQL needs is as missing as a declared one: a failed `present` check.
    const id = `${dataset.name}.${column}.present`;
    if (!present.has(id)) {
      present.add(id);
      checks.push({
        id,
        status: 'fail',
        message: `column ${column} is missing from ${dataFiles} (fail-when of ${check.id.split('.').at(-1)} uses it)`,
        observed: false,
        expected: true,
        location: check.location,
        dataset: dataset.name,
        rule: 'present',
        column,
      });
    }
    checks.push({
      id: check.id,
      status: 'skip',
      message: `not judged: it uses column ${column}, which is missing from ${dataFiles}`,
      expected: check.expected,
      location: check.location,
      dataset: dataset.name,
      rule: check.rule,
    });
  }
  for (const check of judged) {
    const result = measured.get(check)!;
    checks.push({
      id: check.id,
      status: result.pass ? 'pass' : 'fail',
      message: result.message,
      observed: result.observed,
      expected: check.expected,
      location: check.location,
      dataset: dataset.name,
      rule: check.rule,
      ...(check.column !== undefined ? { column: check.column } : {}),
      failing: result.failing,
      ...(result.pass || !result.listRows ? {} : { examples: examples.get(check) ?? [] }),
    });
  }
  return { rows: rowCount, checks };
}

/** What the failing rows did, in the words of the rule. */
function rowsMessage(check: PlannedCheck, failing: number): string {
  const count = formatNumber(failing);
  const of = `value(s) of ${check.column}`;
  const expected =
    typeof check.expected === 'object' ? JSON.stringify(check.expected) : String(check.expected);
  switch (check.rule) {
    case 'type':
      return `${count} ${of} are not ${expected}`;
    case 'nullable':
      return `${count} row(s) have no ${check.column}`;
    case 'min':
      return `${count} ${of} are below ${expected}`;
    case 'max':
      return `${count} ${of} are above ${expected}`;
    case 'enum':
      return `${count} ${of} are not one of ${expected}`;
    case 'pattern':
      return `${count} ${of} do not match ${expected}`;
    case 'min-length':
      return `${count} ${of} are shorter than ${expected} characters`;
    case 'max-length':
      return `${count} ${of} are longer than ${expected} characters`;
    default:
      return `${count} row(s) match fail-when of ${check.id.split('.').at(-1)}`;
  }
}

function describeRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${formatNumber(min)}..${formatNumber(max)}`;
  return min !== undefined ? `at least ${formatNumber(min)}` : `at most ${formatNumber(max ?? 0)}`;
}

function uniqueParts(key: string[]): { nonNull: string; value: string } {
  const nonNull = key.map((column) => `${column} IS NOT NULL`).join(' AND ');
  return { nonNull, value: key.length === 1 ? key[0]! : `row(${key.join(', ')})` };
}

export function aggregateSql(check: PlannedCheck): string[] {
  const { measure } = check;
  switch (measure.kind) {
    case 'rows':
    case 'null-fraction':
      return [`count_if(${measure.condition})`];
    case 'unique': {
      // Distinct count in the same scan: duplicates are the exception, so their exact rows are found later.
      const { nonNull, value } = uniqueParts(measure.key);
      return [`count_if(${nonNull})`, `count(DISTINCT CASE WHEN ${nonNull} THEN ${value} END)`];
    }
    case 'max-age':
      return [`max(${measure.value})`];
  }
}

function duplicatesSql(base: string, key: string[]): string {
  const { nonNull, value } = uniqueParts(key);
  return `SELECT ${value} FROM ${base} AS d WHERE ${nonNull} GROUP BY ALL HAVING count(*) > 1`;
}

async function measure(
  connection: DuckDBConnection,
  base: string,
  check: PlannedCheck,
  values: unknown[],
  rows: number,
  now: Date,
  dataset: Dataset,
): Promise<Measured> {
  const { measure } = check;
  switch (measure.kind) {
    case 'rows': {
      const failing = Number(values[0]);
      return {
        failing,
        pass: failing === 0,
        observed: failing,
        listRows: true,
        message: failing === 0 ? 'no failing row' : rowsMessage(check, failing),
      };
    }
    case 'null-fraction': {
      const nulls = Number(values[0]);
      const share = rows === 0 ? 0 : nulls / rows;
      const pass = share <= measure.limit;
      return {
        failing: pass ? 0 : nulls,
        pass,
        observed: share,
        listRows: true,
        message: `${formatNumber(share * 100)}% null (${formatNumber(nulls)} rows), limit ${formatNumber(measure.limit * 100)}%`,
      };
    }
    case 'unique': {
      const nonNull = Number(values[0]);
      const distinct = Number(values[1]);
      if (nonNull === distinct) {
        return { failing: 0, pass: true, observed: 0, listRows: true, message: 'every value is unique' };
      }
      const counted = await readingDataset(dataset, () =>
        querySingle(
          connection,
          `SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM ${base} AS d WHERE ${uniqueParts(measure.key).nonNull} GROUP BY ${measure.key.join(', ')} HAVING count(*) > 1)`,
        ),
      );
      const failing = Number(counted.getRowsJS()[0]![0]);
      return {
        failing,
        pass: false,
        observed: failing,
        listRows: true,
        message: `${formatNumber(failing)} row(s) share a value with another row (${formatNumber(nonNull - distinct)} duplicate(s))`,
      };
    }
    case 'max-age': {
      const newest = values[0] instanceof Date ? values[0] : undefined;
      const age = newest ? now.getTime() - newest.getTime() : Number.POSITIVE_INFINITY;
      const pass = age <= measure.maxAgeMs;
      return {
        failing: pass ? 0 : rows,
        pass,
        observed: newest ? newest.toISOString() : null,
        listRows: false,
        message: newest
          ? `newest value ${newest.toISOString()} is ${formatNumber(age / 3_600_000)} h old`
          : 'no value to judge freshness',
      };
    }
  }
}

/**
 * Refuses invalid regular expressions and `fail-when` conditions before any data is read. Returns the
 * `fail-when` checks that name a column the data lacks, with that column: the data's fault, not the
 * contract's, so they become failed `present` checks rather than a config error.
 */
async function checkUserSql(
  connection: DuckDBConnection,
  plan: PlannedValidation,
  base: string,
): Promise<Map<PlannedCheck, string>> {
  const unjudgeable = new Map<PlannedCheck, string>();
  for (const check of plan.checks) {
    if (check.rule === 'pattern') {
      try {
        await querySingle(connection, `SELECT regexp_full_match('', ${quoteString(String(check.expected))})`);
      } catch (error) {
        throw new InputError(`invalid regular expression: ${cleanError(error)}`, check.location);
      }
    }
    if (check.rule === 'check' && check.measure.kind === 'rows') {
      try {
        const statements = await connection.extractStatements(
          `SELECT count_if(${check.measure.condition}) FROM ${base} AS t`,
        );
        if (statements.count !== 1) throw new Error('fail-when must be one SQL condition, not statements');
        await statements.prepare(0);
      } catch (error) {
        const missing = /Referenced column "((?:[^"]|"")+)" not found/.exec(errorMessage(error));
        if (missing) unjudgeable.set(check, missing[1]!.replace(/""/g, '"'));
        else throw new InputError(`invalid fail-when: ${cleanError(error)}`, check.location);
      }
    }
  }
  return unjudgeable;
}

function cleanError(error: unknown): string {
  return errorMessage(error)
    .split('\n')[0]!
    .replace(/^[A-Za-z ]*Error: /, '');
}

/**
 * Second pass: the rows failing any of `checks`, numbered in file order. `row_number() OVER ()` with an
 * empty window runs as DuckDB's streaming window, which keeps the scan's (file) order.
 */
async function listFailingRows(
  connection: DuckDBConnection,
  dataset: Dataset,
  plan: PlannedValidation,
  checks: PlannedCheck[],
  failures: FailuresFile | undefined,
): Promise<Map<PlannedCheck, Example[]>> {
  const multiFile = dataset.files.length > 1;
  const relation = dataset.relation({ text: true, withFile: multiFile });
  const base = `(SELECT ${plan.projection} FROM ${dataset.relation({ text: true })})`;
  const flags = checks.map((check) => {
    const { measure } = check;
    if (measure.kind === 'unique') {
      const { value } = uniqueParts(measure.key);
      return `coalesce(${value} IN (${duplicatesSql(base, measure.key)}), false)`;
    }
    return measure.kind === 'max-age' ? 'false' : measure.condition;
  });
  const values = checks.map((check) => {
    const { measure } = check;
    if (measure.kind === 'unique') {
      return measure.key.length === 1
        ? `CAST(${measure.key[0]} AS VARCHAR)`
        : `json_object(${measure.columns.map((name, index) => `${quoteString(name)}, ${measure.key[index]}`).join(', ')})`;
    }
    return measure.kind === 'max-age' ? 'NULL' : measure.value;
  });
  const keys = plan.key.map((key) => key.sql);
  const sql =
    `SELECT __mlgate_row, ${multiFile ? '__mlgate_file' : 'NULL'}, ` +
    `${[...flags.map((flag, index) => `${flag} AS ${quoteIdentifier(`__mlgate_f${index}`)}`), ...values, ...keys].join(', ')} ` +
    `FROM (SELECT row_number() OVER () AS __mlgate_row, ${multiFile ? 'filename AS __mlgate_file, ' : ''}${plan.projection} FROM ${relation}) AS t ` +
    `WHERE ${flags.map((_, index) => quoteIdentifier(`__mlgate_f${index}`)).join(' OR ')}`;
  const offsets = multiFile ? await fileOffsets(connection, dataset) : new Map<string, number>();
  const examples = new Map<PlannedCheck, Example[]>(checks.map((check) => [check, []]));
  const complete = () => [...examples.values()].every((list) => list.length >= MAX_EXAMPLES);
  await readingDataset(dataset, async () => {
    for await (const row of streamSingle(connection, sql)) {
      const globalRow = Number(row[0]);
      const fileName = row[1] === null ? undefined : String(row[1]);
      const file = fileName === undefined ? dataset.displayFiles[0]! : displayOf(dataset, fileName);
      const rowInFile = fileName === undefined ? globalRow : globalRow - (offsets.get(fileName) ?? 0);
      const key = keys.length
        ? Object.fromEntries(
            plan.key.map((column, index) => [column.name, row[2 + 2 * checks.length + index]]),
          )
        : undefined;
      for (const [index, check] of checks.entries()) {
        if (row[2 + index] !== true) continue;
        const value = row[2 + checks.length + index];
        const list = examples.get(check)!;
        if (list.length < MAX_EXAMPLES) {
          list.push({
            row: rowInFile,
            value: value ?? null,
            ...(multiFile ? { file } : {}),
            ...(key ? { key } : {}),
          });
        }
        await failures?.write({ dataset: dataset.name, check: check.id, row: rowInFile, file, value, key });
      }
      if (!failures && complete()) break;
    }
  });
  return examples;
}

function displayOf(dataset: Dataset, file: string): string {
  const index = dataset.files.indexOf(file);
  return index === -1 ? file : dataset.displayFiles[index]!;
}

/** Rows before each file in read order, so global row numbers become per-file ones. */
async function fileOffsets(connection: DuckDBConnection, dataset: Dataset): Promise<Map<string, number>> {
  const reader = await readingDataset(dataset, () =>
    querySingle(
      connection,
      `SELECT filename, count(*) FROM ${dataset.relation({ text: true, withFile: true })} GROUP BY filename`,
    ),
  );
  const counts = new Map(reader.getRowsJS().map((row) => [String(row[0]), Number(row[1])]));
  const offsets = new Map<string, number>();
  let total = 0;
  for (const file of dataset.files) {
    offsets.set(file, total);
    total += counts.get(file) ?? 0;
  }
  return offsets;
}
