import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionMetadata } from '../../shared/actions/action-metadata.ts';
import { startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { pullRequestEvent } from '../../shared/testing/github-events.ts';
import { runWorkflowJob } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR, discoverActions } from '../build.ts';
import { ALL_GATES } from '../gates.ts';
import { workflowBlocks } from '../lint-actions.ts';
import { localArtifactActions, type StagedActions, stageActions, warmNativeCache } from './stage-actions.ts';

const ROOT = join(ACTIONS_DIR, '..');
const run = promisify(execFile);
/** How a workflow refers to an mlgate action: `<owner>/mlgate/actions/<gate>@<ref>`, or `./actions/<gate>` in this repository. */
const MLGATE_ACTION = /^(?:[^/@\s]+\/mlgate\/actions\/([a-z-]+)@\S+|\.\/actions\/([a-z-]+))$/;

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

/** The copy-paste workflows of each gate's docs page. */
async function docsWorkflows() {
  const found: { gate: string; index: number; text: string }[] = [];
  for (const gate of ALL_GATES) {
    const blocks = workflowBlocks(await readFile(join(ROOT, 'docs', `${gate.name}.md`), 'utf8'));
    for (const [index, block] of blocks.entries()) found.push({ gate: gate.name, index, text: block.text });
  }
  return found;
}

const workflows = await docsWorkflows();

describe.each(
  workflows.map((workflow) => [`docs/${workflow.gate}.md`, workflow.index + 1, workflow] as const),
)('%s, workflow %i', (_file, _index, workflow) => {
  it('refers to mlgate actions that exist, with inputs they declare', async () => {
    const parsed = parse(workflow.text) as { jobs: Record<string, { steps: Step[] }> };
    for (const job of Object.values(parsed.jobs)) {
      for (const step of job.steps) {
        if (!step.uses || !/mlgate|^\.\/actions\//.test(step.uses)) continue;
        const match = MLGATE_ACTION.exec(step.uses);
        expect(match, `${step.uses} is not <owner>/mlgate/actions/<gate>@<ref>`).not.toBeNull();
        const action = await readActionMetadata(join(ACTIONS_DIR, match![1] ?? match![2]!, 'action.yml'));
        for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
      }
    }
  });
});

// Jobs made only of actions run end to end here; jobs with their own shell steps (npm ci...) are the
// user's business and are checked above and by actionlint only.
const runnable = workflows.filter((workflow) => {
  const parsed = parse(workflow.text) as { on: unknown; jobs: Record<string, { steps: Step[] }> };
  const onPullRequest = JSON.stringify(parsed.on).includes('pull_request');
  const jobs = Object.values(parsed.jobs);
  return onPullRequest && jobs.length === 1 && jobs[0]!.steps.every((step) => step.uses !== undefined);
});

let staged: StagedActions;
const cleanup: string[] = [];
beforeAll(async () => {
  const gates = new Set(ALL_GATES.map((gate) => gate.name));
  staged = await stageActions((await discoverActions()).filter((action) => gates.has(action.name)));
});
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  await staged.remove();
});

describe.each(runnable.map((workflow) => [`docs/${workflow.gate}.md`, workflow] as const))(
  '%s',
  (_file, workflow) => {
    it('runs as written over the fixtures', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mlgate-docs-'));
      cleanup.push(dir);
      for (const path of ['fixtures', 'shared', 'package.json']) {
        await cp(join(ROOT, path), join(dir, path), { recursive: true });
      }
      await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      await run('git', ['init', '-q', '-b', 'main'], { cwd: dir });
      const server = await startGitHubApiServer({});
      try {
        const workflowFile = parse(workflow.text);
        const stand = localArtifactActions(join(dir, '.artifacts'), () => dir);
        const [job] = Object.keys(workflowFile.jobs);
        const result = await runWorkflowJob({
          workflow: workflowFile,
          job: job!,
          workspace: dir,
          event: {
            name: 'pull_request',
            payload: pullRequestEvent({
              owner: 'octo-org',
              repo: 'models',
              number: 3,
              headSha: 'a'.repeat(40),
              baseSha: 'b'.repeat(40),
            }),
          },
          apiUrl: server.url,
          artifactDir: join(dir, '.artifacts'),
          overrideWith: { config: 'fixtures/mlgate.yml' },
          uses: { 'actions/cache': warmNativeCache },
          resolve: (uses) => {
            const match = MLGATE_ACTION.exec(uses);
            if (match) return staged.dirs[match[1] ?? match[2]!];
            if (/^actions\/(checkout|setup-node)@/.test(uses)) return () => ({});
            return stand[uses.split('@')[0]!];
          },
        });
        const gateRun = result.actions[Object.keys(result.actions)[0]!]!;
        expect(gateRun.stderr).toBe('');
        expect(['pass', 'warn'], gateRun.outputs.summary).toContain(gateRun.outputs.status);
        expect(result.result).toBe('success');
        expect(server.violations).toEqual([]);
      } finally {
        await server.close();
      }
    });
  },
);
