import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { sha256File } from '../../shared/fs/sha256.ts';
import { defineGate } from '../../shared/gate.ts';
import { createRandom } from '../../shared/stats/random.ts';
import { resolveBaseline } from './baseline.ts';
import { fixedBatch, measuredBatchSizes, restrictBatchSizes } from './batch-sizes.ts';
import { environmentFingerprint, fingerprintDifferences } from './fingerprint.ts';
import { type PlanContext, planInputs, type ResolvedValues, synthesizeFeeds } from './input-synthesis.ts';
import { resolveInputValues } from './input-values.ts';
import { type BenchmarkData, buildReport } from './report.ts';
import { configurationPlans, type PreparedModel, type Reference, runBenchmark } from './run-benchmark.ts';
import {
  checkExecutionProviders,
  measureColdStarts,
  type OpenedModel,
  openSession,
  runnerOf,
} from './session.ts';
import { BenchmarkSettings } from './settings.ts';

/** Gate-specific inputs: CLI flags and action inputs of the same names. */
export const BENCHMARK_INPUTS = {
  baseline: { description: 'a baseline .onnx file; overrides gates.benchmark.baseline', valueName: 'FILE' },
  'time-budget': {
    description: 'seconds of measuring; overrides gates.benchmark.stopping.time-budget-s',
    valueName: 'SECONDS',
  },
} as const;

const BenchmarkOptions = z.object({
  baseline: z.string().min(1).optional(),
  'time-budget': z
    .string()
    .regex(/^\d+(\.\d+)?$/, { error: 'expected a number of seconds' })
    .transform(Number)
    .optional(),
});

export const benchmarkGate = defineGate({
  name: 'benchmark',
  description:
    'latency and throughput of the model against a baseline, side by side, decided by a confidence interval',
  settings: BenchmarkSettings,
  inputs: BENCHMARK_INPUTS,
  options: BenchmarkOptions,
  needsModel: true,
  async run({ settings: written, options, config, runtime }) {
    let settings: BenchmarkSettings = {
      ...written,
      ...(options.baseline ? { baseline: { path: options.baseline } } : {}),
      stopping: {
        ...written.stopping,
        ...(options['time-budget'] ? { 'time-budget-s': options['time-budget'] } : {}),
      },
    };
    const model = config.config.model!;
    const candidatePath = config.resolve(model.path);
    checkExecutionProviders(settings.session['execution-providers']);
    const workDir = await mkdtemp(join(tmpdir(), 'mlgate-benchmark-'));
    const opened: OpenedModel[] = [];
    try {
      const baseline = await resolveBaseline(settings.baseline, {
        config,
        candidatePath,
        workDir,
        run: runtime.context,
      });
      runtime.log.info(`benchmark: ${config.display(model.path)} against ${baseline.description}`);
      const candidateModel = await openSession(candidatePath, config.display(model.path), settings.session);
      opened.push(candidateModel);
      let baselineModel: OpenedModel | undefined;
      if (baseline.kind === 'model') {
        baselineModel = await openSession(baseline.path, baseline.description, settings.session);
        opened.push(baselineModel);
      }
      // Each input's values are read once, for both models.
      const resolved = new Map<string, Promise<ResolvedValues>>();
      const planContext = (display: string): PlanContext => ({
        model: display,
        locate: (name) => config.locate(['gates', 'benchmark', 'inputs', name]),
        resolve(name, values) {
          const key = `${name}\0${JSON.stringify(values)}`;
          if (!resolved.has(key)) resolved.set(key, resolveInputValues(name, values, config));
          return resolved.get(key)!;
        },
      });
      const prepare = async (opened: OpenedModel, display: string): Promise<PreparedModel> => ({
        session: runnerOf(opened.model),
        plans: await planInputs(opened.session.inputMetadata, settings.inputs, planContext(display)),
      });
      const candidate = await prepare(candidateModel, config.display(model.path));
      const baselinePrepared =
        baseline.kind === 'model' ? await prepare(baselineModel!, baseline.description) : undefined;
      // A model with a fixed batch size is measured only at that size, never relabelled (docs/models.md).
      const restricted = restrictBatchSizes(
        settings,
        [
          fixedBatch(config.display(model.path), candidate.plans),
          ...(baselinePrepared ? [fixedBatch(baseline.description, baselinePrepared.plans)] : []),
        ],
        config.locate(['gates', 'benchmark', 'scenarios']),
      );
      settings = restricted.settings;
      // One untimed run per batch size, so a model that rejects its inputs fails in one line naming them.
      for (const [prepared, opened] of [
        [candidate, candidateModel],
        ...(baselinePrepared ? [[baselinePrepared, baselineModel!] as const] : []),
      ] as const) {
        for (const batch of measuredBatchSizes(settings))
          await opened.model.run(synthesizeFeeds(prepared.plans, batch, createRandom(settings.seed), 1)[0]!);
      }
      const [candidateColdStart, baselineColdStart] = await measureColdStarts(
        baseline.kind === 'model' ? [candidatePath, baseline.path] : [candidatePath],
        settings.session,
      );
      candidateModel.coldStartMs = candidateColdStart!;
      if (baselineModel) baselineModel.coldStartMs = baselineColdStart!;
      const fingerprint = await environmentFingerprint(settings.session, {
        candidate: await sha256File(candidatePath),
        baseline: baseline.kind === 'model' ? await sha256File(baseline.path) : undefined,
      });
      let reference: Reference = { kind: 'none' };
      let differences: string[] = [];
      if (baselinePrepared) reference = { kind: 'model', model: baselinePrepared };
      if (baseline.kind === 'results') {
        reference = {
          kind: 'stored',
          figures: new Map(
            baseline.stored.details.configurations.map((entry) => [entry.id, entry.candidate]),
          ),
        };
        differences = fingerprintDifferences(fingerprint, baseline.stored.details.fingerprint);
      }
      const total = configurationPlans(settings).length + (settings.scenarios.server ? 1 : 0);
      if (total === 0)
        throw new InputError(
          'gates.benchmark.scenarios lists no scenario',
          config.locate(['gates', 'benchmark', 'scenarios']),
        );
      const progress = runtime.progress('benchmark', total);
      const measured = await runBenchmark({
        settings,
        candidate,
        reference,
        onConfiguration: (id, index) => {
          progress.update(index);
          runtime.log.debug(`benchmark: measuring ${id}`);
        },
      });
      progress.done();
      const data: BenchmarkData = {
        candidate: {
          description: config.display(model.path),
          coldStartMs: candidateModel.coldStartMs,
          sizeBytes: candidateModel.sizeBytes,
        },
        baseline:
          baseline.kind === 'model'
            ? {
                kind: 'model',
                description: baseline.description,
                source: baseline.source,
                ...(baseline.commit ? { commit: baseline.commit } : {}),
                ...(baseline.tag ? { tag: baseline.tag } : {}),
                coldStartMs: baselineModel!.coldStartMs,
                sizeBytes: baselineModel!.sizeBytes,
              }
            : baseline.kind === 'results'
              ? { kind: 'results', description: baseline.description, fingerprintDifferences: differences }
              : baseline,
        configurations: measured.configurations,
        ...(measured.server ? { server: measured.server } : {}),
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        fingerprint,
        targetCiWidth: settings.stopping['target-ci-width'],
      };
      const report = buildReport(data, { locate: (path) => config.locate(path) });
      return { ...report, checks: [...restricted.skipped, ...report.checks] };
    } finally {
      for (const model of opened) await model.session.release();
      await rm(workDir, { recursive: true, force: true });
    }
  },
});
