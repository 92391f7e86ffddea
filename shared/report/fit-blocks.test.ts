import { describe, expect, it } from 'vitest';
import { fitBlocks } from './fit-blocks.ts';

const notice = (leftOut: number) => `(${leftOut} left out)`;

describe('fitBlocks', () => {
  it('keeps everything that fits', () => {
    expect(fitBlocks(['a', 'b'], 100, notice)).toEqual({ text: 'a\n\nb', leftOut: 0 });
  });

  it('keeps whole blocks in order, skips those that do not fit, and says how many', () => {
    const blocks = ['head', 'x'.repeat(50), 'small', 'y'.repeat(50)];
    const { text, leftOut } = fitBlocks(blocks, 40, notice);
    expect(text).toBe('head\n\nsmall\n\n(2 left out)');
    expect(leftOut).toBe(2);
    expect(text.length).toBeLessThanOrEqual(40);
  });

  it('cuts the first block when it alone is too long', () => {
    const { text } = fitBlocks(['h'.repeat(100), 'b'], 30, notice);
    expect(text.length).toBeLessThanOrEqual(30);
    expect(text).toMatch(/^h+\n\n\(1 left out\)$/);
  });
});
