import type { z } from 'zod';

interface SchemaDef {
  type?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The object keys a schema accepts at `path`, for "did you mean" hints; empty when unknown. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  const remaining = [...path];
  while (current) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    // z.preprocess is a pipe from a transform to the real schema: the keys live on its output side.
    else if (def.type === 'pipe' && def.in) current = defOf(def.in).type === 'transform' ? def.out : def.in;
    else if (remaining.length === 0) break;
    else {
      const key = remaining.shift();
      if (def.shape) current = def.shape[String(key)];
      else if (def.element) current = def.element;
      else if (def.valueType) current = def.valueType;
      else return [];
    }
  }
  if (!current) return [];
  const def = defOf(current);
  if (def.shape) return Object.keys(def.shape);
  if (def.options) return def.options.flatMap((option) => knownKeysAt(option, []));
  return [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}

/** The closest known key to a misspelt one, when it is close enough to be a typo. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(unknown.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(unknown, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Messages we wrote ourselves in schemas start like this; zod's defaults do not. */
function isOwnMessage(message: string): boolean {
  return /^(expected|must|should|use|unknown|at least|at most|one of)\b/.test(message);
}

function describeBound(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const big = issue.code === 'too_big';
  const limit = big ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum;
  const op = big ? (issue.inclusive ? '<=' : '<') : issue.inclusive ? '>=' : '>';
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `expected ${big ? 'at most' : 'at least'} ${String(limit)} items`;
    case 'string':
      return `expected ${big ? 'at most' : 'at least'} ${String(limit)} characters`;
    default:
      return `expected a number ${op} ${String(limit)}`;
  }
}

/**
 * Turns a zod issue into `path: expected ..., got ...`, with the key to point at when the issue is an
 * unknown key (so the location is the typo, not its parent).
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  data: unknown,
  schema: z.ZodType,
): { text: string; atKey?: string } {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  const got = valueAt(data, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeysAt(schema, issue.path);
    const suggestion = suggestKey(key, known);
    const hint = suggestion
      ? `; did you mean "${suggestion}"?`
      : known.length > 0
        ? `; expected one of: ${known.join(', ')}`
        : '';
    const full = [...issue.path.map(String), key].join('.');
    return { text: `${full}: unknown key${hint}`, atKey: key };
  }
  let expected: string;
  if (isOwnMessage(issue.message)) expected = issue.message;
  else if (issue.code === 'invalid_type') {
    if (got === undefined) return { text: `${where}: required (expected ${issue.expected})` };
    expected = `expected ${issue.expected}`;
  } else if (issue.code === 'too_big' || issue.code === 'too_small') expected = describeBound(issue);
  else if (issue.code === 'invalid_value') expected = `expected one of ${issue.values.map(show).join(', ')}`;
  else if (issue.code === 'invalid_format') expected = `expected ${issue.format}`;
  else if (issue.code === 'invalid_union') expected = 'expected one of the accepted forms';
  else expected = issue.message;
  return { text: `${where}: ${expected}, got ${show(got)}` };
}
