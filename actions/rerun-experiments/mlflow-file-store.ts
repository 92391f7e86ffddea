import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import { readValidatedFile } from '../../shared/config/yaml-file.ts';
import { InputError } from '../../shared/errors.ts';
import {
  latestPoint,
  type MetricPoint,
  type MlflowExperiment,
  type MlflowRun,
  type MlflowStore,
} from './mlflow-run.ts';

const STATUS: Record<number, string> = {
  1: 'RUNNING',
  2: 'SCHEDULED',
  3: 'FINISHED',
  4: 'FAILED',
  5: 'KILLED',
};

const id = z.union([z.string().min(1), z.number().transform(String)]);

/** `mlruns/<experiment>/meta.yaml`. */
export const ExperimentMeta = z.looseObject({
  experiment_id: id,
  name: z.string(),
  lifecycle_stage: z.string().default('active'),
});

/** `mlruns/<experiment>/<run>/meta.yaml` as MLflow's FileStore writes it. */
export const RunMeta = z.looseObject({
  run_id: z.string().min(1).optional(),
  run_uuid: z.string().min(1).optional(),
  experiment_id: id,
  run_name: z.string().nullish(),
  status: z.union([
    z
      .number()
      .int()
      .min(1)
      .max(5)
      .transform((code) => STATUS[code]!),
    z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']),
  ]),
  lifecycle_stage: z.string().default('active'),
  start_time: z.number().int().nonnegative(),
  end_time: z.number().int().nonnegative().nullish(),
});

async function entries(dir: string): Promise<{ name: string; directory: boolean }[]> {
  try {
    const found = await readdir(dir, { withFileTypes: true });
    return found
      .map((entry) => ({ name: entry.name, directory: entry.isDirectory() }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Files under `dir` keyed by their path below it: MLflow stores a key `a/b` as the file `a/b`. */
async function keyedFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let found: import('node:fs').Dirent[];
  try {
    found = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of found) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split(sep).join('/'), path);
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Parses a metric file: one `<timestamp_ms> <value> <step>` line per logged value (MLflow before 1.0 wrote no
 * step, which means step 0). A malformed line is an InputError at its line.
 */
export function parseMetricLines(text: string, displayName: string): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    const [timestamp, value = '', step = '0'] = fields;
    const parsed = { timestamp: Number(timestamp), value: parseMetricValue(value), step: Number(step) };
    if (
      fields.length < 2 ||
      !Number.isInteger(parsed.timestamp) ||
      parsed.value === undefined ||
      !Number.isInteger(parsed.step)
    ) {
      throw new InputError(`expected "<timestamp_ms> <value> <step>", got "${line.trim()}"`, {
        file: displayName,
        line: index + 1,
      });
    }
    points.push({ ...parsed, value: parsed.value });
  }
  return points;
}

/** Python's float text: numbers, `nan`, `inf`, `-inf`. */
function parseMetricValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return Number.NaN;
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  const value = Number(text);
  return text === '' || Number.isNaN(value) ? undefined : value;
}

/**
 * Reads MLflow's file store (`mlruns/`) directly, without MLflow installed. `display` turns absolute paths
 * into what messages show.
 */
export function createFileStore(root: string, display: (path: string) => string): MlflowStore {
  const readRun = async (dir: string): Promise<MlflowRun> => {
    const metaFile = join(dir, 'meta.yaml');
    const { value: meta } = await readValidatedFile(metaFile, RunMeta, display(metaFile));
    const runId = meta.run_id ?? meta.run_uuid;
    if (!runId)
      throw new InputError('run_id: required (expected string)', { file: display(metaFile), line: 1 });
    const params: Record<string, string> = {};
    for (const [key, path] of await keyedFiles(join(dir, 'params')))
      params[key] = await readFile(path, 'utf8');
    const tags: Record<string, string> = {};
    for (const [key, path] of await keyedFiles(join(dir, 'tags'))) tags[key] = await readFile(path, 'utf8');
    const metrics: Record<string, number> = {};
    for (const [key, path] of await keyedFiles(join(dir, 'metrics'))) {
      const latest = latestPoint(parseMetricLines(await readFile(path, 'utf8'), display(path)));
      if (latest) metrics[key] = latest.value;
    }
    return {
      runId,
      experimentId: meta.experiment_id,
      runName: meta.run_name || tags['mlflow.runName'] || runId,
      status: meta.status,
      lifecycleStage: meta.lifecycle_stage,
      startTime: meta.start_time,
      ...(meta.end_time != null ? { endTime: meta.end_time } : {}),
      params,
      metrics,
      tags,
      location: { file: display(metaFile), line: 1 },
    };
  };
  const experimentDirs = async (): Promise<{ dir: string; meta: z.infer<typeof ExperimentMeta> }[]> => {
    const found = [];
    for (const entry of await entries(root)) {
      if (!entry.directory || entry.name.startsWith('.') || entry.name === 'models') continue;
      const metaFile = join(root, entry.name, 'meta.yaml');
      if ((await entries(join(root, entry.name))).every((file) => file.name !== 'meta.yaml')) continue;
      found.push({
        dir: join(root, entry.name),
        meta: (await readValidatedFile(metaFile, ExperimentMeta, display(metaFile))).value,
      });
    }
    return found;
  };
  return {
    description: display(root),
    async experiments(): Promise<MlflowExperiment[]> {
      return (await experimentDirs()).map(({ meta }) => ({
        id: meta.experiment_id,
        name: meta.name,
        lifecycleStage: meta.lifecycle_stage,
      }));
    },
    async runs(experimentId) {
      const experiment = (await experimentDirs()).find(({ meta }) => meta.experiment_id === experimentId);
      if (!experiment) return [];
      const runs: MlflowRun[] = [];
      for (const entry of await entries(experiment.dir)) {
        if (!entry.directory) continue;
        if ((await entries(join(experiment.dir, entry.name))).some((file) => file.name === 'meta.yaml')) {
          runs.push(await readRun(join(experiment.dir, entry.name)));
        }
      }
      return runs;
    },
    async run(runId) {
      for (const { dir } of await experimentDirs()) {
        if ((await entries(join(dir, runId))).some((file) => file.name === 'meta.yaml'))
          return readRun(join(dir, runId));
      }
      throw new InputError(`run ${runId} not found`, { file: display(root) });
    },
  };
}
