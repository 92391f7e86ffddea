import { isNumericType, openModel, type TensorSignature } from '../onnx/model-io.ts';

export type { TensorSignature } from '../onnx/model-io.ts';

export interface ModelSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

/**
 * Reads the inputs and outputs an ONNX model declares, by loading it in onnxruntime (which also proves the
 * file is a model this runtime can execute). Throws InputError naming the file when it is missing or
 * invalid, in the words of `readModelFile` (LFS pointer, DVC, empty, truncated, not ONNX).
 */
export async function readModelSignature(path: string, displayPath = path): Promise<ModelSignature> {
  const model = await openModel(path, displayPath);
  try {
    return { inputs: model.inputs, outputs: model.outputs };
  } finally {
    await model.release();
  }
}

/** Whether a tensor element type holds numbers. */
export const isNumericTensor = isNumericType;
