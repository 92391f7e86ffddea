import type { ModelConfig } from '../../shared/config/config-schema.ts';
import {
  isNumericTensor,
  type ModelSignature,
  type TensorSignature,
} from '../../shared/data/model-signature.ts';
import type { SourceLocation } from '../../shared/errors.ts';
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
  signature: ModelSignature,
  locations: ContractLocations,
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
    if (input.shape.length >= 2 && typeof last === 'number' && last !== sources.length) {
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
