import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { pullRequestEvent } from '../../shared/testing/github-events.ts';
import { readWorkflow, runWorkflow } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR, discoverActions } from '../build.ts';
import { localArtifactActions, type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';
import { type FixturesRepository, fixturesRepository, resolveUses } from './workflow-fixtures.ts';

const ROOT = join(ACTIONS_DIR, '..');
const cleanup: string[] = [];
let staged: StagedActions;
let repository: FixturesRepository;

/**
 * A repository laid out as the sharded example expects: the fixtures project at the top (its mlgate.yml
 * lists the datasets train and eval) and one folder per model with its own mlgate.yml, for the two
 * models the fixtures have: loan-default (the candidate) and, named churn here, the other ONNX file.
 */
async function shardedLayout(origin: string): Promise<void> {
  for (const entry of await readdir(join(ROOT, 'fixtures'))) {
    await cp(join(ROOT, 'fixtures', entry), join(origin, entry), { recursive: true });
  }
  const config = parse(await readFile(join(ROOT, 'fixtures', 'mlgate.yml'), 'utf8'));
  const perModel = (name: string, model: string, baseline: string) => ({
    version: 1,
    model: { name, path: `../${model}`, version: config.model.version },
    datasets: { eval: { path: '../../data/eval.csv', schema: '../../schemas/loans.schema.yml' } },
    gates: { benchmark: { ...config.gates.benchmark, baseline: { path: `../${baseline}` } } },
  });
  const models = {
    'loan-default': perModel('loan-default', 'loan-default.onnx', 'loan-default-baseline.onnx'),
    churn: perModel('churn', 'loan-default-baseline.onnx', 'loan-default.onnx'),
  };
  for (const [name, content] of Object.entries(models)) {
    await mkdir(join(origin, 'models', name), { recursive: true });
    await writeFile(join(origin, 'models', name, 'mlgate.yml'), stringify(content));
  }
}

beforeAll(async () => {
  [staged, repository] = await Promise.all([
    stageActions(
      (await discoverActions()).filter((action) => ['validate-data', 'benchmark'].includes(action.name)),
    ),
    fixturesRepository(shardedLayout),
  ]);
});
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  await Promise.all([staged.remove(), repository.remove()]);
});

it('runs docs/workflows/sharded-gates.yml as written: a job per dataset and per model, then one table of the shards', async () => {
  const workflow = await readWorkflow(join(ROOT, 'docs', 'workflows', 'sharded-gates.yml'));
  const artifacts = await mkdtemp(join(tmpdir(), 'mlgate-e2e-shards-'));
  cleanup.push(artifacts);
  const run = await runWorkflow({
    workflow,
    workspace: () => repository.checkout(),
    event: {
      name: 'pull_request',
      payload: pullRequestEvent({
        owner: 'octo-org',
        repo: 'models',
        number: 5,
        headSha: repository.sha,
        baseSha: repository.sha,
      }),
    },
    sha: repository.sha,
    artifactDir: artifacts,
    // The short time budget every end-to-end run of the benchmark uses.
    overrideWith: { 'time-budget': '3' },
    uses: { 'actions/cache': warmNativeCache },
    resolve: resolveUses(staged, localArtifactActions(artifacts)),
  });
  expect(run.order.at(-1)).toBe('summary');
  const legs = (job: string) =>
    run.jobs[job]!.legs.map((leg) => {
      const action = Object.values(leg.actions)[0]!;
      expect(action.stderr).toBe('');
      return action.outputs.status;
    });
  expect(legs('validate-data')).toEqual(['pass', 'pass']);
  expect(legs('benchmark')).toHaveLength(2);
  for (const status of legs('benchmark')) expect(['pass', 'warn', 'fail']).toContain(status);
  expect((await readdir(artifacts)).sort()).toEqual([
    'mlgate-benchmark-churn',
    'mlgate-benchmark-loan-default',
    'mlgate-validate-data-eval',
    'mlgate-validate-data-train',
  ]);
  const summary = run.jobs.summary!;
  const rows = summary.summary.split('\n').filter((line) => /^\| (validate-data|benchmark)-/.test(line));
  expect(rows.map((row) => row.split(' | ').slice(0, 3).join(' | '))).toEqual([
    `| benchmark-churn | benchmark | ${legs('benchmark')[1]}`,
    `| benchmark-loan-default | benchmark | ${legs('benchmark')[0]}`,
    '| validate-data-eval | validate-data | pass',
    '| validate-data-train | validate-data | pass',
  ]);
  // The last step fails the run exactly when a shard did.
  const shardFailed =
    run.jobs['validate-data']!.result === 'failure' || run.jobs.benchmark!.result === 'failure';
  expect(summary.result).toBe(shardFailed ? 'failure' : 'success');
});
