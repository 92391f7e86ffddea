import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { InputError } from '../../shared/errors.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { createFileStore, parseMetricLines } from './mlflow-file-store.ts';
import { runRerunGate, TOY_TRAIN, toyMetrics, writeFiles } from './test-project.ts';

const MLPROJECT = [
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

function runFiles(
  run: string,
  options: { status: number; end: number; seed: number; lr: number; entry?: string; name: string },
) {
  const metrics = toyMetrics(options.seed, options.lr);
  return {
    [`mlruns/1/${run}/meta.yaml`]: [
      `artifact_uri: file:///somewhere/mlruns/1/${run}/artifacts`,
      `end_time: ${options.end}`,
      "entry_point_name: ''",
      "experiment_id: '1'",
      'lifecycle_stage: active',
      `run_id: ${run}`,
      `run_name: ${options.name}`,
      `run_uuid: ${run}`,
      'source_type: 3',
      `start_time: ${options.end - 5000}`,
      `status: ${options.status}`,
      'user_id: ci',
      '',
    ].join('\n'),
    [`mlruns/1/${run}/params/seed`]: String(options.seed),
    [`mlruns/1/${run}/params/lr`]: String(options.lr),
    // Logged during training: an early value, the final one at the highest step, and a late re-log of step 3.
    [`mlruns/1/${run}/metrics/accuracy`]: `1700000000000 0.4 0\n1700000002000 ${metrics.accuracy} 5\n1700000009000 0.55 3\n`,
    [`mlruns/1/${run}/metrics/log_loss`]: `1700000002000 ${metrics.log_loss} 5\n`,
    [`mlruns/1/${run}/tags/mlflow.project.entryPoint`]: options.entry ?? 'main',
    [`mlruns/1/${run}/tags/mlflow.source.git.commit`]: '0123456789abcdef0123456789abcdef01234567',
  };
}

async function mlflowProject(
  settings = '    mlflow: { tracking-uri: mlruns, metrics-file: results/metrics.json }\n',
) {
  const dir = await tempDir();
  await writeFiles(dir, {
    'train.mjs': TOY_TRAIN,
    MLproject: MLPROJECT,
    'mlruns/0/meta.yaml':
      "artifact_location: file:///somewhere/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n",
    'mlruns/1/meta.yaml':
      "artifact_location: file:///somewhere/mlruns/1\nexperiment_id: '1'\nlifecycle_stage: active\nname: toy\n",
    ...runFiles('aaa111', { status: 3, end: 1700000100000, seed: 3, lr: 0.2, name: 'older-run' }),
    ...runFiles('bbb222', { status: 3, end: 1700000200000, seed: 7, lr: 0.1, name: 'bold cat' }),
    ...runFiles('ccc333', { status: 4, end: 1700000300000, seed: 9, lr: 0.3, name: 'failed-run' }),
    'mlgate.yml': `version: 1\ngates:\n  rerun-experiments:\n${settings}`,
  });
  return dir;
}

describe('MLflow file store', () => {
  it('takes the value at the highest step as the metric, whatever the line order and timestamps', () => {
    const points = parseMetricLines(
      '1700000000000 0.4 0\n1700000002000 0.607 5\n1700000009000 0.55 3\n',
      'accuracy',
    );
    expect(points).toHaveLength(3);
    expect(parseMetricLines('1 0.5\n', 'old')).toEqual([{ timestamp: 1, value: 0.5, step: 0 }]);
    expect(parseMetricLines('1 nan 2\n', 'x')[0]!.value).toBeNaN();
    expect(() => parseMetricLines('1 0.5 0\nbroken line\n', 'mlruns/1/r/metrics/auc')).toThrow(
      new InputError('expected "<timestamp_ms> <value> <step>", got "broken line"', {
        file: 'mlruns/1/r/metrics/auc',
        line: 2,
      }),
    );
  });

  it('reads runs, params, tags and latest metrics', async () => {
    const dir = await mlflowProject();
    const store = createFileStore(join(dir, 'mlruns'), (path) => path.slice(dir.length + 1));
    expect((await store.experiments()).map((experiment) => experiment.name)).toEqual(['Default', 'toy']);
    const run = await store.run('bbb222');
    expect(run).toMatchObject({
      runName: 'bold cat',
      status: 'FINISHED',
      params: { seed: '7', lr: '0.1' },
      metrics: toyMetrics(7, 0.1),
      tags: { 'mlflow.project.entryPoint': 'main' },
      location: { file: 'mlruns/1/bbb222/meta.yaml', line: 1 },
    });
  });

  it('reruns the latest finished run through its MLproject entry point and reproduces it', async () => {
    const dir = await mlflowProject();
    const { result, exitCode, log } = await runRerunGate(dir);
    expect(result.summary).toBe('1 experiment rerun: 2 of 2 metrics reproduced');
    expect(exitCode).toBe(0);
    expect(result.checks.map((check) => check.id)).toEqual([
      'mlflow:bold-cat.accuracy',
      'mlflow:bold-cat.log_loss',
    ]);
    expect(log).toContain('node train.mjs --seed 7 --lr 0.1 --out results/metrics.json');
    expect((result.details!.experiments as Record<string, unknown>[])[0]).toMatchObject({
      runId: 'bbb222',
      entryPoint: 'main',
      gitCommit: '0123456789abcdef0123456789abcdef01234567',
      seed: 7,
    });
  });

  it('reads the metrics a rerun logs to its own tracking store when no metrics file is configured', async () => {
    const dir = await mlflowProject("    mlflow: { tracking-uri: mlruns, runs: ['bbb222'] }\n");
    await writeFiles(dir, { 'mlruns/1/bbb222/tags/mlflow.project.entryPoint': 'logged' });
    const { result, log } = await runRerunGate(dir);
    expect(log).toContain('--mlflow yes');
    expect(result.summary).toBe('1 experiment rerun: 2 of 2 metrics reproduced');
  });

  it('exits 2 naming a malformed meta.yaml and its line', async () => {
    const dir = await mlflowProject();
    await writeFiles(dir, {
      'mlruns/1/bbb222/meta.yaml': "experiment_id: '1'\nrun_id: bbb222\nstatus: 3\nstart_time: yesterday\n",
    });
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(2);
    expect(result.summary).toMatch(
      /mlruns\/1\/bbb222\/meta\.yaml:4:13 start_time: expected number, got "yesterday"$/,
    );
  });
});

interface Recorded {
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

function restRun(id: string, name: string, endTime: number, status: string) {
  const metrics = toyMetrics(7, 0.1);
  return {
    info: {
      run_id: id,
      run_uuid: id,
      experiment_id: '5',
      run_name: name,
      status,
      start_time: String(endTime - 10),
      end_time: String(endTime),
      lifecycle_stage: 'active',
    },
    data: {
      metrics: [
        { key: 'accuracy', value: metrics.accuracy, timestamp: '1700000002000', step: '5' },
        { key: 'log_loss', value: metrics.log_loss, timestamp: '1700000002000', step: '5' },
      ],
      params: [
        { key: 'seed', value: '7' },
        { key: 'lr', value: '0.1' },
      ],
      tags: [{ key: 'mlflow.project.entryPoint', value: 'main' }],
    },
  };
}

/** A stand-in MLflow tracking server speaking the REST API 2.0 paths the gate uses, and nothing else. */
async function trackingServer(): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
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
      if (!search.page_token)
        return reply(200, { runs: [restRun('old1', 'old', 1000, 'FINISHED')], next_page_token: 'p2' });
      return reply(200, {
        runs: [restRun('new2', 'swift-fox', 2000, 'FINISHED'), restRun('bad3', 'bad', 3000, 'FAILED')],
      });
    }
    if (request.method === 'GET' && url.pathname === '/api/2.0/mlflow/runs/get') {
      const id = url.searchParams.get('run_id');
      if (id === 'new2') return reply(200, { run: restRun('new2', 'swift-fox', 2000, 'FINISHED') });
      return reply(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run '${id}' not found` });
    }
    return reply(404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'no such endpoint' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('MLflow tracking server (REST)', () => {
  it('searches runs page by page, reruns the latest finished one and never logs to the server', async () => {
    const server = await trackingServer();
    const dir = await mlflowProject('    mlflow: { metrics-file: results/metrics.json }\n');
    const { result, exitCode } = await runRerunGate(
      dir,
      {},
      { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: 's3cret' },
    );
    expect(result.summary).toBe('1 experiment rerun: 2 of 2 metrics reproduced');
    expect(exitCode).toBe(0);
    expect(result.checks[0]!.id).toBe('mlflow:swift-fox.accuracy');
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /api/2.0/mlflow/experiments/search',
      'POST /api/2.0/mlflow/runs/search',
      'POST /api/2.0/mlflow/runs/search',
    ]);
    expect(server.requests[2]!.body).toEqual({
      experiment_ids: ['5'],
      run_view_type: 'ACTIVE_ONLY',
      max_results: 1000,
      page_token: 'p2',
    });
    expect(server.requests.every((request) => request.authorization === 'Bearer s3cret')).toBe(true);
  });

  it('gets named runs with runs/get and reports the server error of an unknown one', async () => {
    const server = await trackingServer();
    const dir = await mlflowProject(
      `    mlflow: { tracking-uri: '${server.url}', runs: [new2], metrics-file: results/metrics.json }\n`,
    );
    expect((await runRerunGate(dir)).result.status).toBe('pass');
    expect(server.requests.map((request) => request.url)).toEqual(['/api/2.0/mlflow/runs/get?run_id=new2']);
    await writeFiles(dir, {
      'mlgate.yml': `version: 1\ngates:\n  rerun-experiments:\n    mlflow: { tracking-uri: '${server.url}', runs: [gone] }\n`,
    });
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(2);
    expect(result.summary).toBe(
      `${server.url}/api/2.0/mlflow/runs/get?run_id=gone MLflow answered 404 RESOURCE_DOES_NOT_EXIST: Run 'gone' not found`,
    );
  });
});
