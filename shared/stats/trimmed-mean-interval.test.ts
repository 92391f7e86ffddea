import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import {
  batchCount,
  studentTQuantile,
  trimmedMeanInterval,
  trimmedMeanOfSorted,
} from './trimmed-mean-interval.ts';

describe("Student's t quantile", () => {
  it('matches the tables', () => {
    // R: qt(c(.975, .975, .975, .975, .975, .99, .9), c(1, 2, 4, 9, 30, 5, 3))
    const table: [number, number, number][] = [
      [0.975, 1, 12.7062],
      [0.975, 2, 4.3027],
      [0.975, 4, 2.7764],
      [0.975, 9, 2.2622],
      [0.975, 30, 2.0423],
      [0.99, 5, 3.3649],
      [0.9, 3, 1.6377],
    ];
    for (const [p, df, expected] of table) {
      expect(studentTQuantile(p, df)).toBeCloseTo(expected, 3);
      expect(studentTQuantile(1 - p, df)).toBeCloseTo(-expected, 3);
    }
  });
});

describe('the trimmed-mean interval', () => {
  it("is Yuen's interval when every batch is one value", () => {
    // n = 5, g = 1: winsorized [2, 2, 3, 4, 4], s_w² = 4/4 = 1, SE = √(1/5)/0.6, t(0.975, 2).
    const found = trimmedMeanInterval([1, 2, 3, 4, 100], { trim: 0.2, confidence: 0.95 });
    expect(found.estimate).toBe(3);
    expect(found.degreesOfFreedom).toBe(2);
    expect(found.standardError).toBeCloseTo(Math.sqrt(1 / 5) / 0.6, 12);
    expect(found.upper - found.estimate).toBeCloseTo(4.3027 * found.standardError, 3);
  });

  it('batches about √n values, at least five batches', () => {
    expect([3, 5, 10, 24, 25, 100, 400].map(batchCount)).toEqual([3, 5, 5, 5, 5, 10, 20]);
  });

  it('widens for serially correlated values instead of counting them as independent', () => {
    const random = createRandom(4);
    let state = 0;
    // AR(1) with correlation 0.9: the mean of 400 values varies about 4.4 times as much as independent ones'.
    const series = Array.from({ length: 400 }, () => {
      state = 0.9 * state + Math.sqrt(1 - 0.81) * (random.next() - 0.5) * Math.sqrt(12);
      return state;
    });
    const independent = series.map(() => (random.next() - 0.5) * Math.sqrt(12));
    const correlated = trimmedMeanInterval(series, { trim: 0, confidence: 0.95 });
    const plain = trimmedMeanInterval(independent, { trim: 0, confidence: 0.95 });
    expect(correlated.standardError / plain.standardError).toBeGreaterThan(2.5);
    expect(plain.standardError).toBeCloseTo(1 / Math.sqrt(400), 1);
  });
});

describe('trimmedMeanOfSorted', () => {
  it('drops the trimmed share from each end, and is the plain mean at 0', () => {
    const sorted = [1, 2, 3, 4, 100];
    expect(trimmedMeanOfSorted(sorted, 0)).toBeCloseTo(22, 12);
    // 20% of 5 values: one from each end, so the outlier cannot move it.
    expect(trimmedMeanOfSorted(sorted, 0.2)).toBeCloseTo(3, 12);
  });
});
