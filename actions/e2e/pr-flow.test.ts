import { execFile } from 'node:child_process';
import { cp, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GitHubApiServer, startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { pullRequestEvent } from '../../shared/testing/github-events.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { type JobResult, readWorkflow, runWorkflowJob } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR, discoverActions } from '../build.ts';
import { ALL_GATES } from '../gates.ts';
import { localArtifactActions, type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';

const ROOT = join(ACTIONS_DIR, '..');
const WORKFLOW = join(ROOT, 'docs', 'workflows', 'pr-quality-gates.yml');
const TOKEN = 'ghs_prFlowToken0123456789abcdefABCDEF0';
const run = promisify(execFile);

let staged: StagedActions;
let server: GitHubApiServer;

beforeAll(async () => {
  const gates = new Set(ALL_GATES.map((gate) => gate.name));
  staged = await stageActions((await discoverActions()).filter((action) => gates.has(action.name)));
  server = await startGitHubApiServer({
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
  await server.close();
  await staged.remove();
});

/**
 * The repository as actions/checkout leaves it: the fixtures project with the code its training script
 * imports, one commit of git history, and dependencies installed (as a repository's own CI would).
 */
async function checkedOutRepository(): Promise<{ dir: string; sha: string }> {
  const dir = await tempDir('mlgate-e2e-repo-');
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
  const { dir, sha } = await checkedOutRepository();
  const artifacts = await tempDir('mlgate-e2e-artifacts-');
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
        const gate = /^<owner>\/mlgate\/actions\/([a-z-]+)@v1$/.exec(uses)?.[1];
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
