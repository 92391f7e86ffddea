import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pullRequestEvent } from '../../shared/testing/github-events.ts';
import { type JobResult, readWorkflow, runWorkflowJob } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR, discoverActions } from '../build.ts';
import { localArtifactActions, type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';

const ROOT = join(ACTIONS_DIR, '..');
const cleanup: string[] = [];
let staged: StagedActions;

beforeAll(async () => {
  staged = await stageActions(
    (await discoverActions()).filter((action) => ['validate-data', 'benchmark'].includes(action.name)),
  );
});
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  await staged.remove();
});

it('runs docs/workflows/sharded-gates.yml: one job per dataset and per model, then one table of the shards', async () => {
  const workflow = await readWorkflow(join(ROOT, 'docs', 'workflows', 'sharded-gates.yml'));
  const dir = await mkdtemp(join(tmpdir(), 'mlgate-e2e-shards-'));
  cleanup.push(dir);
  await cp(join(ROOT, 'fixtures'), join(dir, 'fixtures'), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const artifacts = join(dir, '.artifacts');
  const stand = localArtifactActions(artifacts);
  const base = {
    workflow,
    workspace: dir,
    event: {
      name: 'pull_request',
      payload: pullRequestEvent({
        owner: 'octo-org',
        repo: 'models',
        number: 5,
        headSha: 'c'.repeat(40),
        baseSha: 'd'.repeat(40),
      }),
    },
    artifactDir: artifacts,
    uses: { 'actions/cache': warmNativeCache },
    resolve: (uses: string) => {
      const gate = /^[^/]+\/mlgate\/actions\/([a-z-]+)@/.exec(uses)?.[1];
      if (gate) return staged.dirs[gate];
      if (uses.startsWith('actions/checkout@')) return () => ({});
      return stand[uses.split('@')[0]!];
    },
  };
  const legs: JobResult[] = [];
  for (const dataset of ['train', 'eval']) {
    // The fixtures keep their config under fixtures/; each leg validates one dataset of it.
    legs.push(
      await runWorkflowJob({
        ...base,
        job: 'validate-data',
        matrix: { dataset },
        overrideWith: { config: 'fixtures/mlgate.yml' },
      }),
    );
  }
  for (const leg of legs) expect(leg.actions[Object.keys(leg.actions)[0]!]!.outputs.status).toBe('pass');
  // One model here: the leg's config is the fixtures' (the example gives each model its own mlgate.yml).
  const benchmark = await runWorkflowJob({
    ...base,
    job: 'benchmark',
    matrix: { model: 'loan-default' },
    overrideWith: { config: 'fixtures/mlgate.yml', 'time-budget': '3' },
  });
  const combined = (results: JobResult[]): JobResult['result'] =>
    results.every((result) => result.result === 'success') ? 'success' : 'failure';
  const summary = await runWorkflowJob({
    ...base,
    job: 'summary',
    needs: { 'validate-data': { result: combined(legs) }, benchmark: { result: combined([benchmark]) } },
  });
  const rows = summary.summary
    .split('\n')
    .filter((line) => line.startsWith('| validate-data-') || line.startsWith('| benchmark-'));
  expect(rows.map((row) => row.split(' | ').slice(0, 2).join(' | '))).toEqual([
    '| benchmark-loan-default | benchmark',
    '| validate-data-eval | validate-data',
    '| validate-data-train | validate-data',
  ]);
  expect(summary.result).toBe(benchmark.result === 'success' ? 'success' : 'failure');
});
