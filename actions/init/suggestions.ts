import { stringify } from 'yaml';
import type { TensorSignature } from '../../shared/data/model-signature.ts';
import type { ColumnRules } from '../validate-data/data-schema.ts';
import { isIdLike } from '../validate-data/infer-schema.ts';

/** A dataset as init sees it: its name and the columns of its inferred schema, in file order. */
export interface InferredDataset {
  name: string;
  columns: Record<string, ColumnRules>;
}

// Names labels go by in tabular ML projects, most telling first.
const LABEL_NAMES = [
  'label',
  'target',
  'y',
  'class',
  'outcome',
  'ground_truth',
  'truth',
  'defaulted',
  'default',
  'churn',
  'churned',
  'fraud',
  'is_fraud',
  'survived',
  'converted',
  'response',
];

/** Columns with two values: booleans, or integers inferred within 0 and 1. */
function isBinary(rules: ColumnRules): boolean {
  return rules.type === 'boolean' || (rules.type === 'integer' && rules.min === 0 && rules.max === 1);
}

/**
 * The column that is most likely the label: a binary column, not a model input, named as labels usually
 * are (`label`, `target`, `churned`...), else the only binary non-input column prefixed `is_`/`has_`.
 */
export function guessLabel(dataset: InferredDataset, modelInputs: readonly string[]): string | undefined {
  const candidates = Object.entries(dataset.columns)
    .filter(([name, rules]) => isBinary(rules) && !modelInputs.includes(name))
    .map(([name]) => name);
  for (const wanted of LABEL_NAMES) {
    const found = candidates.find((name) => name.toLowerCase() === wanted);
    if (found) return found;
  }
  const prefixed = candidates.filter((name) => /^(is|has|will)_/i.test(name));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Most groups a proposed segment column may have: more makes groups too small to compare. */
const SEGMENT_GROUPS = 10;

/** Low-cardinality text columns (an inferred enum of 2 to 10 values): the groups fairness could compare. */
export function segmentColumns(dataset: InferredDataset, label: string | undefined): string[] {
  return Object.entries(dataset.columns)
    .filter(
      ([name, rules]) =>
        name !== label &&
        rules.type === 'string' &&
        !isIdLike(name) &&
        (rules.enum?.length ?? 0) >= 2 &&
        (rules.enum?.length ?? 0) <= SEGMENT_GROUPS,
    )
    .map(([name]) => name);
}

/** Comment lines (without `#`) proposing `model.inputs` for the model's inputs no column is named after. */
export function inputSuggestion(
  unmatched: readonly TensorSignature[],
  dataset: InferredDataset | undefined,
  label: string | undefined,
): string[] {
  if (unmatched.length === 0) return [];
  const numeric = Object.entries(dataset?.columns ?? {})
    .filter(
      ([name, rules]) =>
        name !== label &&
        !rules.unique &&
        !isIdLike(name) &&
        (rules.type === 'number' || rules.type === 'integer' || rules.type === 'boolean'),
    )
    .map(([name]) => name);
  const lines = [
    ` No column is named after the model input(s) ${unmatched.map((input) => input.name).join(', ')}.`,
    ' Map each to the columns that feed it, in the order the model was trained on, uncomment, and set',
    ' gates.validate-data.model-contract to the datasets that feed the model: it then checks this contract.',
    ' inputs:',
  ];
  for (const input of unmatched) {
    const width = input.shape.length >= 2 ? input.shape.at(-1) : 1;
    const columns = typeof width === 'number' ? numeric.slice(0, width) : numeric;
    const source = dataset ? `numeric columns of ${dataset.name}` : 'no dataset found';
    const value = stringify(columns.length === 1 ? columns[0] : columns, {
      collectionStyle: 'flow',
      lineWidth: 0,
    });
    const mapping = `${stringify(input.name).trim()}: ${value.trim()}`;
    lines.push(
      `   ${mapping} # ${input.type ?? 'non-tensor'} [${input.shape.join(', ')}]; ${source}: ${numeric.length}`,
    );
  }
  return lines;
}

/** Comment lines (without `#`) proposing a fairness gate, indented to sit under `gates:`. */
export function fairnessSuggestion(
  dataset: InferredDataset,
  label: string,
  segments: readonly string[],
  hasModel: boolean,
): string[] {
  const settings = {
    dataset: dataset.name,
    label,
    prediction: hasModel ? { model: true } : { column: '<the column of predicted classes>' },
    segments: [...segments],
  };
  return [
    ` fairness: label ${label} guessed from its name; segments are the low-cardinality text columns of ${dataset.name}.`,
    ' Keep the groups you must treat fairly (e.g. sex, age band), then uncomment:',
    ` fairness: ${stringify(settings, { collectionStyle: 'flow', lineWidth: 0 }).trim()}`,
  ];
}
