import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { diffAgainstBase, metricsSource, paramsSource } from './base-diff.ts';
import { experimentsFileSource } from './experiments-file.ts';
import { runRerunGate, TOY_TRAIN, toyMetrics, writeFiles } from './test-project.ts';

const exec = promisify(execFile);

async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args],
    { cwd: dir },
  );
  return stdout.trim();
}

async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

function experimentsYml(lr: number): string {
  const metrics = toyMetrics(7, lr);
  return [
    'version: 1',
    'experiments:',
    '  toy:',
    `    command: node train.mjs --seed \${seed} --lr \${lr} --out results/metrics.json`,
    '    seed: 7',
    `    params: { lr: ${lr} }`,
    '    metrics-file: results/metrics.json',
    `    metrics: { accuracy: ${metrics.accuracy}, log_loss: ${metrics.log_loss} }`,
    '',
  ].join('\n');
}

describe('diff against the base branch', () => {
  it('compares tracked metrics and params with the merge base, in the dvc metrics diff shape', async () => {
    const dir = await tempDir();
    await git(dir, 'init', '-q', '-b', 'main');
    await writeFiles(dir, {
      'metrics/train.json': JSON.stringify({ accuracy: 0.7, train: { loss: 0.5 }, dropped: 1 }),
      'params.yaml': 'train:\n  lr: 0.1\n  epochs: 10\n',
      'experiments.yml': experimentsYml(0.1),
    });
    const mergeBase = await commitAll(dir, 'base');
    await git(dir, 'checkout', '-q', '-b', 'feature');
    await writeFiles(dir, {
      'metrics/train.json': JSON.stringify({ accuracy: 0.75, train: { loss: 0.4 }, added: 3 }),
      'params.yaml': 'train:\n  lr: 0.2\n  epochs: 10\n',
      'experiments.yml': experimentsYml(0.2),
    });
    await commitAll(dir, 'tune');
    // main moves on after the branch: the diff must be against the merge base, not main's tip.
    await git(dir, 'checkout', '-q', 'main');
    await writeFiles(dir, { 'params.yaml': 'train:\n  lr: 0.9\n  epochs: 10\n' });
    await commitAll(dir, 'main moves on');
    await git(dir, 'checkout', '-q', 'feature');

    const diff = await diffAgainstBase(dir, 'main', [
      metricsSource(join(dir, 'metrics/train.json')),
      paramsSource(join(dir, 'params.yaml')),
      experimentsFileSource(join(dir, 'experiments.yml')),
    ]);
    expect(diff.mergeBase).toBe(mergeBase);
    expect(diff.metrics['metrics/train.json']).toEqual({
      accuracy: { old: 0.7, new: 0.75, diff: 0.75 - 0.7 },
      added: { old: null, new: 3 },
      dropped: { old: 1, new: null },
      'train.loss': { old: 0.5, new: 0.4, diff: 0.4 - 0.5 },
    });
    expect(diff.params['params.yaml']).toEqual({
      'train.epochs': { old: 10, new: 10, diff: 0 },
      'train.lr': { old: 0.1, new: 0.2, diff: 0.1 },
    });
    expect(diff.metrics['experiments.yml']!['toy.accuracy']).toMatchObject({
      old: toyMetrics(7, 0.1).accuracy,
      new: toyMetrics(7, 0.2).accuracy,
    });
    expect(diff.params['experiments.yml']).toEqual({
      'toy.lr': { old: 0.1, new: 0.2, diff: 0.1 },
      'toy.seed': { old: 7, new: 7, diff: 0 },
    });
  });

  it('puts the diff in details and a table of changes in the result, and says why when there is no base', async () => {
    const dir = await tempDir();
    await git(dir, 'init', '-q', '-b', 'main');
    await writeFiles(dir, {
      'train.mjs': TOY_TRAIN,
      'experiments.yml': experimentsYml(0.1),
      'mlgate.yml': 'version: 1\ngates:\n  rerun-experiments:\n    experiments: experiments.yml\n',
    });
    await commitAll(dir, 'base');
    await git(dir, 'checkout', '-q', '-b', 'feature');
    await writeFiles(dir, { 'experiments.yml': experimentsYml(0.2) });
    await commitAll(dir, 'raise the learning rate');

    const { result, exitCode } = await runRerunGate(dir, { base: 'main' });
    expect(exitCode).toBe(0);
    expect(result.details!.diff).toMatchObject({
      base: 'main',
      metrics: { 'experiments.yml': { 'toy.log_loss': { old: 0.9, new: 0.8 } } },
      params: { 'experiments.yml': { 'toy.lr': { old: 0.1, new: 0.2 } } },
    });
    const table = result.tables!.find((candidate) =>
      candidate.title.startsWith('Tracked metrics and params changed since main'),
    )!;
    expect(table.rows).toContainEqual(['param', 'experiments.yml', 'toy.lr', '0.1', '0.2', '']);

    const missing = await runRerunGate(dir, { base: 'no-such-branch' });
    expect(missing.exitCode).toBe(0);
    expect(missing.result.details!.diff).toMatchObject({
      base: 'no-such-branch',
      error: expect.stringMatching(/^no merge base with no-such-branch/),
    });
    expect(missing.log).toContain('warning: no diff against no-such-branch');
  });
});
