import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.ts';
import { denseModel } from './build-model.ts';
import { readModelFile } from './model-file.ts';

const POINTER = `version https://git-lfs.github.com/spec/v1
oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393
size 12345
`;

async function read(files: Record<string, string | Uint8Array>, path = 'models/x.onnx') {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return readModelFile(join(dir, path), path);
}

describe('readModelFile', () => {
  it('reads and decodes a model', async () => {
    const file = await read({ 'models/x.onnx': denseModel({ inputs: 2, outputs: 1 }) });
    expect(file.model.graph?.input?.map((input) => input.name)).toEqual(['x']);
    expect(file.display).toBe('models/x.onnx');
  });

  it('names each way a model file arrives broken, in one line', async () => {
    const model = denseModel({ inputs: 8, outputs: 8 });
    const cases: [Record<string, string | Uint8Array>, string][] = [
      [{}, 'models/x.onnx model file not found'],
      [
        { 'models/x.onnx': '' },
        'models/x.onnx is empty (0 bytes): the model was not written or not checked out',
      ],
      [
        { 'models/x.onnx': POINTER },
        'models/x.onnx is a Git LFS pointer, not the model: check out with `lfs: true` (actions/checkout) or run `git lfs pull`',
      ],
      [
        { 'models/x.onnx': model.subarray(0, model.length - 7) },
        `models/x.onnx is truncated: its ${model.length - 7} bytes end inside the ONNX protobuf (an interrupted copy or download?)`,
      ],
      [
        { 'models/x.onnx': '<!DOCTYPE html><html>' },
        'models/x.onnx is text ("<!DOCTYPE html><html>"), not an ONNX model',
      ],
      [
        { 'models/x.onnx.dvc': 'outs:\n- md5: 0123\n  path: x.onnx\n' },
        'models/x.onnx is tracked by DVC (x.onnx.dvc) but its data was not pulled: run `dvc pull` before the gate',
      ],
    ];
    for (const [files, message] of cases)
      await expect(read(files)).rejects.toMatchObject({ name: 'InputError', message });
  });

  it('finds the dvc.lock stage whose output holds the model, and only that', async () => {
    const lock =
      'schema: "2.0"\nstages:\n  train:\n    cmd: python train.py\n    outs:\n    - path: models\n      md5: 1\n';
    await expect(read({ 'dvc.lock': lock, '.git/HEAD': 'ref' })).rejects.toThrow(
      /^models\/x\.onnx is tracked by DVC \(.*dvc\.lock\) but its data was not pulled: run `dvc pull` before the gate$/,
    );
    const other = lock.replace('path: models', 'path: metrics.json');
    await expect(read({ 'dvc.lock': other, '.git/HEAD': 'ref' })).rejects.toMatchObject({
      message: 'models/x.onnx model file not found',
    });
  });

  it('tells random bytes from a model', async () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 200) % 256);
    await expect(read({ 'models/x.onnx': bytes })).rejects.toThrow(
      /^models\/x\.onnx is (not an ONNX model|truncated)/,
    );
  });
});
