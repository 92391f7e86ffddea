import { spawn } from 'node:child_process';

/** A command as written: a string runs through the shell (as DVC and MLflow do), a list runs as argv. */
export type Command = string | readonly string[];

export interface CommandOutcome {
  /** `ok`, `exit` (non-zero status or killed by a signal), `timeout`, or `spawn` (could not start). */
  kind: 'ok' | 'exit' | 'timeout' | 'spawn';
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  /** stdout and stderr interleaved as they came, cut to the last `tailBytes`. */
  tail: string;
  /** Why it could not start (kind `spawn`). */
  reason?: string;
}

export interface RunCommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  tailBytes?: number;
  /** Called with each chunk of output, for live logs. */
  onOutput?: (chunk: string) => void;
}

/** Keeps only the last `limit` characters written to it, so a chatty command cannot fill memory. */
class Tail {
  private text = '';
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit);
  }
  value(): string {
    return this.text.slice(-this.limit);
  }
}

/** The last `lines` lines of `text`, for messages. */
export function lastLines(text: string, lines = 20): string {
  return text.trimEnd().split(/\r?\n/).slice(-lines).join('\n');
}

/**
 * Runs one command to completion and never throws: failures come back as a kind with the output tail.
 * On timeout the whole process group is killed, since shells and package runners start children of
 * their own that a plain kill would leave behind.
 */
export function runCommand(command: Command, options: RunCommandOptions): Promise<CommandOutcome> {
  const started = performance.now();
  const tail = new Tail(options.tailBytes ?? 8192);
  return new Promise((resolve) => {
    const [file, args, shell] =
      typeof command === 'string' ? [command, [], true] : [command[0] ?? '', command.slice(1), false];
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      shell,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const kill = () => {
      if (child.pid === undefined) return;
      try {
        if (process.platform === 'win32') child.kill('SIGKILL');
        else process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail.push(text);
      options.onOutput?.(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({
        kind: 'spawn',
        exitCode: null,
        signal: null,
        durationMs: performance.now() - started,
        tail: tail.value(),
        reason: error.message,
      });
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const kind = timedOut ? 'timeout' : exitCode === 0 ? 'ok' : 'exit';
      resolve({ kind, exitCode, signal, durationMs: performance.now() - started, tail: tail.value() });
    });
  });
}

/** Quotes one argument for a POSIX shell, as MLflow does with `shlex.quote`. */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** The command as a person would type it, for messages and details. */
export function describeCommand(command: Command): string {
  return typeof command === 'string' ? command : command.map(shellQuote).join(' ');
}
