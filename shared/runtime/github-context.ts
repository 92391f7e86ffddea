import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RunContext } from './runtime.ts';

const EventPayload = z.looseObject({
  pull_request: z
    .looseObject({
      number: z.number(),
      base: z.looseObject({ sha: z.string() }).optional(),
      head: z
        .looseObject({
          sha: z.string().optional(),
          repo: z.looseObject({ fork: z.boolean().optional() }).nullable().optional(),
        })
        .optional(),
    })
    .optional(),
  workflow_run: z.looseObject({ head_sha: z.string().optional() }).optional(),
  release: z.looseObject({ id: z.number(), tag_name: z.string(), upload_url: z.string() }).optional(),
});

/**
 * The run context from the variables the Actions runner sets. Read here rather than from
 * `@actions/github`'s module-level `context` so that it reflects the environment at the time of the call.
 */
export function readGitHubContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const context: RunContext = {};
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (owner && repo) context.repository = { owner, repo };
  if (env.GITHUB_SHA) context.sha = env.GITHUB_SHA;
  if (env.GITHUB_REF) context.ref = env.GITHUB_REF;
  if (env.GITHUB_EVENT_NAME) context.eventName = env.GITHUB_EVENT_NAME;
  if (env.GITHUB_ACTOR) context.actor = env.GITHUB_ACTOR;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    context.runUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  if (env.GITHUB_EVENT_PATH) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
    } catch {
      raw = {};
    }
    const event = EventPayload.safeParse(raw);
    const pull = event.success ? event.data.pull_request : undefined;
    if (pull) {
      context.pullRequest = pull.number;
      if (pull.base?.sha) context.baseSha = pull.base.sha;
      // On pull_request events GITHUB_SHA is the test merge commit; the head is what the author pushed.
      if (pull.head?.sha) context.sha = pull.head.sha;
      context.fork = pull.head?.repo?.fork === true;
    }
    const release = event.success ? event.data.release : undefined;
    if (release)
      context.release = { id: release.id, tagName: release.tag_name, uploadUrl: release.upload_url };
  }
  return context;
}
