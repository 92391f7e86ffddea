import { InputError } from '../../shared/errors.ts';
import { httpStatusOf } from '../../shared/github/http-status.ts';
import type { Runtime } from '../../shared/runtime/runtime.ts';

/**
 * Events whose runs execute the workflow and code of the branch they ran on, as committed: never code a
 * pull request proposes (`pull_request`, `pull_request_target` and `workflow_run` can all be steered by one).
 */
const TRUSTED_EVENTS = new Set(['push', 'workflow_dispatch', 'schedule', 'release', 'merge_group']);

/**
 * Checks that workflow run `runId` may vouch for evidence: it ran this repository's default branch (not a
 * fork, not a pull request's branch) on an event that runs committed code. Whoever can push to the default
 * branch could forge its artifacts anyway; anyone who can open a pull request cannot. Returns how the run
 * is described in messages; throws an InputError naming what disqualifies it.
 */
export async function checkRunProvenance(runtime: Runtime, runId: number, spec: string): Promise<string> {
  const { github } = runtime;
  const repository = runtime.context.repository;
  if (!github || !repository) {
    throw new InputError(`--evidence ${spec} needs GitHub: a token and the repository (GITHUB_REPOSITORY)`);
  }
  const fullName = `${repository.owner}/${repository.repo}`;
  let run: {
    event: string;
    head_branch: string | null;
    head_sha: string;
    path: string;
    head_repository: { full_name: string };
  };
  try {
    ({ data: run } = await github.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
      ...repository,
      run_id: runId,
    }));
  } catch (error) {
    if (httpStatusOf(error) === 404)
      throw new InputError(`--evidence ${spec}: no workflow run ${runId} in ${fullName}`);
    throw error;
  }
  const { data: repo } = await github.request('GET /repos/{owner}/{repo}', repository);
  const refuse = (why: string) =>
    new InputError(
      `--evidence ${spec}: workflow run ${runId} ${why}, so its artifacts are not trusted evidence: use a run on ${repo.default_branch} (push, workflow_dispatch, schedule or release)`,
    );
  if (run.head_repository.full_name !== fullName)
    throw refuse(`ran code from ${run.head_repository.full_name}`);
  if (run.head_branch !== repo.default_branch) throw refuse(`ran branch ${run.head_branch ?? '(none)'}`);
  if (!TRUSTED_EVENTS.has(run.event)) throw refuse(`was started by a ${run.event} event`);
  return `${run.path} on ${run.head_branch} at ${run.head_sha.slice(0, 12)}`;
}
