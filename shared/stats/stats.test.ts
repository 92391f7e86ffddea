import { describe, expect, it } from 'vitest';
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
