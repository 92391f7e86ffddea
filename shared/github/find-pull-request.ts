import type { GitHubClient } from '../runtime/runtime.ts';

/**
 * The open pull request whose head is `sha`. A `workflow_run` event lists no pull requests for forks, so
 * the two-phase pattern finds the pull request this way, across every page of open pull requests.
 */
export async function findPullRequestByHeadSha(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  sha: string,
): Promise<number | undefined> {
  const pulls = await client.paginate('GET /repos/{owner}/{repo}/pulls', {
    ...repository,
    state: 'open',
    per_page: 100,
  });
  return pulls.find((pull) => pull.head.sha === sha)?.number;
}
