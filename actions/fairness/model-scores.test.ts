import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOnnxModel } from '../../shared/onnx/build-model.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import type { DataTable } from './data.ts';
import { scoreWithModel } from './model-scores.ts';

const where = { file: 'mlgate.yml', line: 4, column: 3 };
const scores = {
  at: { scoreOutput: where, positiveClass: where, kind: where },
  kindSetting: 'gates.fairness.prediction.score',
};

describe('scoreWithModel', () => {
  it('runs a model with a fixed batch of 4 over 6 rows in runs of 4, rank-1 int32 input included', async () => {
    const dir = await tempDir();
    const path = join(dir, 'fixed.onnx');
    await writeFile(
      path,
      buildOnnxModel({
        inputs: [{ name: 'x', type: 'int32', shape: [4] }],
        outputs: [{ name: 'p', type: 'float32', shape: [4] }],
        nodes: [
          { op: 'Cast', inputs: ['x'], outputs: ['xf'], attributes: { to: 1 } },
          { op: 'Sigmoid', inputs: ['xf'], outputs: ['p'] },
        ],
      }),
    );
    const table: DataTable = {
      rows: 6,
      columns: new Map([['x', [0, 1, -1, 2, -2, 3]]]),
      names: ['x'],
      display: 'data.csv',
    };
    const scored = await scoreWithModel(table, { path, display: 'fixed.onnx', location: where, scores });
    expect(scored.batchSize).toBe(4);
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    expect(Array.from(scored.scores, (score) => Number(score.toFixed(6)))).toEqual(
      [0, 1, -1, 2, -2, 3].map((x) => Number(sigmoid(x).toFixed(6))),
    );
    table.columns.set('x', [0, 1.5, 0, 0, 0, 0]);
    await expect(
      scoreWithModel(table, { path, display: 'fixed.onnx', location: where, scores }),
    ).rejects.toThrow('model input x is int32 but data row 2 (column x) holds 1.5');
  });
});
