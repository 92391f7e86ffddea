import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { BaseConfig } from './config/config-schema.ts';
import type { LoadedConfig } from './config/load-config.ts';
import {
  EXIT_CODES,
  type ExitCode,
  fileProblem,
  InputError,
  internalErrorLine,
  serviceFailureLine,
} from './errors.ts';
import { writeJsonAtomic } from './fs/atomic-write.ts';
import { displayPath } from './fs/display-path.ts';
import { sha256File } from './fs/sha256.ts';
import type { AnyGate, GateReport } from './gate.ts';
import { renderGateSummary } from './report/gate-summary.ts';
import {
  exitCodeFor,
  GATE_RESULT_SCHEMA,
  type GateResult,
  type Subject,
  statusFromChecks,
} from './result/gate-result.ts';
import { applyWaivers } from './result/waivers.ts';
import type { RawInputs, Runtime } from './runtime/runtime.ts';
import { MLGATE_VERSION } from './version.ts';

export interface RunGateOptions {
  config: LoadedConfig<BaseConfig & { gates: Record<string, unknown> }>;
  runtime: Runtime;
  /** Absolute `--out` folder. */
  out: string;
  /** The gate's own inputs, raw; read from the runtime when absent. */
  inputs?: RawInputs;
  now?: () => Date;
  debug?: boolean;
}

export interface GateOutcome {
  result: GateResult;
  /** 0 pass or warn, 1 fail, 2 the user's mistake, 3 a bug (see `EXIT_CODES`). */
  exitCode: ExitCode;
  /** Set when the invocation ran an auxiliary tool (e.g. `--infer`) instead of judging. */
  toolMessage?: string;
}

function readInputs(gate: AnyGate, runtime: Runtime): RawInputs {
  const inputs: RawInputs = {};
  for (const [name, spec] of Object.entries(gate.inputs)) {
    inputs[name] = runtime.input(name, { multiple: spec.multiple === true });
  }
  return inputs;
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new InputError(`${what}${path ? ` ${path}` : ''}: ${issue.message}`);
}

async function describeSubject(config: RunGateOptions['config'], runtime: Runtime): Promise<Subject> {
  const subject: Subject = {};
  const model = config.config.model;
  if (model) {
    const path = config.resolve(model.path);
    let sha256: string | undefined;
    try {
      await access(path);
      sha256 = await sha256File(path);
    } catch {
      sha256 = undefined;
    }
    subject.model = {
      name: model.name,
      ...(model.version ? { version: model.version } : {}),
      ...(sha256 ? { sha256 } : {}),
    };
  }
  if (runtime.context.sha) subject.commit = runtime.context.sha;
  return subject;
}

async function judge(
  gate: AnyGate,
  options: RunGateOptions,
  emitTool: (message: string) => void,
): Promise<GateReport> {
  const { config, runtime, out } = options;
  const written = config.config.gates[gate.name];
  const settings = parseWith(gate.settings, written ?? {}, `gates.${gate.name}`);
  const gateOptions = parseWith(gate.options, options.inputs ?? readInputs(gate, runtime), 'input');
  if (gate.needsModel && !config.config.model) {
    throw new InputError(`gates.${gate.name} needs a model: add \`model: { name, path }\` to the config`, {
      file: config.file,
    });
  }
  const context = {
    settings,
    options: gateOptions,
    config,
    runtime,
    out,
    now: options.now ?? (() => new Date()),
  };
  if (gate.runTool) {
    const message = await gate.runTool(context);
    if (message !== undefined) {
      emitTool(message);
      return { summary: message, checks: [] };
    }
  }
  await clearStaleResult(resultFile(gate, out));
  return gate.run(context);
}

/**
 * Creates the `--out` folder and proves it writable, so that a file in the way or a read-only folder is
 * one line before any gate runs instead of after a long one. Throws InputError.
 */
export async function prepareOutFolder(out: string): Promise<void> {
  await mkdir(out, { recursive: true }).catch((error: unknown) => {
    throw fileProblem(error, displayPath(out), 'use --out as the results folder');
  });
  const probe = join(out, '.mlgate-write-check');
  await writeFile(probe, '').catch((error: unknown) => {
    throw fileProblem(error, displayPath(out), 'write results into --out');
  });
  await rm(probe, { force: true });
}

function resultFile(gate: AnyGate, out: string): string {
  return join(out, `${gate.name}.json`);
}

/**
 * Removes an earlier run's result before judging, so that a run that does not finish (killed, out of
 * memory) leaves no result that looks current. A folder in the way is reported now, before any work.
 */
async function clearStaleResult(file: string): Promise<void> {
  const existing = await stat(file).catch(() => undefined);
  if (!existing) return;
  if (existing.isDirectory()) {
    throw new InputError('a folder is in the way of the result file; remove it or choose another --out', {
      file: displayPath(file),
    });
  }
  await rm(file, { force: true }).catch((error: unknown) => {
    throw fileProblem(error, displayPath(file), 'remove the earlier result');
  });
}

/** A warning check standing for a run that judged nothing: "nothing checked" must not read as a pass. */
function nothingCheckedCheck(gate: AnyGate, report: GateReport): GateReport['checks'][number] {
  const skipped = report.checks.filter((check) => check.status === 'skip');
  const reason =
    report.nothingChecked ??
    (skipped.length > 0
      ? `all ${skipped.length} checks were skipped (${skipped[0]!.id}: ${skipped[0]!.message})`
      : `the configuration of gates.${gate.name} leads to no check`);
  return {
    id: `${gate.name}.nothing-checked`,
    status: 'warn',
    message: `nothing was checked: ${reason}`,
  };
}

/**
 * Runs one gate end to end: validates its settings and inputs, runs it, applies waivers, writes
 * `<out>/<gate>.json` atomically, and reports through the runtime (summary, annotations, outputs).
 * User mistakes become an `error` result with exit code 2 and a one-line message, bugs one with exit code 3.
 * Throws an InputError only when the result itself cannot be written (an unwritable `--out`).
 */
export async function runGate(gate: AnyGate, options: RunGateOptions): Promise<GateOutcome> {
  const { config, runtime, out } = options;
  const now = options.now ?? (() => new Date());
  const started = now();
  const clock = performance.now();
  let toolMessage: string | undefined;
  let report: GateReport;
  let failed: string | undefined;
  let internal = false;
  try {
    report = await judge(gate, options, (message) => {
      toolMessage = message;
    });
  } catch (error) {
    const service = serviceFailureLine(error);
    internal = !(error instanceof InputError) && service === undefined;
    failed = error instanceof InputError ? error.message : (service ?? internalErrorLine(error));
    if (internal) runtime.log.debug(error instanceof Error && error.stack ? error.stack : String(error));
    report = { summary: failed, checks: [] };
  }
  if (toolMessage !== undefined) {
    const result = buildResult(
      gate.name,
      report,
      'pass',
      [],
      await describeSubject(config, runtime),
      started,
      clock,
    );
    return { result, exitCode: 0, toolMessage };
  }
  const waived = applyWaivers(report.checks, config.config.waivers, now());
  const skipped = waived.checks.filter((check) => check.status === 'skip').length;
  if (!failed && waived.checks.length === skipped) {
    const warning = nothingCheckedCheck(gate, report);
    waived.checks.push(warning);
    report = { ...report, summary: warning.message };
  }
  const status = failed ? 'error' : statusFromChecks(waived.checks);
  const result = buildResult(
    gate.name,
    { ...report, checks: waived.checks },
    status,
    waived.report,
    await describeSubject(config, runtime),
    started,
    clock,
  );
  const file = resultFile(gate, out);
  await writeJsonAtomic(file, result);
  await publish(result, file, runtime, failed);
  return { result, exitCode: internal ? EXIT_CODES.internal : exitCodeFor(status) };
}

function buildResult(
  gate: string,
  report: GateReport,
  status: GateResult['status'],
  waivers: GateResult['waivers'],
  subject: Subject,
  started: Date,
  clock: number,
): GateResult {
  return {
    schema: GATE_RESULT_SCHEMA,
    gate,
    status,
    summary: report.summary,
    checks: report.checks,
    metrics: report.metrics ?? {},
    subject,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - clock),
    tool: { name: 'mlgate', version: MLGATE_VERSION },
    ...(waivers && waivers.length > 0 ? { waivers } : {}),
    ...(report.tables ? { tables: report.tables } : {}),
    ...(report.charts ? { charts: report.charts } : {}),
    ...(report.details ? { details: report.details } : {}),
  };
}

async function publish(result: GateResult, file: string, runtime: Runtime, failed: string | undefined) {
  if (failed) runtime.annotate({ level: 'error', title: `mlgate ${result.gate}`, message: failed });
  for (const check of result.checks) {
    if (check.status !== 'fail' && check.status !== 'warn' && check.status !== 'error') continue;
    runtime.annotate({
      level: check.status === 'warn' ? 'warning' : 'error',
      title: `${result.gate}: ${check.id}`,
      message: check.message,
      ...(check.location ? { location: check.location } : {}),
    });
  }
  await runtime.appendSummary(renderGateSummary(result));
  runtime.setOutput('status', result.status);
  runtime.setOutput('result', file);
  runtime.setOutput('summary', result.summary);
}
