import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { EXIT_CODES, errorMessage, InputError, internalErrorLine } from '../shared/errors.ts';
import { removeTemporariesOnSignals } from '../shared/fs/temporary-files.ts';
import type { AnyGate } from '../shared/gate.ts';
import type { GateResult } from '../shared/result/gate-result.ts';
import { prepareOutFolder, runGate } from '../shared/run-gate.ts';
import { createLocalRuntime } from '../shared/runtime/local-runtime.ts';
import type { RawInputs } from '../shared/runtime/runtime.ts';
import { MLGATE_VERSION } from '../shared/version.ts';
import { renderRunTable } from './cli-table.ts';
import { ALL_GATES, findGate, GATES, loadMlgateConfig } from './gates.ts';
import { runInit } from './init/init.ts';
import { registryCommand } from './registry-command.ts';

const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c', default: 'mlgate.yml' },
  out: { type: 'string', short: 'o', default: 'out' },
  json: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

const COMMON_HELP = [
  ['-c, --config FILE', 'the mlgate config (default: mlgate.yml)'],
  ['-o, --out DIR', 'where results are written (default: out)'],
  ['--json', 'print the results as JSON on stdout instead of a table'],
  ['--debug', 'show debug logs and stack traces of internal errors'],
  ['-h, --help', 'show this help'],
] as const;

const EXIT_CODES_HELP = `${EXIT_CODES.pass} pass or warn, ${EXIT_CODES.fail} a gate failed, ${EXIT_CODES.input} bad input or config, ${EXIT_CODES.internal} internal error (a bug: please report it)`;

function columns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n');
}

function mainHelp(): string {
  return [
    `mlgate ${MLGATE_VERSION}: quality gates for machine-learning models`,
    '',
    'Usage: mlgate <command> [options]',
    '',
    'Commands:',
    columns([
      [
        'run',
        `run every gate configured in mlgate.yml (${GATES.map((gate) => gate.name).join(', ') || 'none yet'})`,
      ],
      ...ALL_GATES.map((gate) => [gate.name, gate.description] as const),
      ['init', 'write a starting mlgate.yml and PR workflow for a repository'],
      ['registry', "show each model's current stage and promotion history (from git tags)"],
    ]),
    '',
    'Options:',
    columns(COMMON_HELP),
    '',
    `Exit codes: ${EXIT_CODES_HELP}.`,
    "Run 'mlgate <command> --help' for a command's own options.",
  ].join('\n');
}

function gateHelp(gate: AnyGate): string {
  const own = Object.entries(gate.inputs).map(
    ([name, spec]) =>
      [
        `--${name}${spec.flag ? '' : ` ${spec.valueName ?? 'VALUE'}`}`,
        `${spec.description}${spec.multiple ? ' (repeatable)' : ''}`,
      ] as const,
  );
  return [
    `Usage: mlgate ${gate.name} [options]`,
    '',
    gate.description,
    '',
    'Options:',
    columns([...own, ...COMMON_HELP]),
    '',
    `Writes <out>/${gate.name}.json. Exit codes: ${EXIT_CODES_HELP}.`,
  ].join('\n');
}

function gateOptionConfig(gate: AnyGate | undefined): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = { ...COMMON_OPTIONS };
  for (const [name, spec] of Object.entries(gate?.inputs ?? {})) {
    options[name] = spec.flag ? { type: 'boolean' } : { type: 'string', multiple: spec.multiple === true };
  }
  return options;
}

function rawInputs(gate: AnyGate, values: Record<string, unknown>): RawInputs {
  const inputs: RawInputs = {};
  for (const name of Object.keys(gate.inputs)) {
    const value = values[name];
    if (typeof value === 'boolean') inputs[name] = String(value);
    else if (typeof value === 'string' || Array.isArray(value)) inputs[name] = value as string | string[];
  }
  return inputs;
}

interface Streams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. Never throws. */
export async function main(argv: readonly string[], streams: Streams = process): Promise<number> {
  const [command, ...rest] = argv;
  const say = (text: string) => streams.stdout.write(`${text}\n`);
  const complain = (text: string) => streams.stderr.write(`mlgate: ${text}\n`);
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    say(mainHelp());
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    say(MLGATE_VERSION);
    return 0;
  }
  if (command === 'init') return runInit(rest, streams);
  if (command === 'registry') return registryCommand(rest, streams);
  const gate = findGate(command);
  if (!gate && command !== 'run') {
    complain(`unknown command "${command}"; run 'mlgate --help' for the list`);
    return 2;
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: gateOptionConfig(gate),
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    complain(`${errorMessage(error).split('\n')[0]}; run 'mlgate ${command} --help'`);
    return 2;
  }
  if (values.help) {
    say(gate ? gateHelp(gate) : mainHelp());
    return 0;
  }
  const debug = values.debug === true;
  const out = resolve(String(values.out));
  removeTemporariesOnSignals();
  try {
    const config = await loadMlgateConfig(String(values.config));
    const runtime = await createLocalRuntime({
      out,
      debug,
      stream: streams.stderr,
      ...(gate ? { inputs: rawInputs(gate, values) } : {}),
    });
    const selected = gate
      ? [gate]
      : GATES.filter((candidate) => config.config.gates[candidate.name as never] !== undefined);
    await prepareOutFolder(out);
    if (!gate) await rm(resolve(out, 'summary.md'), { force: true });
    const results: GateResult[] = [];
    let exitCode: number = EXIT_CODES.pass;
    for (const next of selected) {
      const outcome = await runtime.log.group(next.name, () =>
        runGate(next, { config, runtime, out, debug }),
      );
      if (outcome.toolMessage !== undefined) {
        say(outcome.toolMessage);
        return 0;
      }
      results.push(outcome.result);
      // The codes are ordered by severity: a bug outranks bad input, which outranks a failed gate.
      exitCode = Math.max(exitCode, outcome.exitCode);
    }
    if (values.json) say(JSON.stringify(gate ? results[0] : results, null, 2));
    else say(renderRunTable(results, out));
    return exitCode;
  } catch (error) {
    if (error instanceof InputError) {
      complain(error.message);
      return EXIT_CODES.input;
    }
    complain(internalErrorLine(error));
    if (debug && error instanceof Error) streams.stderr.write(`${error.stack}\n`);
    return EXIT_CODES.internal;
  }
}
