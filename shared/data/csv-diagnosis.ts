import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** Where a delimited file stops being rectangular. Lines are 1-based physical lines of the file. */
export interface RaggedRow {
  line: number;
  fields: number;
  expected: number;
}

export interface DialectChars {
  delimiter: string;
  quote: string;
  escape: string;
}

/**
 * Finds the first record whose field count differs from the first record's (the header), honouring quoted
 * fields that span lines. Only used to explain a failed read, so it favours clarity over speed.
 */
export async function findRaggedRow(file: string, dialect: DialectChars): Promise<RaggedRow | undefined> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let expected: number | undefined;
  let fields = 1;
  let quoted = false;
  let recordLine = 1;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (!quoted) {
        if (line === '') continue;
        fields = 1;
        recordLine = lineNumber;
      }
      for (let index = 0; index < line.length; index++) {
        const char = line[index];
        if (quoted) {
          if (char === dialect.escape && dialect.escape !== dialect.quote && index + 1 < line.length) index++;
          else if (char === dialect.quote) {
            if (dialect.escape === dialect.quote && line[index + 1] === dialect.quote) index++;
            else quoted = false;
          }
        } else if (char === dialect.quote) quoted = true;
        else if (char === dialect.delimiter) fields++;
      }
      if (quoted) continue;
      if (expected === undefined) expected = fields;
      else if (fields !== expected) return { line: recordLine, fields, expected };
    }
  } finally {
    lines.close();
    raw.destroy();
  }
  return undefined;
}
