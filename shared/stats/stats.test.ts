import { describe, expect, it } from 'vitest';
import { bootstrapMean, bootstrapPairedRatio } from './bootstrap.ts';
import {
  MIN_SAMPLES,
  minimumSamplesFor,
  percentileIfBacked,
  percentileOfSorted,
  sortedCopy,
  summarize,
} from './percentiles.ts';
import { createRandom, randomExponential, randomInteger } from './random.ts';

describe('random draws', () => {
  it('draws integers in range and exponential gaps with the right mean', () => {
    const random = createRandom(9);
    const ints = Array.from({ length: 2000 }, () => randomInteger(random, 3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
    const gaps = Array.from({ length: 20000 }, () => randomExponential(random, 500));
    expect(summarize(gaps).mean).toBeCloseTo(1 / 500, 4);
  });
});

describe('percentiles', () => {
  it('interpolates between ranks', () => {
    const sorted = sortedCopy([4, 1, 3, 2]);
    expect(percentileOfSorted(sorted, 0)).toBe(1);
    expect(percentileOfSorted(sorted, 50)).toBe(2.5);
    expect(percentileOfSorted(sorted, 100)).toBe(4);
    expect(percentileOfSorted([], 50)).toBeNaN();
  });

  it("follows LoadGen's minimum sample counts", () => {
    expect(minimumSamplesFor(90)).toBe(64);
    expect(minimumSamplesFor(95)).toBe(130);
    expect(minimumSamplesFor(99)).toBe(662);
    expect(MIN_SAMPLES).toEqual({ 90: 64, 95: 130, 99: 662 });
    expect(minimumSamplesFor(50)).toBe(1);
    const sorted = sortedCopy(Array.from({ length: 661 }, (_, i) => i));
    expect(percentileIfBacked(sorted, 99)).toBe('insufficient');
    expect(percentileIfBacked(sorted, 90)).toBe(594);
    expect(percentileIfBacked(sortedCopy(Array.from({ length: 662 }, (_, i) => i)), 99)).toBeCloseTo(
      654.39,
      2,
    );
    expect(percentileIfBacked(sortedCopy(Array.from({ length: 63 }, (_, i) => i)), 90)).toBe('insufficient');
  });

  it('summarises with the sample standard deviation', () => {
    expect(summarize([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({
      count: 8,
      mean: 5,
      min: 2,
      max: 9,
      std: Math.sqrt(32 / 7),
    });
  });
});

describe('bootstrap', () => {
  it('is deterministic for a seed', () => {
    const values = [1, 2, 3, 4, 10, 2, 3];
    const a = bootstrapMean(values, { random: createRandom(5) });
    const b = bootstrapMean(values, { random: createRandom(5) });
    expect(a).toEqual(b);
    expect(a.estimate).toBeCloseTo(25 / 7, 10);
    expect(a.lower).toBeLessThan(a.estimate);
    expect(a.upper).toBeGreaterThan(a.estimate);
  });

  it('covers the true mean about 95% of the time', () => {
    const random = createRandom(11);
    let covered = 0;
    for (let trial = 0; trial < 200; trial++) {
      const values = Array.from({ length: 30 }, () => randomExponential(random, 1));
      const interval = bootstrapMean(values, { random, resamples: 500 });
      if (interval.lower <= 1 && 1 <= interval.upper) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.88);
    expect(covered / 200).toBeLessThan(0.99);
  });

  it('gives the geometric-mean ratio of pairs, cancelling what hits both members of a pair', () => {
    // Block-wide slowdowns (drift) multiply both models; the candidate is exactly 1.2x in every block.
    const drift = [1, 3, 1.5, 0.8, 2, 1.1];
    const baseline = drift.map((d) => 10 * d);
    const candidate = drift.map((d) => 12 * d);
    const ratio = bootstrapPairedRatio(candidate, baseline, { random: createRandom(1) });
    expect(ratio.estimate).toBeCloseTo(1.2, 10);
    expect(ratio.lower).toBeCloseTo(1.2, 10);
    expect(ratio.upper).toBeCloseTo(1.2, 10);
    expect(() => bootstrapPairedRatio([1], [1, 2], { random: createRandom(1) })).toThrow(RangeError);
  });
});
