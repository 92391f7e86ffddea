import { describe, expect, it } from 'vitest';
import { katzLogRatio, newcombe, normalCdf, normalQuantile, wilson } from './intervals.ts';

describe('normal distribution', () => {
  it('gives the textbook quantiles and probabilities', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 10);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normalCdf(5)).toBeCloseTo(0.9999997133484281, 14);
  });
});

describe('wilson', () => {
  it('matches Newcombe (1998) table I for 81/263 and 15/148', () => {
    const a = wilson(81, 263)!;
    expect(a.lower).toBeCloseTo(0.2553, 4);
    expect(a.upper).toBeCloseTo(0.3662, 4);
    const b = wilson(15, 148)!;
    expect(b.lower).toBeCloseTo(0.0624, 4);
    expect(b.upper).toBeCloseTo(0.1605, 4);
  });

  it('stays inside [0, 1] at the edges and is undefined without trials', () => {
    expect(wilson(0, 10)!.lower).toBeCloseTo(0, 12);
    expect(wilson(10, 10)!.upper).toBeCloseTo(1, 12);
    expect(wilson(0, 10)!.upper).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 0)).toBeUndefined();
  });
});

describe('newcombe', () => {
  it('reproduces the worked examples of Newcombe (1998), method 10', () => {
    const first = newcombe(56, 70, 48, 80)!;
    expect(first.lower).toBeCloseTo(0.0524, 4);
    expect(first.upper).toBeCloseTo(0.3339, 4);
    const second = newcombe(9, 10, 3, 10)!;
    expect(second.lower).toBeCloseTo(0.1705, 4);
    expect(second.upper).toBeCloseTo(0.809, 4);
  });
});

describe('katzLogRatio', () => {
  it('is exp(log ratio ± z·se) with se = sqrt(1/a - 1/n1 + 1/b - 1/n2)', () => {
    const interval = katzLogRatio(10, 100, 5, 100)!;
    const se = Math.sqrt(1 / 10 - 1 / 100 + 1 / 5 - 1 / 100);
    expect(interval.lower).toBeCloseTo(2 * Math.exp(-1.959963984540054 * se), 10);
    expect(interval.upper).toBeCloseTo(2 * Math.exp(1.959963984540054 * se), 10);
  });

  it('stays finite with a zero count and is undefined with an empty group', () => {
    const interval = katzLogRatio(0, 20, 5, 20)!;
    expect(Number.isFinite(interval.lower) && Number.isFinite(interval.upper)).toBe(true);
    expect(interval.lower).toBeGreaterThan(0);
    expect(interval.lower * interval.upper).toBeLessThan(1);
    expect(katzLogRatio(1, 0, 1, 5)).toBeUndefined();
  });
});
