import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InputError } from '../../shared/errors.ts';
import { GateResult } from '../../shared/result/gate-result.ts';

/** Files model-card itself writes next to the gate results; they are outputs, not inputs. */
export const OWN_OUTPUT_FILES = {
  evidence: 'evidence.json',
  card: 'model-card.md',
  toolkit: 'model-card.toolkit.json',
  huggingFace: 'model-card.hf.md',
  comment: 'model-card.comment.md',
} as const;

/** Results may come from an untrusted run; none of ours comes near this size. */
const MAX_RESULT_BYTES = 50 * 1024 * 1024;

const SKIPPED_JSON = new Set<string>([
  OWN_OUTPUT_FILES.evidence,
  OWN_OUTPUT_FILES.toolkit,
  'model-card.json',
]);

/** A gate result as read from disk, with the sha256 of its exact bytes for the evidence bundle. */
export interface LoadedResult {
  /** Path for messages (relative to the working directory). */
  file: string;
  sha256: string;
  result: GateResult;
}

async function jsonFiles(dir: string, recursive: boolean): Promise<string[]> {
  let entries: { name: string; isFile(): boolean; isDirectory(): boolean }[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && recursive) files.push(...(await jsonFiles(path, true)));
    else if (entry.isFile() && entry.name.endsWith('.json') && !SKIPPED_JSON.has(entry.name))
      files.push(path);
  }
  return files;
}

/** Parses one result file's bytes; anything but a valid gate result is an InputError naming the file. */
export function parseResultFile(bytes: Buffer, file: string): LoadedResult {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(`not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      file,
    });
  }
  const parsed = GateResult.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new InputError(`not an mlgate gate result (${path ? `${path}: ` : ''}${issue.message})`, { file });
  }
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), result: parsed.data };
}

/**
 * Reads every gate result in `folders` (`<out>/*.json`, and recursively in downloaded artifact folders),
 * skipping model-card's own outputs. Two results for one gate are an error: the card would have to guess.
 */
export async function readResults(
  folders: readonly { dir: string; recursive: boolean }[],
  display: (path: string) => string = (path) => relative(process.cwd(), path) || path,
): Promise<LoadedResult[]> {
  const byGate = new Map<string, LoadedResult>();
  for (const { dir, recursive } of folders) {
    for (const path of await jsonFiles(dir, recursive)) {
      if ((await stat(path)).size > MAX_RESULT_BYTES) {
        throw new InputError(`larger than ${MAX_RESULT_BYTES / 1024 / 1024} MiB: not a gate result`, {
          file: display(path),
        });
      }
      const loaded = parseResultFile(await readFile(path), display(path));
      if (loaded.result.gate === 'model-card') continue;
      const earlier = byGate.get(loaded.result.gate);
      if (earlier) {
        throw new InputError(
          `a second result for gate ${loaded.result.gate} (the first is ${earlier.file})`,
          {
            file: loaded.file,
          },
        );
      }
      byGate.set(loaded.result.gate, loaded);
    }
  }
  return [...byGate.values()];
}

/** Gate order for people: the order `mlgate run` runs them, then any other gate by name. */
export function orderResults(results: readonly LoadedResult[], order: readonly string[]): LoadedResult[] {
  const rank = (gate: string) => {
    const index = order.indexOf(gate);
    return index === -1 ? order.length : index;
  };
  return [...results].sort(
    (a, b) => rank(a.result.gate) - rank(b.result.gate) || a.result.gate.localeCompare(b.result.gate),
  );
}
