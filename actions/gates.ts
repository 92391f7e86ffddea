import type { z } from 'zod';
import { createConfigSchema } from '../shared/config/config-schema.ts';
import { type LoadedConfig, loadConfig } from '../shared/config/load-config.ts';
import type { AnyGate } from '../shared/gate.ts';
import { benchmarkGate } from './benchmark/gate.ts';
import { fairnessGate } from './fairness/gate.ts';
import { modelCardGate } from './model-card/gate.ts';
import { promoteGate } from './promote/gate.ts';
import { rerunExperimentsGate } from './rerun-experiments/gate.ts';
import { validateDataGate } from './validate-data/gate.ts';

/**
 * Every gate, in the order `mlgate run` runs them: data and experiments first, then measurements,
 * then the model card that gathers them. `promote` is absent on purpose: it is a manual step.
 */
export const GATES: readonly AnyGate[] = [
  validateDataGate,
  rerunExperimentsGate,
  benchmarkGate,
  fairnessGate,
  modelCardGate,
];

/** Gates that exist but that `mlgate run` never runs (manual steps). */
export const MANUAL_GATES: readonly AnyGate[] = [promoteGate];

export const ALL_GATES: readonly AnyGate[] = [...GATES, ...MANUAL_GATES];

function settingsSchemas(): Record<string, z.ZodType> {
  return Object.fromEntries(ALL_GATES.map((gate) => [gate.name, gate.settings]));
}

/** The schema of `mlgate.yml` with every gate's settings; the source of `mlgate.schema.json`. */
export const configSchema = createConfigSchema(settingsSchemas());
export type MlgateConfig = z.output<typeof configSchema>;

/** Reads and validates an `mlgate.yml`; throws InputError with file:line:col on any mistake. */
export function loadMlgateConfig(file: string): Promise<LoadedConfig<MlgateConfig>> {
  return loadConfig(file, configSchema);
}

export function findGate(name: string): AnyGate | undefined {
  return ALL_GATES.find((gate) => gate.name === name);
}
