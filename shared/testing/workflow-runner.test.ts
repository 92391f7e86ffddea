import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullRequestEvent, workflowDispatchEvent } from './github-events.ts';
import { tempDir } from './temp-dir.ts';
import { jobOrder, matrixLegs, parseWorkflow, runWorkflow } from './workflow-runner.ts';

// Jobs listed out of order, so that only `needs:` can put them right.
const WORKFLOW = `name: runner features
on:
  workflow_dispatch:
    inputs:
      greeting: { type: string, default: hello }
      loud: { type: boolean, default: false }
env:
  LEVEL: workflow
  SHARED: from-workflow
jobs:
  report:
    needs: [build, test]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - env:
          WORD: \${{ needs.build.outputs.word }}
          RESULTS: \${{ join(needs.*.result, ',') }}
        run: echo "word=$WORD results=$RESULTS" >> "$GITHUB_STEP_SUMMARY"
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      matrix:
        shard: [1, 2]
        include:
          - shard: 3
    steps:
      - env:
          SHARD: \${{ matrix.shard }}
          LEG: \${{ strategy.job-index }}/\${{ strategy.job-total }}
        run: |
          echo "shard $SHARD ($LEG)" >> "$GITHUB_STEP_SUMMARY"
          test "$SHARD" != 2
  build:
    runs-on: ubuntu-latest
    env:
      SHARED: from-job
    outputs:
      word: \${{ steps.make.outputs.word }}
    defaults:
      run:
        working-directory: sub
    steps:
      - id: make
        env:
          GREETING: \${{ inputs.greeting }}
          LOUD: \${{ inputs.loud }}
          EVENT_GREETING: \${{ github.event.inputs.greeting }}
        run: |
          echo "word=$GREETING-$LOUD-$EVENT_GREETING" >> "$GITHUB_OUTPUT"
          echo "EXPORTED=yes" >> "$GITHUB_ENV"
          mkdir -p bin && printf '#!/bin/sh\\necho tool-ran\\n' > bin/tool && chmod +x bin/tool
          echo "$PWD/bin" >> "$GITHUB_PATH"
          echo "$(basename "$PWD") $LEVEL $SHARED" >> "$GITHUB_STEP_SUMMARY"
          if [ "$GITHUB_EVENT_NAME" = workflow_dispatch ]; then
            test "$(jq -r .inputs.greeting "$GITHUB_EVENT_PATH")" = "$GREETING"
          fi
      - run: echo "$EXPORTED $(tool) \${{ env.EXPORTED }}" >> "$GITHUB_STEP_SUMMARY"
      - id: tolerated
        continue-on-error: true
        run: exit 4
      - run: exit 3
      - if: success()
        run: echo never >> "$GITHUB_STEP_SUMMARY"
      - id: after
        if: failure()
        run: echo "outcome=\${{ steps.make.outcome }} \${{ steps.tolerated.outcome }}/\${{ steps.tolerated.conclusion }}" >> "$GITHUB_STEP_SUMMARY"
      - run: npm ci
        if: always()
`;

/** A folder per job and matrix shard under `root`, with the `sub` folder the workflow's steps use. */
function jobWorkspace(root: string) {
  return async (job: string, matrix: Record<string, unknown>) => {
    const dir = join(root, job, String(matrix.shard ?? ''));
    await mkdir(join(dir, 'sub'), { recursive: true });
    return dir;
  };
}

describe('runWorkflow', () => {
  it('runs jobs in needs order, with env, file commands, outputs, matrix legs and status functions', async () => {
    const workspace = await tempDir();
    const workflow = parseWorkflow(WORKFLOW);
    const run = await runWorkflow({
      workflow,
      workspace: jobWorkspace(workspace),
      event: {
        name: 'workflow_dispatch',
        payload: workflowDispatchEvent({
          owner: 'octo-org',
          repo: 'models',
          inputs: { greeting: 'hi', loud: 'true' },
        }),
      },
      standInRun: { 'npm ci': 'echo "stood in for npm ci" >> "$GITHUB_STEP_SUMMARY"' },
      resolve: () => undefined,
    });
    expect(run.order).toEqual(['build', 'test', 'report']);
    const build = run.jobs.build!;
    expect(build.summary).toBe(
      [
        'sub workflow from-job',
        'yes tool-ran yes',
        'outcome=success failure/success',
        'stood in for npm ci',
        '',
      ].join('\n'),
    );
    expect(build.steps.map((step) => step.outcome)).toEqual([
      'success',
      'success',
      'failure',
      'failure',
      'skipped',
      'success',
      'success',
    ]);
    expect(build.steps.at(-1)!.standIn).toContain('stood in');
    expect(build.result).toBe('failure');
    // `inputs` (declared, typed) and `github.event.inputs` (as sent) both reach the step through env:.
    expect(build.outputs).toEqual({ word: 'hi-true-hi' });
    // test needs build, which failed: skipped; report runs anyway (always()), with needs' results and outputs.
    expect(run.jobs.test!.result).toBe('skipped');
    expect(run.jobs.report!.summary).toBe('word=hi-true-hi results=failure,skipped\n');
    expect(run.result).toBe('failure');
  });

  it('runs each matrix leg, and a job fails when one leg does', async () => {
    const workspace = await tempDir();
    const workflow = parseWorkflow(WORKFLOW);
    workflow.jobs.build!.steps.splice(2);
    const run = await runWorkflow({
      workflow,
      workspace: jobWorkspace(workspace),
      event: {
        name: 'pull_request',
        payload: pullRequestEvent({
          owner: 'o',
          repo: 'r',
          number: 1,
          headSha: 'a'.repeat(40),
          baseSha: 'b'.repeat(40),
        }),
      },
      resolve: () => undefined,
    });
    // Without dispatch inputs, inputs take the declared defaults.
    expect(run.jobs.build!.outputs).toEqual({ word: 'hello-false-' });
    expect(run.jobs.test!.legs.map((leg) => [leg.summary, leg.result])).toEqual([
      ['shard 1 (0/3)\n', 'success'],
      ['shard 2 (1/3)\n', 'failure'],
      ['shard 3 (2/3)\n', 'success'],
    ]);
    expect(run.jobs.test!.result).toBe('failure');
    expect(run.jobs.report!.summary).toBe('word=hello-false- results=success,failure\n');
  });
});

describe('matrix legs and job order', () => {
  const scope = { contexts: {}, succeeded: true };
  it('crosses the axes, drops exclude, extends or adds include', () => {
    expect(
      matrixLegs(
        {
          os: ['linux', 'mac'],
          node: [22, 24],
          exclude: [{ os: 'mac', node: 22 }],
          include: [
            { os: 'linux', experimental: true },
            { os: 'windows', node: 24 },
          ],
        },
        scope,
      ),
    ).toEqual([
      { os: 'linux', node: 22, experimental: true },
      { os: 'linux', node: 24, experimental: true },
      { os: 'mac', node: 24 },
      { os: 'windows', node: 24 },
    ]);
    expect(matrixLegs(undefined, scope)).toEqual([{}]);
  });

  it('refuses a needs cycle and a job that does not exist', () => {
    const job = (needs: string[]) => ({ needs, steps: [] });
    expect(() => jobOrder({ on: 'push', jobs: { a: job(['b']), b: job(['a']) } })).toThrow(/cycle/);
    expect(() => jobOrder({ on: 'push', jobs: { a: job(['c']) } })).toThrow(/"c"/);
  });
});
