import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';
import { SQL_WASM_FILE } from '../shared/sqlite/sql-js.ts';

// What the actions' bundles (actions/build.ts) and the CLI package (actions/build-cli-package.ts) share.

/** The repository's `actions/` folder. */
export const ACTIONS_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Packages with native addons: esbuild cannot inline a `.node` binary, so a bundle leaves these as
 * imports and its action installs them into its own folder (a composite action, see docs/packaging.md).
 */
export const NATIVE_PACKAGES = ['onnxruntime-node', '@duckdb/node-api'] as const;

/** What every bundle of this repository is: ESM for Node 20+, reproducible, licences kept. */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Prefer packages' ESM builds: @actions/* ship only ESM, and their CJS fallbacks would be duplicated.
  mainFields: ['module', 'main'],
  // Paths in the bundle (its comments and module keys) are those under node_modules as seen from here,
  // not wherever a linked node_modules really lives, so every checkout builds the same bytes.
  preserveSymlinks: true,
  // Licences of bundled packages are kept, in one block at the end of each bundle.
  legalComments: 'eof',
  logLevel: 'silent',
} as const satisfies BuildOptions;

/**
 * Files a package's code loads at run time rather than imports, so esbuild cannot inline them: each is
 * copied beside the bundles whose gate reaches that package (sql.js's WebAssembly, see shared/sqlite).
 */
export const RUNTIME_ASSETS: Record<string, string> = { 'sql.js': `sql.js/dist/${SQL_WASM_FILE}` };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A plugin that replaces each native package's import by a module `contents(path, names)` writes, given
 * the package's name and its export names (read from the installed package): bundles cannot inline a
 * `.node` binary, so each bundle decides how and when the package itself is loaded.
 */
export function nativeStandIns(
  name: string,
  namespace: string,
  contents: (path: string, names: readonly string[]) => string,
): Plugin {
  const requireFromRoot = createRequire(join(ACTIONS_DIR, '..', 'package.json'));
  return {
    name,
    setup(build) {
      const filter = new RegExp(
        `^(${NATIVE_PACKAGES.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`,
      );
      build.onResolve({ filter }, (args) =>
        args.kind === 'require-call' && args.namespace === namespace
          ? { path: args.path, external: true }
          : { path: args.path, namespace },
      );
      build.onLoad({ filter: /.*/, namespace }, (args) => {
        const names = Object.keys(requireFromRoot(args.path) as object)
          .filter((name) => IDENTIFIER.test(name) && name !== 'default')
          .sort();
        return { contents: contents(args.path, names), loader: 'js' };
      });
    },
  };
}

/**
 * sql.js's Node loader takes a default folder for its files from `__dirname`, which an ES module bundle
 * does not define: the bundle would stop with a ReferenceError on the first database. mlgate hands it
 * the WebAssembly bytes itself (shared/sqlite/sql-js.ts), so the folder is only ever computed, never read.
 */
export function sqlJsDirname(): Plugin {
  return {
    name: 'sql-js-dirname',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/]sql\.js[\\/]dist[\\/][^\\/]+\.js$/ }, async (args) => ({
        contents: `var __dirname = "";\n${await readFile(args.path, 'utf8')}`,
        loader: 'js',
      }));
    },
  };
}
