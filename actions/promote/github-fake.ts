import { createHash } from 'node:crypto';
import type { Handler, HandlerReply } from '../../shared/testing/github-api-server.ts';
import { paginate } from '../../shared/testing/github-api-server.ts';

/**
 * Test support: the state behind a GitHub repository's Git database and deployments, served through
 * the OpenAPI-checking test server. Replies start from the description's own examples.
 */
interface StoredTag {
  tag: string;
  message: string;
  object: string;
  tagger: { name: string; email: string; date: string };
}

export interface GitHubState {
  tags: Map<string, StoredTag>;
  refs: Map<string, string>;
  deployments: {
    id: number;
    sha: string;
    environment: string;
    task: string;
    payload: unknown;
    statuses: string[];
  }[];
  protectionRules: string[];
  /** Called before a ref is created; return a reply to answer with instead (a race, a failure). */
  beforeCreateRef?: (ref: string) => HandlerReply | undefined;
  /** Called before a deployment or status is created; return a reply to fail it. */
  beforeDeploy?: (what: 'deployment' | 'status') => HandlerReply | undefined;
}

type Json = Record<string, unknown>;

function tagSha(body: Json): string {
  return createHash('sha1').update(JSON.stringify(body)).digest('hex');
}

export function newGitHubState(): GitHubState {
  return { tags: new Map(), refs: new Map(), deployments: [], protectionRules: [] };
}

export function gitHubHandlers(state: GitHubState): Record<string, Handler> {
  const tagReply = (sha: string, example: Json): Json => {
    const tag = state.tags.get(sha);
    if (!tag) throw new Error(`no tag object ${sha}`);
    return {
      ...example,
      sha,
      tag: tag.tag,
      message: tag.message,
      tagger: tag.tagger,
      object: { ...(example.object as Json), sha: tag.object, type: 'commit' },
    };
  };
  const refReply = (ref: string, example: Json): Json => ({
    ...example,
    ref,
    object: { ...(example.object as Json), type: 'tag', sha: state.refs.get(ref) },
  });
  return {
    'POST /repos/{owner}/{repo}/git/tags': (request, tools) => {
      const body = request.body as StoredTag;
      const sha = tagSha(body as unknown as Json);
      state.tags.set(sha, { tag: body.tag, message: body.message, object: body.object, tagger: body.tagger });
      return { status: 201, body: tagReply(sha, tools.example(201) as Json) };
    },
    'GET /repos/{owner}/{repo}/git/tags/{tag_sha}': (request, tools) => ({
      status: 200,
      body: tagReply(request.pathParams.tag_sha ?? '', tools.example(200) as Json),
    }),
    'POST /repos/{owner}/{repo}/git/refs': (request, tools) => {
      const { ref, sha } = request.body as { ref: string; sha: string };
      const override = state.beforeCreateRef?.(ref);
      if (override) return override;
      if (state.refs.has(ref)) {
        return {
          status: 422,
          body: {
            message: 'Reference already exists',
            documentation_url: 'https://docs.github.com/rest/git/refs#create-a-reference',
          },
        };
      }
      state.refs.set(ref, sha);
      return { status: 201, body: refReply(ref, tools.example(201) as Json) };
    },
    'GET /repos/{owner}/{repo}/git/ref/{ref}': (request, tools) => {
      const ref = `refs/${decodeURIComponent(request.pathParams.ref ?? '')}`;
      if (!state.refs.has(ref)) return { status: 404, body: { message: 'Not Found', documentation_url: '' } };
      return { status: 200, body: refReply(ref, tools.example(200) as Json) };
    },
    'GET /repos/{owner}/{repo}/git/matching-refs/{ref}': (request, tools) => {
      const prefix = `refs/${decodeURIComponent(request.pathParams.ref ?? '')}`;
      const example = (tools.example(200) as Json[])[0] ?? {};
      const refs = [...state.refs.keys()].filter((ref) => ref.startsWith(prefix)).sort();
      return { status: 200, body: refs.map((ref) => refReply(ref, example)) };
    },
    'GET /repos/{owner}/{repo}/deployments': (request, tools) => {
      const example = (tools.example(200) as Json[])[0] ?? {};
      const matching = state.deployments.filter(
        (deployment) =>
          (!request.query.get('sha') || deployment.sha === request.query.get('sha')) &&
          (!request.query.get('environment') ||
            deployment.environment === request.query.get('environment')) &&
          (!request.query.get('task') || deployment.task === request.query.get('task')),
      );
      return paginate(
        matching.map((deployment) => ({
          ...example,
          ...deployment,
          statuses: undefined,
          url: `${tools.baseUrl}/deployments/${deployment.id}`,
        })),
        request,
        tools.baseUrl,
      );
    },
    'POST /repos/{owner}/{repo}/deployments': (request, tools) => {
      const override = state.beforeDeploy?.('deployment');
      if (override) return override;
      const body = request.body as { ref: string; environment: string; task: string; payload: unknown };
      const deployment = {
        id: state.deployments.length + 1,
        sha: body.ref,
        environment: body.environment,
        task: body.task,
        payload: body.payload,
        statuses: [],
      };
      state.deployments.push(deployment);
      const example = tools.example(201) as Json;
      return {
        status: 201,
        body: {
          ...example,
          id: deployment.id,
          sha: body.ref,
          environment: body.environment,
          task: body.task,
          payload: body.payload,
          url: `${tools.baseUrl}/deployments/${deployment.id}`,
        },
      };
    },
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': (request, tools) => {
      const deployment = state.deployments.find(
        (candidate) => String(candidate.id) === request.pathParams.deployment_id,
      );
      const example = (tools.example(200) as Json[])[0] ?? {};
      return paginate(
        (deployment?.statuses ?? []).map((state) => ({ ...example, state })),
        request,
        tools.baseUrl,
      );
    },
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': (request, tools) => {
      const override = state.beforeDeploy?.('status');
      if (override) return override;
      const deployment = state.deployments.find(
        (candidate) => String(candidate.id) === request.pathParams.deployment_id,
      );
      const { state: status } = request.body as { state: string };
      deployment?.statuses.push(status);
      return { status: 201, body: { ...(tools.example(201) as Json), state: status } };
    },
    'GET /repos/{owner}/{repo}/environments/{environment_name}': (request, tools) => {
      const example = tools.example(200) as Json;
      const rules = ((example.protection_rules as Json[] | undefined) ?? []).filter((rule) =>
        state.protectionRules.includes(String(rule.type)),
      );
      return {
        status: 200,
        body: { ...example, name: request.pathParams.environment_name, protection_rules: rules },
      };
    },
  };
}
