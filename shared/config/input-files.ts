import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { displayPath } from '../fs/display-path.ts';
import type { LoadedConfig } from './load-config.ts';
import { realPathOf } from './repository-paths.ts';

/** Each file a config makes a run read, keyed by where the config names it (globs are left out). */
function namedInputs(config: LoadedConfig): [string, string][] {
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(config.dir, path));
  const inputs: [string, string][] = [['the config', resolve(config.file)]];
  if (config.config.model) inputs.push(['model.path', absolute(config.config.model.path)]);
  for (const [name, dataset] of Object.entries(config.config.datasets)) {
    if (!/[*?[]/.test(dataset.path)) inputs.push([`datasets.${name}.path`, absolute(dataset.path)]);
    if (dataset.schema) inputs.push([`datasets.${name}.schema`, absolute(dataset.schema)]);
  }
  return inputs;
}

/**
 * Refuses an output path that is an existing file the run reads (`--failures data/eval.csv` would replace
 * the data being validated). Throws InputError naming the flag and what the config reads there.
 */
export function refuseInputAsOutput(config: LoadedConfig, target: string, flag: string): void {
  // Creating a file the config names but nobody wrote yet (`--infer eval --to` its schema) loses nothing.
  if (!existsSync(target)) return;
  const real = realPathOf(target);
  const clash = namedInputs(config).find(([, path]) => realPathOf(path) === real);
  if (clash) {
    throw new InputError(`${flag} would write over ${clash[0]}, which this run reads; choose another file`, {
      file: displayPath(target),
    });
  }
}
