import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ACTIONS_DIR,
  type ActionEntry,
  buildActions,
  checkPlannedFiles,
  DIST_PACKAGE_JSON,
  discoverActions,
} from './build.ts';

const FIX =
  'run `npm run build` and commit dist/ (and the action.yml, package.json and package-lock.json it rewrites)';

/**
 * Compares committed bundles with a fresh build of the sources, one line per difference. Users run
 * exactly the committed `dist/`, so a bundle older than its sources ships code nobody reviewed.
 */
export async function findDistDrift(
  actions: readonly ActionEntry[],
  actionsDir = ACTIONS_DIR,
): Promise<string[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'mlgate-dist-'));
  try {
    const built = await buildActions(actions, scratch);
    const problems = await checkPlannedFiles(built, actionsDir);
    for (const action of built) {
      const committed = join(actionsDir, action.name, 'dist', 'index.js');
      if (!existsSync(committed)) {
        problems.push(`actions/${action.name}/dist/index.js is missing`);
        continue;
      }
      const [fresh, current] = await Promise.all([readFile(action.bundle), readFile(committed)]);
      if (!fresh.equals(current)) problems.push(`actions/${action.name}/dist/index.js is out of date`);
      for (const asset of action.assets) {
        const copy = join(actionsDir, action.name, 'dist', asset);
        const fresh = await readFile(join(action.bundle, '..', asset));
        if (!existsSync(copy) || !fresh.equals(await readFile(copy))) {
          problems.push(`actions/${action.name}/dist/${asset} is missing or out of date`);
        }
      }
      const marker = join(actionsDir, action.name, 'dist', 'package.json');
      if (!existsSync(marker) || (await readFile(marker, 'utf8')) !== DIST_PACKAGE_JSON) {
        problems.push(`actions/${action.name}/dist/package.json is missing or changed`);
      }
    }
    const names = new Set(actions.map((action) => action.name));
    for (const entry of await readdir(actionsDir, { withFileTypes: true })) {
      if (entry.isDirectory() && !names.has(entry.name) && existsSync(join(actionsDir, entry.name, 'dist'))) {
        problems.push(`actions/${entry.name}/dist/ has no action (action.yml + main.ts) any more`);
      }
    }
    return problems;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const problems = await findDistDrift(await discoverActions());
  if (problems.length === 0) {
    console.log('dist/ is up to date with the sources.');
    return;
  }
  for (const problem of problems) console.error(`error: ${problem}`);
  console.error(`\ndist/ does not match the sources: ${FIX}.`);
  process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
