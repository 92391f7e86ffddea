import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../shared/errors.ts';
import { numericLeaves, readDocumentFile } from './metrics-file.ts';
import { createFileStore } from './mlflow-file-store.ts';
import { createRestStore } from './mlflow-rest.ts';
import { latestFinishedRun, type MlflowRun, type MlflowStore } from './mlflow-run.ts';
import { createSqliteStore } from './mlflow-sqlite-store.ts';
import { trackingStore } from './mlflow-tracking-uri.ts';
import { entryPointCommand, readMlProject } from './mlproject.ts';
import type { RerunPlan } from './plan.ts';
import type { MlflowSource } from './settings.ts';

export interface MlflowPlanOptions {
  source: MlflowSource;
  /** Absolute path of a path written in mlgate.yml. */
  resolve(path: string): string;
  display(path: string): string;
  select(name: string): boolean;
  env: NodeJS.ProcessEnv;
}

/** An MLflow run's experiment name: its run name, prefixed, with what check ids cannot hold made dashes. */
export function mlflowExperimentName(run: MlflowRun): string {
  return `mlflow:${run.runName.replace(/[^A-Za-z0-9_@:-]+/g, '-')}`;
}

/** The tracking store the settings or the environment point at, else the one MLflow would use by default. */
export async function openStore(options: MlflowPlanOptions): Promise<MlflowStore> {
  const store = await trackingStore(options.source['tracking-uri'], options.env, options.resolve('.'));
  if (store.kind === 'rest') return createRestStore(store.uri, options.env);
  const path = options.resolve(store.path);
  if (store.kind === 'sqlite') return createSqliteStore(path, options.display);
  if ((await stat(path).catch(() => undefined))?.isFile()) {
    throw new InputError(
      `is a file, not an MLflow file store folder; for a SQLite database write tracking-uri: sqlite:///${store.path}`,
      { file: options.display(path) },
    );
  }
  return createFileStore(path, options.display);
}

async function chooseRuns(store: MlflowStore, source: MlflowSource): Promise<MlflowRun[]> {
  if (source.runs) return Promise.all(source.runs.map((id) => store.run(id)));
  const experiments = (await store.experiments()).filter(
    (experiment) => experiment.lifecycleStage === 'active',
  );
  const wanted = source.experiments
    ? source.experiments.map((key) => {
        const found = experiments.find((experiment) => experiment.name === key || experiment.id === key);
        if (!found) throw new InputError(`MLflow experiment "${key}" not found in ${store.description}`);
        return found;
      })
    : experiments;
  const runs: MlflowRun[] = [];
  for (const experiment of wanted) {
    const latest = latestFinishedRun(await store.runs(experiment.id));
    if (latest) runs.push(latest);
  }
  return runs;
}

/** The newest run a rerun logged into its private file store, if it logged any. */
async function loggedRun(storeDir: string): Promise<MlflowRun | undefined> {
  const store = createFileStore(storeDir, (path) => path);
  const runs: MlflowRun[] = [];
  for (const experiment of await store.experiments()) runs.push(...(await store.runs(experiment.id)));
  return runs.sort((a, b) => b.startTime - a.startTime)[0];
}

/**
 * One plan per selected MLflow run: the MLproject entry point it recorded (tag `mlflow.project.entryPoint`,
 * else `main`) with its recorded params. Tracked values are the run's latest metric values.
 */
export async function readMlflowPlans(options: MlflowPlanOptions): Promise<RerunPlan[]> {
  const store = await openStore(options);
  const runs = await chooseRuns(store, options.source);
  const seen = new Set<string>();
  const chosen: { run: MlflowRun; name: string }[] = [];
  for (const run of runs) {
    let name = mlflowExperimentName(run);
    if (seen.has(name)) name = `${name}-${run.runId.slice(0, 8)}`;
    seen.add(name);
    if (options.select(name)) chosen.push({ run, name });
  }
  if (chosen.length === 0) return [];
  const project = await readMlProject(options.resolve(options.source.project), options.display);
  const metricsFile = options.source['metrics-file'];
  return chosen.map(({ run, name }) => {
    const entryPoint = run.tags['mlflow.project.entryPoint'] ?? 'main';
    const { command, location } = entryPointCommand(project, entryPoint, run.params);
    const seed = Number(run.params.seed);
    return {
      label: `MLflow run ${run.runId}`,
      source: 'mlflow',
      steps: [{ name, command, cwd: project.dir, env: {} }],
      experiments: [
        {
          name,
          source: 'mlflow',
          tracked: run.metrics,
          // A file store's meta.yaml is a place to point at; a server or a database is not.
          location: run.location.line === undefined ? location : run.location,
          params: run.params,
          ...(run.params.seed !== undefined && Number.isInteger(seed) ? { seed } : {}),
          facts: {
            store: store.description,
            runId: run.runId,
            experimentId: run.experimentId,
            entryPoint,
            ...(run.tags['mlflow.source.git.commit']
              ? { gitCommit: run.tags['mlflow.source.git.commit'] }
              : {}),
          },
        },
      ],
      inputs: [],
      outs: [],
      // A pull request adds a new run rather than changing one, so there is no file to diff.
      diffSources: [],
      async collect(place) {
        if (metricsFile) {
          const path = join(project.dir, metricsFile);
          const written = await readDocumentFile(place.at(path), options.display(path));
          return new Map(written === undefined ? [] : [[name, numericLeaves(written)]]);
        }
        const logged = await loggedRun(place.mlflowStore);
        return new Map(logged ? [[name, logged.metrics]] : []);
      },
    } satisfies RerunPlan;
  });
}
