import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { InputError, type SourceLocation } from '../../shared/errors.ts';
import { FEEDABLE_TYPES, isIntegerType, type Scalar, tensorFrom } from '../../shared/onnx/model-io.ts';
import { type Random, randomInteger } from '../../shared/stats/random.ts';
import type { InputSettings } from './settings.ts';

export type { Scalar } from '../../shared/onnx/model-io.ts';

/** How one model input is filled: its dtype, its shape (with "batch" for the batch dimension), its values. */
export interface InputPlan {
  name: string;
  type: Tensor.Type;
  shape: (number | 'batch')[];
  values: ResolvedValues;
}

/** `InputSettings['values']` after files and datasets were read. */
export type ResolvedValues =
  | { kind: 'random' }
  | { kind: 'zeros' }
  | { kind: 'constant'; value: Scalar; location?: SourceLocation }
  | { kind: 'range'; low: number; high: number }
  /** Flat values, repeated to fill the tensor. */
  | { kind: 'list'; values: Scalar[]; origin: string }
  /** One array of cells per dataset row; consecutive rows fill consecutive batch items. */
  | { kind: 'rows'; rows: Scalar[][]; origin: string };

export interface PlanContext {
  /** Where `gates.benchmark.inputs.<name>` is written, for messages. */
  locate(name: string): SourceLocation;
  /** Reads `{file}` / `{dataset}` values for input `name`. */
  resolve(name: string, values: InputSettings['values']): Promise<ResolvedValues>;
  /** The model, as people should read it in messages. */
  model: string;
}

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

function planShape(
  name: string,
  declared: readonly (number | string)[],
  configured: InputSettings['shape'],
  context: PlanContext,
): (number | 'batch')[] {
  if (configured) {
    // The model may leave the shape unknown ([]); otherwise the configured rank and fixed sizes must agree.
    const comparable = declared.length > 0 || configured.length === 0;
    if (comparable && declared.length !== configured.length) {
      throw new InputError(
        `inputs.${name}.shape ${describeShape(configured)} has rank ${configured.length} but ${context.model} declares ${describeShape(declared)}`,
        context.locate(name),
      );
    }
    configured.forEach((dim, i) => {
      const want = declared[i];
      if (typeof want === 'number' && want >= 0 && dim !== want) {
        throw new InputError(
          `inputs.${name}.shape ${describeShape(configured)}: dimension ${i} must be ${want} as ${context.model} declares ${describeShape(declared)}`,
          context.locate(name),
        );
      }
    });
    return [...configured];
  }
  return declared.map((dim, i) => {
    if (typeof dim === 'number' && dim >= 0) return dim;
    if (i === 0) return 'batch';
    throw new InputError(
      `input "${name}" of ${context.model} has the open dimension ${i} (${JSON.stringify(dim)}) in ${describeShape(declared)}: set gates.benchmark.inputs.${name}.shape`,
      context.locate(name),
    );
  });
}

/**
 * Decides how each input of a model is fed, from its metadata and `gates.benchmark.inputs`. Throws
 * InputError when the config names an input the model lacks, or leaves a non-batch dimension open.
 */
export async function planInputs(
  metadata: readonly InferenceSession.ValueMetadata[],
  settings: Readonly<Record<string, InputSettings>>,
  context: PlanContext,
): Promise<InputPlan[]> {
  const names = new Set(metadata.map((input) => input.name));
  for (const name of Object.keys(settings)) {
    if (!names.has(name)) {
      throw new InputError(
        `inputs.${name}: ${context.model} has no input "${name}" (its inputs: ${[...names].join(', ')})`,
        context.locate(name),
      );
    }
  }
  const plans: InputPlan[] = [];
  for (const input of metadata) {
    if (!input.isTensor) {
      throw new InputError(
        `input "${input.name}" of ${context.model} is not a tensor; only tensor inputs can be benchmarked`,
      );
    }
    if (!FEEDABLE_TYPES.has(input.type)) {
      throw new InputError(
        `input "${input.name}" of ${context.model} has the unsupported type ${input.type}`,
      );
    }
    const configured = settings[input.name];
    const values = await context.resolve(input.name, configured?.values ?? 'random');
    plans.push({
      name: input.name,
      type: input.type,
      shape: planShape(input.name, input.shape, configured?.shape, context),
      values,
    });
  }
  return plans;
}

function randomScalar(type: Tensor.Type, random: Random): Scalar {
  if (type === 'bool') return random.next() < 0.5;
  if (type === 'string') return `s${randomInteger(random, 0, 9)}`;
  // Small non-negative integers are valid indices, token ids and class numbers, which random ints often are.
  if (isIntegerType(type)) return randomInteger(random, 0, 99);
  return random.next() * 2 - 1;
}

function scalarAt(
  values: ResolvedValues,
  type: Tensor.Type,
  random: Random,
  element: number,
  perItem: number,
  item: number,
): Scalar {
  switch (values.kind) {
    case 'random':
      return randomScalar(type, random);
    case 'zeros':
      return type === 'string' ? '' : 0;
    case 'constant':
      return values.value;
    case 'range':
      return isIntegerType(type)
        ? randomInteger(random, Math.ceil(values.low), Math.floor(values.high))
        : values.low + random.next() * (values.high - values.low);
    case 'list':
      return values.values[element % values.values.length]!;
    case 'rows': {
      const row = values.rows[item % values.rows.length]!;
      return row[(element % perItem) % row.length]!;
    }
  }
}

function origin(plan: InputPlan): string {
  return plan.values.kind === 'list' || plan.values.kind === 'rows' ? ` from ${plan.values.origin}` : '';
}

/** A constant the model cannot take is the config's mistake: point at the line that wrote it. */
function atConstant<T>(plan: InputPlan, make: () => T): T {
  try {
    return make();
  } catch (error) {
    const location = plan.values.kind === 'constant' ? plan.values.location : undefined;
    if (error instanceof InputError && location && !error.location)
      throw new InputError(error.message, location);
    throw error;
  }
}

/** The concrete dimensions of an input for one batch size. */
export function concreteShape(plan: InputPlan, batchSize: number): number[] {
  return plan.shape.map((dim) => (dim === 'batch' ? batchSize : dim));
}

/**
 * `count` distinct sets of feeds for one batch size (runs cycle through them), generated before any
 * timing so synthesis never counts as model time. Deterministic for a seeded `random`.
 */
export function synthesizeFeeds(
  plans: readonly InputPlan[],
  batchSize: number,
  random: Random,
  count = 4,
): Record<string, Tensor>[] {
  const feeds: Record<string, Tensor>[] = [];
  for (let set = 0; set < count; set++) {
    const feed: Record<string, Tensor> = {};
    for (const plan of plans) {
      const dims = concreteShape(plan, batchSize);
      const size = dims.reduce((product, dim) => product * dim, 1);
      const batchAxis = plan.shape.indexOf('batch');
      const items = batchAxis >= 0 ? batchSize : 1;
      const perItem = Math.max(1, size / items);
      const elements: Scalar[] = new Array(size);
      for (let e = 0; e < size; e++) {
        elements[e] = scalarAt(
          plan.values,
          plan.type,
          random,
          e,
          perItem,
          set * items + Math.floor(e / perItem),
        );
      }
      feed[plan.name] = atConstant(plan, () =>
        tensorFrom(plan.name, plan.type, elements, dims, (element) => `element ${element}${origin(plan)}`),
      );
    }
    feeds.push(feed);
  }
  return feeds;
}
