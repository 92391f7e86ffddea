import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readActionMetadata } from '../../shared/actions/action-metadata.ts';
import { type GitHubApiServer, startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { pullRequestEvent } from '../../shared/testing/github-events.ts';
import { parseWorkflow, runWorkflow } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR, discoverActions } from '../build.ts';
import { ALL_GATES } from '../gates.ts';
import { workflowBlocks } from '../lint-actions.ts';
import { localArtifactActions, type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';
import {
  type FixturesRepository,
  fixturesRepository,
  MLGATE_ACTION,
  pullRequestReportHandlers,
  resolveUses,
} from './workflow-fixtures.ts';

const ROOT = join(ACTIONS_DIR, '..');

/**
 * The files of docs/workflows/ and the test that runs each as written (a docs page that shows one shows
 * it verbatim, checked below, so running the file runs the page's workflow).
 */
const RUN_ELSEWHERE: Record<string, string> = {
  'pr-quality-gates.yml': 'pr-flow.test.ts',
  'pr-report-from-fork.yml': 'pr-flow.test.ts',
  'promote.yml': 'pr-flow.test.ts',
  'sharded-gates.yml': 'sharded-flow.test.ts',
  'release.yml': 'release-flow.test.ts',
};
/** docs/workflows files no test runs, and why (none now: every file runs end to end). */
const NOT_RUN: Record<string, string> = {};

/**
 * `run:` scripts of the docs that the test replaces, with why. `npm ci` deletes node_modules and downloads
 * the whole lockfile (onnxruntime-node alone is 357 MiB); each checkout here already has the repository's
 * node_modules, installed by `npm ci` from the same package-lock.json, so the stand-in checks that what
 * `npm ci` would leave is there: every dependency of package.json installed, at a version it allows.
 */
const STAND_IN_RUN = { 'npm ci': 'test -f package-lock.json && npm ls --depth=0 > /dev/null' };

interface Block {
  page: string;
  index: number;
  text: string;
}

/** The copy-paste workflows of each gate's docs page and of README.md. */
async function docsWorkflows(): Promise<Block[]> {
  const found: Block[] = [];
  for (const page of [...ALL_GATES.map((gate) => `docs/${gate.name}.md`), 'README.md']) {
    const blocks = workflowBlocks(await readFile(join(ROOT, page), 'utf8'));
    for (const [index, block] of blocks.entries()) found.push({ page, index, text: block.text });
  }
  return found;
}

const blocks = await docsWorkflows();
const files = new Map<string, string>();
for (const name of (await readdir(join(ROOT, 'docs', 'workflows'))).filter((file) => file.endsWith('.yml'))) {
  files.set(name, await readFile(join(ROOT, 'docs', 'workflows', name), 'utf8'));
}
/** The docs/workflows file a block shows: the one whose workflow has the same `name:`. */
const fileOf = (block: Block) => {
  const name = parseWorkflow(block.text).name;
  return [...files].find(([, text]) => parseWorkflow(text).name === name)?.[0];
};

it('every gate has a copy-paste workflow on its docs page', () => {
  for (const gate of ALL_GATES) {
    expect(
      blocks.filter((block) => block.page === `docs/${gate.name}.md`),
      gate.name,
    ).not.toHaveLength(0);
  }
});

it('every file of docs/workflows is run by a test, or says why not', async () => {
  for (const name of files.keys()) expect(RUN_ELSEWHERE[name] ?? NOT_RUN[name], name).toBeDefined();
  for (const [name, test] of Object.entries(RUN_ELSEWHERE)) {
    expect(await readFile(join(ACTIONS_DIR, 'e2e', test), 'utf8'), `${test} reads ${name}`).toMatch(
      new RegExp(`'${name.replace('.', '\\.')}'`),
    );
  }
});

describe.each(blocks.map((block) => [block.page, block.index + 1, block] as const))(
  '%s, workflow %i',
  (_page, _index, block) => {
    it('refers to mlgate actions that exist, with inputs they declare', async () => {
      const workflow = parseWorkflow(block.text);
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps) {
          if (!step.uses || !/mlgate|^\.\/actions\//.test(step.uses)) continue;
          const match = MLGATE_ACTION.exec(step.uses);
          expect(match, `${step.uses} is not <owner>/mlgate/actions/<gate>@<ref>`).not.toBeNull();
          const action = await readActionMetadata(join(ACTIONS_DIR, match![1] ?? match![2]!, 'action.yml'));
          for (const input of Object.keys(step.with ?? {}))
            expect(Object.keys(action.inputs)).toContain(input);
        }
      }
    });

    const file = fileOf(block);
    if (file) {
      it(`is docs/workflows/${file} verbatim (${RUN_ELSEWHERE[file] ?? 'not'} runs it)`, () => {
        expect(block.text).toBe(files.get(file));
        expect(RUN_ELSEWHERE[file]).toBeDefined();
      });
    }
  },
);

/** Blocks that are no docs/workflows file: each runs here, whole, as written. */
const standalone = blocks.filter((block) => fileOf(block) === undefined);

let staged: StagedActions;
let repository: FixturesRepository;
let server: GitHubApiServer;
const cleanup: string[] = [];
const PULL = 3;
beforeAll(async () => {
  const gates = new Set(ALL_GATES.map((gate) => gate.name));
  [staged, repository] = await Promise.all([
    stageActions((await discoverActions()).filter((action) => gates.has(action.name))),
    fixturesRepository(),
  ]);
  server = await startGitHubApiServer(pullRequestReportHandlers([{ number: PULL, headSha: repository.sha }]));
});
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  await Promise.all([staged.remove(), repository.remove(), server.close()]);
});

describe.each(standalone.map((block) => [block.page, block.index + 1, block] as const))(
  '%s, workflow %i',
  (_page, _index, block) => {
    it('runs as written over the fixtures: every job, every step', async () => {
      const workflow = parseWorkflow(block.text);
      expect(JSON.stringify(workflow.on)).toContain('pull_request');
      const artifacts = await mkdtemp(join(tmpdir(), 'mlgate-docs-artifacts-'));
      cleanup.push(artifacts);
      const requestsBefore = server.requests.length;
      const run = await runWorkflow({
        workflow,
        workspace: () => repository.checkout(),
        event: {
          name: 'pull_request',
          payload: pullRequestEvent({
            owner: 'octo-org',
            repo: 'models',
            number: PULL,
            headSha: repository.sha,
            baseSha: repository.sha,
          }),
        },
        sha: repository.sha,
        token: 'ghs_docsWorkflowToken0123456789abcdefAB',
        apiUrl: server.url,
        artifactDir: artifacts,
        // The fixtures keep their config under fixtures/; the benchmark gets the short time budget every
        // end-to-end run of it uses. Everything else is the workflow as written.
        overrideWith: { config: 'fixtures/mlgate.yml', 'time-budget': '3' },
        standInRun: STAND_IN_RUN,
        uses: { 'actions/cache': warmNativeCache },
        resolve: resolveUses(staged, localArtifactActions(artifacts)),
      });
      expect([...run.order].sort()).toEqual(Object.keys(workflow.jobs).sort());
      for (const [name, job] of Object.entries(run.jobs)) {
        expect(job.result, name).toBe('success');
        expect(job.steps.map((step) => step.outcome)).not.toContain('failure');
        for (const [step, action] of Object.entries(job.actions)) {
          expect(action.stderr, `${name}/${step}`).toBe('');
          expect(['pass', 'warn'], `${name}/${step}: ${action.outputs.summary}`).toContain(
            action.outputs.status,
          );
          expect(action.summary).not.toBe('');
        }
        expect(Object.keys(job.actions), name).not.toHaveLength(0);
      }
      // What a stand-in replaced is only what STAND_IN_RUN lists.
      const replaced = Object.values(run.jobs).flatMap((job) => job.steps.filter((step) => step.standIn));
      expect(replaced.every((step) => Object.values(STAND_IN_RUN).includes(step.standIn!))).toBe(true);
      const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
      // A model-card step comments on the pull request; nothing else talks to the API.
      const routes = server.requests.slice(requestsBefore).map((request) => request.route);
      if (steps.some((step) => step.uses?.includes('/actions/model-card@'))) {
        expect(routes).toContain('POST /repos/{owner}/{repo}/issues/{issue_number}/comments');
        expect(routes).toContain('POST /repos/{owner}/{repo}/statuses/{sha}');
      }
      expect(server.violations).toEqual([]);
      for (const step of steps.filter((candidate) =>
        candidate.uses?.startsWith('actions/upload-artifact@'),
      )) {
        expect(await readdir(artifacts)).toContain(String(step.with?.name ?? 'artifact'));
      }
    });
  },
);
