import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs git in `cwd` and returns its trimmed stdout; rejects with git's own first stderr line. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('git', [...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n')[0];
    throw new Error(stderr || `git ${args.join(' ')} failed`);
  }
}

/** The bytes of `path` (relative to the repository root, `/`-separated) at `commit`, without a checkout. */
export async function gitShowFile(cwd: string, commit: string, path: string): Promise<Buffer> {
  try {
    const { stdout } = await run('git', ['show', `${commit}:${path}`], {
      cwd,
      encoding: 'buffer',
      // Models can be large; git show writes the whole blob at once.
      maxBuffer: 4 * 1024 * 1024 * 1024 - 1,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0];
    throw new Error(stderr || `git show ${commit}:${path} failed`);
  }
}
