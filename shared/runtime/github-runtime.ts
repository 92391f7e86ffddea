import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { readGitHubContext } from './github-context.ts';
import { createFolderArtifactStore, wildcard } from './local-runtime.ts';
import { createProgressLine } from './progress-line.ts';
import {
  type Annotation,
  type ArtifactStore,
  ArtifactUnavailableError,
  type GitHubClient,
  type Logger,
  type RunContext,
  type Runtime,
} from './runtime.ts';

/** GitHub shows at most 10 error and 10 warning annotations per step; the rest are dropped silently. */
export const ANNOTATION_LIMIT = 10;
/** GitHub drops a step summary over 1 MiB whole; keep well under it. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

/** One Octokit for every gate: pagination, retries on 5xx, and waiting out rate limits (twice at most). */
export function createGitHubClient(token: string, baseUrl?: string): GitHubClient {
  return getOctokit(
    token,
    {
      ...(baseUrl ? { baseUrl } : {}),
      retry: { retries: 3 },
      throttle: {
        onRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) =>
          retryCount < 2,
        onSecondaryRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) =>
          retryCount < 2,
      },
    },
    retry,
    throttling,
  ) as unknown as GitHubClient;
}

/** The client's errors run to several lines (a help paragraph after the reason): keep the reason. */
function unavailable(what: string, error: unknown): ArtifactUnavailableError {
  const reason = (error instanceof Error ? error.message : String(error))
    .split('\n')[0]
    ?.trim()
    .replace(/\.$/, '');
  return new ArtifactUnavailableError(`${what}: ${reason || 'no reason given'}`);
}

function githubArtifactStore(token: string | undefined, repository: RunContext['repository']): ArtifactStore {
  const client = new DefaultArtifactClient();
  // Another run's artifacts go through the REST API, which needs a token with actions: read.
  const findIn = (runId: number) => {
    if (!token || !repository) {
      throw new ArtifactUnavailableError(
        `artifacts of workflow run ${runId} need a token (input token) and GITHUB_REPOSITORY`,
      );
    }
    return {
      findBy: {
        token,
        workflowRunId: runId,
        repositoryOwner: repository.owner,
        repositoryName: repository.repo,
      },
    };
  };
  return {
    async upload(name, files, rootDir) {
      try {
        // upload-artifact's `overwrite: true`: a re-run of the job (or a second step for the same name)
        // replaces the artifact instead of meeting the service's 409 "already exists". Listing first keeps
        // the client from warning about a missing artifact on every first upload.
        const { artifacts } = await client.listArtifacts({ latest: true });
        if (artifacts.some((artifact) => artifact.name === name)) await client.deleteArtifact(name);
        const response = await client.uploadArtifact(name, [...files], rootDir);
        return {
          ...(response.id ? { id: response.id } : {}),
          ...(response.size ? { size: response.size } : {}),
        };
      } catch (error) {
        throw unavailable(`could not store the workflow artifact ${name}`, error);
      }
    },
    async download(pattern, dir, from) {
      const matcher = wildcard(pattern);
      const where = from ? findIn(from.runId) : {};
      try {
        const { artifacts } = await client.listArtifacts({ latest: true, ...where });
        const folders: string[] = [];
        for (const artifact of artifacts.filter((candidate) => matcher.test(candidate.name))) {
          const path = join(dir, artifact.name);
          await mkdir(path, { recursive: true });
          await client.downloadArtifact(artifact.id, { path, ...where });
          folders.push(path);
        }
        return folders;
      } catch (error) {
        throw unavailable(
          `could not download workflow artifacts matching ${pattern}${from ? ` from run ${from.runId}` : ''}`,
          error,
        );
      }
    },
  };
}

/**
 * The runtime inside a workflow step: inputs from `INPUT_*`, outputs and summary through the runner's
 * file protocol, annotations as workflow commands, artifacts through the Actions artifact service.
 * Set `MLGATE_ARTIFACT_DIR` to keep artifacts in a folder instead (self-hosted runners, tests).
 */
export function createGitHubRuntime(options: { token?: string } = {}): Runtime {
  const log: Logger = {
    info: (message) => core.info(message),
    warn: (message) => core.warning(message),
    error: (message) => core.error(message),
    debug: (message) => core.debug(message),
    group: (title, work) => core.group(title, work),
  };
  const shown = { error: 0, warning: 0, notice: 0 };
  let summaryBytes = 0;
  let summaryCut = false;
  const token = options.token || undefined;
  if (token) core.setSecret(token);
  const context = readGitHubContext();
  return {
    kind: 'github',
    log,
    context,
    github: token ? createGitHubClient(token, process.env.GITHUB_API_URL) : undefined,
    artifacts: process.env.MLGATE_ARTIFACT_DIR
      ? createFolderArtifactStore(process.env.MLGATE_ARTIFACT_DIR)
      : githubArtifactStore(token, context.repository),
    input(name, { multiple } = {}) {
      if (multiple) {
        const values = core.getMultilineInput(name);
        return values.length > 0 ? values : undefined;
      }
      return core.getInput(name) || undefined;
    },
    setOutput: (name, value) => core.setOutput(name, value),
    annotate({ level, message, title, location }: Annotation) {
      shown[level]++;
      if (shown[level] > ANNOTATION_LIMIT) {
        if (shown[level] === ANNOTATION_LIMIT + 1)
          core.info(`More ${level} annotations were left out (GitHub shows ${ANNOTATION_LIMIT} per step).`);
        return;
      }
      const properties: core.AnnotationProperties = {
        ...(title ? { title } : {}),
        ...(location ? { file: location.file } : {}),
        ...(location?.line ? { startLine: location.line } : {}),
        ...(location?.column ? { startColumn: location.column } : {}),
      };
      if (level === 'error') core.error(message, properties);
      else if (level === 'warning') core.warning(message, properties);
      else core.notice(message, properties);
    },
    async appendSummary(markdown) {
      if (summaryCut) return;
      let text = `${markdown}\n`;
      const bytes = Buffer.byteLength(text);
      if (summaryBytes + bytes > SUMMARY_LIMIT_BYTES) {
        const room = Math.max(0, SUMMARY_LIMIT_BYTES - summaryBytes - 200);
        text = `${Buffer.from(text).subarray(0, room).toString('utf8')}\n\n> The summary was cut here to stay under GitHub's 1 MiB limit; the full report is in the artifacts.\n`;
        summaryCut = true;
      }
      summaryBytes += Buffer.byteLength(text);
      // Appended directly rather than through core.summary, which caches the file path process-wide.
      const file = process.env.GITHUB_STEP_SUMMARY;
      if (file) await appendFile(file, text);
      else core.info(text);
    },
    progress: (label, total) => createProgressLine(label, total, process.stdout),
    maskSecret: (value) => core.setSecret(value),
  };
}
