import { buildOnnxModel } from '../onnx/build-model.ts';

/**
 * A real, runnable ONNX model small enough to build in a test: a float input `age` [N,1] and a string
 * input `region` [N,1], each passed through Identity to `score` and `region_out`. `producerVersion`
 * varies the bytes when a test needs two different models.
 */
export function tinyOnnxModel(options: { producerVersion?: string } = {}): Uint8Array {
  return buildOnnxModel({
    name: 'tiny',
    producer: { name: 'mlgate-tests', version: options.producerVersion ?? '1.0' },
    extraOpsets: { 'ai.onnx.ml': 3 },
    metadata: { author: 'tests' },
    inputs: [
      { name: 'age', type: 'float32', shape: ['N', 1] },
      { name: 'region', type: 'string', shape: ['N', 1] },
    ],
    outputs: [
      { name: 'score', type: 'float32', shape: ['N', 1] },
      { name: 'region_out', type: 'string', shape: ['N', 1] },
    ],
    nodes: [
      { op: 'Identity', inputs: ['age'], outputs: ['score'] },
      { op: 'Identity', inputs: ['region'], outputs: ['region_out'] },
    ],
  });
}
