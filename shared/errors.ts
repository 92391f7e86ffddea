/** Where in a user's file a problem is. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/** Renders `file:line:col` (or the shorter forms when line or column is unknown). */
export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}

/**
 * A mistake in what the user gave us (bad config, bad data, a missing file), as opposed to a bug.
 * The CLI and the actions print its message as one line, without a stack, and exit 2.
 */
export class InputError extends Error {
  readonly location: SourceLocation | undefined;

  constructor(message: string, location?: SourceLocation) {
    super(location ? `${formatLocation(location)} ${message}` : message);
    this.name = 'InputError';
    this.location = location;
  }
}

/** The message of anything thrown, for the one-line error report. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Exit codes of the CLI and the actions. A bug has its own code so that a CI log tells "your input is wrong"
 * (2) from "mlgate is wrong" (3) without reading the message.
 */
export const EXIT_CODES = { pass: 0, fail: 1, input: 2, internal: 3 } as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * The one line for a request GitHub refused after the client's retries (an Octokit request error: an
 * HTTP status and the request): the platform's fault or the token's permissions, not a bug in mlgate,
 * so it exits 2 like other problems the user's set-up can fix. Undefined for anything else.
 */
export function serviceFailureLine(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, request } = error as { status?: unknown; request?: unknown };
  if (typeof status !== 'number' || typeof request !== 'object' || request === null) return undefined;
  const { method, url } = request as { method?: unknown; url?: unknown };
  const route =
    typeof method === 'string' && typeof url === 'string' ? ` to ${method} ${url.split('?')[0]}` : '';
  const message = errorMessage(error).split('\n')[0]!.trim();
  return `GitHub answered ${status}${route}: ${message}`;
}

/** The one line printed for a bug: what broke, and how to report it usefully. */
export function internalErrorLine(error: unknown): string {
  const message = errorMessage(error).split('\n')[0]!.trim();
  return `internal error (a bug in mlgate): ${message}; please report it with the output of the same command run with --debug`;
}

/** What an operating-system error code means for a file the user named, in words. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a file is in the way (a folder was expected)',
  EEXIST: 'a file is in the way (a folder was expected)',
  EISDIR: 'a folder is in the way (a file was expected)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EBUSY: 'the file is busy',
  ERR_FS_EISDIR: 'a folder is in the way (a file was expected)',
};

/** The operating-system error code of `error`, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A file-system failure on a path the user chose (an `--out` folder, a `--failures` file) as the user's
 * one-line InputError, naming that path rather than an internal temporary file; anything else is rethrown
 * unchanged (it is a bug).
 */
export function fileProblem(error: unknown, file: string, doing: string): InputError {
  if (error instanceof InputError) return error;
  const code = errnoCode(error);
  const problem = code ? FILE_PROBLEMS[code] : undefined;
  if (!problem) throw error;
  return new InputError(`cannot ${doing}: ${problem}`, { file });
}
