import { InferenceSession } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/errors.ts';
import { buildOnnxModel, denseModel, type OnnxElementType } from '../../shared/onnx/build-model.ts';
import { createRandom } from '../../shared/stats/random.ts';
import { type PlanContext, planInputs, type ResolvedValues, synthesizeFeeds } from './input-synthesis.ts';
import type { InputSettings } from './settings.ts';

const context: PlanContext = {
  model: 'model.onnx',
  locate: () => ({ file: 'mlgate.yml', line: 3, column: 5 }),
  async resolve(_name, values): Promise<ResolvedValues> {
    if (values === 'random' || values === 'zeros') return { kind: values };
    if ('constant' in values) return { kind: 'constant', value: values.constant };
    if ('range' in values) return { kind: 'range', low: values.range[0], high: values.range[1] };
    return { kind: 'list', values: [1, 2, 3], origin: 'test' };
  },
};

/** A model that passes a [batch, 3] input and a scalar input of one dtype straight through. */
function identityModel(type: OnnxElementType) {
  return buildOnnxModel({
    inputs: [
      { name: 'x', type, shape: ['batch', 3] },
      { name: 'k', type, shape: [] },
    ],
    outputs: [
      { name: 'y', type },
      { name: 'kk', type },
    ],
    nodes: [
      { op: 'Identity', inputs: ['x'], outputs: ['y'] },
      { op: 'Identity', inputs: ['k'], outputs: ['kk'] },
    ],
  });
}

async function feedsFor(model: Uint8Array, settings: Record<string, InputSettings>, batch: number) {
  const session = await InferenceSession.create(model);
  const plans = await planInputs(session.inputMetadata, settings, context);
  const feeds = synthesizeFeeds(plans, batch, createRandom(7), 2);
  return { session, plans, feeds };
}

const DTYPES: OnnxElementType[] = [
  'float32',
  'float64',
  'float16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
  'string',
];

describe('input synthesis', () => {
  it.each(DTYPES)('feeds %s inputs that onnxruntime accepts, batch and scalar', async (type) => {
    const { session, feeds } = await feedsFor(identityModel(type), {}, 5);
    const x = feeds[0]!.x!;
    const k = feeds[0]!.k!;
    expect(x.type).toBe(type);
    expect(x.dims).toEqual([5, 3]);
    expect(k.dims).toEqual([]);
    expect(k.size).toBe(1);
    const out = await session.run(feeds[0]!);
    expect(out.y!.dims).toEqual([5, 3]);
    expect(Array.from(out.y!.data as ArrayLike<unknown>)).toEqual(Array.from(x.data as ArrayLike<unknown>));
    await session.release();
  });

  it('uses BigInt64Array for int64 and 0/1 bytes for bool', async () => {
    const int64 = await feedsFor(identityModel('int64'), { k: { values: { constant: 16000 } } }, 2);
    expect(int64.feeds[0]!.k!.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(int64.feeds[0]!.k!.data as BigInt64Array)).toEqual([16000n]);
    const bool = await feedsFor(identityModel('bool'), {}, 64);
    const bits = Array.from(bool.feeds[0]!.x!.data as Uint8Array);
    expect(new Set(bits)).toEqual(new Set([0, 1]));
  });

  it('lets the symbolic batch dimension follow the batch size', async () => {
    const model = denseModel({ inputs: 4, outputs: 2 });
    for (const batch of [1, 7, 32]) {
      const { session, feeds } = await feedsFor(model, {}, batch);
      expect(feeds[0]!.x!.dims).toEqual([batch, 4]);
      expect((await session.run(feeds[0]!)).y!.dims).toEqual([batch, 2]);
    }
  });

  it('benchmarks a streaming model from config alone: int64 scalar rate and a recurrent float state', async () => {
    const model = buildOnnxModel({
      inputs: [
        { name: 'audio', type: 'float32', shape: ['batch', 'samples'] },
        { name: 'sr', type: 'int64', shape: [] },
        { name: 'state', type: 'float32', shape: [2, 'batch', 'hidden'] },
      ],
      outputs: [
        { name: 'energy', type: 'float32' },
        { name: 'state_out', type: 'float32' },
        { name: 'rate', type: 'int64' },
      ],
      nodes: [
        { op: 'ReduceSumSquare', inputs: ['audio'], outputs: ['energy'], attributes: { keepdims: 0 } },
        { op: 'Identity', inputs: ['state'], outputs: ['state_out'] },
        { op: 'Identity', inputs: ['sr'], outputs: ['rate'] },
      ],
    });
    const session = await InferenceSession.create(model);
    await expect(planInputs(session.inputMetadata, {}, context)).rejects.toThrow(
      /input "audio" of model.onnx has the open dimension 1 \("samples"\).*inputs.audio.shape/,
    );
    const settings: Record<string, InputSettings> = {
      audio: { shape: ['batch', 512], values: { range: [-0.5, 0.5] } },
      sr: { shape: [], values: { constant: 16000 } },
      state: { shape: [2, 'batch', 64], values: 'zeros' },
    };
    const plans = await planInputs(session.inputMetadata, settings, context);
    const [feed] = synthesizeFeeds(plans, 3, createRandom(1), 1);
    expect(feed!.audio!.dims).toEqual([3, 512]);
    const audio = Array.from(feed!.audio!.data as Float32Array);
    expect(Math.min(...audio)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...audio)).toBeLessThanOrEqual(0.5);
    expect(feed!.state!.dims).toEqual([2, 3, 64]);
    expect((feed!.state!.data as Float32Array).every((value) => value === 0)).toBe(true);
    const out = await session.run(feed!);
    expect(out.rate!.data).toEqual(BigInt64Array.from([16000n]));
    expect(out.state_out!.dims).toEqual([2, 3, 64]);
  });

  it('rejects inputs that do not match the model', async () => {
    const session = await InferenceSession.create(denseModel({ inputs: 4, outputs: 2 }));
    await expect(planInputs(session.inputMetadata, { nope: { values: 'zeros' } }, context)).rejects.toThrow(
      new InputError('inputs.nope: model.onnx has no input "nope" (its inputs: x)', {
        file: 'mlgate.yml',
        line: 3,
        column: 5,
      }),
    );
    await expect(
      planInputs(session.inputMetadata, { x: { shape: [1, 5], values: 'zeros' } }, context),
    ).rejects.toThrow(/dimension 1 must be 4/);
    await expect(
      planInputs(session.inputMetadata, { x: { shape: [4], values: 'zeros' } }, context),
    ).rejects.toThrow(/has rank 1 but model.onnx declares \[batch, 4\]/);
    const plans = await planInputs(session.inputMetadata, { x: { values: { constant: 'abc' } } }, context);
    expect(() => synthesizeFeeds(plans, 1, createRandom(1))).toThrow(
      /model input x is float32 but element 0 holds "abc"/,
    );
  });

  it('fills tensors from lists and is deterministic for a seed', async () => {
    const session = await InferenceSession.create(identityModel('int32'));
    const plans = await planInputs(
      session.inputMetadata,
      { x: { values: { file: 'values.json' } } },
      context,
    );
    const [feed] = synthesizeFeeds(plans, 2, createRandom(3), 1);
    expect(Array.from(feed!.x!.data as Int32Array)).toEqual([1, 2, 3, 1, 2, 3]);
    const again = (seed: number) =>
      Array.from(synthesizeFeeds(plans, 4, createRandom(seed), 1)[0]!.k!.data as Int32Array);
    expect(again(5)).toEqual(again(5));
  });
});
