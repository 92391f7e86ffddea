import { errorMessage } from '../../shared/errors.ts';
import { setCommitStatus } from '../../shared/github/commit-status.ts';
import { findPullRequestByHeadSha } from '../../shared/github/find-pull-request.ts';
import { httpStatusOf } from '../../shared/github/http-status.ts';
import { upsertStickyComment } from '../../shared/github/sticky-comment.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import type { Runtime } from '../../shared/runtime/runtime.ts';
import type { CardData } from './card-data.ts';
import { commentMarker, previousState, renderPullRequestComment } from './render-comment.ts';

/** Where to read about commenting on pull requests from forks. */
export const FORK_HELP =
  'to comment on pull requests from forks, use the two-phase workflow in docs/workflows/pr-report-from-fork.yml';

export interface PublishOptions {
  comment: boolean;
  statuses: boolean;
  /** Overrides the pull request of the run context (the workflow_run half of the fork pattern). */
  pullRequest?: number | undefined;
  /** Overrides the commit of the run context. */
  sha?: string | undefined;
  artifactName: string;
  /** Whether the comment carries the card's sections (not when they come from an untrusted run). */
  includeCard?: boolean;
}

export interface Published {
  checks: Check[];
  commentUrl?: string;
  /** The comment body that was (or would have been) posted. */
  commentBody: string;
}

const denied = (error: unknown) => {
  const status = httpStatusOf(error);
  return status === 403 || status === 404;
};

/**
 * Posts the pull-request report: one sticky comment per model and a commit status per gate. A read-only
 * token (a pull request from a fork) is not a failure: the report stays in the summary and the artifact.
 */
export async function publishReport(
  runtime: Runtime,
  data: CardData,
  options: PublishOptions,
): Promise<Published> {
  const checks: Check[] = [];
  const { context, github } = runtime;
  const sha = options.sha ?? context.sha;
  let commentBody = renderPullRequestComment(data, {
    runUrl: context.runUrl,
    artifactName: options.artifactName,
    includeCard: options.includeCard !== false,
  });
  const published: Published = { checks, commentBody };
  const repository = context.repository;
  if (!github || !repository) {
    if (runtime.kind === 'github')
      runtime.log.info('No token: no pull-request comment and no commit statuses.');
    return published;
  }
  if (context.fork) {
    runtime.log.warn(
      `This pull request comes from a fork, whose token is read-only: the report is in the job summary and the ${options.artifactName} artifact; ${FORK_HELP}.`,
    );
    checks.push({ id: 'report.comment', status: 'skip', message: `read-only token (fork); ${FORK_HELP}` });
    return published;
  }
  if (options.comment) {
    let pullRequest = options.pullRequest ?? context.pullRequest;
    if (pullRequest === undefined && sha && context.eventName === 'workflow_run') {
      pullRequest = await findPullRequestByHeadSha(github, repository, sha);
    }
    if (pullRequest === undefined) {
      checks.push({ id: 'report.comment', status: 'skip', message: 'not a pull request: no comment' });
    } else {
      try {
        const outcome = await upsertStickyComment(
          github,
          { ...repository, issueNumber: pullRequest },
          commentMarker(data.evidence.model.name),
          (previousBody) => {
            commentBody = renderPullRequestComment(data, {
              previous: previousBody ? previousState(previousBody) : undefined,
              runUrl: context.runUrl,
              artifactName: options.artifactName,
              includeCard: options.includeCard !== false,
            });
            return commentBody;
          },
        );
        published.commentUrl = outcome.url;
        published.commentBody = commentBody;
        checks.push({ id: 'report.comment', status: 'pass', message: `${outcome.action} ${outcome.url}` });
      } catch (error) {
        const status = httpStatusOf(error);
        if (denied(error)) {
          runtime.log.warn(
            `Could not comment on pull request #${pullRequest} (HTTP ${status}: the token cannot write; on a fork it is read-only). The report is in the job summary and the ${options.artifactName} artifact; ${FORK_HELP}.`,
          );
          checks.push({
            id: 'report.comment',
            status: 'skip',
            message: `token cannot comment (HTTP ${status}); ${FORK_HELP}`,
          });
        } else {
          runtime.log.warn(`Could not comment on pull request #${pullRequest}: ${errorMessage(error)}`);
          checks.push({
            id: 'report.comment',
            status: 'warn',
            message: `could not comment: ${errorMessage(error)}`,
          });
        }
      }
    }
  }
  if (options.statuses && sha) {
    try {
      for (const { result } of data.results) {
        await setCommitStatus(
          github,
          { ...repository, sha },
          {
            context: `mlgate/${result.gate}`,
            state: result.status,
            description: result.summary,
            targetUrl: context.runUrl,
          },
        );
      }
      checks.push({
        id: 'report.statuses',
        status: 'pass',
        message: `set ${data.results.length} commit statuses on ${sha.slice(0, 7)}`,
      });
    } catch (error) {
      if (!denied(error)) {
        runtime.log.warn(`Could not set commit statuses: ${errorMessage(error)}`);
        checks.push({
          id: 'report.statuses',
          status: 'warn',
          message: `could not set statuses: ${errorMessage(error)}`,
        });
        return published;
      }
      runtime.log.warn(
        `Could not set commit statuses (HTTP ${httpStatusOf(error)}): the token needs \`statuses: write\`.`,
      );
      checks.push({
        id: 'report.statuses',
        status: 'skip',
        message: `token cannot set statuses (HTTP ${httpStatusOf(error)})`,
      });
    }
  }
  return published;
}
