import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { errorMessage } from '../../shared/errors.ts';
import { flatten, numericLeaves, parseDocumentText } from './metrics-file.ts';

const run = promisify(execFile);

/** What a tracked file records, as metrics (numbers) and params (any scalar). */
export interface Recorded {
  metrics: Record<string, number>;
  params: Record<string, unknown>;
}

/** A file whose recorded metrics or params are compared with the base branch. */
export interface DiffSource {
  /** Absolute path in the workspace. */
  path: string;
  extract(document: unknown): Recorded;
}

export const metricsSource = (path: string): DiffSource => ({
  path,
  extract: (document) => ({ metrics: numericLeaves(document), params: {} }),
});

export const paramsSource = (path: string): DiffSource => ({
  path,
  extract: (document) => ({ metrics: {}, params: Object.fromEntries(flatten(document)) }),
});

/** One key's change, as `dvc metrics diff --json` writes it; `diff` only between two numbers. */
export interface DiffEntry {
  old: unknown;
  new: unknown;
  diff?: number;
}

/** `{file: {key: {old, new, diff}}}`, files relative to the repository root. */
export type DiffTable = Record<string, Record<string, DiffEntry>>;

export interface BaseDiff {
  base: string;
  mergeBase: string;
  metrics: DiffTable;
  params: DiffTable;
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** The file at a commit, or undefined when it did not exist there. */
async function showAt(top: string, commit: string, path: string): Promise<string | undefined> {
  try {
    return await git(top, ['show', `${commit}:${path}`]);
  } catch {
    return undefined;
  }
}

function parseOrEmpty(text: string | undefined, name: string): unknown {
  if (text === undefined) return undefined;
  try {
    return parseDocumentText(text, name);
  } catch {
    // A file that did not parse at the base cannot be compared; its keys show as added.
    return undefined;
  }
}

function compare(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, DiffEntry> {
  const entries: Record<string, DiffEntry> = {};
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const old = before[key] ?? null;
    const current = after[key] ?? null;
    const entry: DiffEntry = { old, new: current };
    if (typeof old === 'number' && typeof current === 'number') entry.diff = current - old;
    entries[key] = entry;
  }
  return entries;
}

/**
 * The tracked metrics and params of the workspace against the merge base of HEAD and `base`, read with
 * `git show` (nothing is checked out). Every key is listed, as `dvc metrics diff --all --json` does.
 * Throws a plain Error (with git's reason) when `base` cannot be resolved, e.g. in a shallow clone.
 */
export async function diffAgainstBase(
  top: string,
  base: string,
  sources: readonly DiffSource[],
): Promise<BaseDiff> {
  let mergeBase: string;
  try {
    mergeBase = (await git(top, ['merge-base', 'HEAD', base])).trim();
  } catch (error) {
    throw new Error(
      `no merge base with ${base} (${errorMessage(error).split('\n').at(-2) ?? 'git failed'}); fetch it, e.g. actions/checkout with fetch-depth: 0`,
    );
  }
  const result: BaseDiff = { base, mergeBase, metrics: {}, params: {} };
  const seen = new Set<string>();
  for (const source of sources) {
    if (seen.has(source.path)) continue;
    seen.add(source.path);
    const name = relative(top, source.path).split(sep).join('/');
    let now: string | undefined;
    try {
      now = await readFile(source.path, 'utf8');
    } catch {
      now = undefined;
    }
    const empty: Recorded = { metrics: {}, params: {} };
    const beforeDocument = parseOrEmpty(await showAt(top, mergeBase, name), name);
    const afterDocument = parseOrEmpty(now, name);
    const before = beforeDocument === undefined ? empty : source.extract(beforeDocument);
    const after = afterDocument === undefined ? empty : source.extract(afterDocument);
    const metrics = compare(before.metrics, after.metrics);
    const params = compare(before.params, after.params);
    if (Object.keys(metrics).length > 0) result.metrics[name] = metrics;
    if (Object.keys(params).length > 0) result.params[name] = params;
  }
  return result;
}

/** The entries that changed, for the summary table. */
export function changedEntries(table: DiffTable): { file: string; key: string; entry: DiffEntry }[] {
  return Object.entries(table).flatMap(([file, entries]) =>
    Object.entries(entries)
      .filter(([, entry]) => JSON.stringify(entry.old) !== JSON.stringify(entry.new))
      .map(([key, entry]) => ({ file, key, entry })),
  );
}
