import { readFile } from 'node:fs/promises';
import { parseSourceText } from '../../shared/config/yaml-file.ts';
import { InputError } from '../../shared/errors.ts';

/** Scalar leaves of a nested document under dotted keys, DVC-style: `{"a": {"b": 1}}` -> `a.b`. */
export function flatten(value: unknown, prefix = ''): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  const walk = (node: unknown, path: string) => {
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key);
    } else if (path) {
      leaves.set(path, node);
    }
  };
  walk(value, prefix);
  return leaves;
}

/** Only the numeric leaves: metrics files also hold labels and timestamps, which are not judged. */
export function numericLeaves(value: unknown): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [key, leaf] of flatten(value)) {
    if (typeof leaf === 'number') metrics[key] = leaf;
  }
  return metrics;
}

/** Parses a JSON or YAML document's text; syntax errors name `displayName` and the line. */
export function parseDocumentText(text: string, displayName: string): unknown {
  const source = parseSourceText(text, displayName);
  return source.document.toJS({ maxAliasCount: 100 }) as unknown;
}

/**
 * Reads a metrics (or params) file: JSON or YAML, nested or flat. Undefined when the file does not exist,
 * so callers can tell "not written" from "written wrong" (an InputError naming file and line).
 */
export async function readDocumentFile(path: string, displayName: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read file (${(error as NodeJS.ErrnoException).code ?? 'unknown'})`, {
      file: displayName,
    });
  }
  return parseDocumentText(text, displayName);
}
