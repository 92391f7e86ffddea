import { Writable } from 'node:stream';

/** A writable that keeps what was written, to assert on logs without printing them. */
export function memoryStream(): NodeJS.WriteStream & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return Object.assign(stream, {
    text: () => chunks.join(''),
    isTTY: false,
  }) as unknown as NodeJS.WriteStream & {
    text(): string;
  };
}
