import { describe, expect, it } from 'vitest';
import { fromFloat16Bits, toFloat16Bits } from './model-io.ts';

describe('float16', () => {
  it('rounds to half precision', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(0)).toBe(0);
  });

  it('reads half precision bits back', () => {
    for (const value of [1, -2, 0.5, 65504, 0, 0.333251953125, 2 ** -24])
      expect(fromFloat16Bits(toFloat16Bits(value))).toBe(value);
    expect(fromFloat16Bits(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
  });
});
