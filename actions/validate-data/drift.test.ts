import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatasetFiles } from '../../shared/data/dataset.ts';
import { withEngine } from '../../shared/data/duckdb.ts';
import { quoteString } from '../../shared/data/sql.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { DataProfile, edgesOf, mergeProfiles, profilableColumns, profileDataset } from './profile.ts';
import { project, runValidateData } from './test-setup.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const TRAIN = join(FIXTURES, 'data/train.csv');
const EVAL = join(FIXTURES, 'data/eval.csv');
const DEFECTIVE = join(FIXTURES, 'data/eval-defective.csv');

/** eval.csv with income scaled by 1.6 and every "north" made "south": two columns drift, the rest do not. */
async function shiftedEval(dir: string): Promise<string> {
  const path = join(dir, 'shifted.parquet');
  await withEngine({ threads: 1 }, ({ connection }) =>
    connection.run(
      `COPY (SELECT * REPLACE (income * 1.6 AS income, CASE WHEN region = 'north' THEN 'south' ELSE region END AS region)
       FROM read_csv(${quoteString(EVAL)})) TO ${quoteString(path)} (FORMAT parquet)`,
    ),
  );
  return path;
}

function config(drift: string, extra = ''): string {
  return `version: 1
datasets:
  train: { path: ${JSON.stringify(TRAIN)} }
  eval: { path: ${JSON.stringify(EVAL)} }
  shifted: { path: shifted.parquet }
${extra}gates:
  validate-data:
    drift:
${drift}`;
}

function driftOf(checks: Check[], dataset: string) {
  return Object.fromEntries(
    checks
      .filter((check) => check.id.startsWith(`${dataset}.drift.`))
      .map((check) => [check.column, check.drifted]),
  );
}

describe('drift', () => {
  it('flags the shifted columns only, and the dataset by drift-share', async () => {
    const dir = await project({});
    await shiftedEval(dir);
    await writeFile(
      join(dir, 'mlgate.yml'),
      config(
        '      - { reference: train, current: eval, columns: [age, income, region, sex] }\n' +
          '      - { reference: train, current: shifted, columns: [age, income, region, sex], drift-share: 0.5 }\n',
      ),
    );
    const { result, exitCode } = await runValidateData(dir);
    expect(driftOf(result.checks, 'eval')).toEqual({ age: false, income: false, region: false, sex: false });
    expect(driftOf(result.checks, 'shifted')).toEqual({ age: false, income: true, region: true, sex: false });
    const shifted = result.checks.find((check) => check.id === 'shifted.drift.income');
    expect(shifted).toMatchObject({ status: 'warn', statistic: 'wasserstein', threshold: 0.1, pTest: 'ks' });
    expect(Number(shifted?.pValue)).toBeLessThan(1e-6);
    expect(result.checks.find((check) => check.id === 'shifted.drift')).toMatchObject({
      status: 'fail',
      observed: 0.5,
      driftingColumns: ['income', 'region'],
    });
    expect(result.checks.find((check) => check.id === 'eval.drift')?.status).toBe('pass');
    expect(exitCode).toBe(1);
  });

  it('gates on BH-adjusted p-values when a test is chosen', async () => {
    const dir = await project({});
    await shiftedEval(dir);
    await writeFile(
      join(dir, 'mlgate.yml'),
      config(
        '      - { reference: train, current: shifted, numeric: ks, categorical: chi-square, columns: [age, income, region] }\n',
      ),
    );
    const { result } = await runValidateData(dir);
    const checks = result.checks.filter((check) => check.id.startsWith('shifted.drift.'));
    for (const check of checks) {
      expect(check.adjustedPValue).toBeGreaterThanOrEqual(Number(check.value));
      expect(check.drifted).toBe(Number(check.adjustedPValue) < 0.05);
    }
    expect(driftOf(result.checks, 'shifted')).toEqual({ age: false, income: true, region: true });
  });

  it('compares against a saved profile as against the data itself', async () => {
    const dir = await project({});
    await shiftedEval(dir);
    await writeFile(join(dir, 'mlgate.yml'), config('      - { reference: train, current: shifted }\n'));
    const tool = await runValidateData(dir, { profile: 'train', to: join(dir, 'train.profile.json') });
    expect(tool.toolMessage).toMatch(/^wrote the profile of train \(20000 rows, 11 columns\)/);
    const direct = await runValidateData(dir);
    await writeFile(
      join(dir, 'mlgate.yml'),
      config('      - { reference-profile: train.profile.json, current: shifted }\n'),
    );
    const viaProfile = await runValidateData(dir);
    const pick = (checks: Check[]) =>
      checks
        .filter((check) => check.id.startsWith('shifted.drift'))
        .map(({ id, value, drifted }) => ({ id, value, drifted }));
    expect(pick(viaProfile.result.checks).map((check) => check.id)).toContain('shifted.drift.id');
    // The profile keeps every column (identifiers included, no schema says which they are here).
    expect(pick(viaProfile.result.checks)).toEqual(pick(direct.result.checks));
  });
});

describe('profiles', () => {
  it('merge(profile(A), profile(B)) = profile(A ∪ B) at the same edges', async () => {
    const dir = await project({});
    await withEngine({ threads: 2 }, async ({ connection }) => {
      const source = `read_csv(${quoteString(TRAIN)}, all_varchar = true)`;
      await connection.run(
        `COPY (SELECT * FROM ${source} WHERE CAST(id AS INTEGER) <= 7000) TO ${quoteString(join(dir, 'a.csv'))}`,
      );
      await connection.run(
        `COPY (SELECT * FROM ${source} WHERE CAST(id AS INTEGER) > 7000) TO ${quoteString(join(dir, 'b.csv'))}`,
      );
      const open = (name: string, path: string) =>
        openDatasetFiles(connection, { name, path, displayPath: path, location: { file: 'test' } });
      const whole = await open('train', TRAIN);
      const columns = await profilableColumns(connection, whole, undefined);
      const union = await profileDataset(connection, whole, columns);
      // Edges come from a t-digest, read on one thread so that they are the same on every run.
      expect(await profileDataset(connection, whole, columns)).toEqual(union);
      const edges = edgesOf(union);
      const a = await profileDataset(connection, await open('train', join(dir, 'a.csv')), columns, edges);
      const b = await profileDataset(connection, await open('train', join(dir, 'b.csv')), columns, edges);
      const merged = mergeProfiles(a, b);
      expect(a.rows).toBe(7000);
      // Sums agree up to rounding; tails are quantiles of the reference, which shards cannot add up to.
      const withoutSums = (profile: DataProfile) =>
        JSON.parse(
          JSON.stringify(profile, (key, value) =>
            key === 'sum' || key === 'sumSquares' || key === 'tails' ? undefined : value,
          ),
        );
      expect(withoutSums(merged)).toEqual(withoutSums(union));
      for (const [name, column] of Object.entries(union.columns)) {
        const other = merged.columns[name]!;
        if (column.kind === 'numeric' && other.kind === 'numeric') {
          expect(other.sum / column.sum, name).toBeCloseTo(1, 12);
          expect(other.sumSquares / column.sumSquares, name).toBeCloseTo(1, 12);
        }
      }
      expect(DataProfile.parse(JSON.parse(JSON.stringify(merged)))).toEqual(merged);
    });
  });

  it('refuses to merge profiles binned at different edges', async () => {
    const base = { schema: 'mlgate/data-profile@1' as const, dataset: 'x', rows: 1 };
    const column = (edges: number[]) => ({
      kind: 'numeric' as const,
      count: 1,
      nulls: 0,
      min: 1,
      max: 1,
      sum: 1,
      sumSquares: 1,
      edges,
      counts: [1, ...edges.map(() => 0)],
    });
    expect(() =>
      mergeProfiles({ ...base, columns: { v: column([1]) } }, { ...base, columns: { v: column([2]) } }),
    ).toThrow('cannot merge profiles: column v is binned at different edges');
  });
});

describe('--infer', () => {
  it('writes a schema the clean data then passes', async () => {
    const dir = await project({
      'mlgate.yml': `version: 1\ndatasets:\n  eval: { path: ${JSON.stringify(EVAL)}, schema: inferred.yml }\n`,
    });
    const tool = await runValidateData(dir, { infer: 'eval', to: join(dir, 'inferred.yml') });
    expect(tool.toolMessage).toBe(`wrote a starting schema for eval to ${join(dir, 'inferred.yml')}`);
    const text = await readFile(join(dir, 'inferred.yml'), 'utf8');
    expect(text).toContain('  region: { type: string, nullable: false, enum: [ east, north, south, west ] }');
    expect(text).toContain(
      '  id: { type: integer, nullable: false, unique: true } # observed 20001 to 25000',
    );
    const { result, exitCode } = await runValidateData(dir);
    expect(result.checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('keeps long rules on one line so the schema stays valid YAML (defective data: many categories)', async () => {
    const dir = await project({
      'mlgate.yml': `version: 1\ndatasets:\n  eval: { path: ${JSON.stringify(DEFECTIVE)}, schema: inferred.yml }\n`,
    });
    await runValidateData(dir, { infer: 'eval', to: join(dir, 'inferred.yml') });
    const text = await readFile(join(dir, 'inferred.yml'), 'utf8');
    expect(text.split('\n').filter((line) => line.length > 80).length).toBeGreaterThan(0);
    const { result, exitCode } = await runValidateData(dir);
    expect(result.status).not.toBe('error');
    expect(exitCode).toBe(0);
  });
});
