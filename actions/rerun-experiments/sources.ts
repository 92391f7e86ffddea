import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedConfig } from '../../shared/config/load-config.ts';
import { InputError } from '../../shared/errors.ts';
import { readDvcPlan } from './dvc-pipeline.ts';
import { readExperimentsFile } from './experiments-file.ts';
import { readMlflowPlans } from './mlflow-plan.ts';
import type { RerunPlan } from './plan.ts';
import type { MlflowSource, RerunExperimentsSettings } from './settings.ts';

/** Where the tracked experiments are: configured, or found beside mlgate.yml when none is configured. */
export interface Sources {
  experiments?: string;
  dvc?: string;
  mlflow?: MlflowSource;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function findSources(
  settings: RerunExperimentsSettings,
  config: Pick<LoadedConfig, 'dir' | 'resolve' | 'file'>,
  env: NodeJS.ProcessEnv,
): Promise<Sources> {
  if (settings.experiments || settings.dvc || settings.mlflow) {
    return {
      ...(settings.experiments ? { experiments: settings.experiments } : {}),
      ...(settings.dvc ? { dvc: settings.dvc } : {}),
      ...(settings.mlflow ? { mlflow: settings.mlflow } : {}),
    };
  }
  const found: Sources = {};
  if (await exists(join(config.dir, 'experiments.yml'))) found.experiments = 'experiments.yml';
  if (await exists(join(config.dir, 'dvc.yaml'))) found.dvc = 'dvc.yaml';
  // A tracking URI alone may be set machine-wide; it counts only beside an MLflow project.
  const project = await exists(join(config.dir, 'MLproject'));
  const store = (await exists(join(config.dir, 'mlruns'))) || (await exists(join(config.dir, 'mlflow.db')));
  if (store || (env.MLFLOW_TRACKING_URI && project)) {
    found.mlflow = { project: '.' };
  }
  if (!found.experiments && !found.dvc && !found.mlflow) {
    throw new InputError(
      'gates.rerun-experiments: no tracked experiments found: set experiments, dvc or mlflow (nothing named experiments.yml, dvc.yaml, mlruns/ or mlflow.db beside the config)',
      { file: config.file },
    );
  }
  return found;
}

/** A selection pattern: exact, or `*` matching any run of characters. */
export function matcher(pattern: string): (name: string) => boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (name) => regex.test(name);
}

export interface ReadOptions {
  sources: Sources;
  resolve(path: string): string;
  display(path: string): string;
  env: NodeJS.ProcessEnv;
}

/** Every plan the sources hold for the experiments `select` accepts, in source order. */
export async function readPlans(
  options: ReadOptions,
  select: (name: string) => boolean,
): Promise<RerunPlan[]> {
  const { sources } = options;
  const plans: RerunPlan[] = [];
  if (sources.experiments) {
    const file = options.resolve(sources.experiments);
    const all = await readExperimentsFile(file, options.display(file), select);
    plans.push(...all);
  }
  if (sources.dvc) {
    const file = options.resolve(sources.dvc);
    plans.push(...(await readDvcPlan(file, options.display(file), select)));
  }
  if (sources.mlflow) {
    plans.push(
      ...(await readMlflowPlans({
        source: sources.mlflow,
        resolve: options.resolve,
        display: options.display,
        select,
        env: options.env,
      })),
    );
  }
  const names = new Set<string>();
  for (const experiment of plans.flatMap((plan) => plan.experiments)) {
    if (names.has(experiment.name)) {
      throw new InputError(
        `two tracked experiments are named "${experiment.name}": rename one`,
        experiment.location,
      );
    }
    names.add(experiment.name);
  }
  return plans;
}
