import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import { readValidatedFile } from '../../shared/config/yaml-file.ts';

const LockEntry = z.looseObject({
  path: z.string().min(1),
  hash: z.string().optional(),
  md5: z.string().optional(),
  size: z.number().optional(),
  nfiles: z.number().optional(),
});
export type LockEntry = z.infer<typeof LockEntry>;

const LockStage = z.looseObject({
  cmd: z.union([z.string(), z.array(z.string())]),
  deps: z.array(LockEntry).default([]),
  params: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).default({}),
  outs: z.array(LockEntry).default([]),
});
export type LockStage = z.infer<typeof LockStage>;

/** `dvc.lock` as DVC 2 and 3 write it (schema 2.0): per stage the command, params and hashes it ran with. */
export const DvcLock = z.strictObject({
  schema: z.literal('2.0', { error: 'expected schema: "2.0" (dvc.lock of DVC 2 or later)' }),
  stages: z.record(z.string(), LockStage).default({}),
});
export type DvcLock = z.infer<typeof DvcLock>;

export async function readDvcLock(file: string, displayName: string): Promise<DvcLock> {
  return (await readValidatedFile(file, DvcLock, displayName)).value;
}

/** A file that looks like text to DVC 2: no NUL byte in its first 8000 bytes. */
function isText(bytes: Buffer): boolean {
  return !bytes.subarray(0, 8000).includes(0);
}

/**
 * The md5 DVC records for a file. DVC 3 (`hash: md5`) hashes the bytes; DVC 2 (no `hash` field) first
 * turned CRLF into LF in text files, so the same checkout hashes alike on Windows and Linux.
 */
export async function dvcFileMd5(path: string, legacy: boolean): Promise<string> {
  let bytes = await readFile(path);
  if (legacy && isText(bytes)) bytes = Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  return createHash('md5').update(bytes).digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** DVC's hash of a directory: md5 of the sorted JSON listing of its files' md5s, with a `.dir` suffix. */
export async function dvcDirMd5(
  dir: string,
  legacy: boolean,
): Promise<{ md5: string; nfiles: number; size: number }> {
  const files = await listFiles(dir);
  const listing: { md5: string; relpath: string }[] = [];
  let size = 0;
  for (const file of files) {
    listing.push({ md5: await dvcFileMd5(file, legacy), relpath: relative(dir, file).split(sep).join('/') });
    size += (await stat(file)).size;
  }
  listing.sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
  // Python's json.dumps(sort_keys=True) with its default separators, which DVC hashes.
  const text = `[${listing.map((item) => `{"md5": ${JSON.stringify(item.md5)}, "relpath": ${JSON.stringify(item.relpath)}}`).join(', ')}]`;
  return { md5: `${createHash('md5').update(text).digest('hex')}.dir`, nfiles: files.length, size };
}

/** The hash of a path the way dvc.lock would record it; undefined when the path does not exist. */
export async function dvcHash(path: string, legacy: boolean): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? (await dvcDirMd5(path, legacy)).md5 : await dvcFileMd5(path, legacy);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
