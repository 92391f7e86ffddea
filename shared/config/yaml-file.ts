import { readFile } from 'node:fs/promises';
import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { InputError, type SourceLocation } from '../errors.ts';
import { describeIssue } from './describe-issue.ts';

/** A YAML (or JSON) document with what is needed to point at any of its nodes. */
export interface SourceDocument {
  file: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
}

/** Reads and parses a YAML or JSON file; a syntax error becomes an InputError at its line and column. */
export async function readSourceDocument(file: string, displayName = file): Promise<SourceDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'unknown'})`, {
      file: displayName,
    });
  }
  return parseSourceText(text, displayName);
}

/** Parses YAML text that came from `displayName`, reporting the first syntax error with its position. */
export function parseSourceText(text: string, displayName: string): SourceDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const [first] = document.errors;
  if (first) {
    const position = lineCounter.linePos(first.pos[0]);
    const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const language = /\.json$/i.test(displayName) ? 'JSON' : 'YAML';
    throw new InputError(`invalid ${language}: ${reason}`, {
      file: displayName,
      line: position.line,
      column: position.col,
    });
  }
  return { file: displayName, document, lineCounter };
}

/** The location of the node at `path`, or of its nearest existing ancestor; the key itself with `atKey`. */
export function locate(source: SourceDocument, path: readonly PropertyKey[], atKey?: string): SourceLocation {
  const segments = path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  for (let depth = segments.length; depth >= 0; depth--) {
    const node = source.document.getIn(segments.slice(0, depth), true) as Node | undefined;
    if (!node || !('range' in node) || !node.range) continue;
    let offset = node.range[0];
    if (depth === segments.length && atKey !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === atKey);
      if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
    } else if (depth < segments.length && isMap(node)) {
      // The node itself is missing: point at the key of the deepest parent that exists.
      const key = segments[depth];
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
    }
    const position = source.lineCounter.linePos(offset);
    return { file: source.file, line: position.line, column: position.col };
  }
  return { file: source.file };
}

/** The line and column where the value at `path` was written, for checks that want to point at a rule. */
export function locationOf(source: SourceDocument, path: readonly PropertyKey[]): SourceLocation {
  return locate(source, path);
}

/**
 * Validates the document against `schema`; the first issue becomes an InputError such as
 * `mlgate.yml:14:5 gates.benchmark.max-regression: expected a number between 0 and 10, got "ten"`.
 */
export function validateSource<S extends z.ZodType>(source: SourceDocument, schema: S): z.output<S> {
  const data = plainValue(source);
  const parsed = schema.safeParse(data ?? {});
  if (parsed.success) return parsed.data;
  // An unknown key is usually the cause of the other issues (a misspelt required key), so it goes first.
  const issues = parsed.error.issues;
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0]!;
  const described = describeIssue(issue, data, schema);
  throw new InputError(described.text, locate(source, issue.path, described.atKey));
}

/** Aliases expanded in one document before it counts as a "billion laughs" attack rather than a config. */
const MAX_ALIAS_COUNT = 100;

function plainValue(source: SourceDocument): unknown {
  try {
    return source.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml library signals bad aliases (the "billion laughs" guard, an unresolved one) as ReferenceError.
    if (!(error instanceof ReferenceError)) throw error;
    const reason = /excessive alias count/i.test(error.message)
      ? `too many YAML aliases (*name) expand in this file (more than ${MAX_ALIAS_COUNT}); write the values out`
      : `invalid YAML: ${error.message}`;
    throw new InputError(reason, { file: source.file });
  }
}

/** Reads a YAML or JSON file and validates it; the typed value or a one-line InputError. */
export async function readValidatedFile<S extends z.ZodType>(
  file: string,
  schema: S,
  displayName = file,
): Promise<{ value: z.output<S>; source: SourceDocument }> {
  const source = await readSourceDocument(file, displayName);
  return { value: validateSource(source, schema), source };
}
