import type { GitHubClient } from '../runtime/runtime.ts';

export interface StickyCommentTarget {
  owner: string;
  repo: string;
  /** The pull request (or issue) number. */
  issueNumber: number;
}

export interface StickyCommentOutcome {
  action: 'created' | 'updated';
  id: number;
  url: string;
  /** The body of the comment that was replaced, to tell what changed since. */
  previousBody?: string;
}

/**
 * The comment of `target` whose body contains `marker`, looked for across every page (a busy pull
 * request has more than 100 comments). The oldest one wins if several do, so it stays in place.
 */
export async function findStickyComment(
  client: GitHubClient,
  target: StickyCommentTarget,
  marker: string,
): Promise<{ id: number; body: string } | undefined> {
  const comments = await client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  const found = comments.find((comment) => comment.body?.includes(marker));
  return found ? { id: found.id, body: found.body ?? '' } : undefined;
}

/**
 * Keeps exactly one comment carrying `marker` on the pull request: updates it in place when it exists,
 * creates it otherwise. `render` receives the previous body (if any) so the new one can refer to it; the
 * rendered body must contain `marker`.
 */
export async function upsertStickyComment(
  client: GitHubClient,
  target: StickyCommentTarget,
  marker: string,
  render: (previousBody: string | undefined) => string,
): Promise<StickyCommentOutcome> {
  const existing = await findStickyComment(client, target, marker);
  const body = render(existing?.body);
  if (!body.includes(marker)) throw new Error('a sticky comment body must contain its marker');
  if (existing) {
    const { data } = await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body,
    });
    return { action: 'updated', id: Number(data.id), url: data.html_url, previousBody: existing.body };
  }
  const { data } = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body,
  });
  return { action: 'created', id: Number(data.id), url: data.html_url };
}
