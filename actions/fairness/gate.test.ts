import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GateResult } from '../../shared/result/gate-result.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { main } from '../cli.ts';

const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));

/** `gates.fairness` with `gate` (YAML lines) indented under it. */
function fairnessSection(gate: string): string[] {
  return [
    'gates:',
    '  fairness:',
    ...gate
      .trim()
      .split('\n')
      .map((line) => `    ${line}`),
  ];
}

function config(gate: string, extra = ''): string {
  return [
    'version: 1',
    `model: { name: loan-default, path: ${fixture('models/loan-default.onnx')} }`,
    'datasets:',
    `  eval: { path: ${fixture('data/eval.csv')} }`,
    extra,
    ...fairnessSection(gate),
  ].join('\n');
}

const COMMON = `dataset: eval
label: defaulted
segments: [sex, age_band, [sex, age_band]]
policy: { equalized_odds_difference: 0.1, demographic_parity_ratio: four-fifths }
bootstrap: { resamples: 200 }`;

async function run(text: string, args: string[] = []) {
  const dir = await tempDir();
  const file = join(dir, 'mlgate.yml');
  await writeFile(file, text);
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main(['fairness', '--config', file, '--out', join(dir, 'out'), ...args], {
    stdout,
    stderr,
  });
  const result = await readFile(join(dir, 'out', 'fairness.json'), 'utf8').then(
    (json) => JSON.parse(json) as GateResult,
    () => undefined,
  );
  return { code, result, stderr: stderr.text(), stdout: stdout.text() };
}

describe('fairness gate on the fixtures', () => {
  it('gives the same verdicts and numbers from the model as from the predictions file', async () => {
    const fromModel = await run(config(`${COMMON}\nprediction: { model: true, threshold: 0.5 }`));
    const fromColumn = await run(
      config(
        `${COMMON}\nprediction: { column: prediction }\nscore: { column: score }\npredictions: { path: ${fixture('data/eval-predictions.csv')}, key: id }`,
      ),
    );
    expect(fromModel.code).toBe(fromColumn.code);
    const a = fromModel.result!;
    const b = fromColumn.result!;
    expect(b.checks.map(({ id, status, message }) => ({ id, status, message }))).toEqual(
      a.checks.map(({ id, status, message }) => ({ id, status, message })),
    );
    const { 'overall.roc_auc': aucA, ...restA } = a.metrics;
    const { 'overall.roc_auc': aucB, ...restB } = b.metrics;
    expect(restB).toEqual(restA);
    // The file's scores are rounded to 6 decimals; ties may move the AUC in the last digits only.
    expect(aucB).toBeCloseTo(aucA!, 4);
  });

  it('flags the age_band disparity built into the data, with its interval, identically on a rerun', async () => {
    const text = config(`${COMMON}\nprediction: { model: true }`);
    const first = await run(text);
    const second = await run(text);
    const check = first.result!.checks.find((c) => c.id === 'age_band.equalized_odds_difference')!;
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/for age_band is 0\.\d+ \(95% CI 0\.\d+ to 0\.\d+; policy: at most 0\.1\)/);
    expect(check.message).toContain('age_band=18-25');
    expect(first.code).toBe(1);
    const portable = (result: GateResult) => result.checks.map(({ location: _location, ...check }) => check);
    expect(portable(second.result!)).toEqual(portable(first.result!));
    expect(second.result!.metrics).toEqual(first.result!.metrics);
    expect(first.result!.metrics['sex+age_band.equalized_odds_difference']).toBeGreaterThan(0.2);
    // The gap per segment as bars against the policy's limit as a line, on an axis from zero.
    const chart = first.result!.charts!.find((c) =>
      c.title.startsWith('equalized odds difference by segment'),
    )!;
    expect(chart.labels).toContain('age_band');
    expect(chart.yMin).toBe(0);
    const gaps = chart.series.find((series) => series.kind === 'bar')!;
    const limit = chart.series.find((series) => series.kind === 'line')!;
    expect(gaps.values[chart.labels.indexOf('age_band')]).toBe(check.observed);
    expect(new Set(limit.values)).toEqual(new Set([0.1]));
  });

  it('passes the demo config (exit 0) while reporting the waived age_band disparity', async () => {
    const stdout = memoryStream();
    const stderr = memoryStream();
    const dir = await tempDir();
    const code = await main(['fairness', '--config', fixture('mlgate.yml'), '--out', dir], {
      stdout,
      stderr,
    });
    expect(code).toBe(0);
    const result = JSON.parse(await readFile(join(dir, 'fairness.json'), 'utf8')) as GateResult;
    expect(result.status).toBe('warn');
    const check = result.checks.find((c) => c.id === 'age_band.equalized_odds_difference')!;
    expect(check.waived?.reason).toContain('18-25');
    expect(check.interval).toBeDefined();
    expect(result.checks.some((c) => c.id === 'age_band.18-25.false_positive_rate.vs-baseline')).toBe(true);
  });
});

describe('fairness gate: methods, bins, control features and weights together', () => {
  it('judges against a reference group and the overall, within control levels, on binned ages', async () => {
    const text = config(
      `dataset: eval
label: defaulted
prediction: { model: true }
weight: employment_years
segments: [age_band, { features: [sex], control: [region] }, age]
bins: { age: [26, 41, 61] }
reference: { age_band: 26-40, sex: female, age: '[26, 41)' }
policy:
  false_positive_rate_ratio: { threshold: four-fifths, method: reference }
  selection_rate_difference: { threshold: 0.3, method: to_overall }
baseline: { path: ${fixture('models/loan-default-baseline.onnx')}, metrics: [false_positive_rate] }
bootstrap: { resamples: 200 }`,
    );
    const { code, result } = await run(text);
    expect(code).toBe(1);
    const ids = result!.checks.map((c) => c.id);
    expect(ids).toContain('sex.female[region=north].false_positive_rate.vs-baseline');
    expect(ids.filter((id) => !id.endsWith('.vs-baseline'))).toEqual([
      'age_band.false_positive_rate_ratio',
      'age_band.selection_rate_difference',
      'sex.false_positive_rate_ratio',
      'sex.selection_rate_difference',
      'age.false_positive_rate_ratio',
      'age.selection_rate_difference',
    ]);
    const reference = result!.checks[0]!;
    expect(reference.status).toBe('fail');
    expect(reference.message).toContain('four-fifths heuristic, not a legal test');
    expect(reference.message).toContain('for age_band=26-40 (the reference)');
    // Binned ages reproduce the age bands of the fixture (same edges), weights and all.
    expect(result!.metrics['age.false_positive_rate_ratio']).toBeCloseTo(
      result!.metrics['age_band.false_positive_rate_ratio']!,
      12,
    );
    expect(result!.checks[2]!.message).toMatch(/within region=\w+/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('fairness gate: a tiny group and bad input', () => {
  async function csvConfig(csv: string, gate: string) {
    const dir = await tempDir();
    await writeFile(join(dir, 'data.csv'), csv);
    return [
      'version: 1',
      'datasets:',
      `  d: { path: ${join(dir, 'data.csv')} }`,
      ...fairnessSection(gate),
    ].join('\n');
  }

  /** Two big groups with the same rates, and a 5-person group whose predictions are all wrong. */
  function tinyGroupCsv(): string {
    const lines = ['group,label,pred'];
    for (const group of ['a', 'b']) {
      for (let i = 0; i < 300; i += 1) {
        const label = i % 3 === 0 ? 1 : 0;
        const pred = i % 10 === 0 ? 1 - label : label;
        lines.push(`${group},${label},${pred}`);
      }
    }
    for (let i = 0; i < 5; i += 1) lines.push(`tiny,${i % 2},${1 - (i % 2)}`);
    return `${lines.join('\n')}\n`;
  }

  it('does not fail because of a 5-person group with a wild rate, and says so', async () => {
    const text = await csvConfig(
      tinyGroupCsv(),
      'dataset: d\nlabel: label\nprediction: { column: pred }\nsegments: [group]\npolicy: { equalized_odds_difference: 0.1 }\nbootstrap: { resamples: 200 }',
    );
    const { code, result } = await run(text);
    expect(code).toBe(0);
    const check = result!.checks[0]!;
    expect(check.status).toBe('pass');
    expect(check.message).toContain('too small to judge: tiny (5 rows)');
    // Fairlearn's number includes the tiny group (FPR 1 vs 0.1); the judged one does not.
    expect(result!.metrics['group.equalized_odds_difference']).toBeCloseTo(0.9, 12);
    expect(check.observed).toBeLessThan(0.05);
    const strict = await run(text, ['--strict']);
    expect(strict.result!.checks[0]!.status).toBe('pass');
  });

  it('exits 2 when the label is not binary', async () => {
    const { code, result } = await run(
      config('dataset: eval\nlabel: age_band\nprediction: { model: true }\nsegments: [sex]'),
    );
    expect(code).toBe(2);
    expect(result!.summary).toMatch(
      /mlgate\.yml:\d+:\d+ label age_band is not binary: expected 0\/1 or true\/false, found 61\+, 18-25/,
    );
  });

  it('exits 2 for an unknown segment column, naming the columns there are', async () => {
    const { code, result } = await run(
      config('dataset: eval\nlabel: defaulted\nprediction: { model: true }\nsegments: [sex, gender]'),
    );
    expect(code).toBe(2);
    expect(result!.summary).toMatch(
      /segment feature "gender" is not a column of .*eval\.csv \(columns: id, age, age_band, sex/,
    );
  });

  it('exits 2 for a threshold out of range, at its line', async () => {
    const bad = await run(
      config('dataset: eval\nlabel: defaulted\nprediction: { model: true, threshold: 1.5 }\nsegments: [sex]'),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /mlgate\.yml:10:43 gates\.fairness\.prediction\.threshold: expected a number between 0 and 1/,
    );
    const policy = await run(
      config(
        'dataset: eval\nlabel: defaulted\nprediction: { model: true }\nsegments: [sex]\npolicy: { equalized_odds_difference: 2 }',
      ),
    );
    expect(policy.code).toBe(2);
    expect(policy.result!.summary).toMatch(
      /mlgate\.yml:\d+:\d+ equalized_odds_difference: threshold 2 is out of range/,
    );
  });

  it('exits 2 for an unknown disparity name and for missing values under missing: fail', async () => {
    const unknown = await run(
      config(
        'dataset: eval\nlabel: defaulted\nprediction: { model: true }\nsegments: [sex]\npolicy: { equalised_odds: 0.1 }',
      ),
    );
    expect(unknown.code).toBe(2);
    expect(unknown.result!.summary).toContain('unknown disparity "equalised_odds"');
    const text = await csvConfig(
      'g,label,pred\na,1,1\n,0,0\nb,1,0\n',
      'dataset: d\nlabel: label\nprediction: { column: pred }\nsegments: [g]\nmissing: fail',
    );
    const missing = await run(text);
    expect(missing.code).toBe(2);
    expect(missing.result!.summary).toContain('sensitive feature g is missing on 1 rows (first: data row 2)');
  });
});
