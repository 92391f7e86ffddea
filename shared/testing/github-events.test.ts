import { describe, expect, it } from 'vitest';
import { workflowRunEvent } from './github-events.ts';
import { checkWebhookPayload } from './github-openapi.ts';

describe('event payloads', () => {
  it("a workflow_run event of a fork's pull request run matches GitHub's webhook schema", () => {
    const payload = workflowRunEvent({
      owner: 'octo-org',
      repo: 'models',
      runId: 77,
      workflowName: 'model quality gates',
      headSha: 'a'.repeat(40),
    });
    expect(checkWebhookPayload('workflow-run-completed', payload)).toEqual([]);
    expect(payload).toMatchObject({
      workflow_run: {
        id: 77,
        event: 'pull_request',
        head_sha: 'a'.repeat(40),
        head_repository: { full_name: 'contributor/models', fork: true },
        pull_requests: [],
      },
      repository: { full_name: 'octo-org/models' },
    });
  });

  it('the schema check finds what is wrong', () => {
    const payload = workflowRunEvent({
      owner: 'octo-org',
      repo: 'models',
      runId: 77,
      workflowName: 'x',
      headSha: 'a'.repeat(40),
    });
    const { workflow_run: _run, ...withoutRun } = payload;
    expect(checkWebhookPayload('workflow-run-completed', withoutRun)).toEqual([
      "must have required property 'workflow_run'",
    ]);
  });
});
