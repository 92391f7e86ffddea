import { runAsAction } from '../action-entry.ts';
import { promoteGate } from './gate.ts';

// The workflow_dispatch form reads better as "stage"; the gate's input (and CLI flag) is `to`.
process.env.INPUT_TO ??= process.env.INPUT_STAGE;
await runAsAction(promoteGate);
