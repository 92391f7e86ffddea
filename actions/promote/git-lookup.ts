import { relative } from 'node:path';
import { runGit } from '../../shared/registry/git.ts';

/** The path of `file` relative to the repository root, in git's `/` form. */
export function repositoryPath(repoRoot: string, file: string): string {
  return relative(repoRoot, file).split('\\').join('/');
}

/** The full id of `revision` as a commit, or undefined when the repository does not have it. */
export async function resolveCommit(repoDir: string, revision: string): Promise<string | undefined> {
  try {
    return (
      (await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}
