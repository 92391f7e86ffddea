import { z } from 'zod';
import { integerAtLeast } from '../../shared/config/zod-helpers.ts';

const tolerance = {
  abs: z
    .number()
    .nonnegative()
    .optional()
    .describe('Largest accepted absolute difference between the rerun value and the tracked value.'),
  rel: z
    .number()
    .nonnegative()
    .optional()
    .describe('Largest accepted difference relative to |tracked value| (0.01 = 1%).'),
};

export const MetricRule = z.strictObject({
  ...tolerance,
  direction: z
    .enum(['higher', 'lower', 'either'])
    .optional()
    .describe(
      'Which way is better. A rerun that is better than tracked beyond the tolerance is a warning, ' +
        'worse is a failure; "either" fails both ways.',
    ),
  ignore: z.boolean().default(false).describe('Do not judge this metric at all.'),
});
export type MetricRule = z.infer<typeof MetricRule>;

const MlflowSource = z.strictObject({
  'tracking-uri': z
    .string()
    .min(1)
    .optional()
    .describe(
      'A file store folder (relative to mlgate.yml), a SQLite database (sqlite:///mlflow.db relative, ' +
        'sqlite:////abs/mlflow.db absolute) or an http(s) tracking server; default: the MLFLOW_TRACKING_URI ' +
        'environment variable, else ./mlruns if it holds experiments, else ./mlflow.db (as MLflow 3.7+).',
    ),
  project: z
    .string()
    .min(1)
    .default('.')
    .describe('Folder holding the MLproject file whose entry points the runs were made with.'),
  experiments: z
    .array(z.string().min(1))
    .optional()
    .describe('Experiment names (or ids) whose runs are read; default: every active experiment.'),
  runs: z
    .array(z.string().min(1))
    .optional()
    .describe('Run ids to rerun; default: the latest finished run of each experiment read.'),
  'metrics-file': z
    .string()
    .min(1)
    .optional()
    .describe(
      'A JSON or YAML file (relative to the project folder) the entry point writes its metrics to. ' +
        'Without it, the metrics the rerun logs to the temporary tracking store are read.',
    ),
});
export type MlflowSource = z.infer<typeof MlflowSource>;

export const RerunExperimentsSettings = z.strictObject({
  experiments: z
    .string()
    .min(1)
    .optional()
    .describe("An mlgate experiments file (relative to mlgate.yml), e.g. 'experiments.yml'."),
  dvc: z
    .string()
    .min(1)
    .optional()
    .describe("A DVC pipeline file, e.g. 'dvc.yaml'; its dvc.lock and params.yaml are read beside it."),
  mlflow: MlflowSource.optional().describe(
    'Runs recorded by MLflow (file store, SQLite database or tracking server).',
  ),
  select: z
    .array(z.string().min(1))
    .default([])
    .describe('Experiment names (or patterns with *) to rerun; default: all. --experiment overrides it.'),
  tolerance: z
    .strictObject(tolerance)
    .default({ abs: 0, rel: 0 })
    .describe('Default tolerance for every metric; the default {abs: 0, rel: 0} demands an exact match.'),
  metrics: z
    .record(z.string().min(1), MetricRule)
    .default({})
    .describe('Per metric (name, or <experiment>.<name>) tolerance and direction.'),
  timeout: z
    .number()
    .positive()
    .default(1800)
    .describe('Seconds one command may run before it is stopped and reported as an error.'),
  repeats: integerAtLeast(1)
    .default(1)
    .describe('How many times each experiment is rerun; 2 or more measures the run-to-run spread.'),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.union([z.string(), z.number(), z.boolean()]))
    .default({})
    .describe('Environment variables set for every rerun command.'),
  workspace: z
    .enum(['copy', 'workspace'])
    .default('copy')
    .describe(
      'copy: rerun in a clean temporary copy of the repository (tracked files only); workspace: rerun ' +
        'in place, overwriting outputs and metrics files.',
    ),
  root: z
    .string()
    .min(1)
    .optional()
    .describe('The folder copied for copy mode; default: the git repository holding mlgate.yml.'),
  link: z
    .array(z.string().min(1))
    .default(['node_modules'])
    .describe('Folders under root that copy mode links instead of copying (installed dependencies).'),
  base: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Git ref to diff tracked metrics and params against (at the merge base); default: the pull ' +
        "request's base, else no diff.",
    ),
});
export type RerunExperimentsSettings = z.infer<typeof RerunExperimentsSettings>;
