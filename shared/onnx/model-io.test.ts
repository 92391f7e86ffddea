import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { modelCorpus } from '../testing/model-corpus.ts';
import { tempDir } from '../testing/temp-dir.ts';
import { fromFloat16Bits, numbersOf, openModel, tensorFrom, toFloat16Bits } from './model-io.ts';

describe('float16', () => {
  it('rounds to half precision', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(0)).toBe(0);
  });

  it('reads half precision bits back', () => {
    for (const value of [1, -2, 0.5, 65504, 0, 0.333251953125, 2 ** -24])
      expect(fromFloat16Bits(toFloat16Bits(value))).toBe(value);
    expect(fromFloat16Bits(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
  });
});

describe('openModel', () => {
  it('fetches only tensors from a ZipMap classifier and names the model, inputs and shapes when a run fails', async () => {
    const dir = await tempDir();
    const path = join(dir, 'model.onnx');
    const entry = modelCorpus().find((model) => model.id === 'sklearn-logistic-zipmap')!;
    await writeFile(path, entry.bytes);
    const model = await openModel(path, 'models/model.onnx');
    try {
      expect(model.outputs.map((output) => [output.name, output.type])).toEqual([
        ['output_label', 'int64'],
        ['output_probability', undefined],
      ]);
      expect(model.fetches).toEqual(['output_label', 'probabilities']);
      expect(model.zipMaps).toEqual([
        { output: 'output_probability', tensor: 'probabilities', classes: [0, 1], added: true },
      ]);
      const x = tensorFrom('float_input', 'float32', [0, 0, 0, 0, 1, 1, 1, 1], [2, 4]);
      const outputs = await model.run({ float_input: x });
      const p = numbersOf(outputs.probabilities!);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
      const wrong = tensorFrom('float_input', 'float32', [1, 2, 3], [1, 3]);
      await expect(model.run({ float_input: wrong })).rejects.toThrow(
        /^models\/model\.onnx failed on inputs float_input float32 \[1, 3\]: .*index: 1 Got: 3 Expected: 4$/,
      );
    } finally {
      await model.release();
    }
  });

  it('feeds every dtype the way the model declares, and refuses fractions in integer inputs', () => {
    expect(Array.from(tensorFrom('x', 'float16', [1, 0.5], [2]).data as Uint16Array)).toEqual([
      0x3c00, 0x3800,
    ]);
    expect(tensorFrom('x', 'bool', [true, 'false', 0, 1], [4]).data).toEqual(Uint8Array.from([1, 0, 0, 1]));
    expect(tensorFrom('x', 'int32', ['7', 3], [2, 1]).data).toEqual(Int32Array.from([7, 3]));
    expect(() =>
      tensorFrom('age', 'int64', [3, 2.5], [2], (element) => `data row ${element + 1} (column age)`),
    ).toThrow(new InputError('model input age is int64 but data row 2 (column age) holds 2.5'));
    expect(tensorFrom('x', 'float32', [null], [1]).data).toEqual(Float32Array.from([Number.NaN]));
  });
});
