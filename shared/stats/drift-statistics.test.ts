import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  binnedWassersteinDistance,
  chiSquareGoodnessOfFit,
  chiSquareHomogeneity,
  jensenShannonDistance,
  jensenShannonOfCounts,
  klDivergence,
  ksPValue,
  ksTwoSample,
  lInfinityDistance,
  populationStabilityIndex,
  wassersteinDistance,
} from './drift-statistics.ts';

describe('published vectors', () => {
  it('L∞ distance (TFDV anomalies/metrics_test.cc)', () => {
    expect(lInfinityDistance({ hello: 0.1, world: 0.9 }, { hello: 0.3, world: 0.7 })).toBeCloseTo(0.2, 12);
  });

  it('χ² goodness of fit against uniform (Great Expectations test definitions)', () => {
    const result = chiSquareGoodnessOfFit([540, 320, 140]);
    expect(result.statistic).toBeCloseTo(240.8, 10);
    expect(result.df).toBe(2);
    expect(result.pValue / 5.1398e-53).toBeCloseTo(1, 4);
  });

  it('KL divergence of [0.5, 0.3, 0.2] against uniform, natural log', () => {
    expect(klDivergence([0.5, 0.3, 0.2], [1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(0.068959, 6);
  });

  it('two-sample KS, exact p-value (scipy test_stats.py)', () => {
    const x = [
      ...Array(3).fill(2),
      ...Array(4).fill(3),
      ...Array(5).fill(5),
      ...Array(4).fill(6),
    ] as number[];
    const result = ksTwoSample(
      x,
      x.map((value) => value + 1),
    );
    expect(result.statistic).toBeCloseTo(5 / 16, 12);
    expect(result.method).toBe('exact');
    expect(result.pValue).toBeCloseTo(0.42629, 5);
  });

  it('exact KS p-values far below 1e-13 and the method scipy picks (scipy 1.17 ks_2samp)', () => {
    const range = (n: number, scale: number, shift: number) =>
      Array.from({ length: n }, (_, i) => i / scale + shift);
    const close = ksTwoSample(range(60, 1, 0), range(60, 1, 40.5));
    expect(close.statistic).toBeCloseTo(0.6833333333333333, 12);
    expect(close.pValue / 1.2077027208573093e-13).toBeCloseTo(1, 6);
    const far = ksTwoSample(range(300, 300, 0), range(200, 200, 0.5));
    expect(far.method).toBe('exact');
    expect(far.pValue / 3.8332752875486307e-28).toBeCloseTo(1, 6);
    expect(ksPValue(0.01, 10_000, 10_001).method).toBe('asymptotic');
    expect(ksPValue(0.5, 10_000, 3).method).toBe('exact');
  });

  it('χ² pools categories expected fewer than 5 times, so many rare categories do not look like drift', () => {
    // 1,000 categories seen once in each sample: without pooling χ² has 999 df of noise.
    const ones = Array.from({ length: 1000 }, () => 1);
    const result = chiSquareHomogeneity(ones, ones);
    expect(result.pValue).toBe(1);
    expect(result.df).toBe(199);
  });

  it('Jensen–Shannon distance of disjoint distributions is √ln 2', () => {
    expect(jensenShannonDistance({ a: 1 }, { b: 1 })).toBeCloseTo(Math.sqrt(Math.LN2), 12);
    expect(jensenShannonDistance({ a: 1 }, { b: 1 })).toBeCloseTo(0.83255, 5);
    expect(jensenShannonDistance({ a: 2, b: 3 }, { a: 4, b: 6 })).toBe(0);
    expect(jensenShannonOfCounts([3, 1, 0], [1, 1, 2])).toBeCloseTo(
      jensenShannonDistance({ a: 3, b: 1, c: 0 }, { a: 1, b: 1, c: 2 }),
      14,
    );
  });

  it('Wasserstein distance (scipy wasserstein_distance docstring)', () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 12);
    expect(wassersteinDistance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4])).toBeCloseTo(2.7, 12);
  });
});

describe('binned and corrected statistics', () => {
  it('binned Wasserstein equals the exact distance for a shift of whole bins', () => {
    const bounds = [0, 1, 2, 3, 4];
    expect(binnedWassersteinDistance(bounds, [1, 1, 0, 0], [0, 0, 1, 1])).toBeCloseTo(2, 12);
    expect(binnedWassersteinDistance(bounds, [1, 1, 1, 1], [1, 1, 1, 1])).toBe(0);
  });

  it('PSI floors empty bins and is zero for equal histograms', () => {
    expect(populationStabilityIndex([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 12);
    const psi = populationStabilityIndex([50, 50, 0], [50, 40, 10]);
    const expected = (0.4 - 0.5) * Math.log(0.4 / 0.5) + (0.1 - 1e-4) * Math.log(0.1 / 1e-4);
    expect(psi).toBeCloseTo(expected, 12);
  });

  it('χ² homogeneity of identical samples is 0 with p = 1', () => {
    expect(chiSquareHomogeneity([10, 20, 30], [20, 40, 60])).toMatchObject({
      statistic: 0,
      df: 2,
      pValue: 1,
    });
    // Expected counts 15/25 in both rows: χ² = 2·(25/15 + 25/25) = 16/3 (R: chisq.test(..., correct = FALSE)).
    const result = chiSquareHomogeneity([10, 30], [20, 20]);
    expect(result.statistic).toBeCloseTo(16 / 3, 12);
    expect(result.pValue).toBeCloseTo(0.020921, 6);
  });

  it('Benjamini–Hochberg adjusts in step-up order', () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.2), "BH") = 0.04 0.0533 0.0533 0.2
    const adjusted = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    expect(adjusted.map((value) => Number(value.toFixed(4)))).toEqual([0.04, 0.0533, 0.0533, 0.2]);
  });
});
