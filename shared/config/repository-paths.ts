import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The root of the git work tree holding `dir` (the folder with `.git`), or undefined outside any repository.
 * Read from the file system rather than from git, so loading a config starts no process.
 */
export function repositoryRootOf(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/** `path` with every symbolic link of its longest existing prefix resolved (the rest kept as written). */
export function realPathOf(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) return resolve(path);
    rest.unshift(existing.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

/** Whether `path` (after symbolic links) lies inside `root` (after symbolic links). */
export function isInside(path: string, root: string): boolean {
  const inside = relative(realPathOf(root), realPathOf(path));
  return inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside));
}
