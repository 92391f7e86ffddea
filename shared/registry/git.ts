import { spawn } from 'node:child_process';

/** A git command that exited non-zero; `stderr` holds git's own explanation. */
export class GitError extends Error {
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(`git ${args.join(' ')} failed: ${stderr.trim() || `exit code ${exitCode}`}`);
    this.name = 'GitError';
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * Runs git in `cwd` and returns its stdout as bytes (blobs such as model files are binary). Never
 * prompts for credentials (there is no terminal in CI); `input` is written to stdin.
 */
export function runGitBytes(cwd: string, args: readonly string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitError(args, code, Buffer.concat(err).toString('utf8')));
    });
    // git may exit before reading stdin (e.g. on a bad argument); its exit code tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Runs git in `cwd` and returns its stdout as text. */
export async function runGit(cwd: string, args: readonly string[], input?: string): Promise<string> {
  return (await runGitBytes(cwd, args, input)).toString('utf8');
}
