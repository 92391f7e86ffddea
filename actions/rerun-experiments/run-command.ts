import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

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

/** How long the pipes may stay open once the command itself exited (a descendant may hold them). */
const PIPE_GRACE_MS = 1_000;

/** The environment variable that marks every process a command starts, however far it detaches. */
const RUN_MARK = 'MLGATE_RUN_MARK';

/**
 * Processes carrying `mark` in their environment: every descendant of the command, including those that
 * left its process group and session (`setsid cmd &`, daemons). Linux only (read from /proc); elsewhere
 * the process group is all that can be found.
 */
function markedProcesses(mark: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = `${RUN_MARK}=${mark}\0`;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(needle)) found.push(Number(entry));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills the processes carrying `mark` until none is left (a SIGKILL takes a moment to land). */
async function endMarked(mark: string): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const left = markedProcesses(mark);
    if (left.length === 0) return;
    for (const pid of left) killQuietly(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs one command to completion and never throws: failures come back as a kind with the output tail.
 * On timeout the whole process tree is killed: the process group (shells and package runners start
 * children of their own) and every process carrying this run's mark in its environment, which finds
 * descendants that started a session of their own. The outcome never waits on pipes that such a
 * descendant still holds: they are closed a moment after the command exits or at the deadline.
 */
export function runCommand(command: Command, options: RunCommandOptions): Promise<CommandOutcome> {
  const started = performance.now();
  const tail = new Tail(options.tailBytes ?? 8192);
  const mark = randomBytes(8).toString('hex');
  return new Promise((resolve) => {
    const [file, args, shell] =
      typeof command === 'string' ? [command, [], true] : [command[0] ?? '', command.slice(1), false];
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...options.env, [RUN_MARK]: mark },
      shell,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let exited: { exitCode: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const killTree = () => {
      if (child.pid === undefined) return;
      if (process.platform === 'win32') child.kill('SIGKILL');
      else killQuietly(-child.pid, 'SIGKILL');
      for (const pid of markedProcesses(mark)) killQuietly(pid, 'SIGKILL');
    };
    const finish = (outcome: Omit<CommandOutcome, 'durationMs' | 'tail'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(grace);
      const durationMs = performance.now() - started;
      // A silent detached child may outlive the pipes; the outcome comes once the whole tree has ended.
      void endMarked(mark).then(() => resolve({ ...outcome, durationMs, tail: tail.value() }));
    };
    const closePipesAndFinish = () => {
      killTree();
      child.stdout.destroy();
      child.stderr.destroy();
      const { exitCode, signal } = exited ?? { exitCode: null, signal: 'SIGKILL' as const };
      finish({ kind: timedOut ? 'timeout' : exitCode === 0 ? 'ok' : 'exit', exitCode, signal });
    };
    let grace: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      timedOut = true;
      killTree();
      grace ??= setTimeout(closePipesAndFinish, PIPE_GRACE_MS);
    }, options.timeoutMs);
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail.push(text);
      options.onOutput?.(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => {
      finish({ kind: 'spawn', exitCode: null, signal: null, reason: error.message });
    });
    child.on('exit', (exitCode, signal) => {
      exited = { exitCode, signal };
      grace ??= setTimeout(closePipesAndFinish, PIPE_GRACE_MS);
    });
    child.on('close', (exitCode, signal) => {
      finish({ kind: timedOut ? 'timeout' : exitCode === 0 ? 'ok' : 'exit', exitCode, signal });
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
