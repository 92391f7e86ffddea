import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { tempDir } from '../testing/temp-dir.ts';
import { tinyOnnxModel } from '../testing/tiny-onnx-model.ts';
import { decodeModelMetadata, readModelMetadata } from './read-model-metadata.ts';

describe('readModelMetadata', () => {
  it('reads producer, opsets, and typed inputs and outputs of a model onnxruntime can run', async () => {
    const bytes = tinyOnnxModel();
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({
      age: new ort.Tensor('float32', Float32Array.from([42]), [1, 1]),
      region: new ort.Tensor('string', ['north'], [1, 1]),
    });
    expect(result.region_out?.data).toEqual(['north']);
    expect(decodeModelMetadata(bytes)).toEqual({
      irVersion: 8,
      producer: 'mlgate-tests',
      producerVersion: '1.0',
      opsets: [
        { domain: 'ai.onnx', version: 17 },
        { domain: 'ai.onnx.ml', version: 3 },
      ],
      inputs: [
        { name: 'age', dtype: 'float', shape: ['N', 1] },
        { name: 'region', dtype: 'string', shape: ['N', 1] },
      ],
      outputs: [
        { name: 'score', dtype: 'float', shape: ['N', 1] },
        { name: 'region_out', dtype: 'string', shape: ['N', 1] },
      ],
      metadata: { author: 'tests' },
    });
  });

  it('names the file when it is missing or not an ONNX model', async () => {
    const dir = await tempDir();
    await expect(readModelMetadata(join(dir, 'absent.onnx'), 'models/absent.onnx')).rejects.toThrow(
      new InputError('model file not found', { file: 'models/absent.onnx' }),
    );
    await writeFile(join(dir, 'text.onnx'), 'this is not protobuf at all, just text\n');
    await expect(readModelMetadata(join(dir, 'text.onnx'), 'models/text.onnx')).rejects.toThrow(
      /^models\/text\.onnx is text \("this is not protobuf at all, just text"\), not an ONNX model$/,
    );
  });
});
