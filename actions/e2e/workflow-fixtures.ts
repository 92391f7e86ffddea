import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { UsesHandler } from '../../shared/testing/action-runner.ts';
import type { Handler } from '../../shared/testing/github-api-server.ts';
import { ACTIONS_DIR } from '../build.ts';
import type { StagedActions } from './stage-actions.ts';

const ROOT = join(ACTIONS_DIR, '..');
const run = promisify(execFile);

/** How a workflow refers to an mlgate action: `<owner>/mlgate/actions/<gate>@<ref>`, or `./actions/<gate>` here. */
export const MLGATE_ACTION = /^(?:[^/@\s]+\/mlgate\/actions\/([a-z-]+)@\S+|\.\/actions\/([a-z-]+))$/;

export interface FixturesRepository {
  /** The commit every checkout is at. */
  sha: string;
  /**
   * A fresh checkout, as `actions/checkout` leaves one on a new runner: a clone of the repository (the
   * fixtures project with the code its training script imports), with dependencies installed: the
   * repository's own node_modules, linked (what `npm ci` of the same lockfile would install).
   */
  checkout(): Promise<string>;
  remove(): Promise<void>;
}

/** This repository's layout: the fixtures project with the code its training script imports. */
async function repositoryLayout(origin: string): Promise<void> {
  for (const path of ['fixtures', 'shared', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    await cp(join(ROOT, path), join(origin, path), { recursive: true });
  }
}

/**
 * The repository the workflows run in, one commit: by default `fixtures/`, `shared/` and the package
 * files; `layout` writes another set of files into the empty folder instead.
 */
export async function fixturesRepository(
  layout: (origin: string) => Promise<void> = repositoryLayout,
): Promise<FixturesRepository> {
  const dirs: string[] = [];
  const origin = await mkdtemp(join(tmpdir(), 'mlgate-e2e-origin-'));
  dirs.push(origin);
  await layout(origin);
  const git = (cwd: string, ...args: string[]) => run('git', args, { cwd });
  await git(origin, 'init', '-q', '-b', 'main');
  await git(origin, 'add', '.');
  await git(origin, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'models');
  const sha = (await git(origin, 'rev-parse', 'HEAD')).stdout.trim();
  return {
    sha,
    async checkout() {
      const dir = await mkdtemp(join(tmpdir(), 'mlgate-e2e-checkout-'));
      dirs.push(dir);
      await git(dir, 'clone', '-q', origin, '.');
      await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      return dir;
    },
    async remove() {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Where the `uses:` of a workflow go in the tests: mlgate's actions to the staged builds, checkout and
 * setup-node to nothing (the checkout is the job's workspace, and Node is the one running the tests),
 * anything else to the given stand-ins (keyed `owner/name`), e.g. `localArtifactActions`.
 */
export function resolveUses(
  staged: StagedActions,
  standIns: Record<string, UsesHandler>,
): (uses: string) => string | UsesHandler | undefined {
  return (uses) => {
    const match = MLGATE_ACTION.exec(uses);
    if (match) return staged.dirs[match[1] ?? match[2]!];
    if (/^actions\/(checkout|setup-node)@/.test(uses)) return () => ({});
    return standIns[uses.split('@')[0]!];
  };
}

/**
 * The GitHub API a pull-request report needs: its sticky comment (none yet), commit statuses, and the
 * open pull requests (`pulls`), where a `workflow_run` report finds its pull request by head SHA.
 */
export function pullRequestReportHandlers(
  pulls: { number: number; headSha: string }[],
): Record<string, Handler> {
  return {
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': () => ({ status: 200, body: [] }),
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': (_request, tools) => ({
      status: 201,
      body: tools.example(201),
    }),
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': (_request, tools) => ({
      status: 200,
      body: tools.example(200),
    }),
    'POST /repos/{owner}/{repo}/statuses/{sha}': (_request, tools) => ({
      status: 201,
      body: tools.example(201),
    }),
    'GET /repos/{owner}/{repo}/pulls/{pull_number}': (_request, tools) => ({
      status: 200,
      body: tools.example(200),
    }),
    'GET /repos/{owner}/{repo}/pulls': (_request, tools) => {
      const [pull] = tools.example(200) as Record<string, unknown>[];
      const head = pull!.head as Record<string, unknown>;
      // GitHub's example lists a requested team without the `type` its own schema requires.
      const item = { ...pull, requested_teams: [] };
      return {
        status: 200,
        body: pulls.map(({ number, headSha }) => ({ ...item, number, head: { ...head, sha: headSha } })),
      };
    },
  };
}
