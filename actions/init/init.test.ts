import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { lintWorkflow } from '../lint-actions.ts';
import { inspectRepository } from './inspect-repository.ts';
import { runCli } from './run-cli.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

/** A copy of the fixtures project without its config: the model, the baseline and three datasets. */
async function fixturesWithoutConfig() {
  const dir = await tempDir();
  await cp(join(FIXTURES, 'models'), join(dir, 'models'), { recursive: true });
  await mkdir(join(dir, 'data'));
  for (const file of ['train.csv', 'eval.csv', 'eval-predictions.csv']) {
    await cp(join(FIXTURES, 'data', file), join(dir, 'data', file));
  }
  return dir;
}

describe('mlgate init', () => {
  it('writes a config, inferred schemas and a PR workflow under which mlgate run passes', async () => {
    const dir = await fixturesWithoutConfig();
    const init = await runCli(['init', '--dir', dir, '--action-repo', 'octo-org/mlgate']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const config = parse(await readFile(join(dir, 'mlgate.yml'), 'utf8'));
    expect(config.model).toEqual({ name: 'loan-default', path: 'models/loan-default.onnx' });
    expect(Object.keys(config.datasets).sort()).toEqual(['eval', 'eval-predictions', 'train']);
    expect(config.datasets.eval).toEqual({ path: 'data/eval.csv', schema: 'schemas/eval.schema.yml' });
    // Every dataset is validated; the model contract only on those holding the model's inputs.
    expect(config.gates['validate-data']).toEqual({ 'model-contract': ['eval', 'train'] });
    expect((await readdir(join(dir, 'schemas'))).sort()).toEqual([
      'eval-predictions.schema.yml',
      'eval.schema.yml',
      'train.schema.yml',
    ]);
    const workflowText = await readFile(join(dir, '.github', 'workflows', 'mlgate.yml'), 'utf8');
    expect(await lintWorkflow(workflowText, 'mlgate.yml')).toEqual([]);
    const workflow = parse(workflowText);
    expect(Object.keys(workflow.jobs)).toEqual(Object.keys(config.gates));
    expect(workflowText).toContain('octo-org/mlgate/actions/validate-data@v1');
    expect(workflowText).not.toContain('<owner>');

    const run = await runCli([
      'run',
      '--config',
      join(dir, 'mlgate.yml'),
      '--out',
      join(dir, 'out'),
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).map((result: { status: string }) => result.status)).not.toContain('fail');
  });

  it('refuses to overwrite and then writes nothing at all', async () => {
    const dir = await fixturesWithoutConfig();
    await writeFile(join(dir, 'mlgate.yml'), 'version: 1\n');
    const init = await runCli(['init', '--dir', dir]);
    expect(init.code).toBe(2);
    expect(init.stderr).toContain('mlgate.yml already exists');
    expect(init.stderr).toContain('init never overwrites');
    expect(existsSync(join(dir, 'schemas'))).toBe(false);
    expect(existsSync(join(dir, '.github'))).toBe(false);
    expect(await readFile(join(dir, 'mlgate.yml'), 'utf8')).toBe('version: 1\n');
  });

  it('says so when there is nothing to gate', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'README.md'), '# empty\n');
    const init = await runCli(['init', '--dir', dir]);
    expect(init.code).toBe(2);
    expect(init.stderr).toContain('found no ONNX model (.onnx) and no data file');
  });
});

describe('inspecting a repository', () => {
  it('finds models, data files and experiment tracking, and skips dependencies and outputs', async () => {
    const dir = await tempDir();
    for (const file of [
      'model/churn.onnx',
      'data/2024 Q1.parquet',
      'data/sub/events.jsonl.gz',
      'node_modules/x/data.csv',
      'out/result.csv',
      'mlruns/0/meta.yaml',
      'mlruns/0/abc/metrics/m.csv',
      'pipeline/dvc.yaml',
      'MLproject',
      'experiments.yml',
    ]) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), '');
    }
    expect(await inspectRepository(dir)).toEqual({
      models: ['model/churn.onnx'],
      datasets: [
        { name: '2024-Q1', path: 'data/2024 Q1.parquet' },
        { name: 'events', path: 'data/sub/events.jsonl.gz' },
      ],
      tracking: { mlgate: true, dvc: true, mlflow: true, mlflowDb: false, mlproject: true },
    });
  });

  it("finds MLflow's SQLite store at the root, where rerun-experiments looks for it", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'mlflow.db'), '');
    expect((await inspectRepository(dir)).tracking).toEqual({
      mlgate: false,
      dvc: false,
      mlflow: false,
      mlflowDb: true,
      mlproject: false,
    });
  });
});
