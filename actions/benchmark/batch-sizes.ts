import { InputError, type SourceLocation } from '../../shared/errors.ts';
import { describeShape } from '../../shared/onnx/model-io.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import type { InputPlan } from './input-synthesis.ts';
import type { BenchmarkSettings } from './settings.ts';

/** A model whose inputs fix the batch size (no input has a free batch axis), and the input that says so. */
export interface FixedBatch {
  size: number;
  model: string;
  input: string;
  shape: (number | 'batch')[];
}

/**
 * The batch size a model takes when its inputs leave none free, e.g. `[1, 20]` from torch.onnx.export
 * without dynamic axes. Undefined when some input has a batch axis (any batch size fits).
 */
export function fixedBatch(model: string, plans: readonly InputPlan[]): FixedBatch | undefined {
  if (plans.some((plan) => plan.shape.includes('batch'))) return undefined;
  const plan = plans.find((candidate) => candidate.shape.length > 0) ?? plans[0];
  if (!plan) return undefined;
  const first = plan.shape[0];
  return { size: typeof first === 'number' ? first : 1, model, input: plan.name, shape: plan.shape };
}

function refusal(fixed: FixedBatch, batch: number): string {
  return `batch size ${batch} not measured: ${fixed.model} takes a fixed batch of ${fixed.size} (input ${fixed.input} ${describeShape(fixed.shape)}); list batch size ${fixed.size} only, or export the model with a dynamic batch axis`;
}

/**
 * Keeps the configurations every model can run: a model with a fixed batch size is never run at another
 * size and labelled with it. Each configuration left out becomes a warning check that says why; when
 * nothing is left to measure, that is an InputError at `gates.benchmark.scenarios`.
 */
export function restrictBatchSizes(
  settings: BenchmarkSettings,
  fixed: readonly (FixedBatch | undefined)[],
  scenariosAt: SourceLocation,
): { settings: BenchmarkSettings; skipped: Check[] } {
  const skipped: Check[] = [];
  const refusing = (id: string, batch: number) => {
    const blocker = fixed.find((entry) => entry !== undefined && entry.size !== batch);
    if (!blocker) return false;
    skipped.push({
      id,
      status: 'warn',
      message: refusal(blocker, batch),
      observed: batch,
      expected: blocker.size,
      location: scenariosAt,
    });
    return true;
  };
  const scenarios = { ...settings.scenarios };
  const single = scenarios['single-stream'];
  if (single) {
    const sizes = single['batch-sizes'].filter((batch) => !refusing(`single-stream.${batch}`, batch));
    if (sizes.length > 0) scenarios['single-stream'] = { ...single, 'batch-sizes': sizes };
    else delete scenarios['single-stream'];
  }
  const offline = scenarios.offline;
  if (offline) {
    const sizes = offline['batch-sizes'].filter((batch) => !refusing(`offline.${batch}`, batch));
    if (sizes.length > 0) scenarios.offline = { ...offline, 'batch-sizes': sizes };
    else delete scenarios.offline;
  }
  const server = scenarios.server;
  if (server && refusing(`server.${server['batch-size']}`, server['batch-size'])) delete scenarios.server;
  if (skipped.length > 0 && Object.keys(scenarios).length === 0) {
    const blocker = fixed.find((entry) => entry !== undefined)!;
    throw new InputError(
      `${blocker.model} takes a fixed batch of ${blocker.size} (input ${blocker.input} ${describeShape(blocker.shape)}) but every scenario asks for another (${skipped.map((check) => check.id).join(', ')}): list batch size ${blocker.size}, or export the model with a dynamic batch axis`,
      scenariosAt,
    );
  }
  return { settings: { ...settings, scenarios }, skipped };
}

/** Every batch size the settings measure, once each. */
export function measuredBatchSizes(settings: BenchmarkSettings): number[] {
  const { scenarios } = settings;
  return [
    ...new Set([
      ...(scenarios['single-stream']?.['batch-sizes'] ?? []),
      ...(scenarios.offline?.['batch-sizes'] ?? []),
      ...(scenarios.server ? [scenarios.server['batch-size']] : []),
    ]),
  ];
}
