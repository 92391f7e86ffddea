import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelCorpus } from '../testing/model-corpus.ts';
import { tempDir } from '../testing/temp-dir.ts';
import { describeScorePlan, planScores, readScores, type ScoreOptions } from './classifier-scores.ts';
import { type OnnxModel, openModel, tensorFrom } from './model-io.ts';

const at = (key: string) => ({ file: 'mlgate.yml', line: 3, column: 5, key });
const options = (extra: Partial<ScoreOptions> = {}): ScoreOptions => ({
  at: { scoreOutput: at('score-output'), positiveClass: at('positive-class'), kind: at('kind') },
  kindSetting: 'gates.fairness.prediction.score',
  ...extra,
});

async function withCorpusModel<T>(id: string, use: (model: OnnxModel) => Promise<T>): Promise<T> {
  const dir = await tempDir();
  const path = join(dir, 'model.onnx');
  await writeFile(path, modelCorpus().find((entry) => entry.id === id)!.bytes);
  const model = await openModel(path, 'model.onnx');
  try {
    return await use(model);
  } finally {
    await model.release();
  }
}

describe('planScores', () => {
  it('reads a multi-class ZipMap by the configured class label, and refuses without one', async () => {
    await withCorpusModel('sklearn-multiclass-zipmap', async (model) => {
      expect(() => planScores(model, options())).toThrow(
        'mlgate.yml:3:5 output output_probability of model.onnx scores 3 classes (0, 1, 2): set model.positive-class to the class whose score fairness thresholds',
      );
      expect(() => planScores(model, options({ positiveClass: 7 }))).toThrow(
        'mlgate.yml:3:5 model.positive-class: 7 is not a class of model.onnx (classes: 0, 1, 2)',
      );
      const plan = planScores(model, options({ positiveClass: '2' }));
      expect(plan).toMatchObject({ output: 'output_probability', tensor: 'probabilities', column: 2 });
      expect(describeScorePlan(plan)).toBe(
        "column 2 (class 2) of output_probability via the ZipMap's input probabilities, read as probabilities (output, kind inferred from the graph)",
      );
      const x = tensorFrom('float_input', 'float32', [0, 0, 0, 0], [1, 4]);
      const [score] = readScores(plan, await model.run({ float_input: x }), 1, {
        display: 'model.onnx',
        firstRow: 0,
        options: options(),
      });
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThan(1);
    });
  });

  it('names the outputs when model.score-output names none of them', async () => {
    await withCorpusModel('xgboost', async (model) => {
      expect(() => planScores(model, options({ scoreOutput: 'proba' }))).toThrow(
        'mlgate.yml:3:5 model.score-output: model.onnx has no output "proba" (its outputs: label int64 [d0], probabilities float32 [d0, 2])',
      );
      expect(() => planScores(model, options({ scoreOutput: 'label' }))).toThrow(
        'model.score-output: output label of model.onnx is int64, not a float tensor of scores',
      );
    });
  });

  it('infers logits from a Hugging Face `logits` output and applies a softmax', async () => {
    await withCorpusModel('hf-sequence-classifier', async (model) => {
      const plan = planScores(model, options());
      expect(plan).toMatchObject({ output: 'logits', kind: 'logit', column: undefined });
      const outputs = { logits: tensorFrom('logits', 'float32', [0, Math.log(3)], [1, 2]) };
      const [score] = readScores(plan, outputs, 1, {
        display: 'model.onnx',
        firstRow: 0,
        options: options(),
      });
      expect(score).toBeCloseTo(0.75, 6);
    });
  });
});
