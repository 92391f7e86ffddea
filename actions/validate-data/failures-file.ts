import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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
 * so a failed run never leaves half a file; `abort` removes the temporary file.
 */
export class FailuresFile {
  private readonly path: string;
  private readonly temporary: string;
  private readonly stream: WriteStream;
  count = 0;

  constructor(path: string) {
    this.path = path;
    this.temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
    this.stream = createWriteStream(this.temporary);
    this.stream.write('dataset,check,file,row,value,key\n');
  }

  static async create(path: string): Promise<FailuresFile> {
    await mkdir(dirname(path), { recursive: true });
    return new FailuresFile(path);
  }

  async write(row: FailingRow): Promise<void> {
    this.count++;
    const line = `${[row.dataset, row.check, row.file, row.row, row.value, row.key].map(csvField).join(',')}\n`;
    if (!this.stream.write(line))
      await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    await rename(this.temporary, this.path);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.temporary, { force: true });
  }
}
