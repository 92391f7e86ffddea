import type { SourceLocation } from '../../shared/errors.ts';

/** A run as both the MLflow file store and the tracking server describe it. */
export interface MlflowRun {
  runId: string;
  experimentId: string;
  runName: string;
  /** RUNNING, SCHEDULED, FINISHED, FAILED or KILLED. */
  status: string;
  lifecycleStage: string;
  startTime: number;
  endTime?: number;
  params: Record<string, string>;
  /** The latest value of each metric (highest step, then latest timestamp). */
  metrics: Record<string, number>;
  tags: Record<string, string>;
  /** Where the run was read from (its meta.yaml, or the server). */
  location: SourceLocation;
}

export interface MlflowExperiment {
  id: string;
  name: string;
  lifecycleStage: string;
}

/** Read access to recorded runs, whichever the backend. */
export interface MlflowStore {
  /** Where the runs come from, for messages. */
  readonly description: string;
  experiments(): Promise<MlflowExperiment[]>;
  runs(experimentId: string): Promise<MlflowRun[]>;
  run(runId: string): Promise<MlflowRun>;
}

export interface MetricPoint {
  timestamp: number;
  value: number;
  step: number;
}

/** MLflow's own rule for a metric's current value: the highest step, then the latest timestamp, then the largest value. */
export function latestPoint(points: readonly MetricPoint[]): MetricPoint | undefined {
  let best: MetricPoint | undefined;
  for (const point of points) {
    if (
      !best ||
      point.step > best.step ||
      (point.step === best.step &&
        (point.timestamp > best.timestamp ||
          (point.timestamp === best.timestamp && point.value > best.value)))
    ) {
      best = point;
    }
  }
  return best;
}

/** The run that best stands for an experiment: the latest one that finished. */
export function latestFinishedRun(runs: readonly MlflowRun[]): MlflowRun | undefined {
  return runs
    .filter((run) => run.status === 'FINISHED' && run.lifecycleStage === 'active')
    .sort(
      (a, b) => (b.endTime ?? b.startTime) - (a.endTime ?? a.startTime) || a.runId.localeCompare(b.runId),
    )[0];
}
