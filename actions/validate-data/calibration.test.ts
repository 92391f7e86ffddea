import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../shared/stats/random.ts';
import { findScenario, measure, normal } from '../../shared/testing/calibration.ts';
import { scenarios } from './calibration.ts';
import { project, runValidateData } from './test-setup.ts';

const all = scenarios();

const find = (decision: string, setting: string) => findScenario(all, decision, setting);

// A seeded subset of `npm run bench:calibration -- --only validate-data`, with few runs each.
describe('drift calibration (seeded subset)', () => {
  it.each([
    ['wasserstein', '100 vs 100 rows, normal'],
    ['wasserstein', '10000 vs 10000 rows, one value of 1e6 in the current'],
    ['wasserstein', '10000 vs 10000 rows, normal (2× threshold)'],
    ['psi', '100 vs 100 rows, normal'],
    ['jensen-shannon', '1500 uniform categories, 100000 vs 100000 rows'],
    ['jensen-shannon', '20 uniform categories, 10000 vs 10000 rows (1× threshold)'],
    ['chi-square', '20 zipf categories, 50 vs 50 rows'],
    ['dataset', '4 × 100 rows'],
  ])('%s, %s', async (decision, setting) => {
    const rates = await measure(find(decision, setting), 8, 5);
    expect(rates.met, `${rates.fails} of ${rates.runs} failed`).toBe(true);
  });

  it.each([
    'numeric, 100 vs 100 rows',
    'numeric, 10000 vs 10000 rows, one value of 1e6',
    'categorical, 1500 uniform categories, 20000 vs 20000 rows',
  ])('through DuckDB: %s does not drift', async (setting) => {
    const rates = await measure(find('DuckDB', setting), 3, 5);
    expect(rates.fails).toBe(0);
  });
});

describe('drift regressions (issue #13, #16)', () => {
  it('20 drift pairs of 100-row files finish within the memory limit, each with a verdict', async () => {
    const random = createRandom(13);
    const files: Record<string, string> = {};
    for (let index = 0; index <= 20; index += 1) {
      const rows = Array.from(
        { length: 100 },
        () => `${normal(random).toFixed(4)},c${Math.floor(random.next() * 3)}`,
      );
      files[`d${index}.csv`] = `x,c\n${rows.join('\n')}\n`;
    }
    const datasets = Object.keys(files).map((file) => `  ${file.slice(0, -4)}: { path: ${file} }`);
    const pairs = Array.from(
      { length: 20 },
      (_, index) => `      - { reference: d0, current: d${index + 1} }`,
    );
    const dir = await project(files);
    await writeFile(
      join(dir, 'mlgate.yml'),
      `version: 1\ndatasets:\n${datasets.join('\n')}\ngates:\n  validate-data:\n    memory-limit: 256MB\n    threads: 1\n    drift:\n${pairs.join('\n')}\n`,
    );
    const { result, exitCode } = await runValidateData(dir);
    const verdicts = result.checks.filter((check) => /^d\d+\.drift$/.test(check.id));
    expect(verdicts).toHaveLength(20);
    // Same-distribution samples of 100 rows: never a drift, at most "more rows would settle it".
    expect(verdicts.filter((check) => check.status === 'fail')).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('drift on a 0-row dataset gives no verdict ("not enough rows"), not "no drift"', async () => {
    const dir = await project({ 'ref.csv': 'c\na\nb\na\n', 'empty.csv': 'c\n' });
    await writeFile(
      join(dir, 'mlgate.yml'),
      'version: 1\ndatasets:\n  ref: { path: ref.csv }\n  empty: { path: empty.csv }\n' +
        'gates:\n  validate-data:\n    drift:\n      - { reference: ref, current: empty }\n',
    );
    const { result } = await runValidateData(dir);
    const column = result.checks.find((check) => check.id === 'empty.drift.c');
    expect(column).toMatchObject({ status: 'warn', verdict: 'inconclusive', drifted: false });
    expect(column?.message).toContain('not enough rows');
    const dataset = result.checks.find((check) => check.id === 'empty.drift');
    expect(dataset).toMatchObject({ status: 'warn', verdict: 'inconclusive' });
  });
});
