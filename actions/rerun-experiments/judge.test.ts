import { describe, expect, it } from 'vitest';
import { allowedDeviation, judgeMetric, ruleFor } from './judge.ts';

const exact = { abs: 0, rel: 0, direction: 'either', ignore: false } as const;

describe('judgeMetric', () => {
  it('reproduces an exact match and fails any difference under the exact default', () => {
    expect(judgeMetric('auc', 0.8125, [0.8125], exact)).toMatchObject({
      verdict: 'reproduced',
      status: 'pass',
    });
    const off = judgeMetric('auc', 0.8125, [0.8124], exact);
    expect(off).toMatchObject({ verdict: 'not reproduced', status: 'fail' });
    expect(off.message).toBe('auc 0.8124 is 0.0001 below the tracked 0.8125 (tolerance ±0)');
  });

  it('accepts the larger of abs and rel x |tracked|', () => {
    expect(allowedDeviation({ abs: 0.01, rel: 0.1 }, 0.5)).toBeCloseTo(0.05);
    expect(allowedDeviation({ abs: 0.01, rel: 0.001 }, 0.5)).toBe(0.01);
    const rule = { ...exact, abs: 0.01 };
    expect(judgeMetric('acc', 0.8, [0.805], rule).verdict).toBe('reproduced');
    expect(judgeMetric('acc', 0.8, [0.815], rule).verdict).toBe('not reproduced');
    expect(judgeMetric('acc', 0.8, [0.83], { ...exact, rel: 0.05 }).verdict).toBe('reproduced');
  });

  it('only fails the worse direction when the direction is known; better is a warning', () => {
    const higher = { ...exact, abs: 0.01, direction: 'higher' } as const;
    expect(judgeMetric('acc', 0.8, [0.85], higher)).toMatchObject({
      verdict: 'not reproduced',
      status: 'warn',
    });
    expect(judgeMetric('acc', 0.8, [0.75], higher)).toMatchObject({
      verdict: 'not reproduced',
      status: 'fail',
    });
    const lower = { ...exact, abs: 0.01, direction: 'lower' } as const;
    expect(judgeMetric('loss', 0.4, [0.3], lower).status).toBe('warn');
    expect(judgeMetric('loss', 0.4, [0.5], lower).status).toBe('fail');
  });

  it('calls reruns that disagree beyond the tolerance nondeterministic, whatever their mean', () => {
    const rule = { ...exact, abs: 0.01 };
    const judged = judgeMetric('acc', 0.8, [0.78, 0.8, 0.82], rule);
    expect(judged).toMatchObject({ verdict: 'nondeterministic', status: 'fail' });
    expect(judged.spread).toBeCloseTo(0.04);
    expect(judged.observed).toBeCloseTo(0.8);
    expect(judgeMetric('acc', 0.8, [0.799, 0.8, 0.801], rule).verdict).toBe('reproduced');
  });

  it('keeps an agreed value exact instead of averaging it (0.1 x 3 / 3 is not 0.1)', () => {
    expect(judgeMetric('x', 0.1, [0.1, 0.1, 0.1], exact)).toMatchObject({
      verdict: 'reproduced',
      observed: 0.1,
    });
  });

  it('reports a metric some rerun did not write as missing', () => {
    expect(judgeMetric('auc', 0.8, [undefined], exact)).toMatchObject({
      verdict: 'missing',
      status: 'fail',
      message: 'the rerun did not write auc',
    });
    expect(judgeMetric('auc', 0.8, [0.8, undefined], exact).message).toBe('1 of 2 reruns did not write auc');
  });
});

describe('ruleFor', () => {
  const settings = {
    tolerance: { abs: 0.001, rel: 0 },
    metrics: {
      auc: { rel: 0.01, ignore: false },
      'dvc:train.auc': { abs: 0.5, direction: 'higher' as const, ignore: false },
      log_loss: { direction: 'lower' as const, ignore: false },
    },
  };

  it('prefers <experiment>.<metric>, then <metric>, then the default; direction alone keeps the default tolerance', () => {
    expect(ruleFor(settings, 'dvc:train', 'auc')).toEqual({
      abs: 0.5,
      rel: 0,
      direction: 'higher',
      ignore: false,
    });
    expect(ruleFor(settings, 'other', 'auc')).toEqual({
      abs: 0,
      rel: 0.01,
      direction: 'either',
      ignore: false,
    });
    expect(ruleFor(settings, 'other', 'log_loss')).toEqual({
      abs: 0.001,
      rel: 0,
      direction: 'lower',
      ignore: false,
    });
    expect(ruleFor(settings, 'other', 'accuracy')).toEqual({
      abs: 0.001,
      rel: 0,
      direction: 'either',
      ignore: false,
    });
  });
});
