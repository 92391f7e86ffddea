import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withEngine } from '../../shared/data/duckdb.ts';
import { quoteString } from '../../shared/data/sql.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { project, runValidateData } from './test-setup.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const DEFECTIVE = join(FIXTURES, 'data/eval-defective.csv');
const SCHEMA = join(FIXTURES, 'schemas/loans.schema.yml');

const Defects = z.object({
  defects: z.array(
    z.object({
      kind: z.string(),
      column: z.string(),
      rows: z.array(z.number()),
      violates: z.array(z.string()),
    }),
  ),
});

function config(datasets: Record<string, string>): string {
  const entries = Object.entries(datasets).map(
    ([name, path]) =>
      `  ${name}:\n    path: ${JSON.stringify(path)}\n    schema: ${JSON.stringify(SCHEMA)}\n`,
  );
  return `version: 1\ndatasets:\n${entries.join('')}`;
}

/** What the planted defects must produce: check id (without dataset) -> failing rows, ascending. */
async function plantedFailures(): Promise<Map<string, number[]>> {
  const { defects } = Defects.parse(
    JSON.parse(await readFile(`${DEFECTIVE.slice(0, -4)}.defects.json`, 'utf8')),
  );
  const expected = new Map<string, Set<number>>();
  for (const defect of defects) {
    for (const rule of defect.violates) {
      const rows = expected.get(rule) ?? new Set<number>();
      for (const row of defect.rows) rows.add(row);
      expected.set(rule, rows);
    }
  }
  return new Map([...expected].map(([rule, rows]) => [rule, [...rows].sort((a, b) => a - b)]));
}

function outcome(checks: Check[], dataset: string) {
  return checks
    .filter((check) => check.id.startsWith(`${dataset}.`))
    .map((check) => ({
      id: check.id.slice(dataset.length + 1),
      status: check.status,
      failing: check.failing,
      rows: (check.examples as { row: number }[] | undefined)?.map((example) => example.row),
    }));
}

describe('validate-data on the fixtures', () => {
  it('passes the clean train and eval data', async () => {
    const dir = await project({
      'mlgate.yml': config({
        train: join(FIXTURES, 'data/train.csv'),
        eval: join(FIXTURES, 'data/eval.csv'),
      }),
    });
    const { result, exitCode } = await runValidateData(dir);
    expect(result.checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(result.metrics).toEqual({ 'train.rows': 20000, 'eval.rows': 5000 });
    expect(exitCode).toBe(0);
  });

  it('fails the defective copy with exactly the planted defects', async () => {
    const dir = await project({ 'mlgate.yml': config({ defective: DEFECTIVE }) });
    const { result, exitCode } = await runValidateData(dir);
    expect(exitCode).toBe(1);
    const planted = await plantedFailures();
    const failed = outcome(result.checks, 'defective').filter((check) => check.status !== 'pass');
    expect(failed.map((check) => check.id).sort()).toEqual([...planted.keys()].sort());
    for (const check of failed) {
      const rows = planted.get(check.id)!;
      expect(check, check.id).toEqual({
        id: check.id,
        status: 'fail',
        failing: rows.length,
        rows: rows.slice(0, 5),
      });
    }
  });

  it('gives the same results for CSV, CSV.gz, Parquet and JSON Lines', async () => {
    const dir = await project({});
    await withEngine({ threads: 1 }, async ({ connection }) => {
      // Typed read (as a producer of these formats would write them): mistyped cells make a column text.
      const source = `read_csv(${quoteString(DEFECTIVE)}, header = true)`;
      await connection.run(`COPY (SELECT * FROM ${source}) TO ${quoteString(join(dir, 'd.csv.gz'))}`);
      await connection.run(
        `COPY (SELECT * FROM ${source}) TO ${quoteString(join(dir, 'd.parquet'))} (FORMAT parquet)`,
      );
      await connection.run(
        `COPY (SELECT * FROM ${source}) TO ${quoteString(join(dir, 'd.jsonl'))} (FORMAT json)`,
      );
    });
    await writeFile(
      join(dir, 'mlgate.yml'),
      config({
        csv: DEFECTIVE,
        gz: join(dir, 'd.csv.gz'),
        parquet: join(dir, 'd.parquet'),
        jsonl: join(dir, 'd.jsonl'),
      }),
    );
    const { result } = await runValidateData(dir);
    const csv = outcome(result.checks, 'csv');
    expect(csv.filter((check) => check.status === 'fail')).toHaveLength((await plantedFailures()).size);
    for (const format of ['gz', 'parquet', 'jsonl'])
      expect(outcome(result.checks, format), format).toEqual(csv);
  });
});
