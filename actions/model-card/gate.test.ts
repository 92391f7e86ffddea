import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Evidence } from '../../shared/evidence/evidence.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { tinyOnnxModel } from '../../shared/testing/tiny-onnx-model.ts';
import { loadMlgateConfig } from '../gates.ts';
import { modelCardGate } from './gate.ts';
import { CARD_SECTIONS } from './render-card.ts';
import { createTestProject, type TestProject, writeSampleResults } from './test-project.ts';
import { ToolkitCardSchema } from './toolkit-schema.ts';

const run = promisify(execFile);

async function runModelCard(project: TestProject, inputs: Record<string, string> = {}) {
  const config = await loadMlgateConfig(project.configFile);
  const log = memoryStream();
  const runtime = await createLocalRuntime({ out: project.out, stream: log, cwd: project.dir, inputs });
  const outcome = await runGate(modelCardGate, { config, runtime, out: project.out, inputs });
  return { ...outcome, log, runtime };
}

describe('model-card gate', () => {
  it('writes evidence bound to the model bytes, the nine-section card with charts, and valid toolkit JSON', async () => {
    const project = await createTestProject();
    await writeSampleResults(project, ['validate-data', 'rerun-experiments', 'benchmark', 'fairness']);
    const { exitCode, result, runtime } = await runModelCard(project);
    expect(result.summary).toBe(
      'verdict warn over 4 gates; card, evidence and Model Card Toolkit JSON written',
    );
    expect(exitCode).toBe(0);

    const evidence = Evidence.parse(JSON.parse(await readFile(join(project.out, 'evidence.json'), 'utf8')));
    const { stdout } = await run('sha256sum', [project.modelFile]);
    expect(evidence.model.sha256).toBe(stdout.split(' ')[0]);
    expect(evidence.model.sizeBytes).toBe((await readFile(project.modelFile)).byteLength);
    expect(evidence.model.onnx.inputs.map((input) => `${input.name}:${input.dtype}`)).toEqual([
      'age:float',
      'region:string',
    ]);
    expect(evidence.verdict).toBe('warn');
    const { stdout: datasetSum } = await run('sha256sum', [join(project.dir, 'data', 'eval.csv')]);
    expect(evidence.datasets).toEqual([
      { name: 'eval', path: 'data/eval.csv', sha256: datasetSum.split(' ')[0] },
    ]);
    for (const gate of evidence.gates) {
      const { stdout: resultSum } = await run('sha256sum', [join(project.out, `${gate.gate}.json`)]);
      expect(gate.resultSha256).toBe(resultSum.split(' ')[0]);
    }
    expect(evidence.gates.map((gate) => `${gate.gate}:${gate.status}`)).toEqual([
      'validate-data:pass',
      'rerun-experiments:pass',
      'benchmark:pass',
      'fairness:warn',
    ]);

    const card = await readFile(join(project.out, 'model-card.md'), 'utf8');
    expect(card.match(/^## .+$/gm)).toEqual(CARD_SECTIONS.map((section) => `## ${section}`));
    expect(card.match(/```mermaid\nxychart-beta/g)).toHaveLength(2);
    expect(card).toContain('**Verdict: ⚠️ Mergeable, with warnings to read**');
    expect(card).toContain(
      '**Inconclusive, the interval straddles the limit (1):** age_band · 18-25 · fpr · vs-baseline +2.0 pp worse [−1.0, +5.0 pp] (limit ≤ +5 pp worse): more rows would settle it',
    );
    expect(card).toContain('| ⚠️ fairness | 1 of 2 within; 1 inconclusive |');
    expect(card).toContain(
      '| latency default · 1 · p50 ↓ | — | — | no change<br>[×0.980, ×1.080] | ≤ ×1.10 | ✅ within |',
    );
    expect(card).toContain(
      '| metrics.json: auc (vs origin/main) | 0.8377 | 0.8412 | ▲ +0.0035 (+0.4%) | — | no limit |',
    );
    expect(card).toContain(
      '| age_band · 18-25 · fpr · vs-baseline | — | — | no change<br>[−1.0, +5.0 pp] | ≤ +5 pp worse | ❓ inconclusive |',
    );
    expect(card).not.toContain('Not written yet: add `limitations`');
    expect(card).toContain('Not written yet: add `training-data` to `card.yml`');

    const toolkit: unknown = JSON.parse(await readFile(join(project.out, 'model-card.toolkit.json'), 'utf8'));
    const valid = ToolkitCardSchema.safeParse(toolkit);
    expect(valid.error?.issues ?? []).toEqual([]);
    expect(ToolkitCardSchema.safeParse({ ...(toolkit as object), verdict: 'pass' }).success).toBe(false);
    expect(toolkit).toMatchObject({
      model_details: { name: 'loan-default', licenses: [{ identifier: 'Apache-2.0' }] },
    });

    const huggingFace = await readFile(join(project.out, 'model-card.hf.md'), 'utf8');
    const frontMatter = parseYaml(huggingFace.split('---\n')[1]!) as {
      'model-index': { name: string; results: { metrics: { type: string; value: number }[] }[] }[];
    };
    expect(frontMatter['model-index'][0]?.name).toBe('loan-default');
    expect(frontMatter['model-index'][0]?.results[0]?.metrics).toContainEqual(
      expect.objectContaining({ type: 'auc', value: 0.8412 }),
    );

    expect(runtime.outputs.get('verdict')).toBe('warn');
    expect(runtime.outputs.get('card')).toBe(join(project.out, 'model-card.md'));
    expect(await readFile(join(project.out, 'summary.md'), 'utf8')).toContain('## Quantitative Analyses');
  });

  it('works from any subset of gates, and a second run ignores its own outputs', async () => {
    const project = await createTestProject({ card: false });
    await writeSampleResults(project, ['fairness']);
    const first = await runModelCard(project);
    expect(first.exitCode).toBe(0);
    const second = await runModelCard(project);
    expect(second.exitCode).toBe(0);
    const card = await readFile(join(project.out, 'model-card.md'), 'utf8');
    expect(card).toContain('FPR for age_band=18-25');
    expect(card).toContain(
      'Sections only people can write are missing: overview, owners, license, intended use, out-of-scope use, limitations, ethical considerations.',
    );
    expect(card.match(/```mermaid/g)).toHaveLength(1);
    expect(second.result.checks.find((check) => check.id === 'card.sections')?.status).toBe('warn');
  });

  it('writes no evidence, and removes the last run’s, when the model changed after the gates judged it', async () => {
    const project = await createTestProject();
    await writeSampleResults(project, ['validate-data', 'benchmark']);
    expect((await runModelCard(project)).exitCode).toBe(0);
    const judged = createHash('sha256')
      .update(await readFile(project.modelFile))
      .digest('hex');
    const changed = tinyOnnxModel({ producerVersion: '2.0' });
    await writeFile(project.modelFile, changed);
    const now = createHash('sha256').update(changed).digest('hex');

    const { exitCode, result, log } = await runModelCard(project);
    expect(exitCode).toBe(1);
    const shown = (path: string) => relative(process.cwd(), path);
    expect(result.summary).toBe(
      `no evidence written: ${shown(project.modelFile)} has sha256 ${now}, but ${shown(join(project.out, 'validate-data.json'))} judged sha256 ${judged}; ${shown(join(project.out, 'benchmark.json'))} judged sha256 ${judged}. Run the gates again on these bytes`,
    );
    expect(result.checks.map((check) => `${check.id}:${check.status}`)).toEqual(['evidence.model:fail']);
    expect(log.text()).not.toMatch(/internal error|\n\s+at /);
    const left = await readdir(project.out);
    expect(left).not.toContain('evidence.json');
    expect(left).not.toContain('model-card.md');
  });

  it('exits 2 naming the file for a result that is not JSON, not a gate result, or a missing model', async () => {
    const project = await createTestProject();
    await writeSampleResults(project, ['benchmark']);
    await writeFile(join(project.out, 'broken.json'), '{ "schema": ');
    const broken = await runModelCard(project);
    expect(broken.exitCode).toBe(2);
    expect(broken.result.summary).toMatch(/broken\.json not valid JSON/);

    await writeFile(join(project.out, 'broken.json'), '{ "schema": "something/else", "rows": [] }');
    const foreign = await runModelCard(project);
    expect(foreign.exitCode).toBe(2);
    expect(foreign.result.summary).toMatch(/broken\.json not an mlgate gate result \(schema: /);

    const missing = await createTestProject({ model: false });
    await writeSampleResults(missing, ['benchmark']);
    const noModel = await runModelCard(missing);
    expect(noModel.exitCode).toBe(2);
    expect(noModel.result.summary).toMatch(
      /models\/loan-default\.onnx model file not found \(model\.path at .*mlgate\.yml:2:\d+\)/,
    );

    // A checkout without `lfs: true` leaves a pointer where the model should be: named as such, no evidence.
    const pointer = await createTestProject();
    await writeSampleResults(pointer, ['benchmark']);
    await writeFile(
      pointer.modelFile,
      'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n',
    );
    const lfs = await runModelCard(pointer);
    expect(lfs.exitCode).toBe(2);
    expect(lfs.result.summary).toMatch(
      /models\/loan-default\.onnx is a Git LFS pointer, not the model: check out with `lfs: true`.* \(model\.path at .*mlgate\.yml:2:\d+\)$/,
    );
    expect(await readdir(pointer.out)).not.toContain('evidence.json');
  });

  it('exits 2 when there is no result at all, naming the folder', async () => {
    const project = await createTestProject();
    const { exitCode, result } = await runModelCard(project);
    expect(exitCode).toBe(2);
    expect(result.summary).toMatch(/^no gate results to report on in .*out: run the gates first/);
  });

  it('reads results from artifacts that parallel jobs uploaded', async () => {
    const jobs = await createTestProject();
    await writeSampleResults(jobs, ['benchmark', 'fairness']);
    const project = await createTestProject({
      modelCard: '  model-card: { card: card.yml, artifact-pattern: "mlgate-*" }',
    });
    const uploader = await createLocalRuntime({ out: jobs.out, stream: memoryStream() });
    // Each parallel job uploads its own out folder; they all land under one artifact root.
    const root = join(project.dir, 'artifacts');
    process.env.MLGATE_ARTIFACT_DIR = root;
    try {
      const { createFolderArtifactStore } = await import('../../shared/runtime/local-runtime.ts');
      const store = createFolderArtifactStore(root);
      await store.upload('mlgate-benchmark', [join(jobs.out, 'benchmark.json')], jobs.out);
      await store.upload('mlgate-fairness', [join(jobs.out, 'fairness.json')], jobs.out);
      await store.upload('unrelated', [join(jobs.out, 'summary.md')], jobs.out);
      expect(uploader.kind).toBe('local');
      const { exitCode, result } = await runModelCard(project);
      expect(result.summary).toBe(
        'verdict warn over 2 gates; card, evidence and Model Card Toolkit JSON written',
      );
      expect(exitCode).toBe(0);
    } finally {
      delete process.env.MLGATE_ARTIFACT_DIR;
    }
  });
});
