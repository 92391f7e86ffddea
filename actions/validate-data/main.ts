import { runAsAction } from '../action-entry.ts';
import { validateDataGate } from './gate.ts';

await runAsAction(validateDataGate);
