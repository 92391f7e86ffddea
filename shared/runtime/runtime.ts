import type { Octokit } from '@octokit/core';
import type { PaginateInterface } from '@octokit/plugin-paginate-rest';
import { InputError, type SourceLocation } from '../errors.ts';

/** Raw inputs as strings before a gate's schema parses them: one value, or several for list inputs. */
export type RawInputs = Record<string, string | string[] | undefined>;

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Shown only when debugging (`--debug` or the runner's step debug logging). */
  debug(message: string): void;
  /** Runs `work` inside a collapsible log group. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

/** Reports progress through long work: a live line on a terminal, a few plain lines in CI. */
export interface Progress {
  update(done: number): void;
  done(message?: string): void;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  location?: SourceLocation;
}

/**
 * The artifact service could not store or hand over an artifact: a quota, an outage that outlasted the
 * client's retries, a GitHub Enterprise Server without the service. Not a bug, and not the gate's verdict:
 * a gate that only keeps a copy of its files turns it into a warning.
 */
export class ArtifactUnavailableError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactUnavailableError';
  }
}

/** Files kept after the run: workflow artifacts on GitHub, a folder under `--out` locally. */
export interface ArtifactStore {
  /**
   * Stores `files` (paths under `rootDir`) as the artifact `name`, replacing an artifact of that name from
   * an earlier attempt of the run (upload-artifact's `overwrite: true`). Throws ArtifactUnavailableError
   * when the service cannot take it.
   */
  upload(name: string, files: readonly string[], rootDir: string): Promise<{ id?: number; size?: number }>;
  /**
   * Downloads every artifact whose name matches `pattern` (`*` wildcard) into `dir`; returns their folders.
   * Artifacts of this workflow run, or of the run `from.runId` of this repository (which needs a token).
   */
  download(pattern: string, dir: string, from?: { runId: number }): Promise<string[]>;
}

/** An authenticated GitHub REST client (Octokit with pagination, retries and throttling). */
export type GitHubClient = Octokit & { paginate: PaginateInterface };

/** Facts about the repository and event the gate runs for. */
export interface RunContext {
  /** `owner/name` of the repository, when known. */
  repository?: { owner: string; repo: string };
  /** The commit under test. */
  sha?: string;
  ref?: string;
  eventName?: string;
  /** The pull request number, for pull_request-like events. */
  pullRequest?: number;
  /** The base branch's SHA of the pull request, when there is one. */
  baseSha?: string;
  actor?: string;
  runUrl?: string;
  /** Whether the token can be expected to write (false for pull requests from forks). */
  fork?: boolean;
  /** The release of a `release` event: its id, tag and hypermedia upload URL (RFC 6570 template). */
  release?: { id: number; tagName: string; uploadUrl: string };
}

/**
 * Everything a gate may do to the world outside its own files. Gate logic receives one of these and
 * never imports `@actions/*`, so it runs the same from the CLI (local runtime) and from a workflow
 * (GitHub runtime).
 */
export interface Runtime {
  readonly kind: 'local' | 'github';
  readonly log: Logger;
  readonly context: RunContext;
  readonly artifacts: ArtifactStore;
  /** Present only when a token is available (never in the local runtime, which has no network). */
  readonly github: GitHubClient | undefined;
  /** Reads an input: a CLI flag locally, `INPUT_<NAME>` on GitHub. Absent inputs are undefined. */
  input(name: string, options?: { multiple?: boolean }): string | string[] | undefined;
  setOutput(name: string, value: string): void;
  annotate(annotation: Annotation): void;
  /** Appends Markdown to the job summary (locally, `<out>/summary.md`). */
  appendSummary(markdown: string): Promise<void>;
  progress(label: string, total?: number): Progress;
  /** Hides a secret from every log line from now on. */
  maskSecret(value: string): void;
}
