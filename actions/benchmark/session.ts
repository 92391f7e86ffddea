import { arch, platform } from 'node:os';
import { env, InferenceSession, listSupportedBackends } from 'onnxruntime-node';
import { InputError } from '../../shared/errors.ts';
import { type OnnxModel, openModel } from '../../shared/onnx/model-io.ts';
import type { SessionSettings } from './settings.ts';

/** The onnxruntime-node version in use (from its `env`, so it is the one actually loaded). */
export function onnxruntimeVersion(): string {
  return env.versions.common ?? 'unknown';
}

/**
 * Throws InputError unless every configured execution provider is offered by this onnxruntime-node build.
 * Providers listed as "not bundled" need a separate install, which we cannot check more cheaply than
 * by trying; onnxruntime then reports the reason, which `openSession` passes on.
 */
export function checkExecutionProviders(providers: readonly string[]): void {
  const available = listSupportedBackends();
  for (const provider of providers) {
    if (!available.some((backend) => backend.name === provider)) {
      throw new InputError(
        `execution provider "${provider}" is not available in onnxruntime-node ${onnxruntimeVersion()} on ${platform()}/${arch()} (available: ${available.map((backend) => backend.name).join(', ')})`,
      );
    }
  }
}

export function sessionOptions(settings: SessionSettings): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: settings['intra-op-threads'],
    interOpNumThreads: settings['inter-op-threads'],
    graphOptimizationLevel: settings['graph-optimization-level'],
    executionMode: settings['execution-mode'],
    executionProviders: settings['execution-providers'],
  };
}

/** A model opened for measurement, with what loading it cost. */
export interface OpenedModel {
  session: InferenceSession;
  /** The model as every gate opens it: `run` fetches its tensor outputs only. */
  model: OnnxModel;
  /** Milliseconds `InferenceSession.create` took (parsing, optimisation, allocation). */
  coldStartMs: number;
  sizeBytes: number;
}

/**
 * Cold start of each model: the median of `repeats` session creations per model, alternating between
 * the models, so onnxruntime's one-time initialisation and the file cache do not land on whichever
 * model happens to be loaded first.
 */
export async function measureColdStarts(
  paths: readonly string[],
  settings: SessionSettings,
  repeats = 3,
): Promise<number[]> {
  const times: number[][] = paths.map(() => []);
  for (let round = 0; round < repeats; round++) {
    for (const [index, path] of paths.entries()) {
      const started = performance.now();
      const session = await InferenceSession.create(path, sessionOptions(settings));
      times[index]!.push(performance.now() - started);
      await session.release();
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!);
}

/**
 * Opens a model file the way every gate does (`openModel`): a missing, unpulled (LFS, DVC), empty,
 * truncated or unloadable model is an InputError naming the file.
 */
export async function openSession(
  path: string,
  display: string,
  settings: SessionSettings,
): Promise<OpenedModel> {
  const started = performance.now();
  const model = await openModel(path, display, sessionOptions(settings));
  return {
    session: model.session,
    model,
    coldStartMs: performance.now() - started,
    sizeBytes: model.file.bytes.length,
  };
}

/**
 * What the measurement loops call: the session's `run` with the tensor outputs named, so a model with a
 * ZipMap output (which onnxruntime-node cannot return) is measured too. Errors were already turned into
 * one-line messages by a trial run (`trialRun`), so nothing wraps the timed call.
 */
export function runnerOf(model: OnnxModel): Pick<InferenceSession, 'run'> {
  const { session, fetches } = model;
  return { run: (feeds: InferenceSession.FeedsType) => session.run(feeds, fetches) };
}
