import { cp, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURES_ROOT } from '../../fixtures/scripts/generate.ts';
import { MODEL_VERSIONS } from '../../fixtures/scripts/model-versions.ts';
import { experimentFiles } from '../../fixtures/scripts/write-experiments.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { readPlans } from './sources.ts';
import { runRerunGate, writeFiles } from './test-project.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

async function candidateMetrics(): Promise<Record<string, number>> {
  return JSON.parse(await readFile(join(FIXTURES_ROOT, MODEL_VERSIONS.candidate.metricsPath), 'utf8'));
}

describe('the fixture experiment records', () => {
  it('are what write-experiments.ts writes, byte for byte', async () => {
    for (const [path, content] of Object.entries(await experimentFiles(FIXTURES_ROOT))) {
      expect(await readFile(join(FIXTURES_ROOT, path)), path).toEqual(Buffer.from(content));
    }
  });

  it('track the candidate model in all three formats, with an up-to-date dvc.lock', async () => {
    const plans = await readPlans(
      {
        sources: {
          experiments: 'experiments.yml',
          dvc: 'dvc.yaml',
          mlflow: {
            'tracking-uri': 'mlruns',
            project: '.',
            'metrics-file': 'experiments/mlflow/metrics.json',
          },
        },
        resolve: (path) => join(FIXTURES_ROOT, path),
        display: (path) => path,
        env: {},
      },
      () => true,
    );
    const experiments = plans.flatMap((plan) => plan.experiments);
    expect(experiments.map((experiment) => experiment.name)).toEqual([
      'loan-default',
      'dvc:train',
      'mlflow:candidate-1-1-0',
    ]);
    const metrics = await candidateMetrics();
    for (const experiment of experiments) expect(experiment.tracked, experiment.name).toEqual(metrics);
    expect(experiments[1]!.facts).toMatchObject({ lock: 'up to date' });
    expect(plans.map((plan) => plan.steps[0]!.command)).toEqual([
      expect.stringMatching(
        /^npx tsx scripts\/train\.ts --seed 42 --epochs 400 --learning-rate 0\.5 --l2 0\.001 /,
      ),
      expect.stringMatching(
        /^npx tsx scripts\/train\.ts --seed 42 --epochs 400 --learning-rate 0\.5 --l2 0\.001 /,
      ),
      expect.stringMatching(
        /^npx tsx scripts\/train\.ts --seed 42 --epochs 400 --learning-rate 0\.5 --l2 0\.001 /,
      ),
    ]);
  });

  it('hold the same MLflow run in the file store (mlruns/) and in the SQLite store (mlflow.db)', async () => {
    const plan = async (uri: string) => {
      const plans = await readPlans(
        {
          sources: {
            mlflow: { 'tracking-uri': uri, project: '.', 'metrics-file': 'experiments/mlflow/metrics.json' },
          },
          resolve: (path) => join(FIXTURES_ROOT, path),
          display: (path) => path,
          env: {},
        },
        () => true,
      );
      return plans.map((found) => ({
        command: found.steps[0]!.command,
        experiments: found.experiments.map(({ location: _location, facts, ...experiment }) => ({
          ...experiment,
          facts: { ...facts, store: undefined },
        })),
      }));
    };
    const fromFiles = await plan('mlruns');
    expect(fromFiles[0]!.experiments[0]).toMatchObject({
      name: 'mlflow:candidate-1-1-0',
      tracked: await candidateMetrics(),
    });
    expect(await plan('sqlite:///mlflow.db')).toEqual(fromFiles);
  });

  it('fail the gate when the tracked metrics are tampered with (one real training run)', async () => {
    // A copy of the repository parts the training script needs, with a tampered experiments.yml.
    const dir = await tempDir();
    await cp(join(REPO, 'shared'), join(dir, 'shared'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) await cp(join(REPO, file), join(dir, file));
    await cp(join(FIXTURES_ROOT, 'scripts'), join(dir, 'fixtures/scripts'), { recursive: true });
    for (const file of ['data/train.csv', 'data/eval.csv'])
      await cp(join(FIXTURES_ROOT, file), join(dir, 'fixtures', file));
    await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    const metrics = await candidateMetrics();
    const tracked = await readFile(join(FIXTURES_ROOT, 'experiments.yml'), 'utf8');
    await writeFiles(dir, {
      'fixtures/experiments.yml': tracked.replace(`accuracy: ${metrics.accuracy}`, 'accuracy: 0.8123'),
      'fixtures/mlgate.yml':
        'version: 1\ngates:\n  rerun-experiments:\n    experiments: experiments.yml\n    root: ..\n',
    });
    const config = join(dir, 'fixtures');
    const { result, exitCode } = await runRerunGate(config);
    expect(result.checks.map((check) => [check.id, check.status])).toEqual([
      ['loan-default.accuracy', 'fail'],
      ['loan-default.auc', 'pass'],
      ['loan-default.log_loss', 'pass'],
    ]);
    expect(result.checks[0]).toMatchObject({ observed: metrics.accuracy, expected: 0.8123 });
    expect(exitCode).toBe(1);
  });
});
