import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pullRequestEvent } from '../../shared/testing/github-events.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { type JobResult, runWorkflowJob } from '../../shared/testing/workflow-runner.ts';
import { ACTIONS_DIR } from '../build.ts';
import { lintWorkflow } from '../lint-actions.ts';
import { localArtifactActions, type StagedActions, stageActions } from './stage-actions.ts';

const TINY = join(ACTIONS_DIR, 'e2e', 'tiny-gate');

// Two jobs as in docs/workflows/pr-quality-gates.yml: one gate uploads its result, a later job that
// needs it downloads every result and reads it in a shell step that gets values only through env:.
const WORKFLOW = `name: tiny
on: pull_request
permissions: {}
jobs:
  measure:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1
      - id: tiny
        uses: octo-org/mlgate/actions/tiny@v1
        with:
          value: \${{ github.event.pull_request.number }}
          out: mlgate-results
      - uses: actions/upload-artifact@b7c566a772e6b6bfb58ed0dc250532a479d7789f # v6.0.0
        if: always()
        with:
          name: mlgate-tiny
          path: mlgate-results/
  report:
    needs: [measure]
    if: always()
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - uses: actions/download-artifact@37930b1c2abaa49bbe596cd826c3c89aef350131 # v7.0.0
        with:
          pattern: mlgate-*
          path: gathered
          merge-multiple: true
      - env:
          OUTCOME: \${{ needs.measure.result }}
        run: |
          status=$(node -p 'require("./gathered/tiny.json").status')
          echo "measure $OUTCOME, tiny $status" >> "$GITHUB_STEP_SUMMARY"
`;

let staged: StagedActions;
beforeAll(async () => {
  staged = await stageActions([{ name: 'tiny', entry: join(TINY, 'main.ts'), source: TINY }]);
});
afterAll(() => staged.remove());

async function runPullRequest(number: number) {
  const workspace = await tempDir();
  await writeFile(join(workspace, 'mlgate.yml'), 'version: 1\n');
  const artifacts = await tempDir();
  const stand = localArtifactActions(artifacts);
  const base = {
    workflow: parse(WORKFLOW),
    workspace,
    event: {
      name: 'pull_request',
      payload: pullRequestEvent({
        owner: 'octo-org',
        repo: 'models',
        number,
        headSha: '3'.repeat(40),
        baseSha: '4'.repeat(40),
      }),
    },
    resolve: (uses: string) =>
      uses.startsWith('octo-org/mlgate/actions/tiny@')
        ? staged.dirs.tiny
        : uses.startsWith('actions/checkout@')
          ? () => ({})
          : stand[uses.split('@')[0]!],
  };
  const measure = await runWorkflowJob({ ...base, job: 'measure' });
  await mkdir(join(workspace, 'gathered'), { recursive: true });
  const report = await runWorkflowJob({ ...base, job: 'report', needs: { measure } });
  return { measure, report };
}

it('the workflow itself passes actionlint', async () => {
  expect(await lintWorkflow(WORKFLOW, 'tiny.yml')).toEqual([]);
});

it('runs job after job, handing the result over as an artifact', async () => {
  const { measure, report } = await runPullRequest(4);
  expect(measure.result).toBe('success');
  expect(measure.actions.tiny!.outputs.status).toBe('pass');
  expect(report.result).toBe('success');
  expect(report.summary).toBe('measure success, tiny pass\n');
});

it('still reports when the gate failed, as `if: always()` says', async () => {
  const { measure, report }: { measure: JobResult; report: JobResult } = await runPullRequest(42);
  expect(measure.result).toBe('failure');
  expect(measure.steps.map((step) => step.outcome)).toEqual(['success', 'failure', 'success']);
  expect(report.summary).toBe('measure failure, tiny fail\n');
  expect(JSON.parse(await readFile(measure.actions.tiny!.outputs.result!, 'utf8')).status).toBe('fail');
});
