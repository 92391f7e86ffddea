import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vi } from 'vitest';
import { z } from 'zod';
import { defineGate, type GateReport } from '../../shared/gate.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createGitHubRuntime } from '../../shared/runtime/github-runtime.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import type { GitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { tinyOnnxModel } from '../../shared/testing/tiny-onnx-model.ts';
import { loadMlgateConfig } from '../gates.ts';
import { modelCardGate } from './gate.ts';

/** A gate that reports what it is told: stands in for the real gates, which are built in parallel. */
function fakeGate(name: string, report: GateReport) {
  return defineGate({
    name,
    description: `stand-in for ${name}`,
    settings: z.object({}),
    inputs: {},
    options: z.object({}),
    needsModel: false,
    run: async () => report,
  });
}

/** Realistic reports of the four measuring gates, in the shapes their issues describe. */
export const SAMPLE_REPORTS = {
  'validate-data': {
    summary: 'eval.csv: 5,000 rows, 11 columns, all 34 rules hold',
    checks: [
      {
        id: 'eval.income.not-null',
        status: 'pass',
        message: '1.9% empty (limit 5%)',
        observed: 0.019,
        expected: 0.05,
      },
      { id: 'eval.age.range', status: 'pass', message: 'all values in 18..85' },
    ],
    metrics: { 'eval.rows': 5000 },
  },
  'rerun-experiments': {
    summary: 'train: reproduced within tolerance (auc 0.8412 vs 0.8409)',
    checks: [{ id: 'train.auc', status: 'pass', message: 'auc 0.8412 within 0.005 of 0.8409' }],
    metrics: { auc: 0.8412, accuracy: 0.8123, log_loss: 0.4011 },
    details: {
      diff: {
        base: 'origin/main',
        mergeBase: '5d41402abc4b2a76b9719d911017c592ffffffff',
        metrics: { 'metrics.json': { auc: { old: 0.8377, new: 0.8412, diff: 0.0035 } } },
        params: { 'params.yaml': { 'train.optimizer': { old: 'sgd', new: 'adam' } } },
      },
    },
  },
  benchmark: {
    summary: 'p50 latency ratio 1.03 (95% CI 0.98–1.08), within the 10% budget',
    checks: [
      {
        id: 'default.1.p50',
        status: 'pass',
        message: 'p50 ratio 1.03 within 1.10',
        observed: 1.03,
        expected: 'lower bound <= ×1.10',
        interval: { lower: 0.98, upper: 1.08, confidence: 0.95 },
        threshold: 1.1,
      },
    ],
    metrics: { 'candidate.p50-ms': 0.412, 'baseline.p50-ms': 0.4 },
    charts: [
      {
        title: 'Latency percentiles, batch 1',
        kind: 'line',
        labels: ['p50', 'p90', 'p99'],
        yLabel: 'ms',
        series: [
          { name: 'baseline', values: [0.4, 0.52, 0.81] },
          { name: 'candidate', values: [0.412, 0.55, 0.84] },
        ],
      },
    ],
  },
  fairness: {
    summary: 'FPR for age_band=18-25 is 0.31 vs 0.18 for the reference (x1.7), within the policy of 2',
    checks: [
      {
        id: 'age_band.fpr-ratio',
        status: 'pass',
        message: 'FPR ratio 1.7 within 2.0',
        observed: 1.7,
        expected: 2,
      },
      {
        id: 'age_band.18-25.fpr.vs-baseline',
        status: 'warn',
        message: 'FPR for 18-25 rose from 0.29 to 0.31: inconclusive (95% CI −0.01 to 0.05)',
        observed: 0.02,
        expected: '<= 0.05',
        verdict: 'inconclusive',
        interval: { lower: -0.01, upper: 0.05 },
        adjustedPValue: 0.31,
      },
    ],
    metrics: { 'age_band.fpr-ratio': 1.7 },
    tables: [
      {
        title: 'False positive rate per age band',
        columns: ['group', 'n', 'FPR', '95% CI'],
        rows: [
          ['18-25', '612', '0.31', '0.27–0.35'],
          ['26-40', '1,804', '0.18', '0.16–0.20'],
          ['41-60', '1,733', '0.17', '0.15–0.19'],
          ['61+', '851', '0.19', '0.16–0.22'],
        ],
      },
    ],
    charts: [
      {
        title: 'False positive rate by age band',
        kind: 'bar',
        labels: ['18-25', '26-40', '41-60', '61+'],
        yLabel: 'FPR',
        series: [{ name: 'candidate', values: [0.31, 0.18, 0.17, 0.19] }],
      },
    ],
  },
} as const satisfies Record<string, GateReport>;

export type SampleGate = keyof typeof SAMPLE_REPORTS;

export interface TestProject {
  dir: string;
  configFile: string;
  out: string;
  modelFile: string;
}

/** A project folder with a runnable ONNX model, a dataset, a card source and an mlgate.yml. */
export async function createTestProject(
  options: { modelCard?: string; card?: string | false; model?: Uint8Array | false } = {},
): Promise<TestProject> {
  const dir = await tempDir('mlgate-model-card-');
  await mkdir(join(dir, 'models'), { recursive: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  const modelFile = join(dir, 'models', 'loan-default.onnx');
  if (options.model !== false) await writeFile(modelFile, options.model ?? tinyOnnxModel());
  await writeFile(join(dir, 'data', 'eval.csv'), 'id,age,region,defaulted\n1,42,north,0\n2,23,south,1\n');
  if (options.card !== false) {
    await writeFile(
      join(dir, 'card.yml'),
      options.card ??
        [
          'overview: Scores the probability that a consumer loan defaults within 12 months.',
          'owners: [{ name: Credit Risk ML, contact: risk-ml@example.com }]',
          'license: Apache-2.0',
          'intended-use: Ranking applications for manual review by credit officers.',
          'out-of-scope-use: [Automated rejection without human review]',
          'limitations: [Trained on synthetic data]',
          'ethical-considerations:',
          '  - risk: Higher false positive rate for applicants aged 18-25',
          '    mitigation: Monitored by the fairness gate on every pull request',
          '',
        ].join('\n'),
    );
  }
  const configFile = join(dir, 'mlgate.yml');
  await writeFile(
    configFile,
    [
      'version: 1',
      'model: { name: loan-default, path: models/loan-default.onnx, version: 1.1.0 }',
      'datasets:',
      '  eval: { path: data/eval.csv }',
      'gates:',
      options.modelCard ?? (options.card === false ? '  model-card: {}' : '  model-card: { card: card.yml }'),
      '',
    ].join('\n'),
  );
  return { dir, configFile, out: join(dir, 'out'), modelFile };
}

/** Writes `<out>/<gate>.json` from `report`, through runGate as the real gates do. */
export async function writeSampleResult(
  project: TestProject,
  gate: string,
  report: GateReport,
): Promise<void> {
  const config = await loadMlgateConfig(project.configFile);
  const runtime = await createLocalRuntime({ out: project.out, stream: memoryStream(), cwd: project.dir });
  await runGate(fakeGate(gate, report), { config, runtime, out: project.out });
}

/** Writes `<out>/<gate>.json` for each sample gate. */
export async function writeSampleResults(project: TestProject, gates: readonly SampleGate[]): Promise<void> {
  for (const gate of gates)
    await writeSampleResult(project, gate, SAMPLE_REPORTS[gate] as unknown as GateReport);
}

/** The event a test runs the model-card action on. */
export interface TestEvent {
  name: string;
  payload: unknown;
  sha: string;
  ref?: string;
}

/**
 * Runs model-card as its action does (the GitHub runtime, the runner's environment variables and files)
 * on `event`, against the local API server. Returns the outcome, the log @actions/core wrote, the job
 * summary, the outputs file and the artifact folder. Artifacts go to that folder unless `artifactEnv`
 * names a results service (`ResultsService.env()`), which the real artifact client then uses.
 */
export async function runModelCardAction(
  project: TestProject,
  api: GitHubApiServer,
  event: TestEvent,
  inputs: Record<string, string> = {},
  artifactEnv?: Record<string, string>,
) {
  const runner = await tempDir('mlgate-runner-');
  const env: Record<string, string | undefined> = {
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: 'acme/loans',
    GITHUB_SHA: event.sha,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: join(runner, 'event.json'),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    GITHUB_STEP_SUMMARY: join(runner, 'summary.md'),
    GITHUB_OUTPUT: join(runner, 'output.txt'),
    MLGATE_ARTIFACT_DIR: artifactEnv ? undefined : join(runner, 'artifacts'),
    ...(event.ref ? { GITHUB_REF: event.ref } : {}),
    ...artifactEnv,
  };
  await writeFile(env.GITHUB_EVENT_PATH!, JSON.stringify(event.payload));
  for (const file of [env.GITHUB_STEP_SUMMARY!, env.GITHUB_OUTPUT!]) await writeFile(file, '');
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  // @actions/core writes log lines to stdout: kept for the test, not printed.
  const log: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    log.push(String(chunk));
    return true;
  });
  try {
    const outcome = await runGate(modelCardGate, {
      config: await loadMlgateConfig(project.configFile),
      runtime: createGitHubRuntime({ token: 'test-token' }),
      out: project.out,
      inputs,
    });
    return {
      ...outcome,
      log: log.join(''),
      summary: await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8'),
      outputs: await readFile(env.GITHUB_OUTPUT!, 'utf8'),
      artifacts: join(runner, 'artifacts'),
    };
  } finally {
    vi.mocked(process.stdout.write).mockRestore();
  }
}
