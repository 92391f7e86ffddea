import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { z } from 'zod';

/** The repository's `actions/` folder. */
export const ACTIONS_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Packages with native addons: esbuild cannot inline a `.node` binary, so a bundle leaves these as
 * imports and its action installs them into its own folder (a composite action, see docs/packaging.md).
 */
export const NATIVE_PACKAGES = ['onnxruntime-node', '@duckdb/node-api'] as const;

// @actions/* are ESM-only while several of their dependencies are CommonJS; esbuild's CJS shim calls
// `require`, which an ES module lacks, so every bundle defines one first.
const BANNER = [
  "import { createRequire as __mlgateCreateRequire } from 'node:module';",
  'const require = __mlgateCreateRequire(import.meta.url);',
].join('\n');

export interface ActionEntry {
  /** The action's name (its folder under `actions/`). */
  name: string;
  /** The entry point, e.g. `actions/benchmark/main.ts`. */
  entry: string;
}

export interface BuiltAction extends ActionEntry {
  /** Where the bundle was written: `<outRoot>/<name>/dist/index.js`. */
  bundle: string;
  /** Native packages the bundle imports at run time; they must be installed beside the action. */
  natives: string[];
  bytes: number;
}

/** Every action in `actionsDir`: a folder holding both `action.yml` and `main.ts`. */
export async function discoverActions(actionsDir = ACTIONS_DIR): Promise<ActionEntry[]> {
  const entries = await readdir(actionsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter(
      (name) =>
        existsSync(join(actionsDir, name, 'action.yml')) && existsSync(join(actionsDir, name, 'main.ts')),
    )
    .sort()
    .map((name) => ({ name, entry: join(actionsDir, name, 'main.ts') }));
}

function nativeOf(path: string): string | undefined {
  return NATIVE_PACKAGES.find((name) => path === name || path.startsWith(`${name}/`));
}

/** Per absolute output file: its size and the native packages it imports. */
function describeOutputs(metafile: Metafile): Map<string, { bytes: number; natives: string[] }> {
  const result = new Map<string, { bytes: number; natives: string[] }>();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    const natives = new Set<string>();
    for (const imported of output.imports) {
      const native = imported.external ? nativeOf(imported.path) : undefined;
      if (native) natives.add(native);
    }
    result.set(resolve(file), { bytes: output.bytes, natives: [...natives].sort() });
  }
  return result;
}

/**
 * Bundles every action in one esbuild build: `<outRoot>/<name>/dist/index.js`, ESM for Node 20+, with
 * native packages left as imports. Deterministic, so a rebuild of unchanged sources is byte-identical
 * (which is what `npm run check:dist` relies on).
 */
export async function buildActions(actions: readonly ActionEntry[], outRoot: string): Promise<BuiltAction[]> {
  if (actions.length === 0) return [];
  const result = await build({
    entryPoints: Object.fromEntries(actions.map((action) => [`${action.name}/dist/index`, action.entry])),
    outdir: outRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Prefer packages' ESM builds: @actions/* ship only ESM, and their CJS fallbacks would be duplicated.
    mainFields: ['module', 'main'],
    external: NATIVE_PACKAGES.flatMap((name) => [name, `${name}/*`]),
    banner: { js: BANNER },
    // Licences of bundled packages are kept, in one block at the end of each bundle.
    legalComments: 'eof',
    metafile: true,
    logLevel: 'silent',
    write: true,
  });
  const outputs = describeOutputs(result.metafile);
  return actions.map((action) => {
    const bundle = resolve(outRoot, action.name, 'dist', 'index.js');
    const output = outputs.get(bundle);
    return { ...action, bundle, natives: output?.natives ?? [], bytes: output?.bytes ?? 0 };
  });
}

const ActionPackage = z.looseObject({
  dependencies: z.record(z.string(), z.string()).default({}),
});

/**
 * Checks that each bundle's native imports are exactly what its action installs: a bundle importing
 * a native package its `package.json` lacks would crash at start on a runner. Returns one line per problem.
 */
export async function checkNatives(
  built: readonly BuiltAction[],
  actionsDir = ACTIONS_DIR,
): Promise<string[]> {
  const problems: string[] = [];
  for (const action of built) {
    const manifest = join(actionsDir, action.name, 'package.json');
    const declared = existsSync(manifest)
      ? Object.keys(ActionPackage.parse(JSON.parse(await readFile(manifest, 'utf8'))).dependencies).sort()
      : [];
    const missing = action.natives.filter((name) => !declared.includes(name));
    const unused = declared.filter((name) => !action.natives.includes(name));
    if (missing.length > 0) {
      problems.push(
        `actions/${action.name} imports ${missing.join(', ')} (native) but does not install it: package it as a composite action with ${missing.join(', ')} in actions/${action.name}/package.json (see docs/packaging.md)`,
      );
    }
    if (unused.length > 0) {
      problems.push(
        `actions/${action.name}/package.json installs ${unused.join(', ')}, which its bundle never imports`,
      );
    }
  }
  return problems;
}

async function main() {
  const actions = await discoverActions();
  const built = await buildActions(actions, ACTIONS_DIR);
  for (const action of built) {
    const natives = action.natives.length > 0 ? ` (natives: ${action.natives.join(', ')})` : '';
    console.log(`actions/${action.name}/dist/index.js ${(action.bytes / 1024).toFixed(0)} KiB${natives}`);
  }
  const problems = await checkNatives(built);
  for (const problem of problems) console.error(`error: ${problem}`);
  if (problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
