import { runAsAction } from '../action-entry.ts';
import { modelCardGate } from './gate.ts';

await runAsAction(modelCardGate);
