import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { InputError } from '../../shared/errors.ts';
import { sha256File } from '../../shared/fs/sha256.ts';

const GLOB = /[*?[]/;

function globPattern(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      pattern += '.*';
      index++;
      if (glob[index + 1] === '/') index++;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

async function walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * The sha256 that pins a dataset: of the file's bytes, or for a glob, of a manifest listing each matched
 * file's relative path and sha256 (sorted), so adding, removing or changing any file changes it.
 */
export async function datasetDigest(path: string, displayName: string): Promise<string> {
  if (!GLOB.test(path)) {
    try {
      return await sha256File(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(code === 'ENOENT' ? 'dataset file not found' : `cannot read dataset (${code})`, {
        file: displayName,
      });
    }
  }
  const segments = path.split(sep);
  const firstGlob = segments.findIndex((segment) => GLOB.test(segment));
  const root = segments.slice(0, firstGlob).join(sep) || sep;
  const matcher = globPattern(segments.slice(firstGlob).join('/'));
  let files: string[];
  try {
    files = (await walk(root)).filter((file) => matcher.test(relative(root, file).split(sep).join('/')));
  } catch {
    files = [];
  }
  if (files.length === 0) throw new InputError('no file matches this dataset glob', { file: displayName });
  const manifest = createHash('sha256');
  for (const file of files.sort()) {
    manifest.update(`${relative(dirname(root), file).split(sep).join('/')}  ${await sha256File(file)}\n`);
  }
  return manifest.digest('hex');
}
