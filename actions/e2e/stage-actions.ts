import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { UsesHandler } from '../../shared/testing/action-runner.ts';
import { ACTIONS_DIR, type ActionEntry, buildActions } from '../build.ts';

const ROOT_NODE_MODULES = resolve(ACTIONS_DIR, '..', 'node_modules');

export interface StagedActions {
  /** The folder of each staged action, as `uses:` would check it out. */
  dirs: Record<string, string>;
  remove(): Promise<void>;
}

/**
 * Builds actions from their current sources (one esbuild build, as `npm run build` does) into a
 * temporary folder laid out like the published repository: `action.yml`, `package.json`,
 * `package-lock.json` and `dist/`. End-to-end tests run these, so they test the sources under the real
 * packaging even before anyone has rebuilt the committed `dist/`.
 */
export async function stageActions(
  actions: readonly (ActionEntry & { source?: string })[],
): Promise<StagedActions> {
  const root = await mkdtemp(join(tmpdir(), 'mlgate-actions-'));
  await buildActions(actions, root);
  const dirs: Record<string, string> = {};
  for (const action of actions) {
    // The folder holding action.yml (and package.json, package-lock.json when the action has natives).
    const source = action.source ?? join(ACTIONS_DIR, action.name);
    const target = join(root, action.name);
    await mkdir(target, { recursive: true });
    await copyFile(join(source, 'action.yml'), join(target, 'action.yml'));
    for (const file of ['package.json', 'package-lock.json']) {
      if (existsSync(join(source, file))) await copyFile(join(source, file), join(target, file));
    }
    dirs[action.name] = target;
  }
  return { dirs, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * `actions/cache` as seen from a composite action on a warm runner: it restores `node_modules` (here,
 * the repository's own, which holds the same locked natives) and reports a hit, so the install step
 * is skipped as on the second run of a workflow.
 */
export const warmNativeCache: UsesHandler = async ({ with: inputs }) => {
  const path = inputs.path;
  if (!path || !inputs.key) throw new Error('actions/cache needs path and key');
  // A real folder of links, never a link to the repository's node_modules: a later `npm ci` in the
  // action folder deletes node_modules, and must not reach through a link into the repository's.
  await mkdir(path, { recursive: true });
  for (const entry of await readdir(ROOT_NODE_MODULES)) {
    if (entry.startsWith('.')) continue;
    const link = join(path, entry);
    if (!existsSync(link)) await symlink(join(ROOT_NODE_MODULES, entry), link, 'dir');
  }
  return { 'cache-hit': 'true', 'cache-primary-key': inputs.key, 'cache-matched-key': inputs.key };
};

/** `actions/cache` on a cold runner: nothing restored, so the install step runs. */
export const coldNativeCache: UsesHandler = ({ with: inputs }) => ({
  'cache-hit': 'false',
  'cache-primary-key': inputs.key ?? '',
});

/**
 * `actions/upload-artifact` and `actions/download-artifact` over one local folder shared by the jobs
 * of a run: upload copies `path` (relative to the job's workspace) into `<root>/<name>/`; download copies
 * every artifact matching `pattern` (or `name`) into `path`, merged or one folder per artifact, as the
 * real actions do. A download with `run-id` reads another run's artifacts, from `runs[run-id]`, and
 * needs `github-token` as the real action does.
 */
export function localArtifactActions(
  root: string,
  runs: Record<string, string> = {},
): Record<string, UsesHandler> {
  return {
    'actions/upload-artifact': async ({ with: inputs, workspace }) => {
      const name = inputs.name ?? 'artifact';
      const source = resolve(workspace, inputs.path ?? '.');
      if (existsSync(source)) await cp(source, join(root, name), { recursive: true });
      else if (inputs['if-no-files-found'] === 'error') throw new Error(`no files at ${inputs.path}`);
      return { 'artifact-id': '1' };
    },
    'actions/download-artifact': async ({ with: inputs, workspace }) => {
      let from = root;
      const runId = inputs['run-id'];
      if (runId) {
        if (!inputs['github-token']) throw new Error('download-artifact with run-id needs github-token');
        const other = runs[runId];
        if (!other) throw new Error(`no artifacts of run ${runId} here`);
        from = other;
      }
      const pattern = inputs.pattern ?? inputs.name ?? '*';
      const matcher = new RegExp(
        `^${pattern
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      const target = resolve(workspace, inputs.path ?? '.');
      const names = existsSync(from) ? (await readdir(from)).filter((name) => matcher.test(name)) : [];
      // The real action fails when a named artifact does not exist.
      if (inputs.name !== undefined && names.length === 0)
        throw new Error(`no artifact named ${inputs.name}`);
      const merge = inputs['merge-multiple'] === 'true' || inputs.name !== undefined;
      for (const name of names) {
        await cp(join(from, name), merge ? target : join(target, name), { recursive: true });
      }
      return { 'download-path': target };
    },
  };
}
