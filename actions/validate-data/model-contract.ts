import { z } from 'zod';
import type { ModelConfig } from '../../shared/config/config-schema.ts';
import { isNumericTensor, type TensorSignature } from '../../shared/data/model-signature.ts';
import { errorMessage, formatLocation, InputError, type SourceLocation } from '../../shared/errors.ts';
import { describeScorePlan, planScores } from '../../shared/onnx/classifier-scores.ts';
import type { OnnxModel } from '../../shared/onnx/model-io.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import type { ColumnType, DataSchema } from './data-schema.ts';

/** Schema column types each ONNX element type can be fed from. */
function compatible(tensor: TensorSignature, type: ColumnType): boolean {
  if (tensor.type === 'string') return type === 'string';
  if (tensor.type === 'bool') return type === 'boolean';
  if (isNumericTensor(tensor.type)) {
    // Integers feed float tensors losslessly in practice; fractional numbers do not fit integer tensors.
    return tensor.type?.startsWith('float')
      ? type === 'integer' || type === 'number' || type === 'boolean'
      : type === 'integer' || type === 'boolean';
  }
  return false;
}

export interface ContractLocations {
  /** Where `model.inputs.<input>` was written (or `model`, for inputs fed by their own name). */
  input(name: string): SourceLocation;
  model: SourceLocation;
  /** Where `model.<key>` is (or would be) written. */
  modelKey(key: 'score-output' | 'positive-class'): SourceLocation;
}

// Only the part of another gate's settings the contract depends on, parsed leniently: that gate validates the rest.
const FairnessRunsModel = z.looseObject({
  gates: z.looseObject({
    fairness: z.looseObject({ prediction: z.looseObject({ model: z.literal(true) }) }),
  }),
});

/** Whether the config has fairness run the model, which then needs a classifier's scores and column-fed inputs. */
export function fairnessRunsModel(config: unknown): boolean {
  return FairnessRunsModel.safeParse(config).success;
}

/**
 * The `<dataset>.model.outputs` check: red exactly when a gate could not read the model's outputs. No
 * tensor output at all stops every gate; `model.score-output` / `model.positive-class` that do not fit the
 * model are config errors; a model with no readable classifier score (a regressor, a multi-class model
 * without a positive class) is red only when fairness runs it.
 */
export function modelOutputCheck(
  dataset: string,
  model: OnnxModel,
  config: ModelConfig,
  scoredByFairness: boolean,
  locations: ContractLocations,
): Check {
  const outputs = model.outputs.map((output) => `${output.name} ${output.type ?? 'non-tensor'}`);
  const base = { id: `${dataset}.model.outputs`, observed: outputs, location: locations.model };
  if (model.fetches.length === 0) {
    return {
      ...base,
      status: 'fail',
      message: `no model output is a tensor onnxruntime can return (${outputs.join(', ')})`,
    };
  }
  try {
    const plan = planScores(model, {
      scoreOutput: config['score-output'],
      positiveClass: config['positive-class'],
      at: {
        scoreOutput: locations.modelKey('score-output'),
        positiveClass: locations.modelKey('positive-class'),
        kind: locations.model,
      },
      kindSetting: 'gates.fairness.prediction.score',
    });
    return { ...base, status: 'pass', message: `classifier scores: ${describeScorePlan(plan)}` };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const configured = config['score-output'] !== undefined || config['positive-class'] !== undefined;
    // A config location is the check's own; the message need not repeat it.
    const where = error.location?.line !== undefined ? formatLocation(error.location) : undefined;
    const reason = where ? errorMessage(error).slice(where.length + 1) : errorMessage(error);
    return {
      ...base,
      status: configured || scoredByFairness ? 'fail' : 'pass',
      message:
        configured || scoredByFairness
          ? `no classifier score to read: ${reason}`
          : `no classifier score to read (fairness does not run the model): ${reason}`,
      location: error.location ?? locations.model,
    };
  }
}

/**
 * Checks that every input the model declares is fed by columns of the dataset's schema (its own name, or
 * the `model.inputs` mapping) of a compatible type, with as many columns as a fixed last dimension asks.
 * Adds one informational check listing the schema columns no input uses.
 */
export function modelContractChecks(
  dataset: string,
  schema: DataSchema,
  columns: readonly string[],
  model: ModelConfig,
  signature: { inputs: readonly TensorSignature[] },
  locations: ContractLocations,
  scoredByFairness = false,
): Check[] {
  const checks: Check[] = [];
  const used = new Set<string>();
  for (const input of signature.inputs) {
    const mapped = model.inputs?.[input.name];
    const sources = mapped === undefined ? [input.name] : Array.isArray(mapped) ? mapped : [mapped];
    const problems: string[] = [];
    for (const source of sources) {
      used.add(source);
      const rules = schema.columns[source];
      if (!rules && !columns.includes(source)) problems.push(`no column ${source}`);
      else if (!rules?.type) problems.push(`column ${source} has no declared type`);
      else if (!compatible(input, rules.type))
        problems.push(`column ${source} is ${rules.type}, the input is ${input.type}`);
    }
    const last = input.shape.at(-1);
    const rank = input.shape.length;
    if (rank > 2) {
      // Images and sequences of vectors come from elsewhere; only a gate that feeds columns minds.
      checks.push({
        id: `${dataset}.model.${input.name}`,
        status: scoredByFairness ? 'fail' : 'pass',
        message: `model input ${input.name} (${input.type} [${input.shape.join(', ')}]) has rank ${rank}: it is not fed from dataset columns${scoredByFairness ? ', so fairness cannot run the model' : ''}`,
        observed: [],
        expected: { type: input.type ?? null, shape: input.shape },
        location: locations.model,
      });
      continue;
    }
    if (rank === 1 && sources.length !== 1) {
      problems.push(`the input takes 1 value per row, ${sources.length} column(s) feed it`);
    } else if (rank >= 2 && typeof last === 'number' && last !== sources.length) {
      problems.push(`the input takes ${last} value(s) per row, ${sources.length} column(s) feed it`);
    }
    checks.push({
      id: `${dataset}.model.${input.name}`,
      status: problems.length ? 'fail' : 'pass',
      message: problems.length
        ? `model input ${input.name} (${input.type ?? 'non-tensor'} [${input.shape.join(', ')}]): ${problems.join('; ')}`
        : `model input ${input.name} (${input.type} [${input.shape.join(', ')}]) is fed by ${sources.join(', ')}`,
      observed: sources.map((source) => ({ column: source, type: schema.columns[source]?.type ?? null })),
      expected: { type: input.type ?? null, shape: input.shape },
      location: mapped === undefined ? locations.model : locations.input(input.name),
    });
  }
  const ignored = Object.keys(schema.columns).filter((column) => !used.has(column));
  checks.push({
    id: `${dataset}.model.ignored-columns`,
    status: 'pass',
    message: ignored.length
      ? `${ignored.length} schema column(s) feed no model input: ${ignored.join(', ')}`
      : 'every schema column feeds a model input',
    observed: ignored,
    location: locations.model,
  });
  return checks;
}
