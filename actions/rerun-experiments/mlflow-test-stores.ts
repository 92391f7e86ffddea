import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { type MlflowDbRun, mlflowDatabase } from '../../fixtures/scripts/mlflow-db.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { TOY_TRAIN, toyMetrics, writeFiles } from './test-project.ts';

/** Test projects whose runs are recorded the same way in each of MLflow's stores. */

export const MLPROJECT = [
  'name: toy',
  'python_env: python_env.yaml',
  'entry_points:',
  '  main:',
  '    parameters:',
  '      seed: { type: int, default: 1 }',
  '      lr: float',
  '      out: { type: string, default: results/metrics.json }',
  '    command: "node train.mjs --seed {seed} --lr {lr} --out {out}"',
  '  logged:',
  '    parameters:',
  '      seed: int',
  '      lr: float',
  '    command: "node train.mjs --seed {seed} --lr {lr} --out /dev/null --mlflow yes"',
  '',
].join('\n');

export const GIT_COMMIT = '0123456789abcdef0123456789abcdef01234567';

export interface ToyRun {
  id: string;
  name: string;
  status: 'FINISHED' | 'FAILED';
  end: number;
  seed: number;
  lr: number;
  entry?: string;
  deleted?: boolean;
  experiment?: number;
}

/** Three runs of experiment 1 ("toy"): the latest finished one is `bbb222`, "bold cat". */
export const TOY_RUNS: ToyRun[] = [
  { id: 'aaa111', status: 'FINISHED', end: 1700000100000, seed: 3, lr: 0.2, name: 'older-run' },
  { id: 'bbb222', status: 'FINISHED', end: 1700000200000, seed: 7, lr: 0.1, name: 'bold cat' },
  { id: 'ccc333', status: 'FAILED', end: 1700000300000, seed: 9, lr: 0.3, name: 'failed-run' },
];

/** What training logged: an early value, the final one at the highest step, and a late re-log of step 3. */
function loggedMetrics(run: ToyRun) {
  const metrics = toyMetrics(run.seed, run.lr);
  return [
    { key: 'accuracy', timestamp: 1700000000000, value: 0.4, step: 0 },
    { key: 'accuracy', timestamp: 1700000002000, value: metrics.accuracy, step: 5 },
    { key: 'accuracy', timestamp: 1700000009000, value: 0.55, step: 3 },
    { key: 'log_loss', timestamp: 1700000002000, value: metrics.log_loss, step: 5 },
  ];
}

const tags = (run: ToyRun) => ({
  'mlflow.project.entryPoint': run.entry ?? 'main',
  'mlflow.source.git.commit': GIT_COMMIT,
});

/** A run as MLflow's file store writes it under `mlruns/<experiment>/<run>/`. */
export function runFiles(run: ToyRun): Record<string, string> {
  const dir = `mlruns/${run.experiment ?? 1}/${run.id}`;
  const files: Record<string, string> = {
    [`${dir}/meta.yaml`]: [
      `artifact_uri: file:///somewhere/${dir}/artifacts`,
      `end_time: ${run.end}`,
      "entry_point_name: ''",
      `experiment_id: '${run.experiment ?? 1}'`,
      `lifecycle_stage: ${run.deleted ? 'deleted' : 'active'}`,
      `run_id: ${run.id}`,
      `run_name: ${run.name}`,
      `run_uuid: ${run.id}`,
      'source_type: 3',
      `start_time: ${run.end - 5000}`,
      `status: ${run.status === 'FINISHED' ? 3 : 4}`,
      'user_id: ci',
      '',
    ].join('\n'),
    [`${dir}/params/seed`]: String(run.seed),
    [`${dir}/params/lr`]: String(run.lr),
  };
  for (const metric of loggedMetrics(run)) {
    const path = `${dir}/metrics/${metric.key}`;
    files[path] = `${files[path] ?? ''}${metric.timestamp} ${metric.value} ${metric.step}\n`;
  }
  for (const [key, value] of Object.entries(tags(run))) files[`${dir}/tags/${key}`] = value;
  return files;
}

/** The same runs in an `mlflow.db` built with MLflow's DDL; experiment 2 ("retired") is deleted. */
export function sqliteStore(runs: readonly ToyRun[], revision?: string): Promise<Uint8Array> {
  const experiments = [
    { id: 0, name: 'Default', artifactLocation: 'mlruns/0', creationTime: 1690000000000 },
    { id: 1, name: 'toy', artifactLocation: 'mlruns/1', creationTime: 1690000000000 },
    {
      id: 2,
      name: 'retired',
      artifactLocation: 'mlruns/2',
      creationTime: 1690000000000,
      lifecycleStage: 'deleted' as const,
    },
  ];
  return mlflowDatabase(
    experiments,
    runs.map(
      (run): MlflowDbRun => ({
        runId: run.id,
        experimentId: run.experiment ?? 1,
        name: run.name,
        status: run.status,
        lifecycleStage: run.deleted ? 'deleted' : 'active',
        startTime: run.end - 5000,
        endTime: run.end,
        userId: 'ci',
        sourceType: 'PROJECT',
        entryPoint: '',
        artifactUri: `file:///somewhere/mlruns/1/${run.id}/artifacts`,
        params: { seed: String(run.seed), lr: String(run.lr) },
        tags: tags(run),
        metrics: loggedMetrics(run),
      }),
    ),
    revision,
  );
}

/** A run as the REST API 2.0 returns it (`runs/get`, `runs/search`): latest metric values only. */
export function restRun(run: ToyRun, experimentId = '5') {
  const metrics = toyMetrics(run.seed, run.lr);
  return {
    info: {
      run_id: run.id,
      run_uuid: run.id,
      experiment_id: experimentId,
      run_name: run.name,
      status: run.status,
      start_time: String(run.end - 5000),
      end_time: String(run.end),
      lifecycle_stage: run.deleted ? 'deleted' : 'active',
    },
    data: {
      metrics: [
        { key: 'accuracy', value: metrics.accuracy, timestamp: '1700000002000', step: '5' },
        { key: 'log_loss', value: metrics.log_loss, timestamp: '1700000002000', step: '5' },
      ],
      params: [
        { key: 'seed', value: String(run.seed) },
        { key: 'lr', value: String(run.lr) },
      ],
      tags: Object.entries(tags(run)).map(([key, value]) => ({ key, value })),
    },
  };
}

/**
 * A temporary MLflow project (MLproject, the toy training script, mlgate.yml with `settings`) whose
 * runs are recorded in `mlruns/` (file store), in `mlflow.db` (SQLite), or in both.
 */
export async function mlflowProject(
  settings = '    mlflow: { tracking-uri: mlruns, metrics-file: results/metrics.json }\n',
  options: { stores?: ('file' | 'sqlite')[]; runs?: ToyRun[] } = {},
): Promise<string> {
  const { stores = ['file'], runs = TOY_RUNS } = options;
  const dir = await tempDir();
  await writeFiles(dir, {
    'train.mjs': TOY_TRAIN,
    MLproject: MLPROJECT,
    'mlgate.yml': `version: 1\ngates:\n  rerun-experiments:\n${settings}`,
  });
  if (stores.includes('file')) {
    await writeFiles(dir, {
      'mlruns/0/meta.yaml':
        "artifact_location: file:///somewhere/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n",
      'mlruns/1/meta.yaml':
        "artifact_location: file:///somewhere/mlruns/1\nexperiment_id: '1'\nlifecycle_stage: active\nname: toy\n",
      ...Object.assign({}, ...runs.map(runFiles)),
    });
  }
  if (stores.includes('sqlite')) await writeFile(join(dir, 'mlflow.db'), await sqliteStore(runs));
  return dir;
}

export interface Recorded {
  method: string;
  url: string;
  body: unknown;
  authorization?: string;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

const SERVER_RUNS = {
  old1: { id: 'old1', name: 'old', end: 1000, status: 'FINISHED', seed: 7, lr: 0.1 },
  new2: { id: 'new2', name: 'swift-fox', end: 2000, status: 'FINISHED', seed: 7, lr: 0.1 },
  bad3: { id: 'bad3', name: 'bad', end: 3000, status: 'FAILED', seed: 7, lr: 0.1 },
} satisfies Record<string, ToyRun>;

/**
 * A stand-in MLflow tracking server speaking the REST API 2.0 paths the gate uses, and nothing else.
 * Experiment 5 ("toy") has three runs over two search pages; `runs/get` also answers for `extra` runs.
 */
export async function trackingServer(
  extra: readonly ToyRun[] = [],
): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const named = new Map<string, ToyRun>([
    ['new2', SERVER_RUNS.new2],
    ...extra.map((run) => [run.id, run] as const),
  ]);
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    requests.push({
      method: request.method!,
      url: request.url!,
      body,
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    });
    const reply = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    const url = new URL(request.url!, 'http://localhost');
    if (request.method === 'POST' && url.pathname === '/api/2.0/mlflow/experiments/search') {
      return reply(200, { experiments: [{ experiment_id: '5', name: 'toy', lifecycle_stage: 'active' }] });
    }
    if (request.method === 'POST' && url.pathname === '/api/2.0/mlflow/runs/search') {
      const search = body as { experiment_ids?: string[]; page_token?: string };
      if (!search.experiment_ids?.includes('5'))
        return reply(400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'no experiment' });
      // Two pages, to prove the client follows next_page_token.
      if (!search.page_token) return reply(200, { runs: [restRun(SERVER_RUNS.old1)], next_page_token: 'p2' });
      return reply(200, { runs: [restRun(SERVER_RUNS.new2), restRun(SERVER_RUNS.bad3)] });
    }
    if (request.method === 'GET' && url.pathname === '/api/2.0/mlflow/runs/get') {
      const id = url.searchParams.get('run_id');
      const run = id ? named.get(id) : undefined;
      if (run) return reply(200, { run: restRun(run) });
      return reply(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run '${id}' not found` });
    }
    return reply(404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'no such endpoint' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
