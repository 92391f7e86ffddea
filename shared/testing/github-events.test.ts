import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGitHubContext } from '../runtime/github-context.ts';
import { releaseEvent, workflowRunEvent } from './github-events.ts';
import { checkWebhookPayload } from './github-openapi.ts';
import { tempDir } from './temp-dir.ts';

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

  it("a release event matches GitHub's webhook schema, and the run context has its release", async () => {
    const payload = releaseEvent({
      owner: 'octo-org',
      repo: 'models',
      releaseId: 31,
      tag: 'v1.1.0',
      uploadsUrl: 'http://127.0.0.1:8/api/uploads',
    });
    expect(checkWebhookPayload('release-published', payload)).toEqual([]);
    const file = join(await tempDir(), 'event.json');
    await writeFile(file, JSON.stringify(payload));
    const context = readGitHubContext({ GITHUB_EVENT_NAME: 'release', GITHUB_EVENT_PATH: file });
    expect(context.release).toEqual({
      id: 31,
      tagName: 'v1.1.0',
      uploadUrl: 'http://127.0.0.1:8/api/uploads/repos/octo-org/models/releases/31/assets{?name,label}',
    });
    expect(context.pullRequest).toBeUndefined();
  });
});
