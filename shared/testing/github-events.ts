import { exampleResponse, matchOperation } from './github-openapi.ts';

interface Repository {
  owner: string;
  repo: string;
}

function example(path: string): Record<string, unknown> {
  const matched = matchOperation('GET', path);
  const body = matched ? exampleResponse(matched, 200) : undefined;
  if (!body || typeof body !== 'object')
    throw new Error(`GitHub's description has no example for GET ${path}`);
  return body as Record<string, unknown>;
}

function repositoryObject({ owner, repo }: Repository): Record<string, unknown> {
  const repository = example(`/repos/${owner}/${repo}`);
  const ownerObject = { ...(repository.owner as Record<string, unknown>), login: owner };
  return { ...repository, name: repo, full_name: `${owner}/${repo}`, owner: ownerObject, fork: false };
}

export interface PullRequestEventOptions extends Repository {
  number: number;
  headSha: string;
  baseSha: string;
  /** Whether the head branch lives in a fork (its token is then read-only). */
  fork?: boolean;
  action?: 'opened' | 'synchronize' | 'reopened';
}

/**
 * A `pull_request` event payload as the runner writes it to `GITHUB_EVENT_PATH`, built from GitHub's
 * own examples of a pull request, a repository and a user (from @octokit/openapi) with the given
 * numbers and SHAs put in.
 */
export function pullRequestEvent(options: PullRequestEventOptions): Record<string, unknown> {
  const repository = repositoryObject(options);
  const pull = example(`/repos/${options.owner}/${options.repo}/pulls/${options.number}`);
  const head = pull.head as Record<string, unknown>;
  const base = pull.base as Record<string, unknown>;
  const headRepository = options.fork
    ? { ...repository, full_name: `contributor/${options.repo}`, fork: true }
    : repository;
  return {
    action: options.action ?? 'synchronize',
    number: options.number,
    before: '0'.repeat(40),
    after: options.headSha,
    pull_request: {
      ...pull,
      number: options.number,
      head: { ...head, sha: options.headSha, repo: headRepository },
      base: { ...base, sha: options.baseSha, repo: repository },
    },
    repository,
    sender: example('/user'),
  };
}

export interface WorkflowDispatchEventOptions extends Repository {
  inputs: Record<string, string>;
  ref?: string;
  workflow?: string;
}

/** A `workflow_dispatch` event payload, as for a run started from the Actions tab or the API. */
export function workflowDispatchEvent(options: WorkflowDispatchEventOptions): Record<string, unknown> {
  return {
    inputs: options.inputs,
    ref: options.ref ?? 'refs/heads/main',
    repository: repositoryObject(options),
    sender: example('/user'),
    workflow: options.workflow ?? '.github/workflows/promote.yml',
  };
}

export interface WorkflowRunEventOptions extends Repository {
  /** The id of the run that completed (what `github.event.workflow_run.id` gives). */
  runId: number;
  /** The `name:` of the workflow that ran. */
  workflowName: string;
  headSha: string;
  headBranch?: string;
  /** The event that started that run, e.g. `pull_request`. */
  event?: string;
  conclusion?: 'success' | 'failure' | 'cancelled';
  /** The repository the head commit lives in: `contributor/<repo>`, a fork, by default. */
  headRepository?: string;
}

/**
 * A `workflow_run` event (`completed`) payload: another workflow's run finished. Built from GitHub's own
 * examples of a workflow run and a workflow (from @octokit/openapi) with the given ids and SHAs put in;
 * `checkWebhookPayload('workflow-run-completed', ...)` checks it against GitHub's webhook schema.
 */
export function workflowRunEvent(options: WorkflowRunEventOptions): Record<string, unknown> {
  // The webhook's repository object requires `language`, which the REST example leaves out, and types
  // the template repository's differently: a repository made from no template has none.
  const { template_repository: _template, ...rest } = repositoryObject(options);
  const repository: Record<string, unknown> = { ...rest, language: 'Python' };
  const run = example(`/repos/${options.owner}/${options.repo}/actions/runs/${options.runId}`);
  const workflow = example(`/repos/${options.owner}/${options.repo}/actions/workflows/1`);
  const headName = options.headRepository ?? `contributor/${options.repo}`;
  const fork = headName !== `${options.owner}/${options.repo}`;
  const headOwner = { ...(repository.owner as Record<string, unknown>), login: headName.split('/')[0] };
  const headRepository = {
    ...(run.head_repository as Record<string, unknown>),
    name: headName.split('/')[1],
    full_name: headName,
    owner: headOwner,
    fork,
  };
  return {
    action: 'completed',
    workflow: { ...workflow, name: options.workflowName },
    workflow_run: {
      ...run,
      id: options.runId,
      name: options.workflowName,
      event: options.event ?? 'pull_request',
      status: 'completed',
      conclusion: options.conclusion ?? 'success',
      head_sha: options.headSha,
      head_branch: options.headBranch ?? 'patch-1',
      head_commit: { ...(run.head_commit as Record<string, unknown>), id: options.headSha },
      // GitHub lists no pull requests on a run from a fork.
      pull_requests: fork ? [] : run.pull_requests,
      head_repository: headRepository,
      repository: {
        ...(run.repository as Record<string, unknown>),
        full_name: `${options.owner}/${options.repo}`,
      },
    },
    repository,
    sender: example('/user'),
  };
}

export interface ReleaseEventOptions extends Repository {
  releaseId: number;
  tag: string;
  /** The origin of uploads: `https://uploads.github.com` on github.com, a test server's `uploadsUrl` here. */
  uploadsUrl?: string;
  /** The commit the tag points at (what `target_commitish` may name). */
  target?: string;
}

/**
 * A `release` event (`published`) payload: a release was published for a tag. Built from GitHub's own
 * example of a release (from @octokit/openapi) with the given id, tag and upload origin put in;
 * `checkWebhookPayload('release-published', ...)` checks it against GitHub's webhook schema.
 */
export function releaseEvent(options: ReleaseEventOptions): Record<string, unknown> {
  // As for workflow_run: the webhook's repository requires `language` and no template repository object.
  const { template_repository: _template, ...rest } = repositoryObject(options);
  const repository: Record<string, unknown> = { ...rest, language: 'Python' };
  const { owner, repo, releaseId, tag } = options;
  const release = example(`/repos/${owner}/${repo}/releases/${releaseId}`);
  const api = `https://api.github.com/repos/${owner}/${repo}`;
  const uploads = options.uploadsUrl ?? 'https://uploads.github.com';
  return {
    action: 'published',
    release: {
      ...release,
      id: releaseId,
      tag_name: tag,
      name: tag,
      target_commitish: options.target ?? 'main',
      draft: false,
      prerelease: false,
      url: `${api}/releases/${releaseId}`,
      html_url: `https://github.com/${owner}/${repo}/releases/tag/${tag}`,
      assets_url: `${api}/releases/${releaseId}/assets`,
      upload_url: `${uploads}/repos/${owner}/${repo}/releases/${releaseId}/assets{?name,label}`,
      tarball_url: `${api}/tarball/${tag}`,
      zipball_url: `${api}/zipball/${tag}`,
      // The webhook's release requires `updated_at`, which the REST example leaves out.
      updated_at: release.published_at,
      // Assets are attached after publishing; the webhook lists those there were at that moment.
      assets: [],
    },
    repository,
    sender: example('/user'),
  };
}
