import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GitHubApiServer, startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { pullRequestEvent, workflowDispatchEvent } from '../../shared/testing/github-events.ts';
import { type JobResult, readWorkflow, runWorkflowJob } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR, discoverActions } from '../build.ts';
import { ALL_GATES } from '../gates.ts';
import { gitHubHandlers, newGitHubState } from '../promote/github-fake.ts';
import { localArtifactActions, type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';

const ROOT = join(ACTIONS_DIR, '..');
const WORKFLOW = join(ROOT, 'docs', 'workflows', 'pr-quality-gates.yml');
const TOKEN = 'ghs_prFlowToken0123456789abcdefABCDEF0';
const run = promisify(execFile);

let staged: StagedActions;
let server: GitHubApiServer;
// What the PR flow leaves for the promotion flow: the checked-out repository and the run's artifacts.
let repository: { dir: string; sha: string } | undefined;
let artifactRoot: string | undefined;
const promoteState = newGitHubState();
const cleanup: string[] = [];

beforeAll(async () => {
  const gates = new Set(ALL_GATES.map((gate) => gate.name));
  staged = await stageActions((await discoverActions()).filter((action) => gates.has(action.name)));
  server = await startGitHubApiServer({
    ...gitHubHandlers(promoteState),
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': () => ({ status: 200, body: [] }),
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': (_request, tools) => ({
      status: 201,
      body: tools.example(201),
    }),
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': (_request, tools) => ({
      status: 200,
      body: tools.example(200),
    }),
    'POST /repos/{owner}/{repo}/statuses/{sha}': (_request, tools) => ({
      status: 201,
      body: tools.example(201),
    }),
    'GET /repos/{owner}/{repo}/pulls/{pull_number}': (_request, tools) => ({
      status: 200,
      body: tools.example(200),
    }),
  });
});

afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  await server.close();
  await staged.remove();
});

/**
 * The repository as actions/checkout leaves it: the fixtures project with the code its training script
 * imports, one commit of git history, and dependencies installed (as a repository's own CI would).
 */
async function checkedOutRepository(): Promise<{ dir: string; sha: string }> {
  // Outlives the test: the promotion flow continues in the same repository.
  const dir = await mkdtemp(join(tmpdir(), 'mlgate-e2e-repo-'));
  cleanup.push(dir);
  for (const path of ['fixtures', 'shared', 'package.json', 'tsconfig.json']) {
    await cp(join(ROOT, path), join(dir, path), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const git = (...args: string[]) => run('git', args, { cwd: dir });
  await git('init', '-q', '-b', 'main');
  await git('add', '.');
  await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'models');
  return { dir, sha: (await git('rev-parse', 'HEAD')).stdout.trim() };
}

it('runs docs/workflows/pr-quality-gates.yml over the fixtures: gates in parallel jobs, then model-card', async () => {
  const workflow = await readWorkflow(WORKFLOW);
  repository = await checkedOutRepository();
  const { dir, sha } = repository;
  const artifacts = await mkdtemp(join(tmpdir(), 'mlgate-e2e-artifacts-'));
  cleanup.push(artifacts);
  artifactRoot = artifacts;
  const stand = localArtifactActions(artifacts, () => dir);
  const event = pullRequestEvent({
    owner: 'octo-org',
    repo: 'models',
    number: 12,
    headSha: sha,
    baseSha: sha,
  });
  const results: Record<string, JobResult> = {};
  for (const job of Object.keys(workflow.jobs)) {
    if (!staged.dirs[job]) {
      // A gate still being built has no action yet; the jobs that need it see it skipped.
      results[job] = { result: 'skipped', actions: {}, steps: [], summary: '' };
      continue;
    }
    results[job] = await runWorkflowJob({
      workflow,
      job,
      workspace: dir,
      event: { name: 'pull_request', payload: event },
      sha,
      token: TOKEN,
      apiUrl: server.url,
      artifactDir: artifacts,
      needs: results,
      // This repository keeps its demo config under fixtures/; everything else is the workflow as written.
      overrideWith: { config: 'fixtures/mlgate.yml' },
      uses: { 'actions/cache': warmNativeCache },
      resolve: (uses) => {
        const gate = /^[^/]+\/mlgate\/actions\/([a-z-]+)@/.exec(uses)?.[1];
        if (gate) return staged.dirs[gate];
        if (uses.startsWith('actions/checkout@')) return () => ({});
        return stand[uses.split('@')[0]!];
      },
    });
  }
  for (const [job, result] of Object.entries(results)) {
    if (result.result === 'skipped') continue;
    const action = Object.values(result.actions)[0]!;
    expect(action.stderr, `${job} wrote to stderr`).toBe('');
    expect(['pass', 'warn'], `${job}: ${action.outputs.summary}`).toContain(action.outputs.status);
    expect(result.result).toBe('success');
    const file = JSON.parse(await readFile(join(artifacts, `mlgate-${job}`, `${job}.json`), 'utf8'));
    expect(file).toMatchObject({ schema: 'mlgate/gate-result@1', gate: job, subject: { commit: sha } });
    expect(action.summary).toContain(job);
    // The job token is masked before anything is logged and never printed.
    expect(action.commands.find((command) => command.command === 'add-mask')?.message).toBe(TOKEN);
    expect(action.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  }
  expect(server.violations).toEqual([]);
  if (staged.dirs['model-card']) {
    expect(results['model-card']!.result).toBe('success');
    expect(
      server.requests.some((request) => request.route?.endsWith('/issues/{issue_number}/comments')),
    ).toBe(true);
  }
});

it('then runs docs/workflows/promote.yml: staging takes the version on the evidence model-card left', async () => {
  if (!staged.dirs.promote || !staged.dirs['model-card'] || !repository || !artifactRoot) {
    throw new Error('the PR flow must run first, with model-card and promote built');
  }
  const { dir, sha } = repository;
  const inputs = {
    model: 'loan-default',
    version: '1.1.0',
    stage: 'staging',
    reason: 'e2e',
    rollback: false,
  };
  const requestsBefore = server.requests.length;
  const job = await runWorkflowJob({
    workflow: await readWorkflow(join(ROOT, 'docs', 'workflows', 'promote.yml')),
    job: 'promote',
    workspace: dir,
    event: {
      name: 'workflow_dispatch',
      payload: workflowDispatchEvent({
        owner: 'octo-org',
        repo: 'models',
        inputs: { ...inputs, rollback: 'false' },
      }),
    },
    workflowInputs: inputs,
    sha,
    token: TOKEN,
    apiUrl: server.url,
    artifactDir: artifactRoot,
    // The workflow reads the evidence from the model's release; here it is the PR run's model-card artifact.
    overrideWith: { config: 'fixtures/mlgate.yml', evidence: 'artifact:mlgate-model-card' },
    resolve: (uses) => {
      const gate = /^[^/]+\/mlgate\/actions\/([a-z-]+)@/.exec(uses)?.[1];
      if (gate) return staged.dirs[gate];
      if (uses.startsWith('actions/checkout@')) return () => ({});
      return undefined;
    },
  });
  const promote = job.actions.promote!;
  expect(promote.stderr).toBe('');
  expect(promote.outputs.status, promote.outputs.summary).toBe('pass');
  expect(promote.outputs.version).toBe('1.1.0');
  expect(promote.outputs.digest).toMatch(/^[0-9a-f]{64}$/);
  expect(job.result).toBe('success');
  expect(job.summary).toContain('### staging: v1.1.0');
  const routes = server.requests.slice(requestsBefore).map((request) => request.route);
  expect(routes).toContain('POST /repos/{owner}/{repo}/git/tags');
  expect(routes).toContain('POST /repos/{owner}/{repo}/git/refs');
  expect(routes).toContain('POST /repos/{owner}/{repo}/deployments');
  expect(server.violations).toEqual([]);
});
