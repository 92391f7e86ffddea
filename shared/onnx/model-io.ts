import * as ort from 'onnxruntime-node';
import { errorMessage, InputError, type SourceLocation } from '../errors.ts';
import { type ModelFile, readModelFile } from './model-file.ts';
import { exposeZipMapInputs, type ZipMapOutput } from './model-graph.ts';

/** One element as it comes from config, a JSON file or a dataset cell, before conversion to a dtype. */
export type Scalar = number | string | boolean | bigint | null;

/** One declared input or output of an ONNX model. */
export interface TensorSignature {
  name: string;
  /** Element type as onnxruntime names it (`float32`, `int64`, `string`, `bool`...); undefined for non-tensors. */
  type: ort.Tensor.Type | undefined;
  /** Dimensions: a number when fixed, a symbol name (e.g. `N`) when free. Empty when unknown. */
  shape: (number | string)[];
}

/** A model opened for running: what it takes, what it gives, and a `run` that fetches only tensors. */
export interface OnnxModel {
  file: ModelFile;
  session: ort.InferenceSession;
  inputs: TensorSignature[];
  /** The outputs the model declares, non-tensors (a ZipMap's sequence of maps) included. */
  outputs: TensorSignature[];
  /** The tensors `run` fetches: the tensor outputs, plus the probability tensor under each ZipMap. */
  fetches: string[];
  zipMaps: ZipMapOutput[];
  /** Runs the model; a failure is an InputError naming the model, the inputs and the shapes fed. */
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

const INTEGER_TYPES = new Set<ort.Tensor.Type>([
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
]);
const FLOAT_TYPES = new Set<ort.Tensor.Type>(['float16', 'float32', 'float64']);

/** The element types a model input can be fed with (every tensor type onnxruntime-node can create on the CPU). */
export const FEEDABLE_TYPES: ReadonlySet<ort.Tensor.Type> = new Set([
  ...INTEGER_TYPES,
  ...FLOAT_TYPES,
  'bool',
  'string',
]);

export function isIntegerType(type: ort.Tensor.Type): boolean {
  return INTEGER_TYPES.has(type);
}

/** Whether a tensor element type holds numbers. */
export function isNumericType(type: string | undefined): boolean {
  return (
    type !== undefined &&
    (INTEGER_TYPES.has(type as ort.Tensor.Type) || FLOAT_TYPES.has(type as ort.Tensor.Type))
  );
}

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return metadata.map((value) =>
    value.isTensor
      ? {
          name: value.name,
          type: value.type,
          // A dimension with neither size nor name (skl2onnx's None) comes back as ''; name it by position.
          shape: value.shape.map((dim, index) => (dim === '' ? `d${index}` : dim)),
        }
      : { name: value.name, type: undefined, shape: [] },
  );
}

/** `[a, b]` with dims as written. */
export function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

function describeFeeds(feeds: Record<string, ort.Tensor>): string {
  return Object.entries(feeds)
    .map(([name, tensor]) => `${name} ${tensor.type} ${describeShape(tensor.dims)}`)
    .join(', ');
}

/**
 * Opens an ONNX file in onnxruntime for every gate alike: the file is diagnosed by `readModelFile` (LFS
 * pointer, DVC, empty, truncated, not ONNX), the probability tensor under each ZipMap is exposed as an
 * extra output (onnxruntime-node cannot return ZipMap's sequence of maps), and `run` fetches tensors only.
 */
export async function openModel(
  path: string,
  display = path,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<OnnxModel> {
  const file = await readModelFile(path, display);
  const { bytes, zipMaps } = exposeZipMapInputs(file);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, options);
  } catch (error) {
    throw new InputError(`cannot be loaded by onnxruntime: ${oneLine(errorMessage(error))}`, {
      file: display,
    });
  }
  const outputs = describe(session.outputMetadata);
  const declared = outputs.filter(
    (output) => !zipMaps.some((zipMap) => zipMap.added && zipMap.tensor === output.name),
  );
  const fetches = outputs.filter((output) => output.type !== undefined).map((output) => output.name);
  return {
    file,
    session,
    inputs: describe(session.inputMetadata),
    outputs: declared,
    fetches,
    zipMaps,
    async run(feeds) {
      try {
        return await session.run(feeds, fetches);
      } catch (error) {
        throw new InputError(`failed on inputs ${describeFeeds(feeds)}: ${oneLine(errorMessage(error))}`, {
          file: display,
        });
      }
    },
    release: () => session.release(),
  };
}

/** onnxruntime's messages span lines (and may end with its C++ signature); one line reads better. */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('Please fix'))
    .join(' ');
}

/** The batch size an input fixes (its first dimension when that is a number), if it fixes one. */
export function fixedBatchSize(input: TensorSignature): number | undefined {
  const first = input.shape[0];
  return typeof first === 'number' && first > 0 ? first : undefined;
}

/** float32 -> IEEE 754 half-precision bits (round to nearest even), for float16 tensors. */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** IEEE 754 half-precision bits -> number: onnxruntime-node returns float16 tensors as Uint16Array bits. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A numeric output tensor as float64 numbers, whatever its element type (float16 bits decoded). */
export function numbersOf(tensor: ort.Tensor): Float64Array {
  const data = tensor.data;
  if (tensor.type === 'float16') return Float64Array.from(data as Uint16Array, fromFloat16Bits);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
  if (Array.isArray(data)) return Float64Array.from(data as readonly string[], Number);
  return Float64Array.from(data as ArrayLike<number>);
}

/** Where a value came from, for messages: e.g. `row 12 of data/eval.csv`. */
export type Describe = (element: number) => string;

function numberFor(value: Scalar, type: ort.Tensor.Type, input: string, where: Describe, element: number) {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  // Missing cells become NaN in float inputs (imputers inside the graph expect that), and are errors elsewhere.
  if (value === null && FLOAT_TYPES.has(type)) return Number.NaN;
  const number = value === null || value.trim() === '' ? Number.NaN : Number(value);
  if (Number.isNaN(number) && value !== 'NaN') {
    throw new InputError(
      `model input ${input} is ${type} but ${where(element)} holds ${JSON.stringify(value)}`,
    );
  }
  return number;
}

/**
 * Builds the tensor for one input from flat row-major values, for every element type onnxruntime-node
 * feeds (float16 as its bits). Integer inputs take whole numbers only: 2.7 in an int64 input is an
 * InputError naming the input and `where` the value came from, never a silent truncation.
 */
export function tensorFrom(
  input: string,
  type: ort.Tensor.Type,
  values: readonly Scalar[],
  dims: readonly number[],
  where: Describe = (element) => `element ${element}`,
): ort.Tensor {
  const numbers = () => values.map((value, element) => numberFor(value, type, input, where, element));
  const integers = () =>
    numbers().map((value, element) => {
      if (!Number.isInteger(value)) {
        throw new InputError(`model input ${input} is ${type} but ${where(element)} holds ${value}`);
      }
      return value;
    });
  const data = (): ort.Tensor.DataType => {
    switch (type) {
      case 'string':
        return values.map((value) => (value === null ? '' : String(value)));
      case 'bool':
        return Uint8Array.from(values, (value) =>
          value === null || value === false || value === 0 || value === '' || value === 'false' ? 0 : 1,
        );
      case 'float32':
        return Float32Array.from(numbers());
      case 'float64':
        return Float64Array.from(numbers());
      case 'float16':
        return Uint16Array.from(numbers(), toFloat16Bits);
      case 'int8':
        return Int8Array.from(integers());
      case 'uint8':
        return Uint8Array.from(integers());
      case 'int16':
        return Int16Array.from(integers());
      case 'uint16':
        return Uint16Array.from(integers());
      case 'int32':
        return Int32Array.from(integers());
      case 'uint32':
        return Uint32Array.from(integers());
      case 'int64':
        return BigInt64Array.from(integers(), (value) => BigInt(value));
      case 'uint64':
        return BigUint64Array.from(integers(), (value) => BigInt(value));
      default:
        throw new InputError(`model input ${input} has the type ${type}, which cannot be fed`);
    }
  };
  return new ort.Tensor(type, data(), [...dims]);
}

/** Where a model was named in the config, for the InputErrors of `feedShape`. */
export interface FeedContext {
  model: string;
  location?: SourceLocation | undefined;
}

/**
 * The dims to feed `rows` rows of `width` values each to `input`: `[rows]` for a rank-1 input (one value
 * per row), `[rows, width]` for rank 2 or an undeclared shape. Ranks above 2 (images, sequences of
 * vectors) cannot come from table columns and are an InputError.
 */
export function feedShape(
  input: TensorSignature,
  rows: number,
  width: number,
  context: FeedContext,
): number[] {
  const rank = input.shape.length;
  if (rank === 1) {
    if (width !== 1) {
      throw new InputError(
        `${context.model} input ${input.name} ${describeShape(input.shape)} takes one value per row, but ${width} columns feed it`,
        context.location,
      );
    }
    return [rows];
  }
  if (rank > 2) {
    throw new InputError(
      `${context.model} input ${input.name} ${describeShape(input.shape)} has rank ${rank}: only [N, k] and [N] inputs can be fed from dataset columns`,
      context.location,
    );
  }
  return [rows, width];
}
