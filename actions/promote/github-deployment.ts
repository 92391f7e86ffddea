import { httpStatusOf } from '../../shared/github/http-status.ts';
import type { GitHubClient } from '../../shared/runtime/runtime.ts';

interface Repository {
  owner: string;
  repo: string;
}

/** What a deploy workflow reads from the deployment: enough to fetch and verify the exact model. */
export interface DeploymentPayload {
  model: string;
  version: string;
  digest: string;
  evidence: string;
  'evidence-sha256'?: string;
  /** The stage assignment tag this deployment records. */
  tag: string;
  'rollback-of'?: string;
}

export interface DeploymentRequest {
  environment: string;
  task: string;
  commit: string;
  payload: DeploymentPayload;
  production: boolean;
  description: string;
  logUrl: string | undefined;
}

export interface RecordedDeployment {
  id: number;
  url: string;
  /** True when this run created it (false: an earlier run had, and only its status was repaired or kept). */
  created: boolean;
}

function isPayloadFor(payload: unknown, tag: string): boolean {
  if (typeof payload === 'string') {
    try {
      return isPayloadFor(JSON.parse(payload) as unknown, tag);
    } catch {
      return false;
    }
  }
  return typeof payload === 'object' && payload !== null && 'tag' in payload && payload.tag === tag;
}

/**
 * Records the promotion as a GitHub Deployment to the stage's environment with a `success` status.
 * Idempotent: a deployment that an earlier run created for the same assignment tag is reused, and only
 * a missing `success` status is added, so a run that failed half-way is repaired by running it again.
 */
export async function recordDeployment(
  github: GitHubClient,
  repository: Repository,
  request: DeploymentRequest,
): Promise<RecordedDeployment> {
  const existing = await github.paginate('GET /repos/{owner}/{repo}/deployments', {
    ...repository,
    sha: request.commit,
    environment: request.environment,
    task: request.task,
    per_page: 100,
  });
  const found = existing.find((candidate) => isPayloadFor(candidate.payload, request.payload.tag));
  let deployment = found ? { id: Number(found.id), url: found.url } : undefined;
  let created = false;
  if (!deployment) {
    const response = await github.request('POST /repos/{owner}/{repo}/deployments', {
      ...repository,
      ref: request.commit,
      task: request.task,
      auto_merge: false,
      // The gates already ran on this commit; commit statuses of other tools must not block the record.
      required_contexts: [],
      payload: { ...request.payload },
      environment: request.environment,
      description: request.description,
      transient_environment: false,
      production_environment: request.production,
    });
    if (response.status !== 201 || !('id' in response.data)) {
      throw new Error(`GitHub did not create the deployment: ${JSON.stringify(response.data)}`);
    }
    deployment = { id: Number(response.data.id), url: response.data.url };
    created = true;
  }
  const statuses = created
    ? []
    : await github.paginate('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...repository,
        deployment_id: deployment.id,
        per_page: 100,
      });
  if (!statuses.some((status) => status.state === 'success')) {
    await github.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...repository,
      deployment_id: deployment.id,
      state: 'success',
      description: request.description.slice(0, 140),
      ...(request.logUrl ? { log_url: request.logUrl } : {}),
      // Earlier deployments to the environment become inactive: exactly one version holds a stage.
      auto_inactive: true,
    });
  }
  return { id: deployment.id, url: deployment.url, created };
}

/**
 * Whether the environment has protection rules. A missing environment has none: GitHub creates it,
 * unprotected, on the first deployment.
 */
export async function environmentProtection(
  github: GitHubClient,
  repository: Repository,
  environment: string,
): Promise<{ exists: boolean; rules: string[] }> {
  try {
    const { data } = await github.request('GET /repos/{owner}/{repo}/environments/{environment_name}', {
      ...repository,
      environment_name: environment,
    });
    return { exists: true, rules: (data.protection_rules ?? []).map((rule) => rule.type) };
  } catch (error) {
    if (httpStatusOf(error) === 404) {
      return { exists: false, rules: [] };
    }
    throw error;
  }
}
