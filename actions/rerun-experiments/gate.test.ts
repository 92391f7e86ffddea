// biome-ignore-all lint/suspicious/noTemplateCurlyInString: experiments.yml commands are written ${...} on purpose.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { runRerunGate, TOY_TRAIN, toyMetrics, writeFiles } from './test-project.ts';

function experimentsYml(extra = '', metrics = toyMetrics(7, 0.1)): string {
  return [
    'version: 1',
    'experiments:',
    '  toy:',
    `    command: node train.mjs --seed \${seed} --lr \${lr} --out results/metrics.json${extra}`,
    '    seed: 7',
    '    params: { lr: 0.1 }',
    '    metrics-file: results/metrics.json',
    `    metrics: { accuracy: ${metrics.accuracy}, log_loss: ${metrics.log_loss} }`,
    '',
  ].join('\n');
}

async function project(settings: string, experiments = experimentsYml()): Promise<string> {
  const dir = await tempDir();
  await writeFiles(dir, {
    'train.mjs': TOY_TRAIN,
    'experiments.yml': experiments,
    'mlgate.yml': `version: 1\ngates:\n  rerun-experiments:\n    experiments: experiments.yml\n${settings}`,
  });
  return dir;
}

describe('rerun-experiments gate with an experiments file', () => {
  it('reproduces a deterministic experiment exactly, one check per metric, in a copy that leaves the workspace alone', async () => {
    const dir = await project('');
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(0);
    expect(result.checks.map((check) => [check.id, check.status, check.verdict])).toEqual([
      ['toy.accuracy', 'pass', 'reproduced'],
      ['toy.log_loss', 'pass', 'reproduced'],
    ]);
    expect(result.checks[0]).toMatchObject({
      observed: toyMetrics(7, 0.1).accuracy,
      expected: toyMetrics(7, 0.1).accuracy,
    });
    expect(result.metrics).toMatchObject({ experiments: 1, metrics: 2, reproduced: 2, reruns: 1 });
    expect(result.summary).toBe('1 experiment rerun: 2 of 2 metrics reproduced');
    // Copy mode: the rerun wrote its metrics into the temporary copy, not here.
    await expect(readFile(join(dir, 'results/metrics.json'))).rejects.toThrow(/ENOENT/);
    const summary = await readFile(join(dir, 'out/summary.md'), 'utf8');
    expect(summary).toContain('| toy | accuracy | 0.607 | 0.607 | 0 | ±0 | reproduced |');
  });

  it('fails a metric outside its tolerance and passes one inside', async () => {
    const tracked = { accuracy: 0.61, log_loss: 0.905 };
    const dir = await project(
      '    metrics:\n      accuracy: { abs: 0.001 }\n      log_loss: { abs: 0.01 }\n',
      experimentsYml('', tracked),
    );
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(1);
    const [accuracy, logLoss] = result.checks;
    expect(accuracy).toMatchObject({
      id: 'toy.accuracy',
      status: 'fail',
      verdict: 'not reproduced',
      observed: 0.607,
      expected: 0.61,
    });
    expect(accuracy!.message).toBe('toy: accuracy 0.607 is 0.003 below the tracked 0.61 (tolerance ±0.001)');
    expect(accuracy!.location).toMatchObject({ line: 3 });
    expect(logLoss).toMatchObject({ status: 'pass', verdict: 'reproduced' });
  });

  it('fails when the tracked metrics file was tampered with', async () => {
    const dir = await project('', experimentsYml().replace(/ {4}metrics: .*\n/, ''));
    const honest = toyMetrics(7, 0.1);
    await writeFiles(dir, { 'results/metrics.json': JSON.stringify({ ...honest, accuracy: 0.9 }) });
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(1);
    expect(result.checks.find((check) => check.id === 'toy.accuracy')).toMatchObject({
      status: 'fail',
      expected: 0.9,
      observed: honest.accuracy,
    });
    expect(result.checks.find((check) => check.id === 'toy.log_loss')).toMatchObject({ status: 'pass' });
  });

  it('reports an experiment whose repeats disagree as nondeterministic', async () => {
    const dir = await project(
      '    repeats: 3\n    tolerance: { abs: 0.0001 }\n',
      experimentsYml(' --noise 0.05'),
    );
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(1);
    const accuracy = result.checks.find((check) => check.id === 'toy.accuracy')!;
    expect(accuracy).toMatchObject({ status: 'fail', verdict: 'nondeterministic' });
    expect(accuracy.values).toHaveLength(3);
    expect(accuracy.message).toMatch(/^toy: accuracy varies by [\d.e-]+ across 3 reruns/);
    expect(result.checks.find((check) => check.id === 'toy.log_loss')).toMatchObject({
      verdict: 'reproduced',
    });
    expect(result.metrics).toMatchObject({ nondeterministic: 1, reproduced: 1, reruns: 3 });
  });

  it('turns a command that exits non-zero into an error with the tail of its output (exit 2)', async () => {
    const dir = await project('', experimentsYml(' --fail yes'));
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(2);
    expect(result.status).toBe('error');
    const error = result.checks.find((check) => check.id === 'toy.rerun')!;
    expect(error.status).toBe('error');
    expect(error.message).toMatch(
      /^toy: step toy `node train\.mjs --seed 7 --lr 0\.1 .*` exited with code 3 after [\d.]+ s; last output:\n/,
    );
    expect(error.message).toContain('training with seed 7 and lr 0.1\nloss diverged: NaN at epoch 3');
    expect(result.checks.filter((check) => check.status === 'skip').map((check) => check.id)).toEqual([
      'toy.accuracy',
      'toy.log_loss',
    ]);
  });

  it('stops a command at the timeout and reports it as an error', async () => {
    const dir = await project('    timeout: 2\n', experimentsYml(' --sleep 20000'));
    const started = performance.now();
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(2);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result.checks[0]!.message).toMatch(/timed out after 2\.\d s; last output:\ntraining with seed 7/);
  });

  it('reports a command that cannot start, and a metrics file the rerun wrote badly, as errors', async () => {
    const missing = await project(
      '',
      experimentsYml().replace(/command: .*\n/, 'command: [no-such-trainer-xyz, --seed, "${seed}"]\n'),
    );
    const cannotStart = await runRerunGate(missing);
    expect(cannotStart.exitCode).toBe(2);
    expect(cannotStart.result.checks[0]!.message).toMatch(
      /^toy: step toy `no-such-trainer-xyz --seed 7` could not start \(spawn no-such-trainer-xyz ENOENT\)/,
    );
    const garbled = await project(
      '',
      experimentsYml().replace(/command: .*\n/, 'command: node garble.mjs\n'),
    );
    await writeFiles(garbled, {
      'garble.mjs':
        "import { mkdirSync, writeFileSync } from 'node:fs';\nmkdirSync('results');\nwriteFileSync('results/metrics.json', '{\"accuracy\": 0.6,');\n",
    });
    const { result, exitCode } = await runRerunGate(garbled);
    expect(exitCode).toBe(2);
    expect(result.checks[0]!.message).toMatch(
      /^toy: the rerun wrote an unreadable metrics file: results\/metrics\.json:\d+:\d+ invalid JSON/,
    );
  });

  it('fails a tracked metric that the rerun no longer writes as missing', async () => {
    const dir = await project('', experimentsYml(' --skip log_loss'));
    const { result } = await runRerunGate(dir);
    expect(result.checks.find((check) => check.id === 'toy.log_loss')).toMatchObject({
      status: 'fail',
      verdict: 'missing',
      message: 'toy: the rerun did not write log_loss',
    });
  });

  it('reruns in place in workspace mode, passing env from the config', async () => {
    const dir = await project(
      '    workspace: workspace\n    env: { EXTRA_OUT: side.txt }\n',
      experimentsYml().replace(
        'command: node train.mjs',
        'command: echo $EXTRA_OUT > env.txt && node train.mjs',
      ),
    );
    const { exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'results/metrics.json'), 'utf8'))).toEqual(toyMetrics(7, 0.1));
    expect(await readFile(join(dir, 'env.txt'), 'utf8')).toBe('side.txt\n');
  });

  it("withholds the action's inputs and the runner's tokens from repository code", async () => {
    const dir = await project(
      '    workspace: workspace\n',
      experimentsYml().replace(
        'command: node train.mjs',
        'command: echo "[$INPUT_TOKEN][$ACTIONS_RUNTIME_TOKEN][$ACTIONS_ID_TOKEN_REQUEST_TOKEN][$KEEP_ME]" > env.txt && node train.mjs',
      ),
    );
    const secrets = {
      INPUT_TOKEN: 'ghs_x',
      ACTIONS_RUNTIME_TOKEN: 'rt',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
      KEEP_ME: 'kept',
    };
    expect((await runRerunGate(dir, {}, secrets)).exitCode).toBe(0);
    expect(await readFile(join(dir, 'env.txt'), 'utf8')).toBe('[][][][kept]\n');
  });

  it('selects experiments with --experiment and names the known ones when nothing matches', async () => {
    const dir = await project('');
    const { result, exitCode } = await runRerunGate(dir, { experiment: ['nope'] });
    expect(exitCode).toBe(2);
    expect(result.summary).toBe('--experiment no tracked experiment matches "nope"; known: toy');
    expect((await runRerunGate(dir, { experiment: ['to*'] })).exitCode).toBe(0);
  });

  it('exits 2 naming experiments.yml and the line of a malformed entry', async () => {
    const dir = await project('', experimentsYml().replace('    seed: 7\n', '    seed: seven\n'));
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(2);
    expect(result.summary).toMatch(
      /experiments\.yml:5:11 experiments\.toy\.seed: expected number, got "seven"$/,
    );
    await writeFile(join(dir, 'experiments.yml'), 'version: 1\nexperiments:\n  toy: [\n');
    expect((await runRerunGate(dir)).result.summary).toMatch(/experiments\.yml:\d+:\d+ invalid YAML/);
  });
});
