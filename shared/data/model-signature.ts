import { access } from 'node:fs/promises';
import { InferenceSession } from 'onnxruntime-node';
import { errorMessage, InputError } from '../errors.ts';

/** One declared input or output of an ONNX model. */
export interface TensorSignature {
  name: string;
  /** Element type as onnxruntime names it (`float32`, `int64`, `string`, `bool`...); undefined for non-tensors. */
  type: string | undefined;
  /** Dimensions: a number when fixed, a symbol name (e.g. `N`) when free. Empty when unknown. */
  shape: (number | string)[];
}

export interface ModelSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

function describe(metadata: readonly InferenceSession.ValueMetadata[]): TensorSignature[] {
  return metadata.map((value) =>
    value.isTensor
      ? { name: value.name, type: value.type, shape: [...value.shape] }
      : { name: value.name, type: undefined, shape: [] },
  );
}

/**
 * Reads the inputs and outputs an ONNX model declares, by loading it in onnxruntime (which also proves the
 * file is a model this runtime can execute). Throws InputError naming the file when it is missing or invalid.
 */
export async function readModelSignature(path: string, displayPath = path): Promise<ModelSignature> {
  try {
    await access(path);
  } catch {
    throw new InputError('model file not found', { file: displayPath });
  }
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(path);
  } catch (error) {
    throw new InputError(`cannot load the ONNX model: ${errorMessage(error).split('\n')[0]}`, {
      file: displayPath,
    });
  }
  try {
    return { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
  } finally {
    await session.release();
  }
}

const NUMERIC_TENSORS = new Set([
  'float32',
  'float64',
  'float16',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
]);

/** Whether a tensor element type holds numbers. */
export function isNumericTensor(type: string | undefined): boolean {
  return type !== undefined && NUMERIC_TENSORS.has(type);
}
