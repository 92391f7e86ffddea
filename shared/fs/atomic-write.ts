import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileProblem } from '../errors.ts';
import { displayPath } from './display-path.ts';
import { releaseTemporary, trackTemporary } from './temporary-files.ts';

/** A hidden temporary sibling of `path`, removed on any exit until it is released. */
export function temporarySibling(path: string): string {
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  trackTemporary(temporary);
  return temporary;
}

/**
 * Writes a file so that readers see either the old content or the new, never half of it:
 * the bytes go to a temporary sibling that is renamed over the target (rename is atomic on one filesystem).
 * A file-system failure (a folder in the way, a read-only folder) is an InputError naming `path`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw fileProblem(error, displayPath(dir), 'create the folder');
  }
  const temporary = temporarySibling(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw fileProblem(error, displayPath(path), 'write the file');
  } finally {
    releaseTemporary(temporary);
  }
}

/** Writes `value` as pretty JSON with a trailing newline, atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
