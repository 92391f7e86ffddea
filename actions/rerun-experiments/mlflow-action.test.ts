import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../shared/testing/action-runner.ts';
import { workflowDispatchEvent } from '../../shared/testing/github-events.ts';
import { ACTIONS_DIR } from '../build.ts';
import { type StagedActions, stageActions } from '../e2e/stage-actions.ts';
import { mlflowProject } from './mlflow-test-stores.ts';

let staged: StagedActions;

beforeAll(async () => {
  staged = await stageActions([
    { name: 'rerun-experiments', entry: join(ACTIONS_DIR, 'rerun-experiments', 'main.ts') },
  ]);
});

afterAll(() => staged.remove());

const dispatch = {
  name: 'workflow_dispatch',
  payload: workflowDispatchEvent({ owner: 'octo-org', repo: 'models', inputs: {} }),
};

describe('the bundled rerun-experiments action on a repository whose MLflow runs are only in mlflow.db', () => {
  it('reruns and judges the latest finished run, with the check ids of the file store', async () => {
    const dir = await mlflowProject('    mlflow: { metrics-file: results/metrics.json }\n', {
      stores: ['sqlite'],
    });
    const run = await runAction({
      actionDir: staged.dirs['rerun-experiments']!,
      workspace: dir,
      event: dispatch,
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'pass', reproduced: 'true' });
    const result = JSON.parse(await readFile(run.outputs.result!, 'utf8'));
    expect(result.checks.map((check: { id: string }) => check.id)).toEqual([
      'mlflow:bold-cat.accuracy',
      'mlflow:bold-cat.log_loss',
    ]);
    expect(result.details.experiments[0]).toMatchObject({ store: 'mlflow.db', runId: 'bbb222' });
  });

  it('exits 2 with one error line when the database is locked by an unfinished write', async () => {
    const dir = await mlflowProject('    mlflow: { metrics-file: results/metrics.json }\n', {
      stores: ['sqlite'],
    });
    await writeFile(join(dir, 'mlflow.db-journal'), Buffer.from('d9d505f920a163d700000000', 'hex'));
    const run = await runAction({
      actionDir: staged.dirs['rerun-experiments']!,
      workspace: dir,
      event: dispatch,
    });
    expect(run.exitCode).toBe(2);
    expect(run.outputs.status).toBe('error');
    const errors = run.commands.filter((command) => command.command === 'error');
    // One line, whether shown as the annotation or as the step's failure.
    expect([...new Set(errors.map((command) => command.message))]).toEqual([
      expect.stringMatching(/^mlflow\.db is locked: mlflow\.db-journal holds a write that has not finished;/),
    ]);
  });
});
