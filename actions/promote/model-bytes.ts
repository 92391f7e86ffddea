import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { runGit, runGitBytes } from '../../shared/registry/git.ts';

/** The path of `file` relative to the repository root, in git's `/` form. */
export function repositoryPath(repoRoot: string, file: string): string {
  return relative(repoRoot, file).split('\\').join('/');
}

/** sha256 of the blob at `commit:path`, or undefined when git has no such blob (untracked, LFS pointer aside). */
export async function blobDigest(repoDir: string, commit: string, path: string): Promise<string | undefined> {
  try {
    const bytes = await runGitBytes(repoDir, ['cat-file', 'blob', `${commit}:${path}`]);
    return createHash('sha256').update(bytes).digest('hex');
  } catch {
    return undefined;
  }
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
