import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { z } from 'zod';
import type { SourceLocation } from '../errors.ts';
import type { BaseConfig } from './config-schema.ts';
import { locate, readSourceDocument, type SourceDocument, validateSource } from './yaml-file.ts';

/** A validated `mlgate.yml` and what is needed to resolve its paths and point at its lines. */
export interface LoadedConfig<C extends BaseConfig = BaseConfig> {
  /** The config file as the user named it (for messages). */
  file: string;
  /** Absolute folder of the config file: every relative path in it resolves against this. */
  dir: string;
  config: C;
  source: SourceDocument;
  /** Absolute path of a path written in the config. */
  resolve(path: string): string;
  /** A path written in the config, as it should appear in messages (relative to the working directory). */
  display(path: string): string;
  /** Where the value at `path` (e.g. `['gates', 'benchmark']`) was written. */
  locate(path: readonly PropertyKey[]): SourceLocation;
}

/** Reads and validates a config file against `schema` (see `createConfigSchema`). Throws InputError. */
export async function loadConfig<S extends z.ZodType<BaseConfig>>(
  file: string,
  schema: S,
): Promise<LoadedConfig<z.output<S>>> {
  const source = await readSourceDocument(file);
  const config = validateSource(source, schema);
  const dir = dirname(resolve(file));
  return {
    file,
    dir,
    config,
    source,
    resolve: (path) => (isAbsolute(path) ? path : resolve(dir, path)),
    display: (path) => relative(process.cwd(), isAbsolute(path) ? path : resolve(dir, path)) || '.',
    locate: (path) => locate(source, path),
  };
}
