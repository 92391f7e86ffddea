import { InferenceSession } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { denseModel } from '../../shared/onnx/build-model.ts';
import { percentileOfSorted, sortedCopy } from '../../shared/stats/percentiles.ts';
import { createRandom } from '../../shared/stats/random.ts';
import { planInputs, synthesizeFeeds } from './input-synthesis.ts';
import type { Arm } from './interleave.ts';
import { measureLatenciesInterleaved } from './measure.ts';

async function prepared(bytes: Uint8Array) {
  const session = await InferenceSession.create(bytes);
  const plans = await planInputs(
    session.inputMetadata,
    {},
    {
      model: 'dense',
      locate: () => ({ file: 'mlgate.yml' }),
      // Every input is left at the default: random values.
      resolve: async () => ({ kind: 'random' }),
    },
  );
  return { session, feeds: synthesizeFeeds(plans, 1, createRandom(1)) };
}

const median = (values: number[]) => percentileOfSorted(sortedCopy(values), 50);

describe('single-stream with both models in one block', () => {
  it('alternates the models request by request, ABBA..., from the order of the block', async () => {
    const fast = await prepared(denseModel({ inputs: 16, outputs: 16 }));
    const slow = await prepared(denseModel({ inputs: 256, outputs: 256, repeat: 20 }));
    const calls: Arm[] = [];
    const recorded = (arm: Arm, session: InferenceSession): Pick<InferenceSession, 'run'> => ({
      run: (feeds) => {
        calls.push(arm);
        return session.run(feeds);
      },
    });
    const block = await measureLatenciesInterleaved(
      { baseline: recorded('baseline', fast.session), candidate: recorded('candidate', slow.session) },
      { baseline: fast.feeds, candidate: slow.feeds },
      { minIterations: 40, minDurationMs: 0 },
      1,
    );
    expect(calls.slice(0, 8)).toEqual([
      'candidate',
      'baseline',
      'baseline',
      'candidate',
      'candidate',
      'baseline',
      'baseline',
      'candidate',
    ]);
    expect(block.baseline).toHaveLength(40);
    expect(block.candidate).toHaveLength(40);
    // The 256-wide chain of 20 products is many times the work of one 16-wide product.
    expect(median(block.candidate) / median(block.baseline)).toBeGreaterThan(2);
  });

  it('lasts at least twice the minimum duration, however fast the models are', async () => {
    const model = await prepared(denseModel({ inputs: 4, outputs: 4 }));
    const started = performance.now();
    const block = await measureLatenciesInterleaved(
      { baseline: model.session, candidate: model.session },
      { baseline: model.feeds, candidate: model.feeds },
      { minIterations: 1, minDurationMs: 40 },
      0,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
    expect(block.baseline.length).toBe(block.candidate.length);
    expect(block.baseline.length).toBeGreaterThan(1);
  });
});
