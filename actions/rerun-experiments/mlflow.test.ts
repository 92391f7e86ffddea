import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/errors.ts';
import { sqlJs } from '../../shared/sqlite/sql-js.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { main } from '../cli.ts';
import { createFileStore, parseMetricLines } from './mlflow-file-store.ts';
import type { MlflowExperiment, MlflowRun } from './mlflow-run.ts';
import { createSqliteStore } from './mlflow-sqlite-store.ts';
import { GIT_COMMIT, mlflowProject, sqliteStore, TOY_RUNS, trackingServer } from './mlflow-test-stores.ts';
import { runRerunGate, toyMetrics, writeFiles } from './test-project.ts';

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
      gitCommit: GIT_COMMIT,
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

/** A message as if shown from the project folder: messages name files relative to the working directory. */
function shownFrom(dir: string, message: string): string {
  return message.split(`${relative(process.cwd(), dir)}/`).join('');
}

/** The judgement of one run, without what naturally differs by store (where it points, how long it took). */
async function judgement(dir: string) {
  const { result, exitCode } = await runRerunGate(dir);
  const experiments = result.details!.experiments as Record<string, unknown>[];
  return {
    exitCode,
    status: result.status,
    summary: result.summary,
    checks: result.checks.map(({ location: _location, ...check }) => check),
    experiments: experiments.map(({ name, runId, entryPoint, gitCommit, params, seed, metrics }) => ({
      name,
      runId,
      entryPoint,
      gitCommit,
      params,
      seed,
      metrics,
    })),
  };
}

describe('MLflow SQLite database (mlflow.db)', () => {
  it('reads the same experiments, runs, params, tags and latest metrics as the file store', async () => {
    const dir = await mlflowProject(undefined, { stores: ['file', 'sqlite'] });
    const display = (path: string) => path.slice(dir.length + 1);
    const files = createFileStore(join(dir, 'mlruns'), display);
    const sqlite = createSqliteStore(join(dir, 'mlflow.db'), display);
    expect(sqlite.description).toBe('mlflow.db');
    const active = (experiments: MlflowExperiment[]) =>
      experiments.filter((experiment) => experiment.lifecycleStage === 'active');
    expect(active(await sqlite.experiments())).toEqual(await files.experiments());
    const withoutLocation = (runs: MlflowRun[]) => runs.map(({ location: _location, ...run }) => run);
    expect(withoutLocation(await sqlite.runs('1'))).toEqual(withoutLocation(await files.runs('1')));
    expect(await sqlite.run('bbb222')).toEqual({
      runId: 'bbb222',
      experimentId: '1',
      runName: 'bold cat',
      status: 'FINISHED',
      lifecycleStage: 'active',
      startTime: 1700000195000,
      endTime: 1700000200000,
      params: { lr: '0.1', seed: '7' },
      // The value at the highest step, not the last one logged.
      metrics: toyMetrics(7, 0.1),
      tags: { 'mlflow.project.entryPoint': 'main', 'mlflow.source.git.commit': GIT_COMMIT },
      location: { file: 'mlflow.db' },
    });
    await expect(sqlite.run('nope')).rejects.toThrow(
      new InputError('run nope not found', { file: 'mlflow.db' }),
    );
  });

  it('gives the same judgements as the file store and the tracking server for the same run', async () => {
    const server = await trackingServer([TOY_RUNS[1]!]);
    const dir = await mlflowProject(undefined, { stores: ['file', 'sqlite'] });
    const judged = [];
    for (const uri of ['mlruns', 'sqlite:///mlflow.db', server.url]) {
      await writeFiles(dir, {
        'mlgate.yml': `version: 1\ngates:\n  rerun-experiments:\n    mlflow: { tracking-uri: '${uri}', runs: [bbb222], metrics-file: results/metrics.json }\n`,
      });
      judged.push(await judgement(dir));
    }
    const [files, sqlite, rest] = judged;
    expect(files).toMatchObject({
      exitCode: 0,
      summary: '1 experiment rerun: 2 of 2 metrics reproduced',
      checks: [{ id: 'mlflow:bold-cat.accuracy' }, { id: 'mlflow:bold-cat.log_loss' }],
      experiments: [{ runId: 'bbb222', gitCommit: GIT_COMMIT, seed: 7 }],
    });
    expect(sqlite).toEqual(files);
    expect(rest).toEqual(files);
  });

  it('skips deleted runs and deleted experiments, as the file store does', async () => {
    const runs = [
      ...TOY_RUNS,
      {
        id: 'ddd444',
        name: 'deleted-run',
        status: 'FINISHED' as const,
        end: 1700000400000,
        seed: 1,
        lr: 0.5,
        deleted: true,
      },
      {
        id: 'eee555',
        name: 'retired-run',
        status: 'FINISHED' as const,
        end: 1700000500000,
        seed: 2,
        lr: 0.4,
        experiment: 2,
      },
    ];
    const dir = await mlflowProject(undefined, { stores: ['sqlite'], runs });
    await writeFiles(dir, {
      // The absolute form, sqlite:////path: three slashes, then the path's own.
      'mlgate.yml': `version: 1\ngates:\n  rerun-experiments:\n    mlflow: { tracking-uri: 'sqlite:///${join(dir, 'mlflow.db')}', metrics-file: results/metrics.json }\n`,
    });
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(0);
    expect(result.checks.map((check) => check.id)).toEqual([
      'mlflow:bold-cat.accuracy',
      'mlflow:bold-cat.log_loss',
    ]);
  });

  it('finds mlflow.db beside the config as MLflow 3.7 does, in a repository without mlruns/ (the CLI)', async () => {
    // The run's entry point logs its metrics with MLflow, so no metrics file is needed either.
    const runs = TOY_RUNS.map((run) => (run.id === 'bbb222' ? { ...run, entry: 'logged' } : run));
    const dir = await mlflowProject('    timeout: 60\n', { stores: ['sqlite'], runs });
    const stdout = memoryStream();
    const stderr = memoryStream();
    const code = await main(
      ['rerun-experiments', '--config', join(dir, 'mlgate.yml'), '--out', join(dir, 'out')],
      {
        stdout,
        stderr,
      },
    );
    expect(code, stderr.text()).toBe(0);
    const result = JSON.parse(await readFile(join(dir, 'out', 'rerun-experiments.json'), 'utf8'));
    expect(result.checks.map((check: { id: string; status: string }) => [check.id, check.status])).toEqual([
      ['mlflow:bold-cat.accuracy', 'pass'],
      ['mlflow:bold-cat.log_loss', 'pass'],
    ]);
    expect(result.details.experiments[0]).toMatchObject({
      store: expect.stringMatching(/mlflow\.db$/),
      runId: 'bbb222',
    });
  });

  const good = () => sqliteStore(TOY_RUNS);
  const sqliteWithout = async (sql: string) => {
    const SQL = await sqlJs();
    const db = new SQL.Database(await good());
    db.run(sql);
    return db.export();
  };
  it.each([
    {
      case: 'corrupted',
      bytes: async () => {
        const bytes = Buffer.from(await good());
        bytes.fill(0x5a, 4096, 8192);
        return bytes;
      },
      message: /^mlflow\.db is corrupted: database disk image is malformed$/,
    },
    {
      case: 'locked (a write in progress)',
      bytes: good,
      // A rollback journal's header as SQLite writes it before changing the database.
      extra: {
        'mlflow.db-journal': Buffer.concat([Buffer.from('d9d505f920a163d7', 'hex'), Buffer.alloc(504)]),
      },
      message:
        /^mlflow\.db is locked: mlflow\.db-journal holds a write that has not finished; rerun once MLflow is done/,
    },
    {
      case: 'locked (writes in the WAL)',
      bytes: good,
      extra: { 'mlflow.db-wal': Buffer.alloc(32 + 24 + 1024) },
      message: /^mlflow\.db is locked: mlflow\.db-wal holds writes not yet checkpointed into it;/,
    },
    {
      case: 'empty (0 bytes)',
      bytes: async () => new Uint8Array(0),
      message: /^mlflow\.db is empty \(0 bytes\): MLflow has not created its tables in it$/,
    },
    {
      case: 'empty (no tables)',
      bytes: async () => new (await sqlJs()).Database().export(),
      message: /^mlflow\.db is an empty SQLite database: MLflow has not created its tables in it$/,
    },
    {
      case: 'of an unknown schema revision',
      bytes: () => sqliteStore(TOY_RUNS, 'ffffffffffff'),
      message:
        /^mlflow\.db has MLflow schema revision ffffffffffff, which mlgate does not know \(it reads 89d4b8295536, MLflow 1\.4, to 5d2d30f0abce, December 2025\)$/,
    },
    {
      case: 'of a schema older than latest_metrics',
      bytes: () => sqliteStore(TOY_RUNS, '451aebb31d03'),
      message:
        /^mlflow\.db has MLflow schema revision 451aebb31d03, older than mlgate reads; upgrade it with `mlflow db upgrade sqlite:\/\/\/mlflow\.db`$/,
    },
    {
      case: 'not an MLflow database',
      bytes: () => sqliteWithout('DROP TABLE alembic_version'),
      message:
        /^mlflow\.db is a SQLite database without an alembic_version table: not an MLflow tracking database$/,
    },
    {
      case: 'not SQLite at all',
      bytes: async () => Buffer.from('run_id,accuracy\nbbb222,0.607\n'),
      message: /^mlflow\.db is not a SQLite database \(its header is not "SQLite format 3"\)$/,
    },
  ])('exits 2 with one line on a database that is $case', async ({ bytes, extra, message }) => {
    const dir = await mlflowProject('    mlflow: { metrics-file: results/metrics.json }\n', { stores: [] });
    await writeFile(join(dir, 'mlflow.db'), await bytes());
    for (const [name, content] of Object.entries(extra ?? {})) await writeFile(join(dir, name), content);
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(2);
    expect(shownFrom(dir, result.summary)).toMatch(message);
    expect(result.summary).not.toContain('\n');
  });

  it('says a plain path to a database file needs the sqlite:/// form', async () => {
    const dir = await mlflowProject(
      '    mlflow: { tracking-uri: mlflow.db, metrics-file: results/metrics.json }\n',
      {
        stores: ['sqlite'],
      },
    );
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(2);
    expect(shownFrom(dir, result.summary)).toBe(
      'mlflow.db is a file, not an MLflow file store folder; for a SQLite database write tracking-uri: sqlite:///mlflow.db',
    );
  });
});
