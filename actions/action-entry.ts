import { resolve } from 'node:path';
import { EXIT_CODES, InputError, internalErrorLine } from '../shared/errors.ts';
import { removeTemporariesOnSignals } from '../shared/fs/temporary-files.ts';
import type { AnyGate } from '../shared/gate.ts';
import { prepareOutFolder, runGate } from '../shared/run-gate.ts';
import { createGitHubRuntime } from '../shared/runtime/github-runtime.ts';
import { loadMlgateConfig } from './config-schema.ts';

/** Inputs every gate's action.yml declares. */
export const COMMON_INPUTS = { config: 'config', out: 'out', token: 'token' } as const;

/** The body of every `actions/<gate>/main.ts`: the gate run with the GitHub runtime. Sets the exit code. */
export async function runAsAction(gate: AnyGate): Promise<void> {
  const token = process.env[`INPUT_${COMMON_INPUTS.token.toUpperCase()}`]?.trim();
  const runtime = createGitHubRuntime(token ? { token } : {});
  removeTemporariesOnSignals();
  try {
    const config = await loadMlgateConfig(runtime.input(COMMON_INPUTS.config)?.toString() ?? 'mlgate.yml');
    const out = resolve(runtime.input(COMMON_INPUTS.out)?.toString() ?? 'mlgate-results');
    await prepareOutFolder(out);
    const outcome = await runGate(gate, { config, runtime, out });
    if (outcome.toolMessage !== undefined) runtime.log.info(outcome.toolMessage);
    else if (outcome.result.status === 'error') runtime.log.error(outcome.result.summary);
    else runtime.log.info(`${gate.name}: ${outcome.result.status}: ${outcome.result.summary}`);
    process.exitCode = outcome.exitCode;
  } catch (error) {
    const message = error instanceof InputError ? error.message : internalErrorLine(error);
    runtime.annotate({
      level: 'error',
      title: `mlgate ${gate.name}`,
      message,
      ...(error instanceof InputError && error.location ? { location: error.location } : {}),
    });
    process.exitCode = error instanceof InputError ? EXIT_CODES.input : EXIT_CODES.internal;
  }
}
