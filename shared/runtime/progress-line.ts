import type { Progress } from './runtime.ts';

/**
 * A progress reporter writing to `stream`: a line rewritten in place on a terminal; in CI, where
 * rewritten lines become noise, one plain line per quarter of the work.
 */
export function createProgressLine(
  label: string,
  total: number | undefined,
  stream: NodeJS.WriteStream,
  now: () => number = Date.now,
): Progress {
  const interactive = stream.isTTY === true && !process.env.CI;
  const started = now();
  let lastQuarter = -1;
  let lastDraw = 0;
  const describe = (done: number) =>
    total ? `${label}: ${done}/${total} (${Math.floor((100 * done) / total)}%)` : `${label}: ${done}`;
  return {
    update(done) {
      if (interactive) {
        if (now() - lastDraw < 100) return;
        lastDraw = now();
        stream.write(`\r\x1b[2K${describe(done)}`);
        return;
      }
      if (!total) return;
      const quarter = Math.floor((4 * done) / total);
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        stream.write(`${describe(done)}\n`);
      }
    },
    done(message) {
      const seconds = ((now() - started) / 1000).toFixed(1);
      const text = `${label}: ${message ?? 'done'} in ${seconds} s`;
      stream.write(interactive ? `\r\x1b[2K${text}\n` : `${text}\n`);
    },
  };
}
