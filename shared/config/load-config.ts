import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { InputError, type SourceLocation } from '../errors.ts';
import type { BaseConfig } from './config-schema.ts';
import { isInside, repositoryRootOf } from './repository-paths.ts';
import { locate, readSourceDocument, type SourceDocument, validateSource } from './yaml-file.ts';

/** A validated `mlgate.yml` and what is needed to resolve its paths and point at its lines. */
export interface LoadedConfig<C extends BaseConfig = BaseConfig> {
  /** The config file as the user named it (for messages). */
  file: string;
  /** Absolute folder of the config file: every relative path in it resolves against this. */
  dir: string;
  config: C;
  source: SourceDocument;
  /**
   * The git work tree holding the config: the paths it names must stay inside (unless `paths.allow-outside`).
   * Undefined for a config outside any repository, whose paths are not confined.
   */
  root: string | undefined;
  /**
   * Absolute path of a path written in the config. Throws InputError (at the line that wrote it) for a path
   * that leaves the repository, symbolic links included, unless the config sets `paths.allow-outside`.
   */
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
  const root = config.paths?.['allow-outside'] ? undefined : repositoryRootOf(dir);
  return {
    file,
    dir,
    config,
    source,
    root,
    resolve: (path) => {
      const absolute = isAbsolute(path) ? path : resolve(dir, path);
      if (root !== undefined && !isInside(absolute, root)) {
        throw new InputError(
          `${path} is outside the repository (${root}); mlgate reads only files inside it unless the config sets paths: { allow-outside: true }`,
          locateValue(source, path) ?? { file },
        );
      }
      return absolute;
    },
    display: (path) => relative(process.cwd(), isAbsolute(path) ? path : resolve(dir, path)) || '.',
    locate: (path) => locate(source, path),
  };
}

/** Where a scalar whose value is `value` was first written in the document, for errors about a path. */
function locateValue(source: SourceDocument, value: string): SourceLocation | undefined {
  const pending: unknown[] = [source.document.contents];
  while (pending.length > 0) {
    const node = pending.shift();
    if (isScalar(node) && node.value === value && node.range) {
      const position = source.lineCounter.linePos(node.range[0]);
      return { file: source.file, line: position.line, column: position.col };
    }
    if (isMap(node)) for (const pair of node.items) pending.push(pair.value);
    else if (isSeq(node)) pending.push(...(node.items as Node[]));
  }
  return undefined;
}
