import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, InputError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/runtime/runtime.ts';
import { dvcHash } from './dvc-lock.ts';
import type { RerunPlan, RunPlace, Step } from './plan.ts';
import { type CommandOutcome, describeCommand, runCommand } from './run-command.ts';
import { makeCleanCopy } from './workspace.ts';

export interface RerunOptions {
  mode: 'copy' | 'workspace';
  /** The folder a clean copy copies. */
  root: string;
  link: readonly string[];
  repeats: number;
  timeoutMs: number;
  env: Record<string, string>;
  log: Logger;
  /** Called after each rerun of a plan, for progress reporting. */
  onRerun?: () => void;
  /** The environment commands inherit (process.env unless a test says otherwise). */
  baseEnv?: NodeJS.ProcessEnv;
}

export interface StepFailure {
  step: string;
  command: string;
  repeat: number;
  outcome: CommandOutcome;
}

export interface OutChange {
  stage: string;
  path: string;
  tracked?: string;
  rerun?: string;
}

export interface PlanOutcome {
  plan: RerunPlan;
  /** Per repeat that completed: experiment -> metrics it wrote. */
  reruns: Map<string, Record<string, number>>[];
  failure?: StepFailure;
  /** A metrics file the rerun wrote that could not be read. */
  unreadable?: string;
  /** DVC outs whose hash differs from dvc.lock after the first rerun (informational). */
  changedOuts: OutChange[];
  durationMs: number;
}

/**
 * Variables a JavaScript action receives that a `run:` step would not: its inputs (the token among them)
 * and the runner's own tokens for caches, artifacts and OIDC. Repository code must not inherit them: with
 * ACTIONS_RUNTIME_TOKEN a pull request could write the cache that later trusted runs restore.
 */
const WITHHELD =
  /^(INPUT_.*|ACTIONS_RUNTIME_TOKEN|ACTIONS_RUNTIME_URL|ACTIONS_CACHE_URL|ACTIONS_RESULTS_URL|ACTIONS_ID_TOKEN_REQUEST_TOKEN|ACTIONS_ID_TOKEN_REQUEST_URL)$/;

/** The environment a rerun command inherits: the job's, minus what only the action should hold. */
export function inheritedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !WITHHELD.test(key.toUpperCase())));
}

function stepEnv(step: Step, options: RerunOptions, mlflowStore: string): NodeJS.ProcessEnv {
  return {
    ...inheritedEnv(options.baseEnv ?? process.env),
    ...options.env,
    ...step.env,
    // The rerun logs to a private store, never to the tracking server the tracked runs came from.
    MLFLOW_TRACKING_URI: pathToFileURL(mlflowStore).href,
  };
}

async function compareOuts(plan: RerunPlan, place: RunPlace): Promise<OutChange[]> {
  const changed: OutChange[] = [];
  for (const out of plan.outs) {
    if (!out.md5) continue;
    const rerun = await dvcHash(place.at(out.path), out.legacy);
    if (rerun !== out.md5) {
      changed.push({ stage: out.stage, path: out.display, tracked: out.md5, ...(rerun ? { rerun } : {}) });
    }
  }
  return changed;
}

/**
 * Reruns one plan `repeats` times, each time in a fresh clean copy (or in place), and collects what each
 * rerun wrote. Stops at the first command that fails or times out, keeping its output tail.
 */
export async function rerunPlan(plan: RerunPlan, options: RerunOptions): Promise<PlanOutcome> {
  const started = performance.now();
  const outcome: PlanOutcome = { plan, reruns: [], changedOuts: [], durationMs: 0 };
  for (let repeat = 1; repeat <= options.repeats && !outcome.failure && !outcome.unreadable; repeat++) {
    const copy =
      options.mode === 'copy' ? await makeCleanCopy(options.root, options.link, plan.inputs) : undefined;
    const mlflowStore = await mkdtemp(join(tmpdir(), 'mlgate-mlruns-'));
    const place: RunPlace = { at: copy ? copy.at : (path) => path, mlflowStore };
    try {
      for (const step of plan.steps) {
        const command = describeCommand(step.command);
        options.log.info(
          `${plan.label}: ${step.name}${options.repeats > 1 ? ` (run ${repeat}/${options.repeats})` : ''}: ${command}`,
        );
        const result = await runCommand(step.command, {
          cwd: place.at(step.cwd),
          env: stepEnv(step, options, mlflowStore),
          timeoutMs: options.timeoutMs,
          onOutput: (chunk) => options.log.debug(chunk.trimEnd()),
        });
        if (result.kind !== 'ok') {
          outcome.failure = { step: step.name, command, repeat, outcome: result };
          break;
        }
      }
      if (!outcome.failure) {
        try {
          outcome.reruns.push(await plan.collect(place));
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          outcome.unreadable = errorMessage(error);
        }
        if (repeat === 1) outcome.changedOuts = await compareOuts(plan, place);
      }
    } finally {
      await copy?.remove();
      await rm(mlflowStore, { recursive: true, force: true });
      options.onRerun?.();
    }
  }
  outcome.durationMs = performance.now() - started;
  return outcome;
}
