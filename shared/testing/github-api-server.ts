import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkRequest,
  checkResponse,
  exampleResponse,
  isBinaryBody,
  type MatchedOperation,
  matchOperation,
} from './github-openapi.ts';

/**
 * Where this server takes what GitHub serves from another origin (release asset uploads, at
 * `https://uploads.github.com` on github.com): a path prefix, as GitHub Enterprise Server has it.
 */
const UPLOADS_PREFIX = '/api/uploads';

/** A request the server received, after matching it to GitHub's description. */
export interface RecordedRequest {
  method: string;
  /** Documented route, e.g. `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`; undefined if none. */
  route: string | undefined;
  path: string;
  pathParams: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; for an upload, the raw bytes (a Buffer). */
  body: unknown;
  headers: IncomingMessage['headers'];
}

export interface HandlerReply {
  status: number;
  /** Omit to answer with the description's own example for this operation and status. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: RecordedRequest, tools: HandlerTools) => HandlerReply | Promise<HandlerReply>;

export interface HandlerTools {
  /** The description's example body for this operation at `status` (a fresh copy to modify). */
  example(status: number): unknown;
  /** Base URL of this server, for Link headers. */
  baseUrl: string;
  /** Origin of uploads on this server (see `GitHubApiServer.uploadsUrl`), for a release's `upload_url`. */
  uploadsUrl: string;
}

export interface GitHubApiServer {
  /** Use as `GITHUB_API_URL` / Octokit `baseUrl`. */
  url: string;
  /**
   * The origin of uploads (what `https://uploads.github.com` is on github.com): a release's `upload_url`
   * is `<uploadsUrl>/repos/{owner}/{repo}/releases/{release_id}/assets{?name,label}`. Uploads sent to
   * `url` instead, or API calls sent here, are violations, as they would fail on GitHub.
   */
  uploadsUrl: string;
  requests: RecordedRequest[];
  /**
   * Every departure from GitHub's description: undocumented routes, bad parameters or bodies, and
   * handler replies that do not match the documented response schema. Tests assert it stays empty.
   */
  violations: string[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The body as the operation takes it: raw bytes for an upload, else JSON (or text when it is not JSON). */
function decodeBody(raw: Buffer, matched: MatchedOperation | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (matched && isBinaryBody(matched)) return raw;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function send(response: ServerResponse, reply: HandlerReply) {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  response.writeHead(reply.status, headers);
  response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
}

/**
 * A local stand-in for api.github.com that checks every request against GitHub's official OpenAPI
 * description (`@octokit/openapi`) and answers through `handlers`, keyed by documented route. Replies
 * default to the description's own examples, and every reply is checked against the documented schema,
 * so tests exercise what GitHub specifies rather than what a hand-written mock assumes.
 */
export async function startGitHubApiServer(
  handlers: Record<string, Handler>,
  /** A fixed port, for clients that read `GITHUB_API_URL` once when imported (@actions/github's). */
  options: { port?: number } = {},
): Promise<GitHubApiServer> {
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  let baseUrl = '';
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const upload = url.pathname.startsWith(`${UPLOADS_PREFIX}/`);
    const path = upload ? url.pathname.slice(UPLOADS_PREFIX.length) : url.pathname;
    const matched: MatchedOperation | undefined = matchOperation(method, path);
    const body = decodeBody(await readBody(request), matched);
    const recorded: RecordedRequest = {
      method,
      route: matched?.route,
      path,
      pathParams: matched?.pathParams ?? {},
      query: url.searchParams,
      body,
      headers: request.headers,
    };
    requests.push(recorded);
    if (!matched) {
      violations.push(`${method} ${url.pathname}: not an endpoint of GitHub's REST API`);
      send(response, { status: 404, body: { message: 'Not Found' } });
      return;
    }
    const servedAt = matched.operation.servers?.[0]?.url;
    if (upload !== (servedAt !== undefined)) {
      violations.push(
        servedAt
          ? `${matched.route}: served at ${servedAt} (the uploads origin, here ${baseUrl}${UPLOADS_PREFIX}), not at the API URL`
          : `${matched.route}: an API call sent to the uploads origin`,
      );
      send(response, { status: 404, body: { message: 'Not Found' } });
      return;
    }
    const problems = checkRequest(matched, url.searchParams, body, request.headers['content-type']);
    if (problems.length > 0) {
      violations.push(...problems.map((problem) => `${matched.route}: ${problem}`));
      send(response, { status: 422, body: { message: 'Validation Failed', errors: problems } });
      return;
    }
    const handler = handlers[matched.route];
    if (!handler) {
      violations.push(`${matched.route}: no handler in this test`);
      send(response, { status: 501, body: { message: `no handler for ${matched.route}` } });
      return;
    }
    try {
      const reply = await handler(recorded, {
        example: (status) => exampleResponse(matched, status),
        baseUrl,
        uploadsUrl: `${baseUrl}${UPLOADS_PREFIX}`,
      });
      const withBody =
        reply.body === undefined ? { ...reply, body: exampleResponse(matched, reply.status) } : reply;
      violations.push(
        ...checkResponse(matched, reply.status, withBody.body).map(
          (problem) => `${matched.route}: ${problem}`,
        ),
      );
      send(response, withBody);
    } catch (error) {
      violations.push(`${matched.route}: handler threw ${String(error)}`);
      send(response, { status: 500, body: { message: 'handler failed' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    uploadsUrl: `${baseUrl}${UPLOADS_PREFIX}`,
    requests,
    violations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A page of `items` as GitHub paginates (`per_page`, `page`, and a `Link` header with rel="next" and
 * rel="last"), so clients that follow Link headers are tested for real.
 */
export function paginate<T>(items: readonly T[], request: RecordedRequest, baseUrl: string): HandlerReply {
  const perPage = Math.min(100, Number(request.query.get('per_page') ?? 30));
  const page = Number(request.query.get('page') ?? 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (target: number) => {
    const query = new URLSearchParams(request.query);
    query.set('per_page', String(perPage));
    query.set('page', String(target));
    return `<${baseUrl}${request.path}?${query}>`;
  };
  const links: string[] = [];
  if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) links.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
  return {
    status: 200,
    body: items.slice((page - 1) * perPage, page * perPage),
    ...(links.length > 0 ? { headers: { link: links.join(', ') } } : {}),
  };
}
