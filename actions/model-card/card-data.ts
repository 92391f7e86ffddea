import type { Evidence } from '../../shared/evidence/evidence.ts';
import type { CardSource } from './card-source.ts';
import type { Comparison } from './comparisons.ts';
import type { LoadedResult } from './read-results.ts';

/** Everything the renderers need; they are pure functions of this. */
export interface CardData {
  evidence: Evidence;
  /** The gate results, in the order people read them. */
  results: LoadedResult[];
  /** The user-written card source, when there is one. */
  source?: CardSource | undefined;
  /** Where the card source is (or should be) written, for "add X to <file>" hints. */
  sourceFile?: string | undefined;
  comparisons: Comparison[];
  /** The ONNX file's `metadata_props` (e.g. training parameters the exporter stored). */
  modelMetadata?: Record<string, string> | undefined;
  /** The workflow run that produced the card, linked from the report. */
  runUrl?: string | undefined;
}
