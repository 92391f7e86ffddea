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

/** The 1-based physical line of the first line longer than `limit` bytes, reading raw (or gunzipped) bytes. */
export async function findLongLine(file: string, limit: number): Promise<number | undefined> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let line = 1;
  let length = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let start = 0;
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, start)) {
        if (length + index - start > limit) return line;
        line++;
        length = 0;
        start = index + 1;
      }
      length += chunk.length - start;
      if (length > limit) return line;
    }
  } finally {
    raw.destroy();
  }
  return undefined;
}

/** Why a gzip file cannot be decompressed to its end (truncated, corrupt), or undefined when it can. */
export async function gzipProblem(file: string): Promise<string | undefined> {
  const raw = createReadStream(file);
  try {
    for await (const _chunk of raw.pipe(createGunzip())) {
      // Decompressing to the end is the check; the bytes themselves are not needed.
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    raw.destroy();
  }
}

/** DuckDB's reason for a failed read, in one line, and the line it names when it names one. */
export interface ReadFailure {
  reason: string;
  line?: number;
}

/**
 * Keeps what DuckDB's multi-line CSV error says about the data (e.g. "Invalid unicode (byte sequence
 * mismatch) detected. This file is not utf-8 encoded.") and drops its advice on reader options, which
 * names DuckDB's settings rather than mlgate's.
 */
export function readFailure(message: string): ReadFailure {
  const lines = message.split('\n').map((line) => line.trim());
  const first = lines[0]!.replace(/^[A-Za-z ]*Error: /, '');
  const onLine = /^CSV Error on Line: (\d+)/.exec(first);
  const detail = lines
    .slice(1)
    .find(
      (line) =>
        line !== '' &&
        !/^(Original Line:|Possible Solution|Possible fixes|LINE \d+:|The search space)/.test(line) &&
        !/^[a-z_]+ = /.test(line),
    );
  if (onLine) return { reason: detail ?? first, line: Number(onLine[1]) };
  if (/^Error when sniffing file/.test(first)) return { reason: detail ?? first };
  return { reason: first };
}
