import type { Tensor } from 'onnxruntime-node';
import { InputError, type SourceLocation } from '../errors.ts';
import { CLASSIFIER_OPS, originOf, REGRESSOR_OPS } from './model-graph.ts';
import { describeShape, numbersOf, type OnnxModel, type TensorSignature } from './model-io.ts';

export type ScoreKind = 'probability' | 'logit';

/** What the config says about reading scores; anything left out is inferred from the graph. */
export interface ScoreOptions {
  /** `model.score-output`: the output holding the scores (a ZipMap output names its probability tensor). */
  scoreOutput?: string | undefined;
  /** `model.positive-class`: a class label, or a column index when the model lists no labels. */
  positiveClass?: string | number | undefined;
  /** `prediction.score`: probabilities as they are, or logits to pass through a sigmoid / softmax. */
  kind?: ScoreKind | undefined;
  /** Where each setting is (or would be) written, and the full name of the kind setting, for messages. */
  at: { scoreOutput: SourceLocation; positiveClass: SourceLocation; kind: SourceLocation };
  kindSetting: string;
}

/** How P(positive) is read from a model's outputs, and which parts of that were inferred. */
export interface ScorePlan {
  /** The output as the model declares it (a ZipMap output, or the tensor itself). */
  output: string;
  /** The tensor fetched: the output, or the probability tensor under its ZipMap. */
  tensor: string;
  /** Class labels in column order, when the graph lists them. */
  classes: (number | string)[] | undefined;
  /** The column of the positive class; undefined: decided by the width (1 column: itself; 2: the second). */
  column: number | undefined;
  kind: ScoreKind;
  inferred: { output: boolean; positiveClass: boolean; kind: boolean };
}

const PROBABILITY_OPS = new Set(['Sigmoid', 'Softmax', ...CLASSIFIER_OPS]);
const FLOATS = new Set(['float16', 'float32', 'float64']);

function names(outputs: readonly TensorSignature[]): string {
  return outputs
    .map((output) => `${output.name} ${output.type ?? 'non-tensor'} ${describeShape(output.shape)}`)
    .join(', ');
}

function chooseOutput(
  model: OnnxModel,
  options: ScoreOptions,
): { output: string; tensor: string; inferred: boolean } {
  const display = model.file.display;
  const zipMapOf = (name: string) => model.zipMaps.find((zipMap) => zipMap.output === name);
  if (options.scoreOutput !== undefined) {
    const wanted = options.scoreOutput;
    const zipMap = zipMapOf(wanted);
    if (zipMap) return { output: wanted, tensor: zipMap.tensor, inferred: false };
    const declared = model.outputs.find((output) => output.name === wanted);
    // A ZipMap's input, named directly, is fetched like any tensor.
    if (!declared && model.zipMaps.some((zipMap) => zipMap.tensor === wanted))
      return { output: wanted, tensor: wanted, inferred: false };
    if (!declared) {
      throw new InputError(
        `model.score-output: ${display} has no output "${wanted}" (its outputs: ${names(model.outputs)})`,
        options.at.scoreOutput,
      );
    }
    if (!FLOATS.has(declared.type ?? '')) {
      throw new InputError(
        `model.score-output: output ${wanted} of ${display} is ${declared.type ?? 'not a tensor'}, not a float tensor of scores`,
        options.at.scoreOutput,
      );
    }
    return { output: wanted, tensor: wanted, inferred: false };
  }
  const zipMap = model.zipMaps[0];
  if (zipMap) return { output: zipMap.output, tensor: zipMap.tensor, inferred: true };
  const floats = model.outputs.filter((output) => FLOATS.has(output.type ?? ''));
  const chosen =
    floats.find((output) => CLASSIFIER_OPS.has(originOf(model.file.model, output.name).op ?? '')) ??
    floats.find((output) => /prob/i.test(output.name)) ??
    (floats.length === 1 ? floats[0] : undefined) ??
    floats.find((output) => /logit/i.test(output.name));
  if (chosen) return { output: chosen.name, tensor: chosen.name, inferred: true };
  throw new InputError(
    floats.length === 0
      ? `has no float output to read scores from (outputs: ${names(model.outputs)}): fairness needs a classifier's scores`
      : `cannot tell which output holds the scores (outputs: ${names(model.outputs)}): set model.score-output`,
    floats.length === 0 ? { file: display } : options.at.scoreOutput,
  );
}

function widthOf(model: OnnxModel, tensor: string): number | undefined {
  const shape = model.outputs.find((output) => output.name === tensor)?.shape;
  if (!shape || shape.length === 0) return undefined;
  const last = shape.at(-1);
  return shape.length === 1 ? 1 : typeof last === 'number' ? last : undefined;
}

/**
 * Decides how P(positive class) is read from `model`: which output (a ZipMap output is read through the
 * probability tensor under it), which column, and whether it holds probabilities or logits. What the
 * config leaves out is inferred from the graph. A regressor, an output that is not there, a class the
 * model does not have, or a multi-class output without `model.positive-class` is an InputError.
 */
export function planScores(model: OnnxModel, options: ScoreOptions): ScorePlan {
  const display = model.file.display;
  const { output, tensor, inferred } = chooseOutput(model, options);
  const origin = originOf(model.file.model, tensor);
  if (REGRESSOR_OPS.has(origin.op ?? '')) {
    throw new InputError(
      `is a regressor (output ${output} comes from ${origin.op}): fairness needs a classifier's scores`,
      { file: display },
    );
  }
  const classes = model.zipMaps.find((zipMap) => zipMap.tensor === tensor)?.classes ?? origin.classes;
  const width = widthOf(model, tensor) ?? (classes && classes.length > 0 ? classes.length : undefined);
  let column: number | undefined;
  const positive = options.positiveClass;
  if (positive !== undefined) {
    if (classes && classes.length > 0) {
      column = classes.findIndex((label) => String(label) === String(positive));
      if (column < 0) {
        throw new InputError(
          `model.positive-class: ${JSON.stringify(positive)} is not a class of ${display} (classes: ${classes.join(', ')})`,
          options.at.positiveClass,
        );
      }
    } else if (typeof positive === 'number' && Number.isInteger(positive) && positive >= 0) {
      column = positive;
    } else {
      throw new InputError(
        `model.positive-class: ${display} lists no class labels on ${output}; give the column index (0, 1, ...)`,
        options.at.positiveClass,
      );
    }
    if (width !== undefined && column >= width) {
      throw new InputError(
        `model.positive-class: column ${column} is beyond output ${output}, which has ${width} column(s)`,
        options.at.positiveClass,
      );
    }
  } else if (width !== undefined && width > 2) {
    throw new InputError(
      `output ${output} of ${display} scores ${width} classes${classes ? ` (${classes.join(', ')})` : ''}: set model.positive-class to the class whose score fairness thresholds`,
      options.at.positiveClass,
    );
  }
  const byGraph: ScoreKind =
    PROBABILITY_OPS.has(origin.op ?? '') || tensor !== output
      ? 'probability'
      : /logit/i.test(output)
        ? 'logit'
        : 'probability';
  return {
    output,
    tensor,
    classes,
    column,
    kind: options.kind ?? byGraph,
    inferred: { output: inferred, positiveClass: positive === undefined, kind: options.kind === undefined },
  };
}

/** One sentence for logs and results, e.g. "column 1 (class 1) of output_probability via ZipMap input probabilities, as probabilities". */
export function describeScorePlan(plan: ScorePlan): string {
  const column = plan.column ?? (plan.classes && plan.classes.length === 2 ? 1 : undefined);
  const where =
    column === undefined
      ? `output ${plan.output}`
      : `column ${column}${plan.classes?.[column] !== undefined ? ` (class ${plan.classes[column]})` : ''} of ${plan.output}`;
  const via = plan.tensor !== plan.output ? ` via the ZipMap's input ${plan.tensor}` : '';
  const kind = plan.kind === 'logit' ? 'logits, through a sigmoid/softmax' : 'probabilities';
  const guessed = Object.entries(plan.inferred)
    .filter(([, inferred]) => inferred)
    .map(([name]) => ({ output: 'output', positiveClass: 'class', kind: 'kind' })[name]);
  return `${where}${via}, read as ${kind}${guessed.length > 0 ? ` (${guessed.join(', ')} inferred from the graph)` : ''}`;
}

const TOLERANCE = 1e-6;

/**
 * P(positive) for each of `rows` rows from one run's outputs, following `plan`: the positive column
 * (the only one, or the second of two), with a sigmoid (one column) or softmax (several) for logits.
 * A probability outside [0, 1], or NaN, is an InputError naming the output, the row and the fix.
 */
export function readScores(
  plan: ScorePlan,
  outputs: Record<string, Tensor>,
  rows: number,
  context: { display: string; firstRow: number; options: ScoreOptions },
): Float64Array {
  const tensor = outputs[plan.tensor]!;
  const values = numbersOf(tensor);
  const width = rows > 0 ? values.length / rows : 1;
  if (tensor.dims.length > 2 || !Number.isInteger(width)) {
    throw new InputError(
      `output ${plan.output} of ${context.display} has shape ${describeShape(tensor.dims)} for ${rows} rows; scores must be [N], [N, 1] or [N, classes]`,
      context.options.at.scoreOutput,
    );
  }
  const column = plan.column ?? (width === 1 ? 0 : width === 2 ? 1 : undefined);
  if (column === undefined || column >= width) {
    throw new InputError(
      `output ${plan.output} of ${context.display} scores ${width} classes: set model.positive-class`,
      context.options.at.positiveClass,
    );
  }
  const scores = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const offset = row * width;
    let score = values[offset + column]!;
    if (plan.kind === 'logit') {
      if (width === 1) score = 1 / (1 + Math.exp(-score));
      else {
        let max = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < width; c++) max = Math.max(max, values[offset + c]!);
        let sum = 0;
        for (let c = 0; c < width; c++) sum += Math.exp(values[offset + c]! - max);
        score = Math.exp(score - max) / sum;
      }
    }
    if (!(score >= -TOLERANCE && score <= 1 + TOLERANCE)) {
      const fix =
        plan.kind === 'logit' || Number.isNaN(score)
          ? 'check the inputs fed to the model'
          : `if the model returns logits, set ${context.options.kindSetting}: logit`;
      throw new InputError(
        `output ${plan.output} of ${context.display} gives ${score} for data row ${context.firstRow + row + 1}, not a probability in [0, 1]: ${fix}`,
        context.options.at.kind,
      );
    }
    scores[row] = score;
  }
  return scores;
}
