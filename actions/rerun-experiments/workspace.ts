import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The top folder of the git repository holding `dir`, or undefined outside one. */
export async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Files under `root` that belong in a clean copy: what git tracks or would track; everything outside git. */
async function filesToCopy(root: string, skip: ReadonlySet<string>): Promise<string[]> {
  if (await gitTopLevel(root)) {
    const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
    });
    return [...new Set(stdout.split('\0').filter(Boolean))].filter((file) => !skip.has(file.split('/')[0]!));
  }
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((file) => {
      const top = file.split('/')[0]!;
      return top !== '.git' && !skip.has(top);
    });
}

export interface CleanCopy {
  dir: string;
  /** Maps a path under the original root to the same path in the copy. */
  at(path: string): string;
  remove(): Promise<void>;
}

/**
 * A clean copy of `root` in a temporary folder: the files git tracks (and untracked ones it does not
 * ignore), so stale outputs and local clutter cannot make a rerun pass. `link` folders (installed
 * dependencies) are symlinked rather than copied; `inputs` (data git ignores, e.g. DVC-tracked) are copied
 * when they exist.
 */
export async function makeCleanCopy(
  root: string,
  link: readonly string[],
  inputs: readonly string[],
): Promise<CleanCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'mlgate-rerun-'));
  const at = (path: string) => {
    const inside = relative(root, path);
    return inside.startsWith('..') ? path : join(dir, inside);
  };
  try {
    for (const file of await filesToCopy(root, new Set(link))) {
      const source = join(root, file);
      if (!(await exists(source))) continue; // deleted in the working tree but still in the index
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await cp(source, join(dir, file), { verbatimSymlinks: true, preserveTimestamps: true });
    }
    for (const name of link) {
      const source = join(root, name);
      if ((await exists(source)) && !(await exists(join(dir, name)))) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await symlink(source, join(dir, name));
      }
    }
    for (const input of inputs) {
      if (!(await exists(input)) || (await exists(at(input)))) continue;
      await mkdir(dirname(at(input)), { recursive: true });
      await cp(input, at(input), { recursive: true, verbatimSymlinks: true });
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, at, remove: () => rm(dir, { recursive: true, force: true }) };
}
