import type { Tensor } from 'onnxruntime-node';
import type { ModelInputSource } from '../../shared/config/config-schema.ts';
import { InputError, type SourceLocation } from '../../shared/errors.ts';
import {
  planScores,
  readScores,
  type ScoreOptions,
  type ScorePlan,
} from '../../shared/onnx/classifier-scores.ts';
import { feedShape, fixedBatchSize, openModel, tensorFrom } from '../../shared/onnx/model-io.ts';
import type { DataTable, Value } from './data.ts';

export interface ModelScoring {
  /** Absolute path of the .onnx file. */
  path: string;
  /** The path as people should read it in messages. */
  display: string;
  /** Where the model is named, for messages. */
  location: SourceLocation;
  /** ONNX input name -> column(s); inputs not listed are fed by the column of the same name. */
  inputs?: Record<string, ModelInputSource> | undefined;
  /** How scores are read (output, positive class, probability or logit). */
  scores: ScoreOptions;
  batchSize?: number;
  onBatch?: (rowsDone: number) => void;
}

/** A model's scores over a table, and how they were read (for the result). */
export interface ModelScores {
  scores: Float64Array;
  plan: ScorePlan;
  /** Rows per run: the model's fixed batch size when it has one. */
  batchSize: number;
}

function columnsFor(name: string, inputs: ModelScoring['inputs']): string[] {
  const mapped = inputs?.[name];
  if (mapped === undefined) return [name];
  return Array.isArray(mapped) ? mapped : [mapped];
}

/**
 * Runs a binary classifier over every row of `table` and returns P(positive) per row. Each ONNX input is
 * fed by its column(s) in the input's own dtype, as [N, k] or [N] as it declares; a model with a fixed
 * batch size is run in batches of that size (the last one padded by repeating its final row).
 */
export async function scoreWithModel(table: DataTable, scoring: ModelScoring): Promise<ModelScores> {
  const model = await openModel(scoring.path, scoring.display);
  try {
    const context = { model: scoring.display, location: scoring.location };
    // Inputs first: a model that cannot be fed from columns at all (images) is refused for that reason.
    for (const input of model.inputs) feedShape(input, 1, 1, context);
    const plan = planScores(model, scoring.scores);
    const feeds = model.inputs.map((input) => {
      if (input.type === undefined) {
        throw new InputError(
          `${scoring.display} input ${input.name} is not a tensor and cannot be fed`,
          scoring.location,
        );
      }
      const columns = columnsFor(input.name, scoring.inputs).map((column) => {
        const values = table.columns.get(column);
        if (!values) {
          throw new InputError(
            `model input ${input.name} needs column ${column}, which the dataset does not have (map it with model.inputs)`,
            scoring.location,
          );
        }
        return { name: column, values };
      });
      return { input, type: input.type, columns };
    });
    const fixed = [...new Set(model.inputs.map(fixedBatchSize).filter((size) => size !== undefined))];
    if (fixed.length > 1) {
      throw new InputError(
        `${scoring.display} fixes different batch sizes on its inputs (${fixed.join(', ')}); it cannot be fed row by row`,
        scoring.location,
      );
    }
    const batch = fixed[0] ?? scoring.batchSize ?? 4096;
    const scores = new Float64Array(table.rows);
    for (let start = 0; start < table.rows; start += batch) {
      const end = Math.min(table.rows, start + batch);
      const inputs: Record<string, Tensor> = {};
      for (const feed of feeds) {
        const width = feed.columns.length;
        const values: Value[] = new Array(batch === fixed[0] ? batch * width : (end - start) * width);
        const rows = values.length / width;
        for (let r = 0; r < rows; r++) {
          const row = Math.min(start + r, end - 1);
          for (let c = 0; c < width; c++) values[r * width + c] = feed.columns[c]!.values[row] ?? null;
        }
        const where = (element: number) =>
          `data row ${start + Math.floor(element / width) + 1} (column ${feed.columns[element % width]!.name})`;
        inputs[feed.input.name] = tensorFrom(
          feed.input.name,
          feed.type,
          values,
          feedShape(feed.input, rows, width, context),
          where,
        );
      }
      const outputs = await model.run(inputs);
      const read = readScores(plan, outputs, batch === fixed[0] ? batch : end - start, {
        display: scoring.display,
        firstRow: start,
        options: scoring.scores,
      });
      scores.set(read.subarray(0, end - start), start);
      scoring.onBatch?.(end);
    }
    return { scores, plan, batchSize: batch };
  } finally {
    await model.release();
  }
}
