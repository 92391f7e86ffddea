import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODES, errorMessage, InputError, internalErrorLine } from '../shared/errors.ts';
import { readRegistry, repositoryRoot } from '../shared/registry/git-tags.ts';
import { registryAsJson, renderRegistry } from './promote/registry-report.ts';

export const REGISTRY_HELP = `Usage: mlgate registry [NAME] [options]

Shows each model's current stage and its full promotion history, read from the git tags
(GTO format) of the repository that holds the config.

Options:
  -c, --config FILE   the mlgate config whose repository is read (default: mlgate.yml)
  --json              print the registry as JSON
  -h, --help          show this help`;

/** `mlgate registry [NAME]`: not a gate (judges nothing, writes nothing); reads the tags and prints them. */
export async function registryCommand(
  args: readonly string[],
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  let values: { config?: string | undefined; json?: boolean | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    streams.stderr.write(`mlgate: ${errorMessage(error).split('\n')[0]}; run 'mlgate registry --help'\n`);
    return 2;
  }
  if (values.help) {
    streams.stdout.write(`${REGISTRY_HELP}\n`);
    return 0;
  }
  const [model, ...extra] = positionals;
  if (extra.length > 0) {
    streams.stderr.write(`mlgate: registry takes one model name, got ${positionals.length}\n`);
    return 2;
  }
  const config = values.config ?? 'mlgate.yml';
  // Without --config the current folder's repository is read, config or not; a named one must exist.
  if (values.config !== undefined && !existsSync(config)) {
    streams.stderr.write(`mlgate: ${config} file not found (the config names the repository to read)\n`);
    return EXIT_CODES.input;
  }
  try {
    const root = await repositoryRoot(dirname(resolve(config)));
    const registry = await readRegistry(root);
    streams.stdout.write(
      values.json
        ? `${JSON.stringify(registryAsJson(registry, model), null, 2)}\n`
        : `${renderRegistry(registry, model)}\n`,
    );
    return 0;
  } catch (error) {
    streams.stderr.write(
      `mlgate: ${error instanceof InputError ? error.message : internalErrorLine(error)}\n`,
    );
    return error instanceof InputError ? EXIT_CODES.input : EXIT_CODES.internal;
  }
}
