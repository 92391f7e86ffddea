import { z } from 'zod';
import { fraction, integerAtLeast } from '../../shared/config/zod-helpers.ts';

/** The statistics of one request's latency that single-stream reports and can compare. */
export const LATENCY_STATISTICS = ['p50', 'p90', 'p95', 'p99', 'mean', 'min', 'max', 'std'] as const;
export type LatencyStatistic = (typeof LATENCY_STATISTICS)[number];

const positive = (what: string) =>
  z.number({ error: `expected ${what} > 0` }).positive({ error: `expected ${what} > 0` });
const regression = () =>
  z
    .number({ error: 'expected a fraction >= 0, e.g. 0.10 for 10% slower' })
    .min(0, { error: 'expected a fraction >= 0, e.g. 0.10 for 10% slower' });

export const InputValues = z
  .union([
    z.enum(['random', 'zeros']),
    z.strictObject({
      constant: z.union([z.number(), z.string(), z.boolean()]).describe('Every element is this value.'),
    }),
    z.strictObject({
      range: z
        .tuple([z.number(), z.number()])
        .refine(([lo, hi]) => lo <= hi, { error: 'expected [low, high] with low <= high' })
        .describe('Uniform random values in [low, high] (whole numbers for integer inputs).'),
    }),
    z.strictObject({
      file: z
        .string()
        .min(1)
        .describe('A JSON file holding an array (nested or flat) of values, repeated to fill the tensor.'),
    }),
    z.strictObject({
      dataset: z
        .string()
        .min(1)
        .describe('A dataset named under `datasets`: its rows fill the batch, columns per `model.inputs`.'),
    }),
  ])
  .describe('Where the values come from: random (default), zeros, {constant}, {range}, {file} or {dataset}.');
export type InputValues = z.infer<typeof InputValues>;

export const InputSettings = z.strictObject({
  shape: z
    .array(z.union([integerAtLeast(0), z.literal('batch')]))
    .optional()
    .describe('Concrete dimensions, e.g. [1, 512]; "batch" follows the scenario batch size; [] is a scalar.'),
  values: InputValues.default('random'),
});
export type InputSettings = z.infer<typeof InputSettings>;

export const BaselineSettings = z
  .union([
    z.strictObject({
      path: z.string().min(1).describe('The baseline .onnx file, relative to the config file.'),
    }),
    z.strictObject({
      ref: z
        .string()
        .min(1)
        .describe('A git ref (or "merge-base"): the model file as it was at that commit.'),
    }),
    z.strictObject({
      stage: z.string().min(1).describe('The registry stage promote maintains, e.g. production.'),
    }),
    z.strictObject({
      results: z
        .string()
        .min(1)
        .describe('An earlier benchmark.json: compared with a warning, never pass/fail.'),
    }),
  ])
  .describe(
    'What the candidate is compared with. Default: the merge base in a pull request, none otherwise.',
  );
export type BaselineSettings = z.infer<typeof BaselineSettings>;

const batchSizes = (fallback: number[]) =>
  z.array(integerAtLeast(1)).min(1).default(fallback).describe('Batch sizes, each measured on its own.');

export const SingleStreamSettings = z.strictObject({
  'batch-sizes': batchSizes([1]),
  'max-regression': z
    .partialRecord(z.enum(LATENCY_STATISTICS), regression())
    .default({ p50: 0.1, p99: 0.2 })
    .describe(
      'Statistic -> largest tolerated slowdown; a check per statistic listed. Default p50 0.10, p99 0.20.',
    ),
});

export const OfflineSettings = z.strictObject({
  'batch-sizes': batchSizes([32]),
  concurrency: integerAtLeast(1).default(2).describe('Concurrent run() calls on one session.'),
  'max-regression': regression()
    .default(0.1)
    .describe('Largest tolerated increase of the time per item (1 / throughput).'),
});

export const ServerSettings = z.strictObject({
  rate: positive('a rate').describe('Target arrival rate in requests per second (Poisson arrivals).'),
  'latency-bound-ms': positive('a bound').describe('p99 latency (queueing included) must stay under this.'),
  'batch-size': integerAtLeast(1).default(1).describe('Items per request.'),
  'duration-s': positive('a duration').default(5).describe('How long requests arrive, per model.'),
  'min-achieved-rate': fraction()
    .default(0.95)
    .describe('Share of the target rate that must be completed per second for the scenario to pass.'),
});

export const SessionSettings = z.strictObject({
  'intra-op-threads': integerAtLeast(0)
    .default(1)
    .describe('Threads inside one operator (0 = onnxruntime decides). 1 keeps shared runners steady.'),
  'inter-op-threads': integerAtLeast(0).default(1).describe('Threads across operators (parallel mode only).'),
  'graph-optimization-level': z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
  'execution-mode': z.enum(['sequential', 'parallel']).default('sequential'),
  'execution-providers': z
    .array(z.string().min(1))
    .min(1)
    .default(['cpu'])
    .describe('In order of preference; each must be offered by the installed onnxruntime-node.'),
});
export type SessionSettings = z.infer<typeof SessionSettings>;

export const StoppingSettings = z.strictObject({
  'warmup-iterations': integerAtLeast(0).default(20).describe('Runs per model before anything is measured.'),
  'min-iterations': integerAtLeast(1).default(20).describe('Fewest runs of each model in one block.'),
  'min-duration-ms': positive('a duration')
    .default(100)
    .describe("Shortest time of one model's share of a block (a block lasts at least twice this)."),
  'min-blocks': integerAtLeast(3)
    .default(10)
    .describe('Blocks (one baseline and one candidate half each) before stopping.'),
  'max-blocks': integerAtLeast(3).default(400),
  'target-ci-width': positive('a width')
    .default(0.05)
    .describe(
      'Measure until every interval is about this narrow (upper / lower - 1), planned from the first 20 blocks, or wholly below its threshold.',
    ),
  'time-budget-s': positive('a budget')
    .default(45)
    .describe('Measuring time for the whole gate; shared by the configurations.'),
});
export type StoppingSettings = z.infer<typeof StoppingSettings>;

export const BenchmarkSettings = z.strictObject({
  baseline: BaselineSettings.optional(),
  scenarios: z
    .strictObject({
      'single-stream': SingleStreamSettings.optional(),
      offline: OfflineSettings.optional(),
      server: ServerSettings.optional(),
    })
    .default({ 'single-stream': SingleStreamSettings.parse({}) })
    .describe('Scenarios to run (named after MLPerf LoadGen). Default: single-stream at batch size 1.'),
  inputs: z.record(z.string(), InputSettings).default({}).describe('Per ONNX input: shape and values.'),
  session: SessionSettings.default(SessionSettings.parse({})),
  stopping: StoppingSettings.default(StoppingSettings.parse({})),
  confidence: fraction().default(0.95).describe('Confidence level of the intervals.'),
  'bootstrap-resamples': integerAtLeast(100)
    .default(2000)
    .describe(
      'Unused since intervals are studentized (Yuen, batch means); accepted so existing configs stay valid.',
    ),
  seed: integerAtLeast(0).default(1).describe('Seed of input synthesis, arrivals and the bootstrap.'),
});
export type BenchmarkSettings = z.infer<typeof BenchmarkSettings>;
