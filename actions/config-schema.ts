import type { z } from 'zod';
import { createConfigSchema } from '../shared/config/config-schema.ts';
import { type LoadedConfig, loadConfig } from '../shared/config/load-config.ts';
import { BenchmarkSettings } from './benchmark/settings.ts';
import { FairnessSettings } from './fairness/settings.ts';
import { ModelCardSettings } from './model-card/settings.ts';
import { PromoteSettings } from './promote/settings.ts';
import { RerunExperimentsSettings } from './rerun-experiments/settings.ts';
import { ValidateDataSettings } from './validate-data/settings.ts';

/**
 * Each gate's `gates.<name>` schema, without the gates' logic: every action validates the whole config
 * (a typo under another gate's key is still an error) while its bundle holds only its own gate.
 * `actions/gates.ts` checks that this map and the gates agree.
 */
export const GATE_SETTINGS = {
  'validate-data': ValidateDataSettings,
  'rerun-experiments': RerunExperimentsSettings,
  benchmark: BenchmarkSettings,
  fairness: FairnessSettings,
  'model-card': ModelCardSettings,
  promote: PromoteSettings,
} as const;

/** The schema of `mlgate.yml` with every gate's settings; the source of `mlgate.schema.json`. */
export const configSchema = createConfigSchema(GATE_SETTINGS);
export type MlgateConfig = z.output<typeof configSchema>;

/** Reads and validates an `mlgate.yml`; throws InputError with file:line:col on any mistake. */
export function loadMlgateConfig(file: string): Promise<LoadedConfig<MlgateConfig>> {
  return loadConfig(file, configSchema);
}
