import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GitHubApiServer, startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { releaseEvent } from '../../shared/testing/github-events.ts';
import { checkWebhookPayload } from '../../shared/testing/github-openapi.ts';
import { type ReleaseStore, releaseStore } from '../../shared/testing/release-store.ts';
import { readWorkflow, runWorkflow } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR, discoverActions } from '../build.ts';
import { type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';
import { type FixturesRepository, fixturesRepository, resolveUses } from './workflow-fixtures.ts';

const ROOT = join(ACTIONS_DIR, '..');
const TOKEN = 'ghs_releaseFlowToken0123456789abcdefABCD';
const RELEASE = { id: 31, tag: 'v1.1.0' };
const GATES = ['validate-data', 'rerun-experiments', 'benchmark', 'fairness'];

let staged: StagedActions;
let repository: FixturesRepository;
let server: GitHubApiServer;
let release: ReleaseStore;

beforeAll(async () => {
  [staged, repository] = await Promise.all([
    stageActions(
      (await discoverActions()).filter((action) => [...GATES, 'model-card'].includes(action.name)),
    ),
    fixturesRepository(),
  ]);
  // An earlier run of the workflow for this release attached an evidence.json already.
  release = releaseStore({
    ...RELEASE,
    assets: [
      { name: 'evidence.json', contentType: 'application/json', data: Buffer.from('{"stale":true}\n') },
    ],
  });
  server = await startGitHubApiServer(release.handlers);
});

afterAll(async () => {
  await Promise.all([server.close(), staged.remove(), repository.remove()]);
});

it('runs docs/workflows/release.yml on a published release: every gate, then the evidence attached to the release', async () => {
  const workflow = await readWorkflow(join(ROOT, 'docs', 'workflows', 'release.yml'));
  const payload = releaseEvent({
    owner: 'octo-org',
    repo: 'models',
    releaseId: RELEASE.id,
    tag: RELEASE.tag,
    uploadsUrl: server.uploadsUrl,
    target: repository.sha,
  });
  expect(checkWebhookPayload('release-published', payload)).toEqual([]);
  const staleId = release.assets[0]!.id;
  const run = await runWorkflow({
    workflow,
    workspace: () => repository.checkout(),
    event: { name: 'release', payload },
    sha: repository.sha,
    ref: `refs/tags/${RELEASE.tag}`,
    token: TOKEN,
    apiUrl: server.url,
    // The fixtures keep their config under fixtures/; the benchmark gets the short time budget every
    // end-to-end run of it uses. Everything else is the workflow as written.
    overrideWith: { config: 'fixtures/mlgate.yml', 'time-budget': '3' },
    uses: { 'actions/cache': warmNativeCache },
    resolve: resolveUses(staged, {}),
  });
  const job = run.jobs.gates!;
  expect(run.result).toBe('success');
  expect(job.steps.map((step) => step.outcome)).not.toContain('failure');
  const actions = Object.entries(job.actions);
  expect(actions.map(([uses]) => /actions\/([a-z-]+)@/.exec(uses)?.[1])).toEqual([...GATES, 'model-card']);
  for (const [uses, action] of actions) {
    expect(action.stderr, uses).toBe('');
    expect(['pass', 'warn'], `${uses}: ${action.outputs.summary}`).toContain(action.outputs.status);
    expect(action.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  }

  // What the release holds now: the evidence, the card and the four results, each with its media type.
  expect(release.assets.map(({ name, contentType }) => [name, contentType])).toEqual([
    ['evidence.json', 'application/json'],
    ['model-card.md', 'text/markdown'],
    ...GATES.map((gate) => [`${gate}.json`, 'application/json']),
  ]);
  const asset = (name: string) => release.assets.find((candidate) => candidate.name === name)!;
  const evidence = JSON.parse(asset('evidence.json').data.toString('utf8'));
  expect(evidence).toMatchObject({ schema: 'mlgate/evidence@1', commit: repository.sha });
  expect(evidence.gates.map((gate: { gate: string }) => gate.gate)).toEqual(GATES);
  expect(asset('model-card.md').data.toString('utf8')).toMatch(/^# Model card: loan-default 1\.1\.0/m);
  for (const gate of GATES) {
    expect(JSON.parse(asset(`${gate}.json`).data.toString('utf8'))).toMatchObject({
      gate,
      subject: { commit: repository.sha },
    });
  }

  // The earlier run's evidence.json went first (GitHub refuses a second asset of one name), then uploads
  // to the release's upload_url: the uploads origin, never the API.
  const routes = server.requests.map((request) => `${request.method} ${request.path}`);
  expect(routes.slice(0, 3)).toEqual([
    `GET /repos/octo-org/models/releases/${RELEASE.id}/assets`,
    `DELETE /repos/octo-org/models/releases/assets/${staleId}`,
    `POST /repos/octo-org/models/releases/${RELEASE.id}/assets`,
  ]);
  expect(routes.filter((route) => route.startsWith('POST'))).toHaveLength(6);
  const card = job.actions['<owner>/mlgate/actions/model-card@v1']!;
  expect(card.outputs.summary).toMatch(/; 6 files attached to release v1\.1\.0$/);
  expect(card.summary).toContain(`Attached to release ${RELEASE.tag} (id ${RELEASE.id})`);
  expect(server.violations).toEqual([]);
});
