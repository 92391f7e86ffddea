import { runAsAction } from '../action-entry.ts';
import { fairnessGate } from './gate.ts';

await runAsAction(fairnessGate);
