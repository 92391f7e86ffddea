import { runAsAction } from '../action-entry.ts';
import { promoteGate } from './gate.ts';
import { ACTION_INPUT_NAMES } from './inputs.ts';

// The gate reads `to` (the CLI's --to); action.yml calls it `stage`.
process.env.INPUT_TO ??= process.env[`INPUT_${ACTION_INPUT_NAMES.to.toUpperCase()}`];
await runAsAction(promoteGate);
