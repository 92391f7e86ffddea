import { describe, expect, it, vi } from 'vitest';
import { memoryStream } from '../testing/memory-stream.ts';
import { createProgressLine } from './progress-line.ts';

describe('progress lines', () => {
  it('print one plain line per quarter of the work when not on a terminal, then the elapsed time', () => {
    const stream = memoryStream();
    let clock = 0;
    const progress = createProgressLine('scanning eval', 8, stream, () => clock);
    for (let done = 0; done <= 8; done++) progress.update(done);
    clock = 2500;
    progress.done('5,000 rows');
    expect(stream.text()).toBe(
      [
        'scanning eval: 0/8 (0%)',
        'scanning eval: 2/8 (25%)',
        'scanning eval: 4/8 (50%)',
        'scanning eval: 6/8 (75%)',
        'scanning eval: 5,000 rows in 2.5 s',
        '',
      ].join('\n'),
    );
  });

  it('rewrite one line in place on a terminal', () => {
    const stream = Object.assign(memoryStream(), { isTTY: true });
    let clock = 1000;
    vi.stubEnv('CI', '');
    const progress = createProgressLine('benchmark', undefined, stream, () => clock);
    progress.update(10);
    clock += 500;
    progress.update(20);
    progress.done();
    expect(stream.text()).toBe(
      '\r\x1b[2Kbenchmark: 10\r\x1b[2Kbenchmark: 20\r\x1b[2Kbenchmark: done in 0.5 s\n',
    );
  });
});
