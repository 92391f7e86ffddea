import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../../shared/fs/sha256.ts';
import { denseModel } from '../../shared/onnx/build-model.ts';
import { GateResult } from '../../shared/result/gate-result.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { main } from '../cli.ts';
import { loadMlgateConfig } from '../gates.ts';
import { benchmarkGate } from './gate.ts';

const exec = promisify(execFile);

/** Short blocks and a small budget: these tests check behaviour, not figures. 20 blocks: fewer never fail. */
const QUICK = `    stopping: { warmup-iterations: 5, min-iterations: 10, min-duration-ms: 15, min-blocks: 20, max-blocks: 24, time-budget-s: 1 }`;

const fast = () => denseModel({ inputs: 32, outputs: 32 });
/** The same function shape with a chain of 256x256 products: many times slower. */
const slow = () => denseModel({ inputs: 256, outputs: 256, repeat: 20 });
/**
 * Identical models compared under tolerances no noise reaches: these tests are about what the gate
 * reports, while the false-alarm rate at the default tolerances is measured by `npm run bench:gate`.
 */
const LENIENT = `    scenarios:\n      single-stream: { max-regression: { p50: 2, p99: 10 } }`;

async function project(files: Record<string, Uint8Array | string>, gate: string) {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  await writeFile(
    join(dir, 'mlgate.yml'),
    `version: 1\nmodel: { name: dense, path: model.onnx }\ngates:\n  benchmark:\n${gate}\n`,
  );
  return dir;
}

async function cli(dir: string, ...flags: string[]) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main(
    ['benchmark', '--config', join(dir, 'mlgate.yml'), '--out', join(dir, 'out'), ...flags],
    { stdout, stderr },
  );
  let result: GateResult | undefined;
  try {
    result = GateResult.parse(JSON.parse(await readFile(join(dir, 'out', 'benchmark.json'), 'utf8')));
  } catch {
    result = undefined;
  }
  return { code, result, stderr: stderr.text() };
}

async function gitRepo(dir: string) {
  const git = (...args: string[]) => exec('git', args, { cwd: dir }).then(({ stdout }) => stdout.trim());
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'test@example.com');
  await git('config', 'user.name', 'Test');
  await git('config', 'commit.gpgsign', 'false');
  await git('config', 'tag.gpgsign', 'false');
  return git;
}

describe('benchmark gate', () => {
  it('passes identical models and records figures, charts and the fingerprint', async () => {
    const dir = await project(
      { 'model.onnx': fast(), 'base.onnx': fast() },
      `    baseline: { path: base.onnx }\n${LENIENT}\n${QUICK}`,
    );
    const { code, result } = await cli(dir);
    expect(code).toBe(0);
    const ids = result!.checks.map((check) => check.id);
    expect(ids).toEqual(['single-stream.1.p50', 'single-stream.1.p99']);
    expect(result!.checks[0]!.message).toMatch(
      /ratio ×\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] \(95% CI over \d+ blocks\)/,
    );
    expect(result!.metrics['single-stream.1.candidate.p50-ms']).toBeGreaterThan(0);
    expect(result!.metrics['single-stream.1.baseline.p50-ms']).toBeGreaterThan(0);
    expect(result!.metrics['model-size.candidate-bytes']).toBeGreaterThan(4000);
    expect(result!.metrics['peak-rss-bytes']).toBeGreaterThan(1e6);
    // One bar series (xychart overlays bar series), the limit and "no change" as lines, centred on 1.
    const chart = result!.charts![0]!;
    expect(chart).toMatchObject({
      kind: 'bar',
      yLabel: 'ratio',
      series: [
        { name: 'candidate ÷ baseline', kind: 'bar' },
        { name: 'allowed', kind: 'line' },
        { name: 'no change', kind: 'line' },
      ],
    });
    expect(chart.yMin! + chart.yMax!).toBeCloseTo(2, 6);
    const details = result!.details as { fingerprint: { models: { candidate: string }; cores: number } };
    expect(details.fingerprint.models.candidate).toBe(await sha256File(join(dir, 'model.onnx')));
    expect(details.fingerprint.cores).toBeGreaterThan(0);
  });

  it('fails a much slower model with the ratio and its interval in the message', async () => {
    const dir = await project(
      { 'model.onnx': slow(), 'base.onnx': fast() },
      `    baseline: { path: base.onnx }\n${QUICK}`,
    );
    // Both models take [batch, N] inputs of different widths: each is fed from its own metadata.
    const { code, result } = await cli(dir);
    expect(code).toBe(1);
    const p50 = result!.checks.find((check) => check.id === 'single-stream.1.p50')!;
    expect(p50.status).toBe('fail');
    expect(p50.message).toMatch(
      /ratio ×\d+\.\d{3} \[\d+\.\d{3}, \d+\.\d{3}\].*regression: even the interval's lower bound/,
    );
    expect((p50.interval as { lower: number }).lower).toBeGreaterThan(1.1);
    expect(result!.summary).toMatch(/^regression: single-stream\.1\.p50/);
  });

  it('runs offline and server scenarios and marks thin percentiles insufficient', async () => {
    const dir = await project(
      { 'model.onnx': fast(), 'base.onnx': fast() },
      `    baseline: { path: base.onnx }
    scenarios:
      offline: { batch-sizes: [8], concurrency: 2, max-regression: 10 }
      server: { rate: 200, latency-bound-ms: 50, duration-s: 0.5 }
${QUICK}`,
    );
    const { code, result } = await cli(dir);
    expect(code).toBe(0);
    expect(result!.checks.map((check) => check.id)).toEqual(['offline.8.time-per-item', 'server.1.p99']);
    expect(result!.metrics['offline.8.candidate.items-per-second']).toBeGreaterThan(0);
    expect(result!.metrics['server.1.candidate.achieved-rate']).toBeGreaterThan(0);
    // 0.5 s at 200/s is about 100 requests: far below the 662 that back a p99.
    const server = result!.checks.find((check) => check.id === 'server.1.p99')!;
    expect(server).toMatchObject({ status: 'warn', observed: 'insufficient' });
  });

  it('exits 2 on a missing or corrupt model, inputs the model lacks, or an unknown execution provider', async () => {
    const missing = await project({ 'model.onnx': fast() }, `    baseline: { path: nope.onnx }\n${QUICK}`);
    expect(await cli(missing)).toMatchObject({
      code: 2,
      result: { summary: expect.stringMatching(/nope\.onnx model file not found/) },
    });
    const corrupt = await project(
      { 'model.onnx': 'not a model', 'base.onnx': fast() },
      `    baseline: { path: base.onnx }\n${QUICK}`,
    );
    expect((await cli(corrupt)).result!.summary).toMatch(
      /model\.onnx is text \("not a model"\), not an ONNX model/,
    );
    const inputs = await project(
      { 'model.onnx': fast(), 'base.onnx': fast() },
      `    baseline: { path: base.onnx }\n    inputs:\n      tokens: { values: zeros }\n${QUICK}`,
    );
    const wrong = await cli(inputs);
    expect(wrong.code).toBe(2);
    expect(wrong.result!.summary).toMatch(
      /mlgate\.yml:7:\d+ inputs\.tokens: .*has no input "tokens" \(its inputs: x\)/,
    );
    const provider = await project(
      { 'model.onnx': fast() },
      `    session: { execution-providers: [quantum] }\n${QUICK}`,
    );
    expect((await cli(provider)).result!.summary).toMatch(
      /execution provider "quantum" is not available in onnxruntime-node 1\.30/,
    );
  });

  it('reads the baseline from a git ref without a checkout and names the commit', async () => {
    const dir = await project({ 'model.onnx': fast() }, `    baseline: { ref: HEAD~1 }\n${QUICK}`);
    const git = await gitRepo(dir);
    await git('add', '.');
    await git('commit', '-qm', 'fast model');
    const baseCommit = await git('rev-parse', 'HEAD');
    await writeFile(join(dir, 'model.onnx'), slow());
    await git('commit', '-qam', 'slow model');
    const { code, result } = await cli(dir);
    expect(code).toBe(1);
    const baseline = (
      result!.details as { baseline: { source: string; commit: string; description: string } }
    ).baseline;
    expect(baseline).toMatchObject({ source: 'ref', commit: baseCommit });
    expect(baseline.description).toBe(`model.onnx at HEAD~1 (${baseCommit.slice(0, 12)})`);
    // The working tree still holds the candidate: nothing was checked out.
    expect((await readFile(join(dir, 'model.onnx'))).equals(Buffer.from(slow()))).toBe(true);

    const bad = await project({ 'model.onnx': fast() }, `    baseline: { ref: no-such-branch }\n${QUICK}`);
    const badGit = await gitRepo(bad);
    await badGit('add', '.');
    await badGit('commit', '-qm', 'one');
    expect((await cli(bad)).result!.summary).toMatch(/baseline ref "no-such-branch" is not a commit/);
  });

  it('defaults to the merge base in a pull request', async () => {
    const dir = await project({ 'model.onnx': fast() }, QUICK);
    const git = await gitRepo(dir);
    await git('add', '.');
    await git('commit', '-qm', 'base');
    const mergeBase = await git('rev-parse', 'HEAD');
    await git('checkout', '-qb', 'feature');
    await writeFile(join(dir, 'model.onnx'), denseModel({ inputs: 32, outputs: 32, seed: 5 }));
    await git('commit', '-qam', 'retrained');
    await git('checkout', '-q', 'main');
    await writeFile(join(dir, 'other.txt'), 'main moved on');
    await git('add', 'other.txt');
    await git('commit', '-qm', 'main moves');
    const baseSha = await git('rev-parse', 'HEAD');
    await git('checkout', '-q', 'feature');
    const local = await createLocalRuntime({ out: join(dir, 'out'), stream: memoryStream(), cwd: dir });
    const runtime = { ...local, context: { ...local.context, baseSha } };
    const outcome = await runGate(benchmarkGate, {
      config: await loadMlgateConfig(join(dir, 'mlgate.yml')),
      runtime,
      out: join(dir, 'out'),
      inputs: {},
    });
    expect(outcome.result.status).not.toBe('error');
    expect(
      (outcome.result.details as { baseline: { source: string; commit: string } }).baseline,
    ).toMatchObject({
      source: 'merge-base',
      commit: mergeBase,
    });
  });

  it('reads the baseline from the registry stage and checks its digest', async () => {
    const dir = await project({ 'model.onnx': fast() }, `    baseline: { stage: production }\n${QUICK}`);
    const git = await gitRepo(dir);
    await git('add', '.');
    await git('commit', '-qm', 'v1');
    const v1 = await git('rev-parse', 'HEAD');
    const digest = await sha256File(join(dir, 'model.onnx'));
    await git('tag', '-a', 'dense@v1.0.0', '-m', `Register dense 1.0.0\n\ndigest: ${digest}\nversion: 1.0.0`);
    await git(
      'tag',
      '-a',
      'dense#production#1',
      '-m',
      `Assign production\n\ndigest: ${digest}\nmodel-path: model.onnx\nversion: 1.0.0`,
    );
    await writeFile(join(dir, 'model.onnx'), slow());
    await git('commit', '-qam', 'v2');
    await git('tag', '-a', 'dense#staging#2', '-m', 'Assign staging\n\nversion: 2.0.0');
    const { code, result } = await cli(dir);
    expect(code).toBe(1);
    const baseline = (
      result!.details as { baseline: { source: string; commit: string; tag: string; description: string } }
    ).baseline;
    expect(baseline).toMatchObject({ source: 'stage', commit: v1, tag: 'dense#production#1' });
    expect(baseline.description).toBe(
      `dense 1.0.0 (stage production, dense#production#1, commit ${v1.slice(0, 12)})`,
    );

    await git(
      'tag',
      '-a',
      'dense#production#3',
      '-m',
      `Assign production\n\ndigest: ${'0'.repeat(64)}\nmodel-path: model.onnx\nversion: 1.0.0`,
    );
    expect((await cli(dir)).result!.summary).toMatch(
      /dense#production#3 \(v1\.0\.0\): digest mismatch: model\.onnx at [0-9a-f]{12} is not the promoted model/,
    );
    await git('tag', '-a', 'dense#production!#4', '-m', 'Unassign production');
    expect((await cli(dir)).result!.summary).toMatch(/no version of dense holds the stage "production"/);
  });

  it('compares with stored results, as a warning that never fails', async () => {
    const dir = await project({ 'model.onnx': fast(), 'base.onnx': fast() }, QUICK);
    const first = await cli(dir);
    expect(first.code).toBe(0);
    // Without a baseline nothing is judged, which the run says as a warning rather than a silent pass.
    expect(first.result!.checks).toEqual([
      expect.objectContaining({ id: 'baseline', status: 'skip' }),
      expect.objectContaining({
        id: 'benchmark.nothing-checked',
        status: 'warn',
        message: expect.stringMatching(/^nothing was checked: .*no baseline/),
      }),
    ]);
    await writeFile(join(dir, 'earlier.json'), JSON.stringify(first.result));
    await writeFile(
      join(dir, 'mlgate.yml'),
      `version: 1\nmodel: { name: dense, path: model.onnx }\ngates:\n  benchmark:\n    baseline: { results: earlier.json }\n${QUICK}\n`,
    );
    const same = await cli(dir);
    expect(same.result!.checks.find((check) => check.id === 'baseline.results')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/not side by side/),
    });
    expect(same.result!.checks.find((check) => check.id === 'single-stream.1.p50')!.message).toMatch(
      /ratio ×/,
    );

    const elsewhere = structuredClone(first.result!) as unknown as {
      details: { fingerprint: { cpuModel: string; cores: number } };
    };
    elsewhere.details.fingerprint.cpuModel = 'Some Other CPU';
    elsewhere.details.fingerprint.cores = 64;
    await writeFile(join(dir, 'earlier.json'), JSON.stringify(elsewhere));
    const other = await cli(dir);
    expect(other.code).toBe(0);
    // A p99 that too few samples back is skipped either way; every ratio that was computed is only a warning.
    const verdicts = other.result!.checks.filter(
      (check) => check.id.startsWith('single-stream') && check.status !== 'skip',
    );
    expect(verdicts.map((check) => check.id)).toContain('single-stream.1.p50');
    for (const check of verdicts) {
      expect(check.status).toBe('warn');
      expect(check.message).toMatch(
        /not judged: the stored results came from another environment \(cpuModel, cores differ\)/,
      );
    }
  });

  it('overrides the baseline from the command line', async () => {
    const dir = await project({ 'model.onnx': fast(), 'base.onnx': fast() }, QUICK);
    const { code, result } = await cli(dir, '--baseline', join(dir, 'base.onnx'), '--time-budget', '1');
    expect(code).toBe(0);
    expect((result!.details as { baseline: { source: string } }).baseline.source).toBe('path');
  });
});
