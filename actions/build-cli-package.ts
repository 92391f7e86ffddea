import { copyFile, link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { z } from 'zod';
import {
  ACTIONS_DIR,
  NATIVE_PACKAGES,
  NODE_BUNDLE,
  nativeStandIns,
  RUNTIME_ASSETS,
  sqlJsDirname,
} from './bundling.ts';

/** Files the bundle loads at run time (sql.js's WebAssembly), shipped beside it. */
const ASSET_FILES = Object.values(RUNTIME_ASSETS).map((file) => basename(file));

const ROOT = join(ACTIONS_DIR, '..');

/** Where `npm run build` writes the installable package (`npm pack dist/cli`). Git ignores it. */
export const CLI_PACKAGE_DIR = join(ROOT, 'dist', 'cli');

/** The CLI's entry point and the bundle it becomes, relative to the package. */
const CLI_ENTRY = join(ACTIONS_DIR, 'cli-main.ts');
export const CLI_BIN = 'mlgate.js';

/**
 * onnxruntime-node travels inside the package (`bundleDependencies`) without its install script. That
 * script only downloads CUDA execution-provider libraries from nuget.org on linux/x64, and a dependency
 * cannot switch it off for its dependents (npm reads `onnxruntime-node-install=skip` only from the
 * installing project's own .npmrc or environment); without nuget.org it fails the whole `npm install`.
 * The CPU binaries it runs on, for every platform it supports, are in the package itself.
 */
const BUNDLED = ['onnxruntime-node', 'onnxruntime-common'] as const;
const ORT_PLATFORM_BINARIES = 'bin/napi-v6';

const BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __mlgateCreateRequire } from 'node:module';",
  'const require = __mlgateCreateRequire(import.meta.url);',
].join('\n');

const Manifest = z.looseObject({
  version: z.string(),
  dependencies: z.record(z.string(), z.string()).optional(),
});

async function manifestOf(dir: string) {
  return Manifest.parse(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
}

/**
 * Each native import becomes a module whose exports load the package on first use: loading DuckDB
 * takes longer than the rest of a start, so `mlgate --help` or a model-only gate never pays for it,
 * and validate-data never loads onnxruntime unless it reads a model.
 */
function lazyNatives(): Plugin {
  return nativeStandIns('lazy-natives', 'mlgate-lazy-native', (path, names) =>
    [
      'let native;',
      `const load = () => (native ??= require(${JSON.stringify(path)}));`,
      // A function target, so that classes can be constructed and functions called through it.
      'function lazy(member) {',
      '  const real = () => (member === undefined ? load() : load()[member]);',
      '  return new Proxy(function () {}, {',
      '    get(_, key) { const owner = real(); const value = Reflect.get(owner, key); return typeof value === "function" ? value.bind(owner) : value; },',
      '    set(_, key, value) { return Reflect.set(real(), key, value); },',
      '    has(_, key) { return Reflect.has(real(), key); },',
      '    apply(_, self, args) { return Reflect.apply(real(), self, args); },',
      '    construct(_, args) { return Reflect.construct(real(), args); },',
      '  });',
      '}',
      ...names.map((name) => `export const ${name} = lazy(${JSON.stringify(name)});`),
      'export default lazy(undefined);',
    ].join('\n'),
  );
}

/** Inlines the workflow template init starts from: an installed package has no docs/ beside it. */
function inlineWorkflowTemplate(): Plugin {
  return {
    name: 'inline-workflow-template',
    setup(build) {
      build.onLoad({ filter: /[\\/]init[\\/]workflow-template\.ts$/ }, async () => {
        const text = await readFile(join(ROOT, 'docs', 'workflows', 'pr-quality-gates.yml'), 'utf8');
        return {
          contents: `export async function readWorkflowTemplate() { return ${JSON.stringify(text)}; }`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * Copies a package folder, hard-linking files where the file system allows (a copy of onnxruntime-node
 * is some 300 MB), leaving out `skip` (paths relative to `from`) and package.json, which the caller writes.
 */
async function copyPackage(from: string, to: string, skip: (path: string) => boolean): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const source = join(dir, entry.name);
      const path = relative(from, source).split('\\').join('/');
      if (path === 'package.json' || path === 'node_modules' || skip(path)) continue;
      const target = join(to, path);
      if (entry.isDirectory()) await walk(source);
      else if (entry.isFile()) {
        await mkdir(dirname(target), { recursive: true });
        await link(source, target).catch(() => copyFile(source, target));
      }
    }
  };
  await walk(from);
}

export interface CliPackageOptions {
  /**
   * Keep only these onnxruntime binaries (`<platform>/<arch>`, e.g. `linux/x64`). Every platform by
   * default; the end-to-end test keeps its own to pack in seconds instead of a minute.
   */
  platforms?: readonly string[];
}

/** The fields of the package's package.json that tools and tests read back. */
export interface CliManifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  bundleDependencies: string[];
  [field: string]: unknown;
}

export interface BuiltCliPackage {
  dir: string;
  /** The package's package.json as written. */
  manifest: CliManifest;
  bundleBytes: number;
}

/** The package.json of the installable package: the repository's name and version, run-time natives only. */
async function packageManifest(): Promise<CliManifest> {
  const root = z
    .looseObject({
      name: z.string(),
      version: z.string(),
      description: z.string(),
      license: z.string(),
      engines: z.record(z.string(), z.string()),
    })
    .parse(JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')));
  const dependencies: Record<string, string> = {};
  for (const name of [...NATIVE_PACKAGES, ...BUNDLED].sort()) {
    dependencies[name] = (await manifestOf(join(ROOT, 'node_modules', name))).version;
  }
  return {
    name: root.name,
    version: root.version,
    description: root.description,
    license: root.license,
    type: 'module',
    engines: root.engines,
    bin: { mlgate: CLI_BIN },
    files: [CLI_BIN, ...ASSET_FILES],
    dependencies,
    bundleDependencies: [...BUNDLED],
  };
}

const PACKAGE_README = `# mlgate

Quality gates for machine-learning models in CI/CD: validate data, rerun experiments, benchmark,
fairness, model card, promotion. This package is the \`mlgate\` command line.

\`\`\`sh
npm install -D ./mlgate-<version>.tgz
npx mlgate init      # writes mlgate.yml, schemas/ and a pull-request workflow for this repository
npx mlgate run       # every configured gate; results in out/
\`\`\`

onnxruntime-node is bundled without its install script, which only downloads CUDA libraries; mlgate
runs models on the CPU binaries the package ships for every platform it supports.
`;

/**
 * Builds the installable CLI package into `outDir`: one ESM bundle (`mlgate.js`, no TypeScript and no
 * tsx at run time), a package.json whose only dependencies are the native packages, and onnxruntime-node
 * bundled without its install script. `npm pack <outDir>` makes the tarball.
 */
export async function buildCliPackage(
  outDir = CLI_PACKAGE_DIR,
  options: CliPackageOptions = {},
): Promise<BuiltCliPackage> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [CLI_ENTRY],
    outfile: join(outDir, CLI_BIN),
    ...NODE_BUNDLE,
    plugins: [lazyNatives(), inlineWorkflowTemplate(), sqlJsDirname()],
    banner: { js: BANNER },
    // Compiling the bundle is most of a start: minified, V8 reads a third of the bytes.
    minify: true,
    keepNames: true,
  });
  const requireFromRoot = createRequire(join(ROOT, 'package.json'));
  for (const file of Object.values(RUNTIME_ASSETS)) {
    await copyFile(requireFromRoot.resolve(file), join(outDir, basename(file)));
  }
  const manifest = await packageManifest();
  await writeFile(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(outDir, 'README.md'), PACKAGE_README);
  const keep = options.platforms;
  for (const name of BUNDLED) {
    const from = join(ROOT, 'node_modules', name);
    const to = join(outDir, 'node_modules', name);
    await copyPackage(from, to, (path) => {
      if (name !== 'onnxruntime-node') return false;
      if (path === 'script') return true;
      const platform = path.startsWith(`${ORT_PLATFORM_BINARIES}/`)
        ? path
            .slice(ORT_PLATFORM_BINARIES.length + 1)
            .split('/')
            .slice(0, 2)
        : [];
      return keep !== undefined && platform.length === 2 && !keep.includes(platform.join('/'));
    });
    const own = await manifestOf(from);
    if (name === 'onnxruntime-node') {
      // Without the install script, its dependencies that only the script used go too.
      delete own.scripts;
      delete own.devDependencies;
      own.dependencies = { 'onnxruntime-common': own.dependencies?.['onnxruntime-common'] ?? own.version };
    }
    await writeFile(join(to, 'package.json'), `${JSON.stringify(own, null, 2)}\n`);
  }
  const bundleBytes = (await stat(join(outDir, CLI_BIN))).size;
  return { dir: outDir, manifest, bundleBytes };
}
