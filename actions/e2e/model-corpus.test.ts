import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GateResult } from '../../shared/result/gate-result.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { type CorpusModel, corpusDataset, modelCorpus } from '../../shared/testing/model-corpus.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { main } from '../cli.ts';

const corpus = modelCorpus();
const data = corpusDataset();

/** Short benchmark blocks: these tests check that each shape runs, not how fast. */
const STOPPING = {
  'warmup-iterations': 2,
  'min-iterations': 5,
  'min-duration-ms': 5,
  'min-blocks': 3,
  'max-blocks': 3,
  'time-budget-s': 0.3,
};

function configFor(entry: CorpusModel): string {
  const model = { name: 'corpus', path: 'model.onnx', ...entry.model };
  const gates = {
    'validate-data': { datasets: ['eval'] },
    benchmark: {
      ...(entry.benchmarkInputs ? { inputs: entry.benchmarkInputs } : {}),
      scenarios: { 'single-stream': { 'batch-sizes': [1, 4] } },
      stopping: STOPPING,
    },
    fairness: {
      dataset: 'eval',
      label: 'label',
      prediction: { model: true, ...(entry.score ? { score: entry.score } : {}) },
      segments: ['group'],
      bootstrap: { resamples: 100, seed: 1 },
    },
  };
  // JSON is YAML's flow style.
  return `version: 1\nmodel: ${JSON.stringify(model)}\ndatasets:\n  eval: { path: data.csv, schema: schema.yml }\ngates: ${JSON.stringify(gates)}\n`;
}

async function projectFor(entry: CorpusModel): Promise<string> {
  const dir = await tempDir('mlgate-corpus-');
  await writeFile(join(dir, 'model.onnx'), entry.bytes);
  await writeFile(join(dir, 'data.csv'), data.csv);
  await writeFile(join(dir, 'schema.yml'), data.schema);
  await writeFile(join(dir, 'mlgate.yml'), configFor(entry));
  return dir;
}

async function runGate(dir: string, gate: string) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main([gate, '--config', join(dir, 'mlgate.yml'), '--out', join(dir, 'out')], {
    stdout,
    stderr,
  });
  const result = GateResult.parse(JSON.parse(await readFile(join(dir, 'out', `${gate}.json`), 'utf8')));
  return { code, result };
}

function expectOutcome(
  outcome: Awaited<ReturnType<typeof runGate>>,
  expected: CorpusModel['expected']['fairness'],
) {
  if (expected === 'runs') {
    expect(outcome.code, outcome.result.summary).toBeLessThan(2);
    return;
  }
  expect(outcome.code).toBe(2);
  expect(outcome.result.summary).toMatch(expected.refused);
  // One line, no stack.
  expect(outcome.result.summary).not.toContain('\n');
}

describe('the model corpus in every gate', () => {
  it.each(corpus.map((entry) => [entry.id, entry] as const))('%s', async (_id, entry) => {
    const dir = await projectFor(entry);

    const validate = await runGate(dir, 'validate-data');
    expect(validate.code, validate.result.summary).toBeLessThan(2);
    const contract = validate.result.checks.filter((check) => check.id.startsWith('eval.model.'));
    expect(contract.map((check) => check.id)).toContain('eval.model.outputs');
    const failing = contract.filter((check) => check.status === 'fail');
    if (entry.expected.contract === 'pass') expect(failing.map((check) => check.message)).toEqual([]);
    else expect(failing.length).toBeGreaterThan(0);

    expectOutcome(await runGate(dir, 'benchmark'), entry.expected.benchmark);
    const fairness = await runGate(dir, 'fairness');
    expectOutcome(fairness, entry.expected.fairness);
    if (entry.expected.fairness === 'runs') {
      expect(fairness.result.metrics['overall.selection_rate']).toBeGreaterThan(0);
      expect(fairness.result.metrics['overall.selection_rate']).toBeLessThan(1);
      expect(String(fairness.result.details?.scoring)).toMatch(/read as (probabilities|logits)/);
    }
  });

  it('gives the same fairness numbers for a ZipMap classifier as for the same classifier exported with zipmap=False', async () => {
    const byId = (id: string) => corpus.find((entry) => entry.id === id)!;
    const zipMap = await runGate(await projectFor(byId('sklearn-logistic-zipmap')), 'fairness');
    const plain = await runGate(await projectFor(byId('sklearn-logistic')), 'fairness');
    expect(zipMap.result.metrics).toEqual(plain.result.metrics);
    expect(zipMap.result.checks).toEqual(plain.result.checks);
    expect(zipMap.result.details?.scoring).toBe(
      "column 1 (class 1) of output_probability via the ZipMap's input probabilities, read as probabilities (output, class, kind inferred from the graph)",
    );
  });

  it('measures a fixed-batch model only at its batch size, and says so', async () => {
    const dir = await projectFor(corpus.find((entry) => entry.id === 'torch-fixed-batch')!);
    const { result } = await runGate(dir, 'benchmark');
    const skipped = result.checks.find((check) => check.id === 'single-stream.4');
    expect(skipped).toMatchObject({ status: 'warn', observed: 4, expected: 1 });
    expect(skipped?.message).toMatch(
      /^batch size 4 not measured: \S*model\.onnx takes a fixed batch of 1 \(input input \[1, 4\]\); list batch size 1 only, or export the model with a dynamic batch axis$/,
    );
    const measured = Object.keys(result.metrics);
    expect(measured.some((key) => key.startsWith('single-stream.1.'))).toBe(true);
    expect(measured.some((key) => key.startsWith('single-stream.4.'))).toBe(false);
  });

  it('names a Git LFS pointer checked out in place of the model, in every gate, in one line', async () => {
    const dir = await projectFor(corpus[0]!);
    await writeFile(
      join(dir, 'model.onnx'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 3069\n',
    );
    for (const gate of ['validate-data', 'benchmark', 'fairness']) {
      const { code, result } = await runGate(dir, gate);
      expect(code).toBe(2);
      expect(result.summary).toMatch(
        /^\S*model\.onnx is a Git LFS pointer, not the model: check out with `lfs: true` \(actions\/checkout\) or run `git lfs pull`$/,
      );
    }
  });

  it('names the model, the inputs and the shapes fed when onnxruntime rejects a run', async () => {
    const entry = corpus.find((model) => model.id === 'hf-sequence-classifier')!;
    const dir = await projectFor({
      ...entry,
      benchmarkInputs: {
        ...entry.benchmarkInputs,
        input_ids: { shape: ['batch', 8], values: { range: [1000, 2000] } },
      },
    });
    const { code, result } = await runGate(dir, 'benchmark');
    expect(code).toBe(2);
    expect(result.summary).toMatch(
      /^\S*model\.onnx failed on inputs input_ids int64 \[1, 8\], attention_mask int64 \[1, 8\]: \S.*out of (data )?bounds/,
    );
    expect(result.summary).not.toContain('\n');
  });
});
