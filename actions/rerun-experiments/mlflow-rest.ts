import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import type { MlflowExperiment, MlflowRun, MlflowStore } from './mlflow-run.ts';

const int64 = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const float = z.union([
  z.number(),
  z.string().transform((text) => (/^nan$/i.test(text) ? Number.NaN : Number(text))),
]);
const KeyValue = z.looseObject({ key: z.string(), value: z.string() });

const RestRun = z.looseObject({
  info: z.looseObject({
    run_id: z.string().optional(),
    run_uuid: z.string().optional(),
    experiment_id: z.string(),
    run_name: z.string().optional(),
    status: z.string(),
    lifecycle_stage: z.string().default('active'),
    start_time: int64,
    end_time: int64.optional(),
  }),
  data: z
    .looseObject({
      metrics: z
        .array(
          z.looseObject({
            key: z.string(),
            value: float,
            step: int64.default(0),
            timestamp: int64.default(0),
          }),
        )
        .default([]),
      params: z.array(KeyValue).default([]),
      tags: z.array(KeyValue).default([]),
    })
    .default({ metrics: [], params: [], tags: [] }),
});

const RunResponse = z.looseObject({ run: RestRun });
const SearchRunsResponse = z.looseObject({
  runs: z.array(RestRun).default([]),
  next_page_token: z.string().optional(),
});
const SearchExperimentsResponse = z.looseObject({
  experiments: z
    .array(
      z.looseObject({
        experiment_id: z.string(),
        name: z.string(),
        lifecycle_stage: z.string().default('active'),
      }),
    )
    .default([]),
  next_page_token: z.string().optional(),
});

/** Whether MLFLOW_TRACKING_URI (or the configured URI) points at a tracking server. */
export function isHttpUri(uri: string): boolean {
  return /^https?:\/\//i.test(uri);
}

function authorization(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.MLFLOW_TRACKING_TOKEN) return { authorization: `Bearer ${env.MLFLOW_TRACKING_TOKEN}` };
  if (env.MLFLOW_TRACKING_USERNAME && env.MLFLOW_TRACKING_PASSWORD) {
    const basic = Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD}`).toString(
      'base64',
    );
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

function toRun(raw: z.infer<typeof RestRun>, url: string): MlflowRun {
  const runId = raw.info.run_id ?? raw.info.run_uuid ?? '';
  const tags = Object.fromEntries(raw.data.tags.map((tag) => [tag.key, tag.value]));
  return {
    runId,
    experimentId: raw.info.experiment_id,
    runName: raw.info.run_name || tags['mlflow.runName'] || runId,
    status: raw.info.status,
    lifecycleStage: raw.info.lifecycle_stage,
    startTime: raw.info.start_time,
    ...(raw.info.end_time !== undefined ? { endTime: raw.info.end_time } : {}),
    params: Object.fromEntries(raw.data.params.map((param) => [param.key, param.value])),
    // runs/get and runs/search already return each metric's latest value.
    metrics: Object.fromEntries(raw.data.metrics.map((metric) => [metric.key, metric.value])),
    tags,
    location: { file: `${url}/api/2.0/mlflow/runs/get?run_id=${runId}` },
  };
}

/**
 * Reads runs from an MLflow tracking server's REST API 2.0 (`runs/get`, `runs/search`, `experiments/search`),
 * authenticated like the MLflow client: MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and _PASSWORD.
 */
export function createRestStore(uri: string, env: NodeJS.ProcessEnv = process.env): MlflowStore {
  const base = uri.replace(/\/+$/, '');
  const call = async <S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> => {
    const url = `${base}/api/2.0/mlflow/${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...authorization(env),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new InputError(`MLflow tracking server unreachable: ${(error as Error).message}`, { file: url });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const detail = z.looseObject({ error_code: z.string(), message: z.string() }).safeParse(json);
      const reason = detail.success
        ? `${detail.data.error_code}: ${detail.data.message}`
        : text.slice(0, 200);
      throw new InputError(`MLflow answered ${response.status} ${reason}`, { file: url });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new InputError(`unexpected MLflow response: ${z.prettifyError(parsed.error).split('\n')[0]}`, {
        file: url,
      });
    return parsed.data;
  };
  return {
    description: base,
    async experiments(): Promise<MlflowExperiment[]> {
      const found: MlflowExperiment[] = [];
      let pageToken: string | undefined;
      do {
        const page = await call(
          'POST',
          'experiments/search',
          { max_results: 1000, ...(pageToken ? { page_token: pageToken } : {}) },
          SearchExperimentsResponse,
        );
        found.push(
          ...page.experiments.map((experiment) => ({
            id: experiment.experiment_id,
            name: experiment.name,
            lifecycleStage: experiment.lifecycle_stage,
          })),
        );
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
      return found;
    },
    async runs(experimentId) {
      const found: MlflowRun[] = [];
      let pageToken: string | undefined;
      do {
        const page = await call(
          'POST',
          'runs/search',
          {
            experiment_ids: [experimentId],
            run_view_type: 'ACTIVE_ONLY',
            max_results: 1000,
            ...(pageToken ? { page_token: pageToken } : {}),
          },
          SearchRunsResponse,
        );
        found.push(...page.runs.map((run) => toRun(run, base)));
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
      return found;
    },
    async run(runId) {
      return toRun(
        (await call('GET', `runs/get?run_id=${encodeURIComponent(runId)}`, undefined, RunResponse)).run,
        base,
      );
    },
  };
}
