import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';

describe('createRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const first = createRandom(42);
    const second = createRandom(42);
    const third = createRandom(43);
    const a = Array.from({ length: 5 }, () => first.next());
    expect(Array.from({ length: 5 }, () => second.next())).toEqual(a);
    expect(Array.from({ length: 5 }, () => third.next())).not.toEqual(a);
    for (const value of a) expect(value >= 0 && value < 1).toBe(true);
  });

  it('draws Poisson variates with the right mean and variance, small and large', () => {
    const random = createRandom(7);
    for (const lambda of [0.5, 4, 30, 5000]) {
      const draws = Array.from({ length: 20000 }, () => random.poisson(lambda));
      const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
      const variance = draws.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (draws.length - 1);
      // 20,000 draws: the sample mean is within 5 standard errors of lambda.
      expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / draws.length));
      expect(variance / lambda).toBeGreaterThan(0.93);
      expect(variance / lambda).toBeLessThan(1.07);
      expect(draws.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    }
    expect(random.poisson(0)).toBe(0);
  });
});
