import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { readActionMetadata } from '../actions/action-metadata.ts';
import { type ActionRun, type RunActionOptions, runAction, type UsesHandler } from './action-runner.ts';
import { parseKeyValueFile } from './workflow-commands.ts';
import {
  type ExpressionScope,
  type ExpressionValue,
  evaluateCondition,
  interpolate,
} from './workflow-expression.ts';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Step = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), Scalar).optional(),
  env: z.record(z.string(), Scalar).optional(),
});
const Job = z.looseObject({
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  env: z.record(z.string(), Scalar).optional(),
  steps: z.array(Step),
});
const Workflow = z.looseObject({
  env: z.record(z.string(), Scalar).optional(),
  jobs: z.record(z.string(), Job),
});
type Workflow = z.infer<typeof Workflow>;

/** Reads a workflow file for `runWorkflowJob`. */
export async function readWorkflow(file: string): Promise<Workflow> {
  return Workflow.parse(parse(await readFile(file, 'utf8')));
}

export interface JobResult {
  result: 'success' | 'failure' | 'skipped';
  /** One entry per step that ran an action (the runs a test asserts on), by step id or name. */
  actions: Record<string, ActionRun>;
  steps: { name: string; outcome: 'success' | 'failure' | 'skipped' }[];
  /** The job's step summary: each step's, in order. */
  summary: string;
}

export interface RunJobOptions extends Omit<RunActionOptions, 'actionDir' | 'inputs'> {
  workflow: Workflow;
  job: string;
  /** Values of the `matrix` context, for one leg of a matrix job. */
  matrix?: Record<string, string>;
  /** Results of the jobs this one `needs`. */
  needs?: Record<string, { result: JobResult['result'] }>;
  /** Inputs set on every step that runs an action declaring them, over its `with:` (e.g. a config path). */
  overrideWith?: Record<string, string>;
  /** `inputs` of a workflow_dispatch run (booleans for `type: boolean` inputs, as the runner gives them). */
  workflowInputs?: Record<string, string | boolean>;
  /**
   * Where a step's `uses:` goes: a folder holding an action (run with `runAction`, as the runner would
   * after checking it out), or a handler standing in for a third-party action.
   */
  resolve(uses: string): string | UsesHandler | undefined;
}

function runBash(script: string, env: Record<string, string>, cwd: string) {
  return new Promise<{ code: number; stdout: string }>((resolvePromise, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout }));
  });
}

/**
 * Runs one job of a workflow file the way the runner does, step by step in one workspace: `if:` with
 * `needs`, `matrix`, `inputs` and `steps` contexts, `with:`/`env:` interpolated, actions run through
 * `runAction`, `run:` steps through bash with inputs reaching them only via `env:`. So the workflows
 * under docs/ are executed by the tests, not only linted.
 */
export async function runWorkflowJob(options: RunJobOptions): Promise<JobResult> {
  const job = options.workflow.jobs[options.job];
  if (!job) throw new Error(`the workflow has no job "${options.job}"`);
  const needs = [job.needs ?? []].flat();
  const needsContext: Record<string, ExpressionValue> = {};
  for (const name of needs) {
    const result = options.needs?.[name];
    if (!result) throw new Error(`job ${options.job} needs ${name}: pass its result in options.needs`);
    needsContext[name] = { result: result.result, outputs: {} };
  }
  const stepsContext: Record<string, ExpressionValue> = {};
  const env = { ...(options.workflow.env ?? {}), ...(job.env ?? {}), ...(options.env ?? {}) };
  const contexts: Record<string, ExpressionValue> = {
    github: {
      token: options.token ?? '',
      event_name: options.event.name,
      event: options.event.payload as Record<string, ExpressionValue>,
      repository: options.repository ?? 'octo-org/models',
      sha: options.sha ?? 'f'.repeat(40),
      ref: options.ref ?? 'refs/heads/main',
      workspace: options.workspace,
    },
    needs: needsContext,
    matrix: options.matrix ?? {},
    inputs: options.workflowInputs ?? {},
    steps: stepsContext,
    env: Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value)])),
    runner: { os: options.runner?.os ?? 'Linux', arch: options.runner?.arch ?? 'X64' },
  };
  // Like a step's success(), a job's default condition is that every job it needs succeeded.
  const allNeedsSucceeded = needs.every((name) => options.needs?.[name]?.result === 'success');
  if (!evaluateCondition(job.if, { contexts, succeeded: allNeedsSucceeded })) {
    return { result: 'skipped', actions: {}, steps: [], summary: '' };
  }
  const result: JobResult = { result: 'success', actions: {}, steps: [], summary: '' };
  let succeeded = true;
  for (const [index, step] of job.steps.entries()) {
    const scope: ExpressionScope = { contexts, succeeded };
    const name = step.name ?? step.id ?? step.uses ?? `step ${index + 1}`;
    if (!evaluateCondition(step.if, scope)) {
      result.steps.push({ name, outcome: 'skipped' });
      if (step.id) stepsContext[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
      continue;
    }
    const stepEnv = Object.fromEntries(
      Object.entries({ ...env, ...(step.env ?? {}) }).map(([key, value]) => [
        key,
        interpolate(String(value), scope),
      ]),
    );
    let ok: boolean;
    let outputs: Record<string, string> = {};
    if (step.uses) {
      const target = options.resolve(step.uses);
      if (target === undefined) throw new Error(`no stand-in for step "${name}" (uses: ${step.uses})`);
      const withValues = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([key, value]) => [key, interpolate(String(value), scope)]),
      );
      if (typeof target === 'string') {
        const declared = (await readActionMetadata(join(target, 'action.yml'))).inputs;
        for (const [key, value] of Object.entries(options.overrideWith ?? {})) {
          if (key in declared) withValues[key] = value;
        }
        const run = await runAction({ ...options, actionDir: target, inputs: withValues, env: stepEnv });
        result.actions[step.id ?? name] = run;
        result.summary += run.summary;
        outputs = run.outputs;
        ok = run.exitCode === 0;
      } else {
        outputs = await target({ uses: step.uses, with: withValues, actionDir: options.workspace });
        ok = true;
      }
    } else if (step.run !== undefined) {
      const scratch = await mkdtemp(join(tmpdir(), 'mlgate-step-'));
      const files = { output: join(scratch, 'output'), summary: join(scratch, 'summary.md') };
      await writeFile(files.output, '');
      await writeFile(files.summary, '');
      const processEnv: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: options.workspace,
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
        ...stepEnv,
      };
      const run = await runBash(interpolate(step.run, scope), processEnv, options.workspace);
      outputs = parseKeyValueFile(await readFile(files.output, 'utf8'));
      result.summary += await readFile(files.summary, 'utf8');
      ok = run.code === 0;
    } else {
      throw new Error(`step "${name}" has neither uses: nor run:`);
    }
    result.steps.push({ name, outcome: ok ? 'success' : 'failure' });
    if (step.id) stepsContext[step.id] = { outcome: ok ? 'success' : 'failure', outputs };
    if (!ok) succeeded = false;
  }
  result.result = succeeded ? 'success' : 'failure';
  return result;
}
