import { describe, expect, it } from 'vitest';
import { createRandom } from '../../shared/stats/random.ts';
import {
  groupRanges,
  isBacked,
  judgeRatio,
  latencyStatistics,
  ratioInterval,
  ratioToStored,
  samplesPerUnit,
} from './compare.ts';
import { blockOrder, measureInTurn, runInterleaved } from './interleave.ts';

const interval = (estimate: number, lower: number, upper: number) => ({
  estimate,
  lower,
  upper,
  confidence: 0.95,
});

describe('the verdict rule', () => {
  it('fails only when the lower bound is beyond 1 + max-regression', () => {
    expect(judgeRatio(interval(1.3, 1.1000001, 1.5), 0.1)).toBe('fail');
    expect(judgeRatio(interval(1.3, 1.1, 1.5), 0.1)).toBe('warn');
    expect(judgeRatio(interval(1.12, 1.05, 1.2), 0.1)).toBe('warn');
    expect(judgeRatio(interval(1.1, 1.05, 1.2), 0.1)).toBe('pass');
    expect(judgeRatio(interval(0.8, 0.7, 0.9), 0)).toBe('pass');
    expect(judgeRatio(interval(1.01, 1.005, 1.02), 0)).toBe('fail');
  });
});

describe('interleaving', () => {
  it('alternates which model goes first', () => {
    expect([0, 1, 2, 3].map(blockOrder)).toEqual([
      ['baseline', 'candidate'],
      ['candidate', 'baseline'],
      ['baseline', 'candidate'],
      ['candidate', 'baseline'],
    ]);
  });

  it('measures ABBA... and stops when precise, after the minimum', async () => {
    const calls: string[] = [];
    let clock = 0;
    const result = await runInterleaved({
      measureBlock: (block) =>
        measureInTurn(block, async (arm) => {
          calls.push(`${arm[0]}${block}`);
          clock += 10;
          return arm === 'baseline' ? 1 : 2;
        }),
      minBlocks: 3,
      maxBlocks: 100,
      budgetMs: 1000,
      precise: (blocks) => blocks.length >= 4,
      now: () => clock,
    });
    expect(calls).toEqual(['b0', 'c0', 'c1', 'b1', 'b2', 'c2', 'c3', 'b3']);
    expect(result.stoppedBy).toBe('precision');
    expect(result.blocks).toEqual(Array.from({ length: 4 }, () => ({ baseline: 1, candidate: 2 })));
  });

  it('reports when the budget or the block cap ended the run, never before the minimum', async () => {
    let clock = 0;
    const base = {
      measureBlock: async () => {
        clock += 200;
        return { baseline: 1, candidate: 1 };
      },
      precise: () => false,
      now: () => clock,
    };
    const budget = await runInterleaved({ ...base, minBlocks: 3, maxBlocks: 100, budgetMs: 50 });
    expect(budget).toMatchObject({ stoppedBy: 'budget', elapsedMs: 600 });
    expect(budget.blocks).toHaveLength(3);
    const capped = await runInterleaved({ ...base, minBlocks: 3, maxBlocks: 5, budgetMs: 1e9 });
    expect(capped.stoppedBy).toBe('max-blocks');
    expect(capped.blocks).toHaveLength(5);
  });
});

describe('ratios over blocks', () => {
  it('finds a 20% slowdown under block-to-block drift, reproducibly', () => {
    const random = createRandom(3);
    const blocks = Array.from({ length: 20 }, () => {
      const drift = 1 + random.next() * 2;
      const noise = () => 1 + (random.next() - 0.5) * 0.04;
      return { baseline: { p50: drift * noise() }, candidate: { p50: 1.2 * drift * noise() } };
    });
    const options = { seed: 1, id: 'single-stream.1.p50', resamples: 2000, confidence: 0.95 };
    const ratio = ratioInterval(blocks, 'p50', options);
    expect(ratioInterval(blocks, 'p50', options)).toEqual(ratio);
    expect(ratio.lower).toBeGreaterThan(1.18);
    expect(ratio.upper).toBeLessThan(1.22);
    expect(judgeRatio(ratio, 0.1)).toBe('fail');
    const spread = { logStandardError: 0.01, degreesOfFreedom: 9 };
    const stored = ratioToStored({ value: 1.2, spread }, { value: 1, spread }, options);
    expect(stored.estimate).toBeCloseTo(1.2, 10);
    // Both runs' spreads count: log SE √2 × 0.01 on 18 degrees of freedom (t = 2.1009).
    expect(Math.log(stored.upper / stored.estimate)).toBeCloseTo(2.1009 * Math.SQRT2 * 0.01, 4);
    // An earlier run that recorded no spread is taken to be as precise as this one.
    expect(ratioToStored({ value: 1.2, spread }, { value: 1 }, options)).toEqual(stored);
  });

  it('is not moved by one block where only one side was disturbed', () => {
    const blocks = Array.from({ length: 12 }, (_, i) => ({
      baseline: { p50: 1 },
      candidate: { p50: i === 5 ? 4 : 1.01 },
    }));
    const ratio = ratioInterval(blocks, 'p50', { confidence: 0.95 });
    expect(ratio.estimate).toBeCloseTo(1.01, 10);
    expect(judgeRatio(ratio, 0.1)).toBe('pass');
  });

  it('groups blocks until both models have the samples a tail percentile needs', () => {
    expect(samplesPerUnit('p99')).toBe(662);
    expect(samplesPerUnit('p90')).toBe(64);
    expect(samplesPerUnit('p50')).toBe(1);
    expect(samplesPerUnit('mean')).toBe(1);
    const counts = [
      { baseline: 300, candidate: 200 },
      { baseline: 300, candidate: 200 },
      { baseline: 300, candidate: 300 },
      { baseline: 700, candidate: 700 },
      { baseline: 10, candidate: 900 },
      { baseline: 100, candidate: 100 },
    ];
    // The third block completes the first group only once the candidate, too, reaches 662.
    expect(groupRanges(counts, 662)).toEqual([
      [0, 3],
      [3, 4],
    ]);
    expect(groupRanges(counts, 1)).toHaveLength(6);
  });

  it('computes every latency statistic and knows when a percentile is backed', () => {
    const stats = latencyStatistics([1, 2, 3, 4, 5]);
    expect(stats).toMatchObject({ p50: 3, mean: 3, min: 1, max: 5 });
    expect(stats.std).toBeCloseTo(Math.sqrt(2.5), 10);
    expect(isBacked('p99', 661)).toBe(false);
    expect(isBacked('p99', 662)).toBe(true);
    expect(isBacked('p90', 63)).toBe(false);
    expect(isBacked('p50', 1)).toBe(true);
    expect(isBacked('std', 1)).toBe(false);
  });
});
