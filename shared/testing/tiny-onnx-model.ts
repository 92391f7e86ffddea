import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = 1;
const STRING = 8;

/**
 * A real, runnable ONNX model small enough to build in a test: a float input `age` [N,1] and a string
 * input `region` [N,1], each passed through Identity to `score` and `region_out`. `producerVersion`
 * varies the bytes when a test needs two different models.
 */
export function tinyOnnxModel(options: { producerVersion?: string } = {}): Uint8Array {
  const valueInfo = (name: string, elemType: number) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'mlgate-tests',
    producerVersion: options.producerVersion ?? '1.0',
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    metadataProps: [{ key: 'author', value: 'tests' }],
    graph: {
      name: 'tiny',
      node: [
        { opType: 'Identity', input: ['age'], output: ['score'] },
        { opType: 'Identity', input: ['region'], output: ['region_out'] },
      ],
      input: [valueInfo('age', FLOAT), valueInfo('region', STRING)],
      output: [valueInfo('score', FLOAT), valueInfo('region_out', STRING)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
