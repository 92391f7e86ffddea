import { z } from 'zod';
import { isoDate } from './zod-helpers.ts';

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a name of letters, digits, ".", "_" or "-"' });

/** How one ONNX input is fed: one column, or several packed in order into its last dimension. */
export const ModelInputSource = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export type ModelInputSource = z.infer<typeof ModelInputSource>;

export const ModelConfig = z.strictObject({
  /** Registry name of the model (used in tags, cards and comments). */
  name,
  /** Path to the .onnx file, relative to the config file. */
  path: z.string().min(1),
  /** Semantic version of this model build, e.g. 1.4.0. */
  version: z.string().min(1).optional(),
  /** ONNX input name -> dataset column(s). Inputs not listed are fed by the column of the same name. */
  inputs: z.record(z.string(), ModelInputSource).optional(),
  /** The output holding the classifier's scores, when the graph does not make it clear (see docs/models.md). */
  'score-output': z.string().min(1).optional(),
  /** The positive class: a class label of the model, or a column of its score output (multi-class models). */
  'positive-class': z.union([z.string().min(1), z.number().int().min(0)]).optional(),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

/** How CSV and TSV files are written; anything not given keeps the default shown. */
export const CsvDialect = z.strictObject({
  /** Field separator. Default: a tab for .tsv; for .csv, sniffed from the first file (`,` when unclear). */
  delimiter: z.string().length(1).optional(),
  /** Quote character (default `"`). */
  quote: z.string().length(1).optional(),
  /** Escape character inside quoted fields (default: the quote character, i.e. `""`). */
  escape: z.string().length(1).optional(),
  /** Whether the first line names the columns (default true). */
  header: z.boolean().optional(),
  /** Field values read as null besides the empty field, e.g. `[NA, "null"]`. */
  nulls: z.array(z.string()).optional(),
});
export type CsvDialect = z.infer<typeof CsvDialect>;

export const DatasetConfig = z.strictObject({
  /** A file or a glob of files read as one dataset, relative to the config file. */
  path: z.string().min(1),
  /** The data contract (YAML or JSON) that validate-data checks this dataset against. */
  schema: z.string().min(1).optional(),
  /** Overrides the format guessed from the file extension. */
  format: z.enum(['csv', 'tsv', 'parquet', 'jsonl']).optional(),
  /** CSV/TSV dialect, when it differs from RFC 4180 with a header row. */
  csv: CsvDialect.optional(),
});
export type DatasetConfig = z.infer<typeof DatasetConfig>;

export const WaiverConfig = z.strictObject({
  /** A check id, or a pattern in which `*` matches any run of characters. */
  check: z.string().min(1),
  reason: z.string().min(1, { error: 'expected a reason: a waiver must say why' }),
  /** Last day the waiver applies (inclusive, UTC). */
  until: isoDate(),
});
export type WaiverConfig = z.infer<typeof WaiverConfig>;

/** Where the paths a config names may lead (docs/architecture.md, "Paths"). */
export const PathsConfig = z.strictObject({
  /**
   * Let data, schema, model and evidence paths leave the git repository that holds the config (absolute
   * paths, `..`, symbolic links out). Off by default: in a pull-request workflow the config comes from the
   * pull request, and a path to a runner file would carry its first line into the summary and comment.
   */
  'allow-outside': z
    .boolean()
    .default(false)
    .describe('Let paths in this config leave the git repository that holds it (default false).'),
});
export type PathsConfig = z.infer<typeof PathsConfig>;

/** A gate key written with no value (`benchmark:`) means "run it with the defaults". */
function gateSettings<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value === null ? {} : value), schema).optional();
}

/**
 * The schema of `mlgate.yml`, given each gate's settings schema. The gates are passed in because this
 * library knows no particular gate; `actions/gates.ts` composes the real one.
 */
export function createConfigSchema<G extends Record<string, z.ZodType>>(gates: G) {
  const gateShape = Object.fromEntries(
    Object.entries(gates).map(([gate, schema]) => [gate, gateSettings(schema)]),
  ) as { [K in keyof G]: ReturnType<typeof gateSettings<G[K]>> };
  return z.strictObject({
    version: z.literal(1, { error: 'expected version: 1' }),
    model: ModelConfig.optional(),
    datasets: z.record(name, DatasetConfig).default({}),
    gates: z.strictObject(gateShape).default({} as never),
    waivers: z.array(WaiverConfig).default([]),
    paths: PathsConfig.optional(),
  });
}

/** The parts of a parsed config that every gate may read, whatever the gate set. */
export interface BaseConfig {
  version: 1;
  model?: ModelConfig | undefined;
  datasets: Record<string, DatasetConfig>;
  waivers: WaiverConfig[];
  paths?: PathsConfig | undefined;
}
