import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GitHubApiServer, startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import {
  pullRequestEvent,
  workflowDispatchEvent,
  workflowRunEvent,
} from '../../shared/testing/github-events.ts';
import { checkWebhookPayload } from '../../shared/testing/github-openapi.ts';
import { readWorkflow, runWorkflow } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR, discoverActions } from '../build.ts';
import { ALL_GATES } from '../gates.ts';
import { gitHubHandlers, newGitHubState } from '../promote/github-fake.ts';
import { localArtifactActions, type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';
import {
  type FixturesRepository,
  fixturesRepository,
  pullRequestReportHandlers,
  resolveUses,
} from './workflow-fixtures.ts';

const ROOT = join(ACTIONS_DIR, '..');
const WORKFLOWS = join(ROOT, 'docs', 'workflows');
const TOKEN = 'ghs_prFlowToken0123456789abcdefABCDEF0';
/** The pull request from a branch of the repository, and one from a fork (another head commit). */
const PULL = 12;
const FORK_PULL = 13;
const FORK_HEAD = 'e'.repeat(40);

let staged: StagedActions;
let repository: FixturesRepository;
let server: GitHubApiServer;
// What the PR run leaves for the later runs: its artifacts (a folder per artifact name).
let prArtifacts: string | undefined;
const promoteState = newGitHubState();
const cleanup: string[] = [];

beforeAll(async () => {
  const gates = new Set(ALL_GATES.map((gate) => gate.name));
  [staged, repository] = await Promise.all([
    stageActions((await discoverActions()).filter((action) => gates.has(action.name))),
    fixturesRepository(),
  ]);
  server = await startGitHubApiServer({
    ...gitHubHandlers(promoteState),
    ...pullRequestReportHandlers([
      { number: PULL, headSha: repository.sha },
      { number: FORK_PULL, headSha: FORK_HEAD },
    ]),
  });
});

afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  await Promise.all([server.close(), staged.remove(), repository.remove()]);
});

async function artifactRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlgate-e2e-artifacts-'));
  cleanup.push(dir);
  return dir;
}

const pullRequest = (number: number, headSha: string, fork: boolean) => ({
  name: 'pull_request',
  payload: pullRequestEvent({
    owner: 'octo-org',
    repo: 'models',
    number,
    headSha,
    baseSha: repository.sha,
    fork,
  }),
});

it('runs docs/workflows/pr-quality-gates.yml over the fixtures: gates in parallel jobs, then model-card', async () => {
  const workflow = await readWorkflow(join(WORKFLOWS, 'pr-quality-gates.yml'));
  const { sha } = repository;
  const artifacts = await artifactRoot();
  const run = await runWorkflow({
    workflow,
    workspace: () => repository.checkout(),
    event: pullRequest(PULL, sha, false),
    sha,
    token: TOKEN,
    apiUrl: server.url,
    artifactDir: artifacts,
    // This repository keeps its demo config under fixtures/; everything else is the workflow as written.
    overrideWith: { config: 'fixtures/mlgate.yml' },
    uses: { 'actions/cache': warmNativeCache },
    resolve: resolveUses(staged, localArtifactActions(artifacts)),
  });
  expect(run.order.at(-1)).toBe('model-card');
  expect(run.order.sort()).toEqual(Object.keys(workflow.jobs).sort());
  for (const [job, result] of Object.entries(run.jobs)) {
    const action = Object.values(result.actions)[0]!;
    expect(action.stderr, `${job} wrote to stderr`).toBe('');
    expect(['pass', 'warn'], `${job}: ${action.outputs.summary}`).toContain(action.outputs.status);
    expect(result.result).toBe('success');
    expect(result.steps.map((step) => step.outcome)).not.toContain('failure');
    const file = JSON.parse(await readFile(join(artifacts, `mlgate-${job}`, `${job}.json`), 'utf8'));
    expect(file).toMatchObject({ schema: 'mlgate/gate-result@1', gate: job, subject: { commit: sha } });
    expect(action.summary).toContain(job);
    // The job token is masked before anything is logged and never printed.
    expect(action.commands.find((command) => command.command === 'add-mask')?.message).toBe(TOKEN);
    expect(action.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  }
  // model-card read the four results the gate jobs uploaded, through the download step.
  const evidence = JSON.parse(await readFile(join(artifacts, 'mlgate-model-card', 'evidence.json'), 'utf8'));
  expect(evidence.gates.map((gate: { gate: string }) => gate.gate).sort()).toEqual(
    ['benchmark', 'fairness', 'rerun-experiments', 'validate-data'].sort(),
  );
  const routes = server.requests.map((request) => `${request.route} ${request.path}`);
  expect(routes).toContain(
    `POST /repos/{owner}/{repo}/issues/{issue_number}/comments /repos/octo-org/models/issues/${PULL}/comments`,
  );
  expect(
    routes.filter((route) => route.startsWith('POST /repos/{owner}/{repo}/statuses/{sha}')),
  ).toHaveLength(4);
  expect(server.violations).toEqual([]);
  prArtifacts = artifacts;
});

it('on a fork, the same workflow cannot comment; docs/workflows/pr-report-from-fork.yml then does, on workflow_run', async () => {
  if (!prArtifacts) throw new Error('the PR run must run first');
  // The fork's run: the gate jobs' results are those of the run above (same code, same data); its
  // model-card job runs again with the fork's event, whose token is read-only.
  const forkArtifacts = await artifactRoot();
  for (const name of await readdir(prArtifacts)) {
    if (name !== 'mlgate-model-card')
      await cp(join(prArtifacts, name), join(forkArtifacts, name), { recursive: true });
  }
  const requestsBefore = server.requests.length;
  const forkRun = await runWorkflow({
    workflow: await readWorkflow(join(WORKFLOWS, 'pr-quality-gates.yml')),
    jobs: ['model-card'],
    workspace: () => repository.checkout(),
    event: pullRequest(FORK_PULL, FORK_HEAD, true),
    sha: repository.sha,
    token: 'ghs_readOnlyForkToken0123456789abcdefAB',
    apiUrl: server.url,
    artifactDir: forkArtifacts,
    overrideWith: { config: 'fixtures/mlgate.yml' },
    resolve: resolveUses(staged, localArtifactActions(forkArtifacts)),
  });
  const card = Object.values(forkRun.jobs['model-card']!.actions)[0]!;
  expect(card.outputs.status, card.outputs.summary).toMatch(/^(pass|warn)$/);
  expect(card.commands.some((command) => command.command === 'warning' && /fork/.test(command.message))).toBe(
    true,
  );
  expect(server.requests.slice(requestsBefore).map((request) => request.method)).not.toContain('POST');
  expect(await readdir(forkArtifacts)).toContain('model-card-loan-default');

  // Then, on the default branch, the workflow_run half.
  const reportWorkflow = await readWorkflow(join(WORKFLOWS, 'pr-report-from-fork.yml'));
  const runId = 9001;
  const event = (headRepository?: string) =>
    workflowRunEvent({
      owner: 'octo-org',
      repo: 'models',
      runId,
      workflowName: 'model quality gates',
      headSha: FORK_HEAD,
      ...(headRepository ? { headRepository } : {}),
    });
  expect(checkWebhookPayload('workflow-run-completed', event())).toEqual([]);
  // It listens to the workflow above, by its name.
  expect(JSON.stringify(reportWorkflow.on)).toContain(JSON.stringify(['model quality gates']));
  const reportArtifacts = await artifactRoot();
  const report = (payload: Record<string, unknown>) =>
    runWorkflow({
      workflow: reportWorkflow,
      workspace: () => repository.checkout(),
      event: { name: 'workflow_run', payload },
      sha: repository.sha,
      token: TOKEN,
      apiUrl: server.url,
      artifactDir: reportArtifacts,
      overrideWith: { config: 'fixtures/mlgate.yml' },
      // download-artifact reads the fork run's artifacts by the run id the event gives.
      resolve: resolveUses(staged, localArtifactActions(reportArtifacts, { [runId]: forkArtifacts })),
    });
  const requestsBeforeReport = server.requests.length;
  const reported = await report(event());
  const job = reported.jobs.comment!;
  expect(job.result).toBe('success');
  const reporter = Object.values(job.actions)[0]!;
  expect(reporter.stderr).toBe('');
  // report-from is a tool mode of the action: it posts and says so, with no gate result of its own.
  expect(reporter.exitCode).toBe(0);
  expect(reporter.stdout).toMatch(/^model-card: created https:\/\/github\.com\/\S+#issuecomment-\d+$/m);
  const routes = server.requests
    .slice(requestsBeforeReport)
    .map((request) => `${request.method} ${request.path}`);
  // Found by head SHA among the open pull requests, commented there, and no commit status from a fork's files.
  expect(routes).toContain('GET /repos/octo-org/models/pulls');
  expect(routes).toContain(`POST /repos/octo-org/models/issues/${FORK_PULL}/comments`);
  expect(routes.filter((route) => route.includes('/statuses/'))).toEqual([]);
  expect(server.violations).toEqual([]);

  // A run of a branch of the repository itself commented already: the job does not run.
  const own = await report(event('octo-org/models'));
  expect(own.jobs.comment!.result).toBe('skipped');
});

it('then runs docs/workflows/promote.yml: staging takes the version on the evidence model-card left', async () => {
  if (!staged.dirs.promote || !prArtifacts) throw new Error('the PR run must run first, with promote built');
  const requestsBefore = server.requests.length;
  const run = await runWorkflow({
    workflow: await readWorkflow(join(WORKFLOWS, 'promote.yml')),
    workspace: () => repository.checkout(),
    event: {
      name: 'workflow_dispatch',
      payload: workflowDispatchEvent({
        owner: 'octo-org',
        repo: 'models',
        inputs: {
          model: 'loan-default',
          version: '1.1.0',
          stage: 'staging',
          reason: 'e2e',
          rollback: 'false',
        },
      }),
    },
    sha: repository.sha,
    token: TOKEN,
    apiUrl: server.url,
    artifactDir: prArtifacts,
    // The workflow reads the evidence from the model's release; here it is the PR run's model-card artifact.
    overrideWith: { config: 'fixtures/mlgate.yml', evidence: 'artifact:mlgate-model-card' },
    resolve: resolveUses(staged, {}),
  });
  const job = run.jobs.promote!;
  const promote = job.actions.promote!;
  expect(promote.stderr).toBe('');
  expect(promote.outputs.status, promote.outputs.summary).toBe('pass');
  expect(promote.outputs.version).toBe('1.1.0');
  expect(promote.outputs.digest).toMatch(/^[0-9a-f]{64}$/);
  expect(job.result).toBe('success');
  // The shell step saw the action's outputs, through env: only.
  expect(job.summary).toContain(
    [
      '### staging: v1.1.0',
      `- tag: \`${promote.outputs.tag}\``,
      `- sha256: \`${promote.outputs.digest}\``,
      `- deployment: ${promote.outputs['deployment-url']}`,
    ].join('\n'),
  );
  expect(promote.outputs.tag).not.toBe('');
  const routes = server.requests.slice(requestsBefore).map((request) => request.route);
  expect(routes).toContain('POST /repos/{owner}/{repo}/git/tags');
  expect(routes).toContain('POST /repos/{owner}/{repo}/git/refs');
  expect(routes).toContain('POST /repos/{owner}/{repo}/deployments');
  expect(server.violations).toEqual([]);
});
