import { isAbsolute, relative, sep } from 'node:path';

/** A path as messages show it: relative to the working directory when inside it, else absolute. */
export function displayPath(path: string): string {
  const inside = relative(process.cwd(), path);
  if (inside === '') return '.';
  return inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside) ? path : inside;
}
