import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { locate, readValidatedFile } from '../../shared/config/yaml-file.ts';
import { InputError } from '../../shared/errors.ts';
import { type DiffSource, metricsSource } from './base-diff.ts';
import { flatten, numericLeaves, readDocumentFile } from './metrics-file.ts';
import type { RerunPlan, TrackedExperiment } from './plan.ts';
import { shellQuote } from './run-command.ts';
import { interpolate, interpolateString, TemplateError } from './template.ts';

/** Experiment names become the first part of check ids, so they cannot hold dots. */
export const EXPERIMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_@:-]*$/;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const ExperimentEntry = z.strictObject({
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
  wdir: z.string().min(1).default('.'),
  seed: z.number().int().optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), scalar).default({}),
  'metrics-file': z.string().min(1),
  metrics: z.record(z.string(), z.number()).optional(),
});

/** mlgate's own experiments file (docs/rerun-experiments.md describes it field by field). */
export const ExperimentsFile = z.strictObject({
  version: z.literal(1, { error: 'expected version: 1' }),
  experiments: z.record(
    z.string().regex(EXPERIMENT_NAME, {
      error: 'expected a name of letters, digits, "_", "-", "@" or ":" (no dots: it starts check ids)',
    }),
    ExperimentEntry,
  ),
});
export type ExperimentsFile = z.infer<typeof ExperimentsFile>;

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The inline metrics, params and seeds of an experiments file, keyed `<experiment>.<name>`, for the base diff. */
export function experimentsFileSource(path: string): DiffSource {
  return {
    path,
    extract(document) {
      const metrics: Record<string, number> = {};
      const params: Record<string, unknown> = {};
      for (const [name, raw] of Object.entries(asRecord(asRecord(document).experiments))) {
        const entry = asRecord(raw);
        for (const [key, value] of Object.entries(numericLeaves(entry.metrics)))
          metrics[`${name}.${key}`] = value;
        for (const [key, value] of flatten(entry.params ?? {})) params[`${name}.${key}`] = value;
        if (entry.seed !== undefined) params[`${name}.seed`] = entry.seed;
      }
      return { metrics, params };
    },
  };
}

/**
 * Reads an experiments file into one rerun plan per experiment. Tracked values are the inline `metrics`,
 * or else the metrics file as it is now (read here, before any rerun can overwrite it).
 */
export async function readExperimentsFile(
  file: string,
  displayName: string,
  select: (name: string) => boolean = () => true,
): Promise<RerunPlan[]> {
  const { value, source } = await readValidatedFile(file, ExperimentsFile, displayName);
  const dir = dirname(file);
  const plans: RerunPlan[] = [];
  for (const [name, entry] of Object.entries(value.experiments)) {
    if (!select(name)) continue;
    const location = locate(source, ['experiments'], name);
    const context: Record<string, unknown> = { ...entry.params, params: entry.params, seed: entry.seed };
    let command: string | string[];
    try {
      // A shell command gets each value quoted, so a param `a; touch X` stays one argument; a list is argv
      // already. (DVC substitutes dvc.yaml params unquoted, and mlgate reruns those exactly as DVC would.)
      command =
        typeof entry.command === 'string'
          ? String(interpolateString(entry.command, context, shellQuote))
          : (interpolate(entry.command, context) as string[]);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw new InputError(
        `experiments.${name}.command: ${error.message}`,
        locate(source, ['experiments', name, 'command']),
      );
    }
    const cwd = resolve(dir, entry.wdir);
    const metricsPath = resolve(cwd, entry['metrics-file']);
    const metricsDisplay = `${entry.wdir === '.' ? '' : `${entry.wdir}/`}${entry['metrics-file']}`;
    let tracked = entry.metrics;
    if (!tracked) {
      const document = await readDocumentFile(metricsPath, metricsDisplay);
      if (document === undefined) {
        throw new InputError(
          `experiments.${name}: no tracked metrics: add "metrics:" or commit ${metricsDisplay}`,
          location,
        );
      }
      tracked = numericLeaves(document);
    }
    const env = Object.fromEntries(Object.entries(entry.env).map(([key, item]) => [key, String(item)]));
    if (entry.seed !== undefined) env.MLGATE_SEED = String(entry.seed);
    const experiment: TrackedExperiment = {
      name,
      source: 'experiments',
      tracked,
      location,
      params: Object.fromEntries(flatten(entry.params)),
      ...(entry.seed !== undefined ? { seed: entry.seed } : {}),
      facts: { file: displayName, metricsFile: metricsDisplay },
    };
    plans.push({
      label: displayName,
      source: 'experiments',
      steps: [{ name, command, cwd, env }],
      experiments: [experiment],
      inputs: [],
      outs: [],
      diffSources: [experimentsFileSource(file), ...(entry.metrics ? [] : [metricsSource(metricsPath)])],
      async collect(place) {
        const written = await readDocumentFile(place.at(metricsPath), metricsDisplay);
        return new Map(written === undefined ? [] : [[name, numericLeaves(written)]]);
      },
    });
  }
  return plans;
}
