import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { withEngine } from '../../shared/data/duckdb.ts';
import { quoteString } from '../../shared/data/sql.ts';
import { createRandom, randomInteger } from '../../shared/stats/random.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { TOY_TRAIN, toyMetrics } from '../rerun-experiments/test-project.ts';
import { runCli } from './run-cli.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

async function write(dir: string, path: string, content: string | Uint8Array) {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), content);
}

/**
 * Customers as another team's data might look: an id, numbers, two categories (one with a value too
 * rare for an enum), a date and a 0/1 label. `seed` draws another sample of the same population.
 */
function customersCsv(seed: number, rows = 800): string {
  const random = createRandom(seed);
  const pick = <T>(values: readonly T[]) => values[randomInteger(random, 0, values.length - 1)]!;
  const lines = ['customer_id,age,monthly_spend,tenure_months,region,plan,signup,churned'];
  for (let row = 0; row < rows; row++) {
    const day = randomInteger(random, 0, 180);
    lines.push(
      [
        seed * 100_000 + row,
        randomInteger(random, 18, 85),
        (10 + random.next() * 240).toFixed(2),
        randomInteger(random, 0, 60),
        pick(['north', 'south', 'east', 'west']),
        random.next() < 0.005 ? 'legacy' : pick(['basic', 'plus']),
        new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10),
        random.next() < 0.3 ? 1 : 0,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A runnable ONNX model with one float input `features` [N, width] (Identity to `scores`). */
function singleTensorModel(width: number): Uint8Array {
  const { onnx } = onnxProto;
  const tensor = { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } };
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'mlgate-tests',
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'single-tensor',
        node: [{ opType: 'Identity', input: ['features'], output: ['scores'] }],
        input: [{ name: 'features', type: { tensorType: tensor } }],
        output: [{ name: 'scores', type: { tensorType: tensor } }],
      },
    }),
  ).finish();
}

/** The first `rows` data rows of a fixtures CSV after skipping `skip`: two samples of the same data. */
async function fixtureSample(file: string, skip: number, rows: number): Promise<string> {
  const [header, ...lines] = (await readFile(join(FIXTURES, 'data', file), 'utf8')).trimEnd().split('\n');
  return `${[header, ...lines.slice(skip, skip + rows)].join('\n')}\n`;
}

async function toParquet(csv: string, parquet: string) {
  await withEngine({ threads: 1 }, ({ connection }) =>
    connection.run(
      `COPY (SELECT * FROM read_csv(${quoteString(csv)})) TO ${quoteString(parquet)} (FORMAT parquet)`,
    ),
  );
  await rm(csv);
}

const MLPROJECT = [
  'name: churn',
  'entry_points:',
  '  main:',
  '    parameters:',
  '      seed: { type: int, default: 1 }',
  '      lr: float',
  '    command: "node train.mjs --seed {seed} --lr {lr} --out /dev/null --mlflow yes"',
  '',
].join('\n');

function mlrunsFiles(): Record<string, string> {
  const run = 'mlruns/0/r1';
  const metrics = toyMetrics(4, 0.2);
  return {
    'mlruns/0/meta.yaml':
      "artifact_location: file:///x/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n",
    [`${run}/meta.yaml`]:
      "end_time: 1700000200000\nentry_point_name: ''\nexperiment_id: '0'\nlifecycle_stage: active\nrun_id: r1\nrun_name: first\nrun_uuid: r1\nsource_type: 3\nstart_time: 1700000100000\nstatus: 3\n",
    [`${run}/params/seed`]: '4',
    [`${run}/params/lr`]: '0.2',
    [`${run}/metrics/accuracy`]: `1700000200000 ${metrics.accuracy} 0\n`,
    [`${run}/metrics/log_loss`]: `1700000200000 ${metrics.log_loss} 0\n`,
    [`${run}/tags/mlflow.project.entryPoint`]: 'main',
  };
}

/** Customer data and a toy training script tracked by `tracking` (files); a fresh sample replaces only the data. */
async function trackedProject(dir: string, seed: number, tracking: Record<string, string>) {
  await write(dir, 'data/customers.csv', customersCsv(seed));
  if (seed !== 0) return;
  await write(dir, 'train.mjs', TOY_TRAIN);
  for (const [path, content] of Object.entries(tracking)) await write(dir, path, content);
}

interface Layout {
  name: string;
  /** Writes the repository with its data drawn from `seed`. */
  write(dir: string, seed: number): Promise<void>;
  /** Gates init must configure. */
  gates: string[];
  /** What the config must say besides. */
  configSays?: string[];
}

const LAYOUTS: Layout[] = [
  {
    name: 'tabular CSVs and a model with one input per column',
    gates: ['validate-data', 'benchmark', 'model-card'],
    configSays: ['# fairness: { dataset: eval, label: defaulted, prediction: { model: true }, segments: ['],
    async write(dir, seed) {
      await cp(join(FIXTURES, 'models', 'loan-default.onnx'), join(dir, 'models', 'loan-default.onnx'));
      await write(dir, 'data/train.csv', await fixtureSample('train.csv', seed * 1500, 1500));
      await write(dir, 'data/eval.csv', await fixtureSample('eval.csv', seed * 1500, 1500));
    },
  },
  {
    name: 'a model with one tensor input',
    gates: ['validate-data', 'benchmark', 'model-card'],
    configSays: [
      'no dataset has a column per model input',
      '  #   features: [ age, monthly_spend, tenure_months ] # float32 [N, 3]',
      'model-contract: false',
    ],
    async write(dir, seed) {
      await write(dir, 'model/churn.onnx', singleTensorModel(3));
      await write(dir, 'data/customers.csv', customersCsv(seed));
    },
  },
  {
    name: 'Parquet data and no model',
    gates: ['validate-data'],
    async write(dir, seed) {
      await write(dir, 'data/customers.csv', customersCsv(seed));
      await toParquet(join(dir, 'data', 'customers.csv'), join(dir, 'data', 'customers.parquet'));
    },
  },
  {
    name: 'an MLflow file store beside the data',
    gates: ['validate-data', 'rerun-experiments'],
    write: (dir, seed) => trackedProject(dir, seed, { MLproject: MLPROJECT, ...mlrunsFiles() }),
  },
  {
    name: 'a DVC pipeline beside the data',
    gates: ['validate-data', 'rerun-experiments'],
    write: (dir, seed) =>
      trackedProject(dir, seed, {
        'dvc.yaml':
          'stages:\n  train:\n    cmd: node train.mjs --seed 3 --lr 0.1 --data data/customers.csv --out metrics.json\n    deps: [train.mjs, data/customers.csv]\n    metrics: [metrics.json]\n',
        'metrics.json': JSON.stringify(toyMetrics(3, 0.1)),
      }),
  },
];

const Results = z.array(z.object({ gate: z.string(), status: z.string(), checks: z.array(z.unknown()) }));

describe('mlgate init on repositories laid out as other teams lay them out', () => {
  for (const layout of LAYOUTS) {
    it(`${layout.name}: every configured gate judges checks, and the schemas hold on a fresh sample`, async () => {
      const dir = await tempDir();
      await layout.write(dir, 0);
      const init = await runCli(['init', '--dir', dir, '--action-repo', 'octo-org/mlgate']);
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      const text = await readFile(join(dir, 'mlgate.yml'), 'utf8');
      for (const expected of layout.configSays ?? []) expect(text).toContain(expected);
      const config = z.object({ gates: z.record(z.string(), z.unknown()) }).parse(parse(text));
      expect(Object.keys(config.gates)).toEqual(layout.gates);

      const out = join(dir, 'out');
      const run = await runCli(['run', '--config', join(dir, 'mlgate.yml'), '--out', out, '--json']);
      const results = Results.parse(JSON.parse(run.stdout));
      expect(results.map((result) => result.gate)).toEqual(layout.gates);
      for (const result of results) {
        expect(result.checks.length, `${result.gate} judged nothing`).toBeGreaterThan(0);
        expect(result.status, result.gate).not.toMatch(/fail|error/);
      }

      // Next month's data: the inferred contract must still hold.
      await layout.write(dir, 1);
      const fresh = await runCli([
        'validate-data',
        '--config',
        join(dir, 'mlgate.yml'),
        '--out',
        out,
        '--json',
      ]);
      const result = Results.element.parse(JSON.parse(fresh.stdout));
      expect(result.checks.filter((check) => (check as { status: string }).status === 'fail')).toEqual([]);
      expect(fresh.code).toBe(0);
    }, 120_000);
  }
});
