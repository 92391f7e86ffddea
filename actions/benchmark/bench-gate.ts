/**
 * `npm run bench:gate`: benchmarks of the benchmark gate itself, on the fixture models.
 *   (a) harness overhead: the gate's p50 against a bare `session.run` loop in the same process;
 *   (b) A/A: the same model as baseline and candidate, 50 repetitions: how often a regression is declared;
 *   (c) power: a candidate made about 15% slower, 50 repetitions: how often the regression is found.
 * Repetitions are short (a 4 s budget instead of the default 45 s) so the whole script runs in about
 * five minutes; BENCH_REPETITIONS, BENCH_BUDGET_S, BENCH_SEGMENT_MS and BENCH_SECTIONS (a,b,c) adjust it.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { InferenceSession } from 'onnxruntime-node';
import { percentileOfSorted, sortedCopy } from '../../shared/stats/percentiles.ts';
import { createRandom } from '../../shared/stats/random.ts';
import { loadMlgateConfig } from '../gates.ts';
import { judgeRatio } from './compare.ts';
import { type PlanContext, planInputs, synthesizeFeeds } from './input-synthesis.ts';
import { resolveInputValues } from './input-values.ts';
import { type PreparedModel, runBenchmark } from './run-benchmark.ts';
import { sessionOptions } from './session.ts';
import { BenchmarkSettings } from './settings.ts';

const { onnx } = onnxProto;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 50);
const SECTIONS = (process.env.BENCH_SECTIONS ?? 'a,b,c').split(',');

const config = await loadMlgateConfig('fixtures/mlgate.yml');
const written = BenchmarkSettings.parse(config.config.gates.benchmark ?? {});
const candidatePath = config.resolve(config.config.model!.path);

/** The fixture's settings at batch size 1, with short repetitions. */
const settings: BenchmarkSettings = {
  ...written,
  scenarios: { 'single-stream': { 'batch-sizes': [1], 'max-regression': { p50: 0.1, p99: 0.2 } } },
  stopping: {
    ...written.stopping,
    'min-duration-ms': Number(process.env.BENCH_SEGMENT_MS ?? written.stopping['min-duration-ms']),
    'min-blocks': 10,
    'time-budget-s': Number(process.env.BENCH_BUDGET_S ?? 4),
  },
};

const planContext: PlanContext = {
  model: 'fixture',
  locate: () => ({ file: config.file }),
  resolve: (name, values) => resolveInputValues(name, values, config),
};

async function prepare(path: string): Promise<PreparedModel> {
  const session = await InferenceSession.create(path, sessionOptions(settings.session));
  return { session, plans: await planInputs(session.inputMetadata, settings.inputs, planContext) };
}

/** Runs the gate's measurement once; returns the p50 ratio and whether any check would fail. */
async function compare(candidate: PreparedModel, baseline: PreparedModel, seed: number) {
  const { configurations } = await runBenchmark({
    settings: { ...settings, seed },
    candidate,
    reference: { kind: 'model', model: baseline },
  });
  const comparisons = configurations[0]!.comparisons;
  const failed = comparisons.some((c) => c.interval && judgeRatio(c.interval, c.maxRegression) === 'fail');
  const p50 = comparisons.find((c) => c.statistic === 'p50')!.interval!;
  return { failed, p50 };
}

/** The fixture model with a chain of `links` Sin nodes on one input, exposed as an extra output. */
async function slowerModel(links: number): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const model = onnx.ModelProto.decode(await readFile(candidatePath));
  const graph = model.graph!;
  let previous = 'credit_score';
  for (let i = 0; i < links; i++) {
    const output = `extra_work_${i}`;
    graph.node!.push(
      onnx.NodeProto.create({ opType: 'Sin', input: [previous], output: [output], name: output }),
    );
    previous = output;
  }
  graph.output!.push(
    onnx.ValueInfoProto.create({
      name: previous,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } },
    }),
  );
  const file = join(tmpdir(), `mlgate-bench-slower-${links}.onnx`);
  await writeFile(file, onnx.ModelProto.encode(model).finish());
  return file;
}

const median = (values: number[]) => percentileOfSorted(sortedCopy(values), 50);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

// (a) Harness overhead: a bare loop and the gate's own measurement, on the same input values, in rounds
// of about a second each; which goes first alternates, so the machine's drift favours neither.
const OVERHEAD_ROUNDS = 20;
const candidate = await prepare(candidatePath);
const overheads: number[] = [];
async function bareLoopP50(seed: number): Promise<number> {
  // The feeds the gate itself synthesizes for this seed (run-benchmark.ts: feedsFor).
  const feeds = synthesizeFeeds(candidate.plans, 1, createRandom(seed));
  const bare: number[] = [];
  const started = performance.now();
  for (let i = 0; performance.now() - started < 1000; i++) {
    const before = performance.now();
    await candidate.session.run(feeds[i % feeds.length]!);
    bare.push(performance.now() - before);
  }
  return median(bare);
}
async function gateP50(seed: number): Promise<number> {
  const { configurations } = await runBenchmark({
    settings: { ...settings, seed },
    candidate,
    reference: { kind: 'none' },
  });
  return configurations[0]!.candidate.statistics.p50 as number;
}
for (let round = 0; round < (SECTIONS.includes('a') ? OVERHEAD_ROUNDS : 0); round++) {
  let bare: number;
  let gate: number;
  if (round % 2 === 0) {
    bare = await bareLoopP50(round);
    gate = await gateP50(round);
  } else {
    gate = await gateP50(round);
    bare = await bareLoopP50(round);
  }
  overheads.push(gate / bare - 1);
  if (round % 5 === 4)
    console.log(
      `(a) round ${round + 1}: gate p50 ${gate.toFixed(4)} ms, bare loop p50 ${bare.toFixed(4)} ms`,
    );
}
if (overheads.length > 0) {
  const sorted = sortedCopy(overheads);
  console.log(
    `(a) harness overhead: ${percent(median(overheads))} of p50 (median of ${OVERHEAD_ROUNDS} rounds, middle half ${percent(percentileOfSorted(sorted, 25))} to ${percent(percentileOfSorted(sorted, 75))}; target < 3%)`,
  );
}

// (b) A/A: the same file opened twice, compared as baseline and candidate.
const twin = await prepare(candidatePath);
let falseAlarms = 0;
let started = performance.now();
for (let rep = 0; rep < (SECTIONS.includes('b') ? REPETITIONS : 0); rep++) {
  const { failed, p50 } = await compare(candidate, twin, 1000 + rep);
  if (failed) falseAlarms++;
  if (failed || rep % 10 === 9)
    console.log(
      `(b) rep ${rep + 1}: p50 ×${p50.estimate.toFixed(3)} [${p50.lower.toFixed(3)}, ${p50.upper.toFixed(3)}]${failed ? ' FLAGGED' : ''}`,
    );
}
if (SECTIONS.includes('b'))
  console.log(
    `(b) A/A false alarms: ${falseAlarms}/${REPETITIONS} (target <= 1/50), ${((performance.now() - started) / 1000 / REPETITIONS).toFixed(1)} s per repetition`,
  );

// (c) Power. Sin nodes on one input make the fixture model slower by a small fixed cost per request: on
// the development machine four cost about 12% at p50, six about 14%; BENCH_EXTRA_NODES changes it. The
// slowdown actually measured is printed with the result, since that is what the power refers to.
const chosen = { links: Number(process.env.BENCH_EXTRA_NODES ?? 6) };
const slower = await prepare(await slowerModel(chosen.links));
let detected = 0;
const estimates: number[] = [];
started = performance.now();
for (let rep = 0; rep < (SECTIONS.includes('c') ? REPETITIONS : 0); rep++) {
  const { failed, p50 } = await compare(slower, candidate, 2000 + rep);
  estimates.push(p50.estimate);
  if (failed) detected++;
  if (!failed || rep % 10 === 9)
    console.log(
      `(c) rep ${rep + 1}: p50 ×${p50.estimate.toFixed(3)} [${p50.lower.toFixed(3)}, ${p50.upper.toFixed(3)}]${failed ? '' : ' MISSED'}`,
    );
}
if (SECTIONS.includes('c'))
  console.log(
    `(c) power: ${detected}/${REPETITIONS} detected for a candidate ${percent(median(estimates) - 1)} slower at p50 (${chosen.links} extra nodes; target >= 48/50), ${((performance.now() - started) / 1000 / REPETITIONS).toFixed(1)} s per repetition`,
  );
// Only the sections that ran: a section skipped through BENCH_SECTIONS has no figure to print.
const figures = [
  SECTIONS.includes('a') ? `overhead ${percent(median(overheads))}` : undefined,
  SECTIONS.includes('b') ? `A/A false alarms ${falseAlarms}/${REPETITIONS}` : undefined,
  SECTIONS.includes('c') ? `power ${detected}/${REPETITIONS}` : undefined,
].filter((figure) => figure !== undefined);
console.log(`summary: ${figures.join(', ')}`);
