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
