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
