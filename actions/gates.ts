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

// One place builds the config schema (config-schema.ts, light enough for every action's bundle); gates and
// CLI callers keep importing it from here.
export { configSchema, loadMlgateConfig, type MlgateConfig } from './config-schema.ts';

export function findGate(name: string): AnyGate | undefined {
  return ALL_GATES.find((gate) => gate.name === name);
}
