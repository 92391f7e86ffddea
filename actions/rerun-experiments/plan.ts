import type { SourceLocation } from '../../shared/errors.ts';
import type { DiffSource } from './base-diff.ts';
import type { Command } from './run-command.ts';

export type SourceKind = 'experiments' | 'dvc' | 'mlflow';

/** An experiment as tracked before the rerun: what it claims, and where that claim is written. */
export interface TrackedExperiment {
  /** Unique across sources; the first part of every check id (`<name>.<metric>`). */
  name: string;
  source: SourceKind;
  /** Metric -> the value the repository records. */
  tracked: Record<string, number>;
  /** Where the experiment is defined, for annotations. */
  location: SourceLocation;
  /** The recorded parameters the rerun uses (flat, dotted keys). */
  params: Record<string, unknown>;
  seed?: number;
  /** Source-specific facts worth showing (run id, git commit of the run, lock state...). */
  facts: Record<string, unknown>;
}

/** One command of a rerun; `cwd` is an absolute path in the workspace (relocated for copy mode). */
export interface Step {
  name: string;
  command: Command;
  cwd: string;
  env: Record<string, string>;
}

/** Maps a workspace path to where the rerun actually happened (itself in workspace mode). */
export interface RunPlace {
  at(path: string): string;
  /** A fresh MLflow file store the commands were pointed at (MLFLOW_TRACKING_URI). */
  mlflowStore: string;
}

/** A DVC out whose hash dvc.lock records: compared after the rerun, for information only. */
export interface TrackedOut {
  stage: string;
  /** Absolute workspace path. */
  path: string;
  /** As written in dvc.yaml, for messages. */
  display: string;
  md5?: string;
  size?: number;
  nfiles?: number;
  /** DVC 2 hashes (no `hash: md5` field) normalise line endings of text files. */
  legacy: boolean;
}

/**
 * What one rerun executes and what it proves: steps run in order (a DVC pipeline has several), then
 * `collect` reads each experiment's rerun metrics. Experiments of one plan are rerun together.
 */
export interface RerunPlan {
  label: string;
  source: SourceKind;
  steps: Step[];
  experiments: TrackedExperiment[];
  /** Absolute workspace paths the steps read that git does not track (DVC data), copied in copy mode. */
  inputs: string[];
  outs: TrackedOut[];
  /** Files whose recorded metrics and params are diffed against the base branch. */
  diffSources: DiffSource[];
  /** Experiment name -> metrics the rerun wrote (absent when it wrote none). Throws InputError on a bad file. */
  collect(place: RunPlace): Promise<Map<string, Record<string, number>>>;
}
