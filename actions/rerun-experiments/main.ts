import { runAsAction } from '../action-entry.ts';
import { rerunExperimentsGate } from './gate.ts';

await runAsAction(rerunExperimentsGate);
