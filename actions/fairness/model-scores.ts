import * as ort from 'onnxruntime-node';
import type { ModelInputSource } from '../../shared/config/config-schema.ts';
import { InputError, type SourceLocation } from '../../shared/errors.ts';
import type { DataTable, Value } from './data.ts';

export interface ModelScoring {
  /** Absolute path of the .onnx file. */
  path: string;
  /** Where the model is named, for messages. */
  location: SourceLocation;
  /** ONNX input name -> column(s); inputs not listed are fed by the column of the same name. */
  inputs?: Record<string, ModelInputSource> | undefined;
  batchSize?: number;
  onBatch?: (rowsDone: number) => void;
}

function columnsFor(name: string, inputs: ModelScoring['inputs']): string[] {
  const mapped = inputs?.[name];
  if (mapped === undefined) return [name];
  return Array.isArray(mapped) ? mapped : [mapped];
}

function numeric(value: Value): number {
  if (value === null) return Number.NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return typeof value === 'number' ? value : Number(value);
}

function tensorFor(
  type: string,
  columns: Value[][],
  start: number,
  end: number,
  name: string,
  location: SourceLocation,
): ort.Tensor {
  const rows = end - start;
  const width = columns.length;
  const dims = [rows, width];
  if (type === 'string') {
    const data: string[] = new Array(rows * width);
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < width; c += 1) data[r * width + c] = String(columns[c]![start + r] ?? '');
    }
    return new ort.Tensor('string', data, dims);
  }
  if (type === 'float32' || type === 'float64') {
    const data = type === 'float32' ? new Float32Array(rows * width) : new Float64Array(rows * width);
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < width; c += 1) data[r * width + c] = numeric(columns[c]![start + r]!);
    }
    return new ort.Tensor(type, data, dims);
  }
  if (type === 'int64') {
    const data = new BigInt64Array(rows * width);
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < width; c += 1) {
        const value = numeric(columns[c]![start + r]!);
        if (!Number.isInteger(value)) {
          throw new InputError(
            `model input ${name} is int64 but row ${start + r + 1} holds ${value}`,
            location,
          );
        }
        data[r * width + c] = BigInt(value);
      }
    }
    return new ort.Tensor('int64', data, dims);
  }
  throw new InputError(
    `model input ${name} has type ${type}, which mlgate cannot feed from a column`,
    location,
  );
}

/** P(class 1) from the outputs: `probabilities[:, 1]`, or the only float output. */
function scoresFrom(
  outputs: ort.InferenceSession.ReturnType,
  rows: number,
  location: SourceLocation,
): Float32Array | Float64Array {
  const candidates = Object.entries(outputs).filter(
    ([, tensor]) => tensor.type === 'float32' || tensor.type === 'float64',
  );
  const chosen = outputs.probabilities
    ? ['probabilities', outputs.probabilities]
    : candidates.length === 1
      ? candidates[0]
      : undefined;
  if (!chosen) {
    throw new InputError(
      `cannot tell which model output is the score: expected an output named "probabilities" or a single float output, got ${Object.keys(outputs).join(', ')}`,
      location,
    );
  }
  const tensor = chosen[1] as ort.Tensor;
  const data = tensor.data as Float32Array | Float64Array;
  const width = data.length / rows;
  if (width === 1) return data;
  if (width !== 2) {
    throw new InputError(
      `model output ${chosen[0]} has ${width} columns; a binary classifier's has 1 or 2`,
      location,
    );
  }
  const scores = data instanceof Float32Array ? new Float32Array(rows) : new Float64Array(rows);
  for (let r = 0; r < rows; r += 1) scores[r] = data[r * 2 + 1]!;
  return scores;
}

/**
 * Runs a binary classifier over every row of `table` in batches and returns P(class 1) per row. Each ONNX
 * input is fed by its column(s): numeric columns as float32 [N, k] (null as NaN, which the model's
 * imputer handles), text columns as string [N, k].
 */
export async function scoreWithModel(table: DataTable, scoring: ModelScoring): Promise<Float64Array> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(scoring.path);
  } catch (error) {
    throw new InputError(
      `cannot load the ONNX model: ${error instanceof Error ? error.message : String(error)}`,
      scoring.location,
    );
  }
  try {
    const feeds = session.inputNames.map((name, index) => {
      const metadata = session.inputMetadata[index];
      const type = metadata?.isTensor ? metadata.type : 'float32';
      const columns = columnsFor(name, scoring.inputs).map((column) => {
        const values = table.columns.get(column);
        if (!values) {
          throw new InputError(
            `model input ${name} needs column ${column}, which the dataset does not have (map it with model.inputs)`,
            scoring.location,
          );
        }
        return values;
      });
      return { name, type, columns };
    });
    const batch = scoring.batchSize ?? 4096;
    const scores = new Float64Array(table.rows);
    for (let start = 0; start < table.rows; start += batch) {
      const end = Math.min(table.rows, start + batch);
      const inputs: Record<string, ort.Tensor> = {};
      for (const feed of feeds)
        inputs[feed.name] = tensorFor(feed.type, feed.columns, start, end, feed.name, scoring.location);
      let outputs: ort.InferenceSession.ReturnType;
      try {
        outputs = await session.run(inputs);
      } catch (error) {
        throw new InputError(
          `the model failed on rows ${start + 1}-${end}: ${error instanceof Error ? error.message : String(error)}`,
          scoring.location,
        );
      }
      scores.set(scoresFrom(outputs, end - start, scoring.location), start);
      scoring.onBatch?.(end);
    }
    return scores;
  } finally {
    await session.release();
  }
}
