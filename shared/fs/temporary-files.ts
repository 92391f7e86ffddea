import { rmSync } from 'node:fs';

/** Temporary files this process has open; removed however the process ends. */
const live = new Set<string>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

function removeAll(): void {
  for (const path of live) {
    try {
      rmSync(path, { force: true });
    } catch {
      // Best effort on the way out: nothing else can be done about it then.
    }
  }
  live.clear();
}

/**
 * Records a temporary file so that it is removed when the process exits, even on an uncaught error
 * (and, once `removeTemporariesOnSignals` ran, on SIGINT and SIGTERM). Call `release` once the file was
 * renamed into place or removed.
 */
export function trackTemporary(path: string): void {
  if (!exitHookInstalled) {
    process.on('exit', removeAll);
    exitHookInstalled = true;
  }
  live.add(path);
}

/** Forgets a temporary file that no longer exists under its temporary name. */
export function releaseTemporary(path: string): void {
  live.delete(path);
}

/** The temporary files still pending removal (for tests). */
export function pendingTemporaries(): string[] {
  return [...live];
}

/**
 * Makes SIGINT and SIGTERM remove the pending temporary files and end the process with the conventional
 * 128 + signal code. Only the entry points call this: a library must not take over a process's signals.
 */
export function removeTemporariesOnSignals(): void {
  if (signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      removeAll();
      process.exit(code);
    });
  }
}
