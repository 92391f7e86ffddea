import type { GateStatus } from '../result/gate-result.ts';
import type { GitHubClient } from '../runtime/runtime.ts';

/** GitHub cuts a commit status description at 140 characters. */
const DESCRIPTION_LIMIT = 140;

const STATES: Record<GateStatus, 'success' | 'failure' | 'error'> = {
  pass: 'success',
  warn: 'success',
  fail: 'failure',
  error: 'error',
};

/**
 * Sets a commit status (context e.g. `mlgate/fairness`) so branch protection can require it by name.
 * A warning is a success: warnings inform, they do not block.
 */
export async function setCommitStatus(
  client: GitHubClient,
  target: { owner: string; repo: string; sha: string },
  status: { context: string; state: GateStatus; description: string; targetUrl?: string | undefined },
): Promise<void> {
  const description =
    status.description.length > DESCRIPTION_LIMIT
      ? `${status.description.slice(0, DESCRIPTION_LIMIT - 1)}…`
      : status.description;
  await client.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
    owner: target.owner,
    repo: target.repo,
    sha: target.sha,
    state: STATES[status.state],
    context: status.context,
    description,
    ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
  });
}
