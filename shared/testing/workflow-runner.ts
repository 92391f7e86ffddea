import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { readActionMetadata } from '../actions/action-metadata.ts';
import {
  type ActionRun,
  createRunnerFiles,
  parsePathFile,
  type RunActionOptions,
  runAction,
  runnerEnvironment,
  type UsesHandler,
} from './action-runner.ts';
import { parseKeyValueFile } from './workflow-commands.ts';
import {
  type ExpressionScope,
  type ExpressionValue,
  evaluateCondition,
  evaluateExpression,
  interpolate,
} from './workflow-expression.ts';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Step = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  shell: z.string().optional(),
  'working-directory': z.string().optional(),
  'continue-on-error': z.union([z.string(), z.boolean()]).optional(),
  with: z.record(z.string(), Scalar).optional(),
  env: z.record(z.string(), Scalar).optional(),
});
/** `defaults:` of a workflow or a job: the shell and working directory of its `run:` steps. */
const Defaults = z
  .looseObject({
    run: z
      .looseObject({ shell: z.string().optional(), 'working-directory': z.string().optional() })
      .optional(),
  })
  .optional();
const Job = z.looseObject({
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  env: z.record(z.string(), Scalar).optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  defaults: Defaults,
  strategy: z
    .looseObject({
      matrix: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    })
    .optional(),
  steps: z.array(Step),
});
const DispatchInput = z.looseObject({
  type: z.string().optional(),
  default: Scalar.optional(),
});
const Workflow = z.looseObject({
  name: z.string().optional(),
  on: z.unknown(),
  env: z.record(z.string(), Scalar).optional(),
  defaults: Defaults,
  jobs: z.record(z.string(), Job),
});
export type Workflow = z.infer<typeof Workflow>;
type Conclusion = 'success' | 'failure' | 'skipped';

/** Reads a workflow file for `runWorkflowJob` and `runWorkflow`. */
export async function readWorkflow(file: string): Promise<Workflow> {
  return parseWorkflow(await readFile(file, 'utf8'));
}

/** Parses a workflow's text (a file, or a copy-paste block of the docs). */
export function parseWorkflow(text: string): Workflow {
  return Workflow.parse(parse(text));
}

export interface JobResult {
  result: Conclusion;
  /** The job's `outputs:`, evaluated after its last step. */
  outputs: Record<string, string>;
  /** One entry per step that ran an action (the runs a test asserts on), by step id or name. */
  actions: Record<string, ActionRun>;
  steps: {
    name: string;
    outcome: Conclusion;
    /** A `run:` step's output (stdout and stderr, interleaved). */
    log?: string;
    /** Set when the test stood in for a `run:` script (`RunJobOptions.standInRun`). */
    standIn?: string;
  }[];
  /** The job's step summary: each step's, in order. */
  summary: string;
}

export interface RunJobOptions extends Omit<RunActionOptions, 'actionDir' | 'inputs'> {
  workflow: Workflow;
  job: string;
  /** Values of the `matrix` context, for one leg of a matrix job. */
  matrix?: Record<string, ExpressionValue>;
  /** Which leg this is, of how many (the `strategy` context). */
  leg?: { index: number; total: number };
  /** Results of the jobs this one `needs` (and their outputs, if any). */
  needs?: Record<string, { result: Conclusion; outputs?: Record<string, string> }>;
  /** Inputs set on every step that runs an action declaring them, over its `with:` (e.g. a config path). */
  overrideWith?: Record<string, string>;
  /**
   * `inputs` of a workflow_dispatch run. Defaults to the event payload's `inputs` over the workflow's
   * declared defaults, with `type: boolean` inputs as booleans (as the runner gives them).
   */
  workflowInputs?: Record<string, string | boolean>;
  /**
   * `run:` scripts the test replaces, by their exact text (trimmed), with the script to run instead. Only
   * for steps that cannot run here (e.g. `npm ci`, which would delete and download node_modules); each
   * replacement must say why in the test, and the job's `steps` record it.
   */
  standInRun?: Record<string, string>;
  /**
   * Where a step's `uses:` goes: a folder holding an action (run with `runAction`, as the runner would
   * after checking it out), or a handler standing in for a third-party action.
   */
  resolve(uses: string): string | UsesHandler | undefined;
}

function runBash(script: string, env: Record<string, string>, cwd: string) {
  return new Promise<{ code: number; log: string }>((resolvePromise, reject) => {
    // The runner's command for `shell: bash` (the default on Linux when bash is there).
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, log }));
  });
}

/** The `on:` triggers of a workflow, as a map (`on: pull_request` and `on: [a, b]` included). */
function triggers(workflow: Workflow): Record<string, unknown> {
  const on = workflow.on;
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((name) => [String(name), null]));
  return on && typeof on === 'object' ? (on as Record<string, unknown>) : {};
}

/** The `inputs` context of a workflow_dispatch run: given values over declared defaults, typed. */
function dispatchInputs(
  workflow: Workflow,
  payload: Record<string, unknown>,
): Record<string, ExpressionValue> {
  const dispatch = triggers(workflow).workflow_dispatch as { inputs?: unknown } | null | undefined;
  const declared = z.record(z.string(), DispatchInput).parse(dispatch?.inputs ?? {});
  const given = (payload.inputs ?? {}) as Record<string, unknown>;
  const inputs: Record<string, ExpressionValue> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const raw = given[name] ?? spec.default;
    if (raw === undefined) inputs[name] = spec.type === 'boolean' ? false : '';
    else if (spec.type === 'boolean') inputs[name] = raw === true || raw === 'true';
    else if (spec.type === 'number') inputs[name] = Number(raw);
    else inputs[name] = String(raw);
  }
  return inputs;
}

/**
 * Runs one job of a workflow the way the runner does, step by step in one workspace: `if:` with the
 * status functions and the `needs`, `matrix`, `inputs`, `env` and `steps` contexts; `with:`/`env:`
 * interpolated; actions run through `runAction`; `run:` steps through bash with the runner's environment
 * (workflow, job and step `env:`, `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH`, `GITHUB_STEP_SUMMARY`,
 * `GITHUB_EVENT_PATH`...), so inputs reach scripts only as the workflow passes them; then the job's
 * `outputs:`. So the workflows under docs/ are executed by the tests, not only linted.
 */
export async function runWorkflowJob(options: RunJobOptions): Promise<JobResult> {
  const job = options.workflow.jobs[options.job];
  if (!job) throw new Error(`the workflow has no job "${options.job}"`);
  for (const key of ['container', 'services', 'uses']) {
    // Rather than run such a job wrongly, say this runner does not do it.
    if (key in job) throw new Error(`job ${options.job}: ${key}: is not supported by this runner`);
  }
  const needs = [job.needs ?? []].flat();
  const needsContext: Record<string, ExpressionValue> = {};
  for (const name of needs) {
    const result = options.needs?.[name];
    if (!result) throw new Error(`job ${options.job} needs ${name}: pass its result in options.needs`);
    needsContext[name] = { result: result.result, outputs: result.outputs ?? {} };
  }
  const stepsContext: Record<string, ExpressionValue> = {};
  const repository = options.repository ?? 'octo-org/models';
  const ref = options.ref ?? 'refs/heads/main';
  const token = options.token ?? '';
  // What `env:` of the workflow and job and `GITHUB_ENV` of earlier steps give every later step.
  const jobEnv: Record<string, string> = {};
  const addedPath: string[] = [];
  const pullRequest = (options.event.payload.pull_request ?? {}) as {
    head?: { ref?: string };
    base?: { ref?: string };
  };
  const contexts: Record<string, ExpressionValue> = {
    github: {
      token,
      job: options.job,
      workflow: options.workflow.name ?? '',
      event_name: options.event.name,
      event: options.event.payload as Record<string, ExpressionValue>,
      repository,
      repository_owner: repository.split('/')[0]!,
      sha: options.sha ?? 'f'.repeat(40),
      ref,
      ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
      head_ref: pullRequest.head?.ref ?? '',
      base_ref: pullRequest.base?.ref ?? '',
      workspace: options.workspace,
      run_id: '4242',
      run_number: '1',
      run_attempt: '1',
      actor: 'octocat',
      server_url: 'https://github.com',
      api_url: options.apiUrl ?? 'http://127.0.0.1:9',
    },
    needs: needsContext,
    matrix: options.matrix ?? {},
    strategy: { 'job-index': options.leg?.index ?? 0, 'job-total': options.leg?.total ?? 1 },
    inputs: options.workflowInputs ?? dispatchInputs(options.workflow, options.event.payload),
    steps: stepsContext,
    secrets: { GITHUB_TOKEN: token },
    vars: {},
    job: { status: 'success' },
    env: jobEnv,
    runner: { os: options.runner?.os ?? 'Linux', arch: options.runner?.arch ?? 'X64' },
  };
  // Like a step's success(), a job's default condition is that every job it needs succeeded.
  const allNeedsSucceeded = needs.every((name) => options.needs?.[name]?.result === 'success');
  if (!evaluateCondition(job.if, { contexts, succeeded: allNeedsSucceeded })) {
    return { result: 'skipped', outputs: {}, actions: {}, steps: [], summary: '' };
  }
  const interpolateEnv = (
    values: Record<string, string | number | boolean> | undefined,
    scope: ExpressionScope,
  ) =>
    Object.fromEntries(
      Object.entries(values ?? {}).map(([key, value]) => [key, interpolate(String(value), scope)]),
    );
  // Workflow-level env may use only some contexts; job-level may use matrix, needs...: both evaluated once.
  Object.assign(jobEnv, interpolateEnv(options.workflow.env, { contexts, succeeded: true }));
  Object.assign(jobEnv, interpolateEnv(job.env, { contexts, succeeded: true }));
  Object.assign(jobEnv, options.env ?? {});

  const result: JobResult = { result: 'success', outputs: {}, actions: {}, steps: [], summary: '' };
  let succeeded = true;
  for (const [index, step] of job.steps.entries()) {
    (contexts.job as { status: string }).status = succeeded ? 'success' : 'failure';
    const scope: ExpressionScope = { contexts, succeeded };
    const name = step.name ?? step.id ?? step.uses ?? `step ${index + 1}`;
    if (!evaluateCondition(step.if, scope)) {
      result.steps.push({ name, outcome: 'skipped' });
      if (step.id) stepsContext[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
      continue;
    }
    const stepEnv = { ...jobEnv, ...interpolateEnv(step.env, scope) };
    if (addedPath.length > 0) {
      stepEnv.PATH = [...addedPath, stepEnv.PATH ?? process.env.PATH ?? ''].join(delimiter);
    }
    let ok: boolean;
    let outputs: Record<string, string> = {};
    let exported: Record<string, string> = {};
    let pathAdded: string[] = [];
    if (step.uses) {
      const target = options.resolve(step.uses);
      if (target === undefined) throw new Error(`no stand-in for step "${name}" (uses: ${step.uses})`);
      const withValues = interpolateEnv(step.with, scope);
      if (typeof target === 'string') {
        const declared = (await readActionMetadata(join(target, 'action.yml'))).inputs;
        for (const [key, value] of Object.entries(options.overrideWith ?? {})) {
          if (key in declared) withValues[key] = value;
        }
        const run = await runAction({ ...options, actionDir: target, inputs: withValues, env: stepEnv });
        result.actions[step.id ?? name] = run;
        result.summary += run.summary;
        outputs = run.outputs;
        exported = run.exportedEnv;
        pathAdded = run.addedPath;
        ok = run.exitCode === 0;
      } else {
        outputs = await target({
          uses: step.uses,
          with: withValues,
          actionDir: options.workspace,
          workspace: options.workspace,
        });
        ok = true;
      }
    } else if (step.run !== undefined) {
      const shell = step.shell ?? job.defaults?.run?.shell ?? options.workflow.defaults?.run?.shell ?? 'bash';
      if (shell !== 'bash') throw new Error(`step "${name}": only shell: bash is supported here`);
      const directory =
        step['working-directory'] ??
        job.defaults?.run?.['working-directory'] ??
        options.workflow.defaults?.run?.['working-directory'];
      const cwd = directory ? resolve(options.workspace, interpolate(directory, scope)) : options.workspace;
      const script = interpolate(step.run, scope);
      const standIn = options.standInRun?.[script.trim()];
      const files = await createRunnerFiles(options.event.payload);
      const env = runnerEnvironment({ ...options, env: stepEnv }, files);
      const run = await runBash(standIn ?? script, env, cwd);
      outputs = parseKeyValueFile(await readFile(files.output, 'utf8'));
      exported = parseKeyValueFile(await readFile(files.env, 'utf8'));
      pathAdded = parsePathFile(await readFile(files.path, 'utf8'));
      result.summary += await readFile(files.summary, 'utf8');
      ok = run.code === 0;
      result.steps.push({
        name,
        outcome: ok ? 'success' : 'failure',
        log: run.log,
        ...(standIn === undefined ? {} : { standIn }),
      });
    } else {
      throw new Error(`step "${name}" has neither uses: nor run:`);
    }
    if (step.run === undefined) result.steps.push({ name, outcome: ok ? 'success' : 'failure' });
    Object.assign(jobEnv, exported);
    addedPath.unshift(...pathAdded.reverse());
    // continue-on-error: the step's outcome is failure, its conclusion success, and the job goes on.
    const tolerated =
      !ok && evaluateCondition(String(step['continue-on-error'] ?? false), { contexts, succeeded: true });
    if (step.id) {
      const outcome = ok ? 'success' : 'failure';
      stepsContext[step.id] = { outcome, conclusion: tolerated ? 'success' : outcome, outputs };
    }
    if (!ok && !tolerated) succeeded = false;
  }
  result.result = succeeded ? 'success' : 'failure';
  const finalScope: ExpressionScope = { contexts, succeeded };
  result.outputs = Object.fromEntries(
    Object.entries(job.outputs ?? {}).map(([name, value]) => [name, interpolate(value, finalScope)]),
  );
  return result;
}

/** The legs of a job's `strategy.matrix`: the product of its lists, then `exclude`, then `include`. */
export function matrixLegs(
  matrix: string | Record<string, unknown> | undefined,
  scope: ExpressionScope,
): Record<string, ExpressionValue>[] {
  if (matrix === undefined) return [{}];
  const resolved = (
    typeof matrix === 'string'
      ? evaluateExpression(matrix.replace(/^\$\{\{([\s\S]*)\}\}$/, '$1'), scope)
      : matrix
  ) as Record<string, unknown>;
  const { include, exclude, ...axes } = resolved;
  let legs: Record<string, ExpressionValue>[] = [{}];
  for (const [axis, values] of Object.entries(axes)) {
    if (!Array.isArray(values)) throw new Error(`matrix axis ${axis} is not a list`);
    legs = legs.flatMap((leg) => values.map((value) => ({ ...leg, [axis]: value as ExpressionValue })));
  }
  const matches = (leg: Record<string, ExpressionValue>, pattern: Record<string, unknown>) =>
    Object.entries(pattern).every(([key, value]) => JSON.stringify(leg[key]) === JSON.stringify(value));
  if (Array.isArray(exclude)) {
    legs = legs.filter((leg) => !exclude.some((pattern) => matches(leg, pattern as Record<string, unknown>)));
  }
  if (Array.isArray(include)) {
    for (const extra of include as Record<string, ExpressionValue>[]) {
      const original = Object.keys(axes);
      const targets = legs.filter((leg) =>
        original.every((key) => !(key in extra) || JSON.stringify(leg[key]) === JSON.stringify(extra[key])),
      );
      if (Object.keys(axes).length > 0 && targets.length > 0)
        for (const leg of targets) Object.assign(leg, extra);
      else legs.push({ ...extra });
    }
  }
  return legs.length === 0 ? [{}] : legs;
}

export interface RunWorkflowOptions extends Omit<RunJobOptions, 'job' | 'matrix' | 'needs' | 'workspace'> {
  /**
   * The workspace of each job (each leg of a matrix job), as a fresh runner checks it out. Jobs of one
   * run share nothing but artifacts and `needs` outputs, so give each a folder of its own.
   */
  workspace(job: string, matrix: Record<string, ExpressionValue>): string | Promise<string>;
  /** Only these jobs run (with the `needs` they name); a job not listed counts as skipped. */
  jobs?: readonly string[];
}

export interface WorkflowRun {
  /** Every job's result; a matrix job's is the combination of its legs'. */
  jobs: Record<string, JobResult & { legs: JobResult[] }>;
  /** The order the jobs ran in. */
  order: string[];
  result: 'success' | 'failure';
}

/** The jobs of a workflow in an order that runs every job after the jobs it `needs`. */
export function jobOrder(workflow: Workflow): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new Error(`the jobs' needs: form a cycle through ${name}`);
    const job = workflow.jobs[name];
    if (!job) throw new Error(`a job needs "${name}", which the workflow does not define`);
    visiting.add(name);
    for (const need of [job.needs ?? []].flat()) visit(need);
    visiting.delete(name);
    order.push(name);
  };
  for (const name of Object.keys(workflow.jobs)) visit(name);
  return order;
}

function combine(legs: JobResult[]): JobResult & { legs: JobResult[] } {
  const results = legs.map((leg) => leg.result);
  const result: Conclusion = results.includes('failure')
    ? 'failure'
    : results.every((value) => value === 'skipped')
      ? 'skipped'
      : 'success';
  // Like the runner, a matrix job's outputs are those its legs set, the last one winning.
  const outputs: Record<string, string> = {};
  for (const leg of legs) {
    for (const [name, value] of Object.entries(leg.outputs)) if (value !== '') outputs[name] = value;
  }
  return {
    result,
    outputs,
    actions: Object.assign({}, ...legs.map((leg) => leg.actions)),
    steps: legs.flatMap((leg) => leg.steps),
    summary: legs.map((leg) => leg.summary).join(''),
    legs,
  };
}

/**
 * Runs a whole workflow as one run of it: its jobs in `needs:` order (one after another; the runner
 * would run independent jobs in parallel, which changes nothing they can observe), each matrix job leg
 * by leg, each job in its own workspace, with `needs.<job>.result` and `needs.<job>.outputs` handed on.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRun> {
  const run: WorkflowRun = { jobs: {}, order: [], result: 'success' };
  const skipped = (): JobResult & { legs: JobResult[] } => ({
    result: 'skipped',
    outputs: {},
    actions: {},
    steps: [],
    summary: '',
    legs: [],
  });
  for (const name of jobOrder(options.workflow)) {
    if (options.jobs && !options.jobs.includes(name)) {
      run.jobs[name] = skipped();
      continue;
    }
    const job = options.workflow.jobs[name]!;
    const scope: ExpressionScope = {
      contexts: { github: { event: options.event.payload as Record<string, ExpressionValue> }, inputs: {} },
      succeeded: true,
    };
    const legs: JobResult[] = [];
    const matrices = matrixLegs(job.strategy?.matrix as string | Record<string, unknown> | undefined, scope);
    for (const [index, matrix] of matrices.entries()) {
      const workspace = await options.workspace(name, matrix);
      const leg = { index, total: matrices.length };
      legs.push(await runWorkflowJob({ ...options, job: name, matrix, leg, needs: run.jobs, workspace }));
    }
    run.jobs[name] = combine(legs);
    run.order.push(name);
    if (run.jobs[name]!.result === 'failure') run.result = 'failure';
  }
  return run;
}
