import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { build, type Metafile, type Plugin } from 'esbuild';
import { parse } from 'yaml';
import { z } from 'zod';
import { buildCliPackage } from './build-cli-package.ts';
import {
  ACTIONS_DIR,
  NATIVE_PACKAGES,
  NODE_BUNDLE,
  nativeStandIns,
  RUNTIME_ASSETS,
  sqlJsDirname,
} from './bundling.ts';
import { renderCompositeAction, renderNodeAction } from './composite-action.ts';

export { ACTIONS_DIR, NATIVE_PACKAGES, RUNTIME_ASSETS };

// @actions/* are ESM-only while several of their dependencies are CommonJS; esbuild's CJS shim calls
// `require`, which an ES module lacks, so every bundle defines one first.
const BANNER = [
  "import { createRequire as __mlgateCreateRequire } from 'node:module';",
  'const require = __mlgateCreateRequire(import.meta.url);',
].join('\n');

export const DIST_PACKAGE_JSON = `${JSON.stringify({ type: 'module' })}\n`;

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
  /** Files copied beside the bundle (RUNTIME_ASSETS of the packages its gate reaches), by name. */
  assets: string[];
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

const LAZY_NAMESPACE = 'mlgate-native';

/**
 * Every bundle holds the whole gate registry (the entry point validates all of mlgate.yml), and so
 * imports of every gate's native packages. This plugin turns each native import into a module that
 * loads the package if it is installed and otherwise exports stand-ins that fail, naming the package,
 * only when used: a gate without natives of its own then starts without them.
 */
function tolerantNatives(): Plugin {
  return nativeStandIns('tolerant-natives', LAZY_NAMESPACE, (path, names) =>
    [
      'let native;',
      'let failure;',
      `try { native = require(${JSON.stringify(path)}); } catch (error) { failure = error; }`,
      'function missing() {',
      `  const fail = () => { throw new Error(${JSON.stringify(`${path} is not installed beside this action: `)} + String(failure && failure.message).split("\\n")[0]); };`,
      '  return new Proxy(function () {}, { get: fail, set: fail, has: fail, apply: fail, construct: fail });',
      '}',
      ...names.map((name) => `export const ${name} = native ? native.${name} : missing();`),
      'export default native ?? missing();',
    ].join('\n'),
  );
}

/**
 * The natives a gate's own code reaches from its entry point, not counting the registry
 * (`actions/gates.ts`), through which every bundle reaches every gate.
 */
function reached(metafile: Metafile, entry: string): { natives: string[]; packages: Set<string> } {
  const cwd = process.cwd();
  const key = (path: string) => path.split('\\').join('/');
  const registry = key(relative(cwd, join(ACTIONS_DIR, 'gates.ts')));
  const start = key(relative(cwd, entry));
  const seen = new Set<string>([start]);
  const queue = [start];
  const natives = new Set<string>();
  const packages = new Set<string>();
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (current.startsWith(`${LAZY_NAMESPACE}:`)) natives.add(current.slice(LAZY_NAMESPACE.length + 1));
    const name = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(current)?.[1];
    if (name) packages.add(name);
    if (current === registry) continue;
    for (const imported of metafile.inputs[current]?.imports ?? []) {
      if (imported.external || seen.has(imported.path)) continue;
      seen.add(imported.path);
      queue.push(imported.path);
    }
  }
  return { natives: [...natives].sort(), packages };
}

/**
 * Bundles every action in one esbuild build: `<outRoot>/<name>/dist/index.js`, ESM for Node 20+, with
 * native packages loaded from beside the action at run time. Deterministic, so a rebuild of unchanged
 * sources is byte-identical (which is what `npm run check:dist` relies on).
 */
export async function buildActions(actions: readonly ActionEntry[], outRoot: string): Promise<BuiltAction[]> {
  if (actions.length === 0) return [];
  const result = await build({
    entryPoints: Object.fromEntries(actions.map((action) => [`${action.name}/dist/index`, action.entry])),
    outdir: outRoot,
    ...NODE_BUNDLE,
    plugins: [tolerantNatives(), sqlJsDirname()],
    banner: { js: BANNER },
    metafile: true,
    write: true,
  });
  const sizes = new Map(
    Object.entries(result.metafile.outputs).map(([file, output]) => [resolve(file), output.bytes]),
  );
  const requireFromRoot = createRequire(join(ACTIONS_DIR, '..', 'package.json'));
  const built: BuiltAction[] = [];
  for (const action of actions) {
    const dist = join(outRoot, action.name, 'dist');
    // Marks the bundle as ESM wherever the action is checked out, whatever package.json sits above it.
    await mkdir(dist, { recursive: true });
    await writeFile(join(dist, 'package.json'), DIST_PACKAGE_JSON);
    const { natives, packages } = reached(result.metafile, action.entry);
    const assets = Object.entries(RUNTIME_ASSETS).filter(([name]) => packages.has(name));
    for (const [, file] of assets) await copyFile(requireFromRoot.resolve(file), join(dist, basename(file)));
    const bundle = resolve(dist, 'index.js');
    built.push({
      ...action,
      bundle,
      natives,
      assets: assets.map(([, file]) => basename(file)),
      bytes: sizes.get(bundle) ?? 0,
    });
  }
  return built;
}

/** The version of a package as installed at the root, which is what a bundle was built against. */
async function installedVersion(name: string): Promise<string> {
  const manifest = join(ACTIONS_DIR, '..', 'node_modules', name, 'package.json');
  return z.object({ version: z.string() }).parse(JSON.parse(await readFile(manifest, 'utf8'))).version;
}

/** Keeps an action.yml as its author wrote it (quotes, comments) unless its meaning has to change. */
function keepIfSame(current: string, rendered: string): string {
  return isDeepStrictEqual(parse(current), parse(rendered)) ? current : rendered;
}

/** The files an action's folder must hold besides its bundle, as a map of file name to content. */
export async function plannedFiles(
  action: BuiltAction,
  actionsDir = ACTIONS_DIR,
): Promise<Record<string, string>> {
  const actionYaml = await readFile(join(actionsDir, action.name, 'action.yml'), 'utf8');
  if (action.natives.length === 0)
    return { 'action.yml': keepIfSame(actionYaml, renderNodeAction(actionYaml)) };
  const natives: Record<string, string> = {};
  for (const name of action.natives) natives[name] = await installedVersion(name);
  const manifest = {
    name: `mlgate-${action.name}-action`,
    private: true,
    description: `Native dependencies of the mlgate ${action.name} action, installed by its composite steps.`,
    type: 'module',
    dependencies: natives,
  };
  return {
    'action.yml': keepIfSame(actionYaml, renderCompositeAction(actionYaml, action.name, natives)),
    'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
  };
}

const Lockfile = z.looseObject({
  packages: z.record(
    z.string(),
    z.looseObject({
      version: z.string().optional(),
      dependencies: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

/** Problems of an action's package-lock.json against its package.json (missing, or for other versions). */
export async function checkLockfile(actionDir: string, natives: Record<string, string>): Promise<string[]> {
  const file = join(actionDir, 'package-lock.json');
  if (!existsSync(file)) return [`${file} is missing`];
  const lock = Lockfile.parse(JSON.parse(await readFile(file, 'utf8')));
  const problems: string[] = [];
  const root = lock.packages['']?.dependencies ?? {};
  for (const [name, version] of Object.entries(natives)) {
    if (root[name] !== version || lock.packages[`node_modules/${name}`]?.version !== version) {
      problems.push(`${file} does not lock ${name} ${version}`);
    }
  }
  for (const name of Object.keys(root)) {
    if (!(name in natives)) problems.push(`${file} still locks ${name}`);
  }
  return problems;
}

/**
 * Checks that no bundle imports a native package without its action installing it. Returns one line
 * per problem (today only a missing package.json for an action that gained a native import by hand).
 */
export async function checkPlannedFiles(
  built: readonly BuiltAction[],
  actionsDir = ACTIONS_DIR,
): Promise<string[]> {
  const problems: string[] = [];
  for (const action of built) {
    const dir = join(actionsDir, action.name);
    const planned = await plannedFiles(action, actionsDir);
    for (const [name, content] of Object.entries(planned)) {
      const path = join(dir, name);
      const current = existsSync(path) ? await readFile(path, 'utf8') : undefined;
      if (current !== content)
        problems.push(
          `actions/${action.name}/${name} is ${current === undefined ? 'missing' : 'out of date'}`,
        );
    }
    if (!planned['package.json'] && existsSync(join(dir, 'package.json'))) {
      problems.push(`actions/${action.name}/package.json installs natives its bundle never imports`);
    }
    if (planned['package.json']) {
      const natives = z
        .object({ dependencies: z.record(z.string(), z.string()) })
        .parse(JSON.parse(planned['package.json'])).dependencies;
      problems.push(...(await checkLockfile(dir, natives)));
    }
  }
  return problems;
}

async function writeIfChanged(path: string, content: string): Promise<boolean> {
  const current = existsSync(path) ? await readFile(path, 'utf8') : undefined;
  if (current === content) return false;
  await writeFile(path, content);
  return true;
}

/** Builds every bundle, then brings each action's action.yml, package.json and lockfile in line. */
async function main() {
  const actions = await discoverActions();
  const built = await buildActions(actions, ACTIONS_DIR);
  for (const action of built) {
    const dir = join(ACTIONS_DIR, action.name);
    const planned = await plannedFiles(action);
    for (const [name, content] of Object.entries(planned)) {
      if (await writeIfChanged(join(dir, name), content)) console.log(`wrote actions/${action.name}/${name}`);
    }
    if (planned['package.json']) {
      const natives = z
        .object({ dependencies: z.record(z.string(), z.string()) })
        .parse(JSON.parse(planned['package.json'])).dependencies;
      if ((await checkLockfile(dir, natives)).length > 0) {
        // Only the lockfile: the natives are installed on the runner, never here.
        execFileSync(
          'npm',
          ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
          {
            cwd: dir,
            stdio: 'inherit',
          },
        );
        console.log(`wrote actions/${action.name}/package-lock.json`);
      }
    } else if (existsSync(join(dir, 'package.json'))) {
      await rm(join(dir, 'package.json'));
      await rm(join(dir, 'package-lock.json'), { force: true });
      console.log(`removed actions/${action.name}/package.json: its bundle imports no native package`);
    }
    const natives = action.natives.length > 0 ? ` (composite, natives: ${action.natives.join(', ')})` : '';
    const assets = action.assets.length > 0 ? ` + ${action.assets.join(', ')}` : '';
    console.log(
      `actions/${action.name}/dist/index.js ${(action.bytes / 1024).toFixed(0)} KiB${natives}${assets}`,
    );
  }
  const cli = await buildCliPackage();
  console.log(
    `${relative(process.cwd(), cli.dir)}/: the mlgate ${cli.manifest.version} package, bundle ${(cli.bundleBytes / 1024).toFixed(0)} KiB (npm pack ${relative(process.cwd(), cli.dir)})`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
