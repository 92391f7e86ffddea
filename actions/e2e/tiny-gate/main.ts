import { runAsAction } from '../../action-entry.ts';
import { tinyGate } from './gate.ts';

await runAsAction(tinyGate);
