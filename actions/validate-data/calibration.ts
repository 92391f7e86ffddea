/**
 * Calibration of drift verdicts (issue #13): samples whose true difference is known are profiled and
 * compared by the gate's own code. Most families build the two profiles in memory, the aggregation
 * `profileDataset` does in SQL; the `(DuckDB)` family writes CSV files and goes through `profileDataset`
 * itself, so that the binning DuckDB does is covered too.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatasetFiles } from '../../shared/data/dataset.ts';
import { type Engine, openEngine } from '../../shared/data/duckdb.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { jensenShannonDistance, populationStabilityIndex } from '../../shared/stats/drift-statistics.ts';
import { normalCdf, normalQuantile } from '../../shared/stats/intervals.ts';
import type { Random } from '../../shared/stats/random.ts';
import {
  EFFECT_FACTORS,
  effectLabel,
  normal,
  type Scenario,
  type Truth,
  type Verdict,
} from '../../shared/testing/calibration.ts';
import { compareProfiles, driftChecks } from './drift.ts';
import { profilableColumns, profileAgainst, profileDataset, profileInMemory } from './profile.ts';
import { DriftSettings } from './settings.ts';

type Sample = number[] | string[];

interface ColumnTruth {
  name: string;
  reference(random: Random): Sample;
  current(random: Random): Sample;
}

function settingsOf(extra: Record<string, unknown> = {}): DriftSettings {
  return DriftSettings.parse({ reference: 'reference', current: 'current', ...extra });
}

/** The verdict of one column's drift check, or of the dataset's when `column` is absent. */
function verdictOf(checks: readonly Check[], column?: string): Verdict {
  const check = checks.find((item) => (column ? item.column === column : item.id === 'current.drift'));
  if (!check) throw new Error(`no drift check for ${column ?? 'the dataset'}`);
  if (check.verdict === 'inconclusive') return 'inconclusive';
  return check.drifted === true ? 'fail' : 'pass';
}

function judgeInMemory(random: Random, columns: readonly ColumnTruth[], settings: DriftSettings): Check[] {
  const referenceData = Object.fromEntries(columns.map((column) => [column.name, column.reference(random)]));
  const currentData = Object.fromEntries(columns.map((column) => [column.name, column.current(random)]));
  const reference = profileInMemory('reference', referenceData);
  const current = profileInMemory('current', currentData, reference);
  const drifts = compareProfiles(
    reference,
    current,
    columns.map((column) => column.name),
    settings,
  );
  return driftChecks('current', 'reference', drifts, settings, { file: 'calibration' });
}

let engine: Promise<Engine> | undefined;
let folder: Promise<string> | undefined;

/** The same comparison through DuckDB: both samples written as CSV, profiled as the gate profiles them. */
async function judgeWithDuckDb(
  random: Random,
  columns: readonly ColumnTruth[],
  settings: DriftSettings,
): Promise<Check[]> {
  engine ??= openEngine({ threads: 1, memoryLimit: '512MB' });
  folder ??= mkdtemp(join(tmpdir(), 'mlgate-calibration-')).then((dir) => {
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });
  const { connection } = await engine;
  const dir = await folder;
  const write = async (name: string, side: 'reference' | 'current') => {
    const samples = columns.map((column) => column[side](random));
    const lines = [columns.map((column) => column.name).join(',')];
    for (let row = 0; row < samples[0]!.length; row += 1) {
      lines.push(samples.map((sample) => String(sample[row])).join(','));
    }
    const path = join(dir, `${name}.csv`);
    await writeFile(path, `${lines.join('\n')}\n`);
    return openDatasetFiles(connection, { name, path, displayPath: `${name}.csv`, location: { file: name } });
  };
  const referenceSet = await write('reference', 'reference');
  const currentSet = await write('current', 'current');
  const profiled = await profilableColumns(connection, referenceSet, undefined);
  const reference = await profileDataset(connection, referenceSet, profiled);
  const current = await profileAgainst(connection, currentSet, profiled, reference);
  const drifts = compareProfiles(
    reference,
    current,
    profiled.map((column) => column.name),
    settings,
  );
  return driftChecks('current', 'reference', drifts, settings, { file: 'calibration' });
}

function normals(rows: number, mean = 0, sd = 1) {
  return (random: Random) => Array.from({ length: rows }, () => normal(random, mean, sd));
}

/** Student's t with 3 degrees of freedom (finite variance, heavy tails). */
function heavyTailed(rows: number, shift = 0) {
  return (random: Random) =>
    Array.from({ length: rows }, () => {
      const chi = normal(random) ** 2 + normal(random) ** 2 + normal(random) ** 2;
      return shift + normal(random) / Math.sqrt(chi / 3);
    });
}

function withOutlier(rows: number, value: number) {
  return (random: Random) => {
    const sample = normals(rows)(random);
    sample[Math.floor(random.next() * rows)] = value;
    return sample;
  };
}

/** `rows` draws from categories `c0..c{k-1}` with the given weights (cumulative search). */
function categories(rows: number, weights: readonly number[]) {
  const cumulative: number[] = [];
  let sum = 0;
  for (const weight of weights) {
    sum += weight;
    cumulative.push(sum);
  }
  return (random: Random) =>
    Array.from({ length: rows }, () => {
      const u = random.next() * sum;
      let low = 0;
      let high = cumulative.length - 1;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (cumulative[middle]! < u) low = middle + 1;
        else high = middle;
      }
      return `c${low}`;
    });
}

/** Uniform weights over k categories, tilted by ±`tilt` on alternate halves. */
function tilted(k: number, tilt: number): number[] {
  return Array.from({ length: k }, (_, index) => (index < k / 2 ? 1 + tilt : 1 - tilt));
}

function zipf(k: number): number[] {
  return Array.from({ length: k }, (_, index) => 1 / (index + 1));
}

/** The smallest x in [0, high] with f(x) ≥ target (f increasing), by bisection. */
function solve(f: (x: number) => number, target: number, high: number): number {
  let low = 0;
  for (let i = 0; i < 60; i += 1) {
    const middle = (low + high) / 2;
    if (f(middle) < target) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** PSI of N(shift, 1) against N(0, 1) over the reference's 20 equal-probability bins (the gate's bins). */
function normalShiftPsi(shift: number): number {
  const edges = Array.from({ length: 19 }, (_, index) => normalQuantile((index + 1) / 20));
  const bounds = [Number.NEGATIVE_INFINITY, ...edges, Number.POSITIVE_INFINITY];
  const current = bounds.slice(1).map((upper, index) => {
    const lower = bounds[index]!;
    return normalCdf(upper - shift) - normalCdf(lower - shift);
  });
  return populationStabilityIndex(
    current.map(() => 1 / 20),
    current,
  );
}

function tiltDistance(k: number, tilt: number, statistic: 'jensen-shannon' | 'psi'): number {
  const p = Object.fromEntries(tilted(k, 0).map((w, index) => [String(index), w]));
  const q = Object.fromEntries(tilted(k, tilt).map((w, index) => [String(index), w]));
  if (statistic === 'jensen-shannon') return jensenShannonDistance(p, q);
  return populationStabilityIndex(Object.values(p), Object.values(q));
}

interface Case {
  decision: string;
  setting: string;
  truth: Truth;
  powered?: boolean;
  columns: ColumnTruth[];
  settings?: Record<string, unknown>;
  duckdb?: boolean;
  /** Judge the dataset (every column together) rather than the first column. */
  dataset?: boolean;
}

function scenario(item: Case): Scenario {
  const settings = settingsOf(item.settings);
  return {
    decision: item.decision,
    setting: item.setting,
    truth: item.truth,
    powered: item.powered ?? false,
    run: async (random) => {
      const checks = item.duckdb
        ? await judgeWithDuckDb(random, item.columns, settings)
        : judgeInMemory(random, item.columns, settings);
      return verdictOf(checks, item.dataset ? undefined : item.columns[0]!.name);
    },
  };
}

function numericCases(): Case[] {
  const cases: Case[] = [];
  const wasserstein = 'validate-data.drift.numeric (wasserstein/σ ≥ 0.1)';
  const sizes: [number, readonly number[], boolean][] = [
    [50, [0], false],
    [100, [0, 1], false],
    [1000, [0, 1, 2], false],
    [10_000, [0, 1, 1.5, 2], true],
    [100_000, [0, 1, 2], true],
  ];
  for (const [rows, factors, powered] of sizes) {
    for (const [truth, factor] of EFFECT_FACTORS.filter(([, f]) => factors.includes(f))) {
      cases.push({
        decision: wasserstein,
        setting: `${rows} vs ${rows} rows, normal${effectLabel(truth, factor)}`,
        truth,
        powered: powered && factor === 2,
        columns: [{ name: 'x', reference: normals(rows), current: normals(rows, 0.1 * factor) }],
      });
    }
  }
  cases.push(
    {
      decision: wasserstein,
      setting: '1000 vs 1000 rows, Student t(3)',
      truth: 'null',
      columns: [{ name: 'x', reference: heavyTailed(1000), current: heavyTailed(1000) }],
    },
    {
      decision: wasserstein,
      setting: '10000 vs 10000 rows, one value of 1e6 in the current',
      truth: 'null',
      columns: [{ name: 'x', reference: normals(10_000), current: withOutlier(10_000, 1e6) }],
    },
    {
      decision: wasserstein,
      setting: '10000 vs 10000 rows, one value of 1e6 in the reference',
      truth: 'null',
      columns: [{ name: 'x', reference: withOutlier(10_000, 1e6), current: normals(10_000) }],
    },
  );
  const psi = 'validate-data.drift.numeric (psi ≥ 0.2)';
  for (const [rows, factors, powered] of [
    [100, [0], false],
    [1000, [0, 1], false],
    [10_000, [0, 1, 2], true],
  ] as const) {
    for (const [truth, factor] of EFFECT_FACTORS.filter(([, f]) =>
      (factors as readonly number[]).includes(f),
    )) {
      const shift = factor === 0 ? 0 : solve(normalShiftPsi, 0.2 * factor, 3);
      cases.push({
        decision: psi,
        setting: `${rows} vs ${rows} rows, normal${effectLabel(truth, factor)}`,
        truth,
        powered: powered && factor === 2,
        settings: { numeric: 'psi' },
        columns: [{ name: 'x', reference: normals(rows), current: normals(rows, shift) }],
      });
    }
  }
  const ks = 'validate-data.drift.numeric (ks p < 0.01)';
  for (const rows of [50, 1000, 100_000]) {
    cases.push({
      decision: ks,
      setting: `${rows} vs ${rows} rows, normal`,
      truth: 'null',
      settings: { numeric: 'ks', 'numeric-threshold': 0.01 },
      columns: [{ name: 'x', reference: normals(rows), current: normals(rows) }],
    });
  }
  cases.push({
    decision: ks,
    setting: '10000 vs 10000 rows, shifted by 0.1σ',
    truth: 'beyond-threshold',
    powered: true,
    settings: { numeric: 'ks', 'numeric-threshold': 0.01 },
    columns: [{ name: 'x', reference: normals(10_000), current: normals(10_000, 0.1) }],
  });
  return cases;
}

function categoricalCases(): Case[] {
  const cases: Case[] = [];
  const js = 'validate-data.drift.categorical (jensen-shannon ≥ 0.1)';
  const nulls: [number, number, 'uniform' | 'zipf'][] = [
    [2, 100, 'uniform'],
    [20, 1000, 'uniform'],
    [1200, 10_000, 'uniform'],
    [1500, 100_000, 'uniform'],
    [10_000, 100_000, 'zipf'],
    [100_000, 100_000, 'uniform'],
  ];
  for (const [k, rows, shape] of nulls) {
    const weights = shape === 'zipf' ? zipf(k) : tilted(k, 0);
    cases.push({
      decision: js,
      setting: `${k} ${shape} categories, ${rows} vs ${rows} rows`,
      truth: 'null',
      columns: [{ name: 'c', reference: categories(rows, weights), current: categories(rows, weights) }],
    });
  }
  for (const [k, rows, factors, powered] of [
    [2, 1000, [1], false],
    [20, 10_000, [1, 1.5, 2], true],
    [2, 10_000, [1, 2], true],
  ] as const) {
    for (const [truth, factor] of EFFECT_FACTORS.filter(([, f]) =>
      (factors as readonly number[]).includes(f),
    )) {
      const tilt = solve((t) => tiltDistance(k, t, 'jensen-shannon'), 0.1 * factor, 1);
      cases.push({
        decision: js,
        setting: `${k} uniform categories, ${rows} vs ${rows} rows${effectLabel(truth, factor)}`,
        truth,
        powered: powered && factor === 2,
        columns: [
          {
            name: 'c',
            reference: categories(rows, tilted(k, 0)),
            current: categories(rows, tilted(k, tilt)),
          },
        ],
      });
    }
  }
  const psi = 'validate-data.drift.categorical (psi ≥ 0.2)';
  for (const [k, rows, factors] of [
    [20, 1000, [0, 1]],
    [20, 10_000, [0, 1, 2]],
    [1500, 100_000, [0]],
  ] as const) {
    for (const [truth, factor] of EFFECT_FACTORS.filter(([, f]) =>
      (factors as readonly number[]).includes(f),
    )) {
      const tilt = factor === 0 ? 0 : solve((t) => tiltDistance(k, t, 'psi'), 0.2 * factor, 1);
      cases.push({
        decision: psi,
        setting: `${k} uniform categories, ${rows} vs ${rows} rows${effectLabel(truth, factor)}`,
        truth,
        powered: rows >= 10_000 && factor === 2,
        settings: { categorical: 'psi' },
        columns: [
          {
            name: 'c',
            reference: categories(rows, tilted(k, 0)),
            current: categories(rows, tilted(k, tilt)),
          },
        ],
      });
    }
  }
  const chi = 'validate-data.drift.categorical (chi-square p < 0.01)';
  for (const [k, rows] of [
    [20, 50],
    [50, 1000],
    [1500, 10_000],
  ] as const) {
    cases.push({
      decision: chi,
      setting: `${k} zipf categories, ${rows} vs ${rows} rows`,
      truth: 'null',
      settings: { categorical: 'chi-square', 'categorical-threshold': 0.01 },
      columns: [{ name: 'c', reference: categories(rows, zipf(k)), current: categories(rows, zipf(k)) }],
    });
  }
  return cases;
}

function datasetCases(): Case[] {
  const decision = 'validate-data.drift (dataset, drift-share 0.5 of 4 columns)';
  const columns = (rows: number, factor: number): ColumnTruth[] => [
    { name: 'a', reference: normals(rows), current: normals(rows, 0.1 * factor) },
    { name: 'b', reference: normals(rows), current: normals(rows) },
    {
      name: 'c',
      reference: categories(rows, tilted(20, 0)),
      current: categories(
        rows,
        tilted(
          20,
          solve((t) => tiltDistance(20, t, 'jensen-shannon'), 0.1 * factor, 1),
        ),
      ),
    },
    { name: 'd', reference: categories(rows, zipf(50)), current: categories(rows, zipf(50)) },
  ];
  return [
    { decision, setting: '4 × 100 rows', truth: 'null', dataset: true, columns: columns(100, 0) },
    { decision, setting: '4 × 10000 rows', truth: 'null', dataset: true, columns: columns(10_000, 0) },
    {
      decision,
      setting: '4 × 10000 rows, 2 columns at 2× threshold',
      truth: 'beyond-threshold',
      powered: true,
      dataset: true,
      columns: columns(10_000, 2),
    },
  ];
}

function duckDbCases(): Case[] {
  const decision = 'validate-data.drift (DuckDB profiles, wasserstein / jensen-shannon)';
  return [
    {
      decision,
      setting: 'numeric, 100 vs 100 rows',
      truth: 'null',
      duckdb: true,
      columns: [{ name: 'x', reference: normals(100), current: normals(100) }],
    },
    {
      decision,
      setting: 'numeric, 10000 vs 10000 rows, one value of 1e6',
      truth: 'null',
      duckdb: true,
      columns: [{ name: 'x', reference: normals(10_000), current: withOutlier(10_000, 1e6) }],
    },
    {
      decision,
      setting: 'numeric, 10000 vs 10000 rows (1× threshold)',
      truth: 'at-threshold',
      duckdb: true,
      columns: [{ name: 'x', reference: normals(10_000), current: normals(10_000, 0.1) }],
    },
    {
      decision,
      setting: 'numeric, 10000 vs 10000 rows (2× threshold)',
      truth: 'beyond-threshold',
      powered: true,
      duckdb: true,
      columns: [{ name: 'x', reference: normals(10_000), current: normals(10_000, 0.2) }],
    },
    {
      decision,
      setting: 'categorical, 1500 uniform categories, 20000 vs 20000 rows',
      truth: 'null',
      duckdb: true,
      columns: [
        {
          name: 'c',
          reference: categories(20_000, tilted(1500, 0)),
          current: categories(20_000, tilted(1500, 0)),
        },
      ],
    },
  ];
}

export function scenarios(): Scenario[] {
  return [...numericCases(), ...categoricalCases(), ...datasetCases(), ...duckDbCases()].map(scenario);
}
