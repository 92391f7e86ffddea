import { runAsAction } from '../action-entry.ts';
import { benchmarkGate } from './gate.ts';

await runAsAction(benchmarkGate);
