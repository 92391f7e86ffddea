import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../shared/testing/action-runner.ts';
import { startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { pullRequestEvent } from '../../shared/testing/github-events.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { ACTIONS_DIR } from '../build.ts';
import { renderCompositeAction } from '../composite-action.ts';
import { coldNativeCache, type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';

// A gate with no ML in it proves the packaging itself: the bundle, the runner's environment, the
// file commands, annotations, token masking, and the composite steps around a bundle.
const TINY = join(ACTIONS_DIR, 'e2e', 'tiny-gate');
const TOKEN = 'ghs_tinyTestToken0123456789abcdefABCDEF';
const HEAD = '1'.repeat(40);

let staged: StagedActions;
let compositeDir: string;
let coldDir: string;

beforeAll(async () => {
  const entry = join(TINY, 'main.ts');
  staged = await stageActions([
    { name: 'tiny', entry, source: TINY },
    // The same bundle as a composite action, as the gates with native dependencies ship.
    { name: 'tiny-composite', entry, source: TINY },
    { name: 'tiny-composite-cold', entry, source: TINY },
  ]);
  compositeDir = staged.dirs['tiny-composite']!;
  coldDir = staged.dirs['tiny-composite-cold']!;
  const yaml = renderCompositeAction(await readFile(join(TINY, 'action.yml'), 'utf8'), 'tiny', {
    'onnxruntime-node': '1.30.0',
  });
  // No dependencies, so that `npm ci` runs for real, offline, in the cold-cache test.
  const lock = {
    name: 'tiny-action',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'tiny-action' } },
  };
  for (const dir of [compositeDir, coldDir]) {
    await writeFile(join(dir, 'action.yml'), yaml);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'tiny-action', private: true }));
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock));
  }
});

afterAll(() => staged.remove());

async function workspace() {
  const dir = await tempDir();
  await writeFile(join(dir, 'mlgate.yml'), 'version: 1\n');
  return dir;
}

describe('a bundled node24 action, run as the runner runs it', () => {
  it('reads INPUT_* (with action.yml defaults), writes outputs, summary and result, and comments through the API', async () => {
    const server = await startGitHubApiServer({
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': (_request, tools) => ({
        status: 201,
        body: tools.example(201),
      }),
    });
    try {
      const dir = await workspace();
      const artifacts = join(dir, 'artifacts');
      const run = await runAction({
        actionDir: staged.dirs.tiny!,
        inputs: { value: '3' },
        workspace: dir,
        token: TOKEN,
        apiUrl: server.url,
        artifactDir: artifacts,
        event: {
          name: 'pull_request',
          payload: pullRequestEvent({
            owner: 'octo-org',
            repo: 'models',
            number: 7,
            headSha: HEAD,
            baseSha: '2'.repeat(40),
          }),
        },
      });
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.outputs.status).toBe('pass');
      expect(run.outputs.summary).toBe('3 is at most 10');
      expect(run.outputs.result).toBe(join(dir, 'mlgate-results', 'tiny.json'));
      const result = JSON.parse(await readFile(run.outputs.result!, 'utf8'));
      expect(result).toMatchObject({
        gate: 'tiny',
        status: 'pass',
        subject: { commit: HEAD },
        metrics: { value: 3 },
      });
      expect(run.summary).toContain('tiny');
      expect(run.summary).toContain('3 is at most 10');
      expect(existsSync(join(artifacts, 'tiny-note', 'tiny-note.txt'))).toBe(true);
      expect(server.violations).toEqual([]);
      expect(server.requests.map((request) => [request.route, request.pathParams, request.body])).toEqual([
        [
          'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
          { owner: 'octo-org', repo: 'models', issue_number: '7' },
          { body: 'tiny: 3 (max 10)' },
        ],
      ]);
      expect(server.requests[0]!.headers.authorization).toBe(`token ${TOKEN}`);
      // The token is registered as a secret before anything else is logged, and never printed otherwise.
      expect(run.commands[0]).toMatchObject({ command: 'add-mask', message: TOKEN });
      const printed = (run.stdout + run.stderr).replace(`::add-mask::${TOKEN}`, '');
      expect(printed).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  });

  it('never prints the token, even with step debug logging on', async () => {
    const run = await runAction({
      actionDir: staged.dirs.tiny!,
      inputs: { value: 'not a number' },
      workspace: await workspace(),
      token: TOKEN,
      env: { RUNNER_DEBUG: '1' },
      event: { name: 'push', payload: {} },
    });
    expect(run.exitCode).toBe(2);
    expect(run.commands[0]).toMatchObject({ command: 'add-mask', message: TOKEN });
    expect((run.stdout + run.stderr).replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  });

  it('fails with exit 1 and an error annotation naming the check', async () => {
    const run = await runAction({
      actionDir: staged.dirs.tiny!,
      inputs: { value: '12', max: '5' },
      workspace: await workspace(),
      event: { name: 'push', payload: {} },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('fail');
    expect(run.commands.filter((command) => command.command === 'error')).toEqual([
      { command: 'error', properties: { title: 'tiny: tiny.value' }, message: 'value 12, max 5' },
    ]);
  });

  it('turns bad input into exit 2 with one clear error, and a config typo into file:line:col', async () => {
    const bad = await runAction({
      actionDir: staged.dirs.tiny!,
      inputs: { value: 'twelve' },
      workspace: await workspace(),
      event: { name: 'push', payload: {} },
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.outputs.status).toBe('error');
    expect(bad.outputs.summary).toBe('input value: expected a number');
    const dir = await workspace();
    await writeFile(join(dir, 'mlgate.yml'), 'version: 1\ndatasetz: {}\n');
    const typo = await runAction({
      actionDir: staged.dirs.tiny!,
      inputs: { value: '1' },
      workspace: dir,
      event: { name: 'push', payload: {} },
    });
    expect(typo.exitCode).toBe(2);
    const errors = typo.commands.filter((command) => command.command === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.properties).toMatchObject({ file: 'mlgate.yml', line: '2' });
    expect(typo.stdout).not.toMatch(/\n\s+at /);
  });
});

describe('the same bundle as a composite action with native dependencies', () => {
  it('on a warm cache skips the install and runs the bundle with inputs passed through env', async () => {
    const dir = await workspace();
    const run = await runAction({
      actionDir: compositeDir,
      inputs: { value: '4' },
      workspace: dir,
      event: { name: 'push', payload: {} },
      uses: { 'actions/cache': warmNativeCache },
    });
    expect(run.stderr).toBe('');
    expect(run.steps.map((step) => [step.name, step.outcome])).toEqual([
      ['Check the runner', 'success'],
      ['Restore native dependencies', 'success'],
      ['Install native dependencies', 'skipped'],
      ['Run mlgate tiny', 'success'],
    ]);
    expect(run.steps[0]!.outputs['lockfile-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      status: 'pass',
      result: join(dir, 'mlgate-results', 'tiny.json'),
      summary: '4 is at most 10',
    });
  });

  it('on a cold cache installs with npm ci before running', async () => {
    const run = await runAction({
      actionDir: coldDir,
      inputs: { value: '4' },
      workspace: await workspace(),
      event: { name: 'push', payload: {} },
      uses: { 'actions/cache': coldNativeCache },
    });
    expect(run.steps.map((step) => step.outcome)).toEqual(['success', 'success', 'success', 'success']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/up to date|added 0 packages/);
  });

  it('refuses an Intel macOS runner with a clear error, since onnxruntime-node 1.30 has no build for it', async () => {
    const run = await runAction({
      actionDir: compositeDir,
      inputs: { value: '4' },
      workspace: await workspace(),
      runner: { os: 'macOS', arch: 'X64' },
      event: { name: 'push', payload: {} },
      uses: { 'actions/cache': warmNativeCache },
    });
    expect(run.exitCode).toBe(1);
    expect(run.steps.map((step) => step.outcome)).toEqual(['failure', 'skipped', 'skipped', 'skipped']);
    expect(run.commands).toEqual([
      {
        command: 'error',
        properties: { title: 'mlgate tiny' },
        message:
          'mlgate tiny cannot run on a macOS X64 runner: onnxruntime-node 1.30.0 has no build for it. It runs on: Linux-X64 Linux-ARM64 macOS-ARM64 Windows-X64 Windows-ARM64.',
      },
    ]);
    expect(run.outputs.status).toBe('');
  });
});
