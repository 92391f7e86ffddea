import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ActionMetadata, inputVariable, readActionMetadata } from '../actions/action-metadata.ts';
import { parseKeyValueFile, parseWorkflowCommands, type WorkflowCommand } from './workflow-commands.ts';
import {
  type ExpressionObject,
  type ExpressionScope,
  type ExpressionValue,
  evaluateCondition,
  interpolate,
} from './workflow-expression.ts';

/** What a `uses:` step inside a composite action does in a test (there is no marketplace here). */
export type UsesHandler = (step: {
  uses: string;
  with: Record<string, string>;
  actionDir: string;
  /** `GITHUB_WORKSPACE` of the job the step runs in. */
  workspace: string;
}) => Promise<Record<string, string>> | Record<string, string>;

export interface RunActionOptions {
  /** The folder holding `action.yml`, as the runner checks it out for `uses:`. */
  actionDir: string;
  /** The `with:` of the step that uses the action. */
  inputs?: Record<string, string>;
  /** `GITHUB_WORKSPACE`, the working directory of the action. */
  workspace: string;
  event: { name: string; payload: Record<string, unknown> };
  repository?: string;
  sha?: string;
  ref?: string;
  /** `GITHUB_API_URL`: a `startGitHubApiServer()` URL. */
  apiUrl?: string;
  /** The job's token: what `${{ github.token }}` gives. */
  token?: string;
  /**
   * `MLGATE_ARTIFACT_DIR`: artifacts go to this folder instead of the artifact service (which needs the
   * runner's ACTIONS_RUNTIME_TOKEN). Defaults to a scratch folder; pass one shared folder to hand
   * artifacts from one action to the next, as jobs of one workflow run do.
   */
  artifactDir?: string;
  runner?: { os: 'Linux' | 'macOS' | 'Windows'; arch: 'X64' | 'ARM64' | 'X86' | 'ARM' };
  /** Handlers for `uses:` steps of composite actions, keyed by `owner/name` (the part before `@`). */
  uses?: Record<string, UsesHandler>;
  /** Extra environment of the job (`env:` of the workflow or job). */
  env?: Record<string, string>;
}

export interface StepRun {
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
}

/** Everything a test can observe of one action run, as the runner would record it. */
export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  /** The step summary the action appended (`GITHUB_STEP_SUMMARY`). */
  summary: string;
  /** Variables the action exported for later steps (`GITHUB_ENV`). */
  exportedEnv: Record<string, string>;
  /** Folders the action put on `PATH` for later steps (`GITHUB_PATH`), in order. */
  addedPath: string[];
  stdout: string;
  stderr: string;
  /** Workflow commands in the log: annotations (`error`, `warning`, `notice`), `add-mask`, `debug`... */
  commands: WorkflowCommand[];
  /** For composite actions, each step's outcome. */
  steps: StepRun[];
  durationMs: number;
}

// The runner gives an action only what the job defines; the test process's own GITHUB_* and INPUT_*
// variables (when the suite itself runs in Actions) must not leak into the action under test.
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'SystemRoot', 'ComSpec', 'PATHEXT'];

/** The runner's per-step files (`GITHUB_OUTPUT`, `GITHUB_ENV`...), empty, in a scratch folder. */
export interface RunnerFiles {
  event: string;
  output: string;
  summary: string;
  env: string;
  path: string;
  state: string;
  temp: string;
  artifacts: string;
}

/** Creates the files and folders the runner gives a step, with the event payload written out. */
export async function createRunnerFiles(payload: Record<string, unknown>): Promise<RunnerFiles> {
  const scratch = await mkdtemp(join(tmpdir(), 'mlgate-runner-'));
  const at = (name: string) => join(scratch, name);
  const files: RunnerFiles = {
    event: at('event.json'),
    output: at('output'),
    summary: at('summary.md'),
    env: at('env'),
    path: at('path'),
    state: at('state'),
    temp: at('temp'),
    artifacts: at('artifacts'),
  };
  await mkdir(files.temp, { recursive: true });
  await writeFile(files.event, JSON.stringify(payload, null, 2));
  for (const file of [files.output, files.summary, files.env, files.path, files.state])
    await writeFile(file, '');
  return files;
}

/** The lines of a `GITHUB_PATH` file: folders to put first on `PATH`, in the order they were added. */
export function parsePathFile(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line !== '');
}

/**
 * The environment the runner gives a step: only what the job defines plus the runner's own variables
 * (`GITHUB_*`, `RUNNER_*`), never the test process's.
 */
export function runnerEnvironment(
  options: Omit<RunActionOptions, 'actionDir'>,
  files: RunnerFiles,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const runner = options.runner ?? { os: 'Linux', arch: 'X64' };
  const repository = options.repository ?? 'octo-org/models';
  Object.assign(env, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0]!,
    GITHUB_SHA: options.sha ?? 'f'.repeat(40),
    GITHUB_REF: options.ref ?? 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
    RUNNER_OS: runner.os,
    RUNNER_ARCH: runner.arch,
    RUNNER_TEMP: files.temp,
    MLGATE_ARTIFACT_DIR: options.artifactDir ?? files.artifacts,
    ...(options.env ?? {}),
  });
  return env;
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

function githubContext(options: RunActionOptions, env: Record<string, string>, actionDir: string) {
  return {
    token: options.token ?? '',
    workspace: options.workspace,
    repository: env.GITHUB_REPOSITORY!,
    sha: env.GITHUB_SHA!,
    ref: env.GITHUB_REF!,
    event_name: options.event.name,
    event: options.event.payload as ExpressionObject,
    action_path: actionDir,
    server_url: env.GITHUB_SERVER_URL!,
    api_url: env.GITHUB_API_URL!,
    run_id: env.GITHUB_RUN_ID!,
  };
}

/** The inputs as the runner resolves them: given values, else defaults (expressions evaluated). */
function resolveInputs(
  metadata: ActionMetadata,
  given: Record<string, string>,
  scope: ExpressionScope,
): Record<string, string> {
  const unknown = Object.keys(given).filter((name) => !(name in metadata.inputs));
  if (unknown.length > 0) {
    // The runner only warns; in tests an unexpected input is always a mistake worth failing on.
    throw new Error(`unexpected input(s) ${unknown.join(', ')}: not declared in action.yml`);
  }
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(metadata.inputs)) {
    const value = given[name] ?? (spec.default !== undefined ? interpolate(spec.default, scope) : '');
    if (spec.required && value === '') throw new Error(`input ${name} is required by action.yml`);
    inputs[name] = value;
  }
  return inputs;
}

/**
 * Runs an action the way the Actions runner does: reads its `action.yml`, resolves inputs and defaults,
 * sets the runner's environment and file-command files, then runs `runs.main` with Node (a JavaScript
 * action) or each step in turn (a composite action, with `if:`, `env:`, step outputs and `uses:` steps
 * answered by `options.uses`). Returns what the runner would record.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const started = performance.now();
  const actionDir = resolve(options.actionDir);
  const metadata = await readActionMetadata(join(actionDir, 'action.yml'));
  const files = await createRunnerFiles(options.event.payload);
  const env = runnerEnvironment(options, files);
  const runner = options.runner ?? { os: 'Linux', arch: 'X64' };
  const contexts: Record<string, ExpressionValue> = {
    github: githubContext(options, env, actionDir),
    runner: { os: runner.os, arch: runner.arch, temp: files.temp },
    env: { ...(options.env ?? {}) },
  };
  const inputs = resolveInputs(metadata, options.inputs ?? {}, { contexts, succeeded: true });
  contexts.inputs = inputs;

  let result: Omit<ActionRun, 'summary' | 'exportedEnv' | 'addedPath' | 'commands' | 'durationMs'>;
  if (metadata.runs.using === 'composite') {
    result = await runComposite(metadata, actionDir, env, contexts, options);
  } else {
    // JavaScript actions get their inputs as INPUT_<NAME>; composite actions do not.
    for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
    const main = join(actionDir, metadata.runs.main);
    const { code, stdout, stderr } = await run(process.execPath, [main], env, options.workspace);
    result = {
      exitCode: code,
      stdout,
      stderr,
      outputs: parseKeyValueFile(await readFile(files.output, 'utf8')),
      steps: [],
    };
  }
  return {
    ...result,
    summary: await readFile(files.summary, 'utf8'),
    exportedEnv: parseKeyValueFile(await readFile(files.env, 'utf8')),
    addedPath: parsePathFile(await readFile(files.path, 'utf8')),
    commands: parseWorkflowCommands(result.stdout),
    durationMs: Math.round(performance.now() - started),
  };
}

async function runComposite(
  metadata: ActionMetadata,
  actionDir: string,
  baseEnv: Record<string, string>,
  contexts: Record<string, ExpressionValue>,
  options: RunActionOptions,
): Promise<Omit<ActionRun, 'summary' | 'exportedEnv' | 'addedPath' | 'commands' | 'durationMs'>> {
  if (metadata.runs.using !== 'composite') throw new Error('not a composite action');
  const stepsContext: Record<string, ExpressionValue> = {};
  contexts.steps = stepsContext;
  const steps: StepRun[] = [];
  let succeeded = true;
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const [index, step] of metadata.runs.steps.entries()) {
    const scope: ExpressionScope = { contexts, succeeded };
    const name = step.name ?? step.id ?? `step ${index + 1}`;
    if (!evaluateCondition(step.if, scope)) {
      steps.push({ name, outcome: 'skipped', outputs: {} });
      if (step.id) stepsContext[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    let outputs: Record<string, string> = {};
    let ok: boolean;
    if ('uses' in step) {
      const key = step.uses.split('@')[0]!;
      const handler = options.uses?.[key];
      if (!handler)
        throw new Error(`composite step "${name}" uses ${step.uses}: give options.uses['${key}']`);
      const withValues = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([field, value]) => [field, interpolate(String(value), scope)]),
      );
      outputs = await handler({ uses: step.uses, with: withValues, actionDir, workspace: options.workspace });
      ok = true;
    } else {
      const outputFile = join(baseEnv.RUNNER_TEMP!, `step-${index}-output`);
      await writeFile(outputFile, '');
      const script = join(baseEnv.RUNNER_TEMP!, `step-${index}.sh`);
      await writeFile(script, interpolate(step.run, scope));
      const env = {
        ...baseEnv,
        GITHUB_ACTION_PATH: actionDir,
        GITHUB_OUTPUT: outputFile,
        ...Object.fromEntries(
          Object.entries(step.env ?? {}).map(([field, value]) => [field, interpolate(String(value), scope)]),
        ),
      };
      if (step.shell !== 'bash')
        throw new Error(`composite step "${name}": only shell: bash is supported here`);
      const cwd = step['working-directory']
        ? interpolate(step['working-directory'], scope)
        : options.workspace;
      // The runner's command for `shell: bash`.
      const result = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], env, cwd);
      stdout += result.stdout;
      stderr += result.stderr;
      outputs = parseKeyValueFile(await readFile(outputFile, 'utf8'));
      ok = result.code === 0;
      if (!ok) exitCode = result.code;
    }
    steps.push({ name, outcome: ok ? 'success' : 'failure', outputs });
    if (step.id) {
      const outcome = ok ? 'success' : 'failure';
      stepsContext[step.id] = { outputs, outcome, conclusion: outcome };
    }
    if (!ok) succeeded = false;
  }
  const finalScope: ExpressionScope = { contexts, succeeded };
  const outputs = Object.fromEntries(
    Object.entries(metadata.outputs).map(([name, output]) => [
      name,
      interpolate(output.value ?? '', finalScope),
    ]),
  );
  return { exitCode, outputs, stdout, stderr, steps };
}
