import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileProblem, InputError } from '../../shared/errors.ts';
import { temporarySibling } from '../../shared/fs/atomic-write.ts';
import { displayPath } from '../../shared/fs/display-path.ts';
import { releaseTemporary } from '../../shared/fs/temporary-files.ts';

/** One failing row of one check, as written to the `--failures` CSV. */
export interface FailingRow {
  dataset: string;
  check: string;
  /** 1-based data row within `file` (the header is not counted). */
  row: number;
  file: string;
  value: unknown;
  key?: Record<string, unknown> | undefined;
}

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Streams failing rows to a CSV file. Rows go to a temporary sibling renamed over the target on `close`,
 * so a failed run never leaves half a file; `abort`, or any exit of the process (signals included),
 * removes the temporary file.
 */
export class FailuresFile {
  private readonly path: string;
  private readonly temporary: string;
  private readonly stream: WriteStream;
  /** A write error (a full disk) met between two awaits; reported by the next write or by close. */
  private failure: Error | undefined;
  count = 0;

  private constructor(path: string, temporary: string, stream: WriteStream) {
    this.path = path;
    this.temporary = temporary;
    this.stream = stream;
    this.stream.on('error', (error) => {
      this.failure = error;
    });
    this.stream.write('dataset,check,file,row,value,key\n');
  }

  /** Opens the temporary file now, so that an unwritable `--failures` is reported before any work. */
  static async create(path: string): Promise<FailuresFile> {
    const shown = displayPath(path);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) {
      throw new InputError('--failures names a folder; give a CSV file such as failing-rows.csv', {
        file: shown,
      });
    }
    const temporary = temporarySibling(path);
    try {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(temporary, 'w');
      return new FailuresFile(path, temporary, createWriteStream('', { fd: handle }));
    } catch (error) {
      releaseTemporary(temporary);
      throw fileProblem(error, shown, 'write --failures');
    }
  }

  async write(row: FailingRow): Promise<void> {
    if (this.failure) throw fileProblem(this.failure, displayPath(this.path), 'write --failures');
    this.count++;
    const line = `${[row.dataset, row.check, row.file, row.row, row.value, row.key].map(csvField).join(',')}\n`;
    if (!this.stream.write(line))
      await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
  }

  async close(): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) =>
        this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      await rename(this.temporary, this.path);
    } catch (error) {
      await rm(this.temporary, { force: true });
      throw fileProblem(error, displayPath(this.path), 'write --failures');
    } finally {
      releaseTemporary(this.temporary);
    }
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.temporary, { force: true });
    releaseTemporary(this.temporary);
  }
}
