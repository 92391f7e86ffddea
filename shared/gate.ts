import type { z } from 'zod';
import type { BaseConfig } from './config/config-schema.ts';
import type { LoadedConfig } from './config/load-config.ts';
import type { Chart, Check, Table } from './result/gate-result.ts';
import type { Runtime } from './runtime/runtime.ts';

/** A gate-specific input: a `--kebab-name` flag on the CLI and an input of the same name in `action.yml`. */
export interface InputSpec {
  description: string;
  /** Repeatable flag / multi-line action input. */
  multiple?: boolean;
  /** A flag that takes no value (`--infer`); as an action input it is `true` or `false`. */
  flag?: boolean;
  /** Shown in `--help`, e.g. `NAME`. */
  valueName?: string;
}

/** What a gate's logic hands back; `runGate` adds status, subject, timing and waivers. */
export interface GateReport {
  /** One line a person reads first. */
  summary: string;
  checks: Check[];
  metrics?: Record<string, number>;
  tables?: Table[];
  charts?: Chart[];
  /** Gate-specific data for other consumers, documented by the gate. */
  details?: Record<string, unknown>;
  /**
   * Why nothing was judged, when the configuration leads to no check (e.g. "gates.validate-data.datasets is
   * empty"). `runGate` turns a run without a judged check into a warning and uses this as its reason.
   */
  nothingChecked?: string;
}

/** Everything a gate's `run` receives. Side effects go through `runtime` only. */
export interface GateContext<Settings, Options> {
  /** `gates.<name>` from the config, validated (the defaults when the key is absent). */
  settings: Settings;
  /** The gate's own inputs (CLI flags or action inputs), validated. */
  options: Options;
  config: LoadedConfig<BaseConfig>;
  runtime: Runtime;
  /** Absolute `--out` folder. */
  out: string;
  now: () => Date;
}

/**
 * One quality gate. Each `actions/<name>/` exports one of these; the CLI, `mlgate run` and the action entry
 * point all drive it through `runGate`, so a gate behaves the same wherever it runs.
 */
export interface GateDefinition<Settings = unknown, Options = unknown> {
  /** The one name shared by the folder, the CLI subcommand, the config key and `<out>/<name>.json`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** Schema of `gates.<name>` in mlgate.yml. */
  settings: z.ZodType<Settings>;
  /** Gate-specific inputs beyond the common ones (config, out, json). */
  inputs: Record<string, InputSpec>;
  /** Parses the raw inputs (`RawInputs`: strings, or string lists for `multiple`) into typed options. */
  options: z.ZodType<Options>;
  /** Whether the gate cannot run without `model` in the config. */
  needsModel: boolean;
  run(context: GateContext<Settings, Options>): Promise<GateReport>;
  /**
   * An auxiliary mode of the subcommand that does not judge anything (e.g. `validate-data --infer`).
   * Returns a message when it handled the invocation, undefined to run the gate normally.
   */
  runTool?(context: GateContext<Settings, Options>): Promise<string | undefined>;
}

/** Erases a gate's types for lists of gates; `defineGate` keeps them where the gate is written. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds gates of different settings types.
export type AnyGate = GateDefinition<any, any>;

/** Identity helper that infers a gate's settings and options types from its schemas. */
export function defineGate<Settings, Options>(
  gate: GateDefinition<Settings, Options>,
): GateDefinition<Settings, Options> {
  return gate;
}
