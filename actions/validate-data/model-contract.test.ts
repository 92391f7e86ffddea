import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelSignature } from '../../shared/data/model-signature.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { modelCorpus } from '../../shared/testing/model-corpus.ts';
import { project, runValidateData } from './test-setup.ts';

const MODEL = resolve(import.meta.dirname, '../../fixtures/models/loan-default.onnx');
const DATA =
  'age_years,income,loan_amount,credit_score,employment_years,region,home_ownership,note\n30,50000,1000,700,3,north,rent,x\n';

function config(inputs: string): string {
  return `version: 1
model:
  name: loan-default
  path: ${JSON.stringify(MODEL)}
${inputs}datasets:
  applicants: { path: data.csv, schema: schema.yml }
`;
}

const SCHEMA = `columns:
  age_years: { type: integer }
  income: { type: number }
  loan_amount: { type: number }
  credit_score: { type: integer }
  employment_years: { type: number }
  region: { type: integer }
  home_ownership: { type: string }
  note: { type: string }
`;

function statuses(checks: Check[]) {
  return Object.fromEntries(
    checks
      .filter((check) => check.id.includes('.model.'))
      .map((check) => [check.id, [check.status, check.message]]),
  );
}

describe('model contract', () => {
  it('reads the fixture model signature with onnxruntime', async () => {
    const signature = await readModelSignature(MODEL);
    expect(signature.inputs.map((input) => [input.name, input.type, input.shape])).toEqual([
      ['age', 'float32', ['N', 1]],
      ['income', 'float32', ['N', 1]],
      ['loan_amount', 'float32', ['N', 1]],
      ['credit_score', 'float32', ['N', 1]],
      ['employment_years', 'float32', ['N', 1]],
      ['region', 'string', ['N', 1]],
      ['home_ownership', 'string', ['N', 1]],
    ]);
    expect(signature.outputs.map((output) => output.name)).toEqual(['label', 'probabilities']);
  });

  it('checks mapping, types, shapes and reports ignored columns', async () => {
    const dir = await project({
      'mlgate.yml': config('  inputs:\n    age: age_years\n    credit_score: [credit_score, income]\n'),
      'schema.yml': SCHEMA,
      'data.csv': DATA,
    });
    const { result, exitCode } = await runValidateData(dir);
    const checks = statuses(result.checks);
    expect(checks['applicants.model.age']).toEqual([
      'pass',
      'model input age (float32 [N, 1]) is fed by age_years',
    ]);
    expect(checks['applicants.model.region']).toEqual([
      'fail',
      'model input region (string [N, 1]): column region is integer, the input is string',
    ]);
    expect(checks['applicants.model.credit_score']).toEqual([
      'fail',
      'model input credit_score (float32 [N, 1]): the input takes 1 value(s) per row, 2 column(s) feed it',
    ]);
    expect(checks['applicants.model.home_ownership']?.[0]).toBe('pass');
    expect(checks['applicants.model.ignored-columns']).toEqual([
      'pass',
      '1 schema column(s) feed no model input: note',
    ]);
    const mapped = result.checks.find((check) => check.id === 'applicants.model.age');
    expect(mapped?.location?.line).toBe(6);
    expect(exitCode).toBe(1);
  });

  it('fails an input with no source column', async () => {
    const dir = await project({
      'mlgate.yml': config(''),
      'schema.yml': SCHEMA.replace('region: { type: integer }', 'region: { type: string }'),
      'data.csv': DATA,
    });
    const { result } = await runValidateData(dir);
    const checks = statuses(result.checks);
    expect(checks['applicants.model.age']).toEqual([
      'fail',
      'model input age (float32 [N, 1]): no column age',
    ]);
    expect(checks['applicants.model.region']?.[0]).toBe('pass');
  });

  it('checks the contract only on the datasets model-contract lists, and names an unknown one', async () => {
    const twoDatasets = (contract: string) =>
      `${config('')}  predictions: { path: predictions.csv, schema: predictions.yml }\ngates:\n  validate-data: { model-contract: ${contract} }\n`;
    const files = {
      'schema.yml': SCHEMA,
      'data.csv': DATA,
      'predictions.yml': 'columns:\n  score: { type: number }\n',
      'predictions.csv': 'score\n0.3\n',
    };
    const dir = await project({ 'mlgate.yml': twoDatasets('[applicants]'), ...files });
    const { result } = await runValidateData(dir);
    const judged = Object.keys(statuses(result.checks));
    expect(judged).toContain('applicants.model.age');
    expect(judged.filter((id) => id.startsWith('predictions.'))).toEqual([]);
    expect(result.checks.map((check) => check.id)).toContain('predictions.score.type');

    const typo = await project({ 'mlgate.yml': twoDatasets('[applicant]'), ...files });
    const { result: refused, exitCode } = await runValidateData(typo);
    expect(exitCode).toBe(2);
    expect(refused.summary).toContain(
      'unknown dataset "applicant" in model-contract (datasets: applicants, predictions)',
    );
  });

  it('names a model file that is not a model', async () => {
    const dir = await project({
      'mlgate.yml': config('').replace(JSON.stringify(MODEL), 'broken.onnx'),
      'schema.yml': SCHEMA,
      'data.csv': DATA,
      'broken.onnx': 'not a model',
    });
    const { result, exitCode } = await runValidateData(dir);
    expect(exitCode).toBe(2);
    expect(result.summary).toMatch(/broken\.onnx is text \("not a model"\), not an ONNX model/);
  });

  it('checks the outputs: red exactly when a gate could not read the scores', async () => {
    const regressor = modelCorpus().find((entry) => entry.id === 'sklearn-regressor')!;
    const files = (gates: string, model = '') => ({
      'mlgate.yml': `version: 1\nmodel:\n  name: m\n  path: m.onnx\n  inputs: { float_input: [a, b, c, d] }\n${model}datasets:\n  applicants: { path: data.csv, schema: schema.yml }\n${gates}`,
      'schema.yml':
        'columns:\n  a: { type: number }\n  b: { type: number }\n  c: { type: number }\n  d: { type: number }\n',
      'data.csv': 'a,b,c,d\n1,2,3,4\n',
    });
    const outputs = async (dir: string) => {
      await writeFile(join(dir, 'm.onnx'), regressor.bytes);
      const { result } = await runValidateData(dir);
      return statuses(result.checks)['applicants.model.outputs'];
    };
    const [status, message] = (await outputs(await project(files(''))))!;
    expect(status).toBe('pass');
    expect(message).toMatch(
      /^no classifier score to read \(fairness does not run the model\): \S*m\.onnx is a regressor \(output variable comes from LinearRegressor\): fairness needs a classifier's scores$/,
    );
    const fairness =
      'gates:\n  fairness: { dataset: applicants, label: a, prediction: { model: true }, segments: [b] }\n';
    expect((await outputs(await project(files(fairness))))?.[0]).toBe('fail');
    expect(await outputs(await project(files('', '  score-output: proba\n')))).toEqual([
      'fail',
      expect.stringMatching(
        /^no classifier score to read: model\.score-output: \S*m\.onnx has no output "proba" \(its outputs: variable float32 \[d0, 1\]\)$/,
      ),
    ]);
  });
});
