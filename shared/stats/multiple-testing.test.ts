import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, holm } from './multiple-testing.ts';

// Reference values from R: p.adjust(c(0.01, 0.04, 0.03, 0.005), method = "holm" / "BH").
const P = [0.01, 0.04, 0.03, 0.005];

describe('holm', () => {
  it('matches R p.adjust(method = "holm")', () => {
    expect(holm(P).map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
  });
  it('caps at 1 and handles no tests', () => {
    expect(holm([0.6, 0.9])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
  });
});

describe('benjaminiHochberg', () => {
  it('matches R p.adjust(method = "BH")', () => {
    expect(benjaminiHochberg(P).map((p) => Number(p.toFixed(10)))).toEqual([0.02, 0.04, 0.04, 0.02]);
  });
});
