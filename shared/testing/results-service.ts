import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Handler } from './github-api-server.ts';

/**
 * A stand-in for the GitHub Actions results service: the Twirp JSON API that `@actions/artifact` v2+
 * speaks (`/twirp/github.actions.results.api.v1.ArtifactService/<Method>`) and the blob storage behind the
 * signed URLs it hands out (Azure block-blob uploads: `PUT ?comp=block`, then `PUT ?comp=blocklist`; a
 * plain `GET` to download). Tests run the real artifact client against it, so the requests, the retry and
 * error handling, the zip and the digest are the client's own. Requests that the real service would
 * reject (wrong token, unknown fields, finalizing what was never created) are recorded as violations.
 */
export interface ResultsService {
  /** `ACTIONS_RESULTS_URL`. */
  readonly url: string;
  /** The variables the artifact client reads for the given job of the workflow run (default `job-1`). */
  env(job?: string): Record<string, string>;
  /** Finalized artifacts, oldest first. */
  readonly artifacts: readonly StoredArtifact[];
  /** `Method name` for each Twirp call and `PUT block`, `PUT blocklist`, `GET blob` for storage, in order. */
  readonly calls: readonly string[];
  /** What the real service would have refused; a test expects none. */
  readonly violations: readonly string[];
  /**
   * Handlers for the local GitHub API server: the REST routes through which the artifact client reaches
   * another run's artifacts (`findBy`), with this service's run as workflow run `runId`.
   */
  restHandlers(runId: number): Record<string, Handler>;
  /** Makes the next `times` calls of `method` fail as the service does: a Twirp error with this status. */
  failNext(method: TwirpMethod, failure: TwirpFailure, times?: number): void;
  close(): Promise<void>;
}

export interface StoredArtifact {
  id: number;
  name: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  size: number;
  digest: string | undefined;
  createdAt: Date;
  /** The uploaded blob (a zip for every upload but `skipArchive`). */
  bytes: Buffer;
}

export type TwirpMethod =
  | 'CreateArtifact'
  | 'FinalizeArtifact'
  | 'ListArtifacts'
  | 'GetSignedArtifactURL'
  | 'DeleteArtifact';

export interface TwirpFailure {
  status: number;
  /** Twirp's error code, e.g. `already_exists`, `resource_exhausted`, `internal`. */
  code: string;
  msg: string;
}

const SERVICE_PATH = '/twirp/github.actions.results.api.v1.ArtifactService/';
/** The run every token of this stand-in belongs to; the job comes from `env(job)`. */
const RUN_BACKEND_ID = 'a9d9a3ee-5b3c-4c1e-9a6e-0d2f4e5b7c11';

// Field names as the client's generated code writes them (`useProtoFieldName`); strict, as protobuf JSON
// parsing rejects unknown fields.
const Ids = { workflow_run_backend_id: z.string(), workflow_job_run_backend_id: z.string() };
const Requests = {
  CreateArtifact: z.strictObject({
    ...Ids,
    name: z.string().min(1),
    version: z.number().int(),
    expires_at: z.iso.datetime().optional(),
    mime_type: z.string().optional(),
  }),
  FinalizeArtifact: z.strictObject({
    ...Ids,
    name: z.string().min(1),
    size: z.string().regex(/^\d+$/),
    hash: z.string().optional(),
  }),
  ListArtifacts: z.strictObject({
    ...Ids,
    name_filter: z.string().optional(),
    id_filter: z.string().regex(/^\d+$/).optional(),
  }),
  GetSignedArtifactURL: z.strictObject({ ...Ids, name: z.string().min(1) }),
  DeleteArtifact: z.strictObject({ ...Ids, name: z.string().min(1) }),
} as const;

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A runtime token shaped as the runner's: a JWT whose `scp` claim carries the run and job backend ids. */
function runtimeToken(job: string): string {
  const claims = {
    scp: `Actions.GenericRead:00000000 Actions.Results:${RUN_BACKEND_ID}:${job}`,
    iss: 'stand-in',
  };
  return `${base64url({ typ: 'JWT', alg: 'none' })}.${base64url(claims)}.${randomBytes(8).toString('base64url')}`;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

interface Pending {
  name: string;
  workflowJobRunBackendId: string;
  blobId: string;
  blocks: Map<string, Buffer>;
  committed: Buffer | undefined;
}

export async function startResultsService(): Promise<ResultsService> {
  const tokens = new Map<string, string>();
  const artifacts: StoredArtifact[] = [];
  const pending = new Map<string, Pending>();
  const calls: string[] = [];
  const violations: string[] = [];
  const failures = new Map<TwirpMethod, { failure: TwirpFailure; times: number }>();
  const signature = randomBytes(12).toString('hex');
  let nextId = 1000;
  let baseUrl = '';

  const blobUrl = (blobId: string) =>
    `${baseUrl}/devstoreaccount1/actions-results/${blobId}.zip?sv=2021-08-06&sig=${signature}`;

  function twirp(method: TwirpMethod, job: string, body: unknown): { status: number; body: unknown } {
    const injected = failures.get(method);
    if (injected && injected.times > 0) {
      injected.times--;
      return {
        status: injected.failure.status,
        body: { code: injected.failure.code, msg: injected.failure.msg },
      };
    }
    const parsed = Requests[method].safeParse(body);
    if (!parsed.success) {
      violations.push(
        `${method}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
      );
      return { status: 400, body: { code: 'malformed', msg: 'invalid request' } };
    }
    const request = parsed.data;
    // Any job of the run may read or delete the run's artifacts (they name the artifact's own job);
    // only the job itself may create and finalize.
    const ownJobOnly = method === 'CreateArtifact' || method === 'FinalizeArtifact';
    if (
      request.workflow_run_backend_id !== RUN_BACKEND_ID ||
      (ownJobOnly && request.workflow_job_run_backend_id !== job)
    ) {
      violations.push(
        `${method}: backend ids ${request.workflow_run_backend_id}/${request.workflow_job_run_backend_id} are not the token's`,
      );
      return { status: 403, body: { code: 'permission_denied', msg: 'backend ids do not match the token' } };
    }
    switch (method) {
      case 'CreateArtifact': {
        const { name } = request as z.infer<(typeof Requests)['CreateArtifact']>;
        if (artifacts.some((artifact) => artifact.name === name) || pending.has(name)) {
          // What GitHub answers for a second upload of one name in a workflow run.
          return {
            status: 409,
            body: {
              code: 'already_exists',
              msg: 'an artifact with this name already exists on the workflow run',
            },
          };
        }
        const blobId = randomBytes(8).toString('hex');
        pending.set(name, {
          name,
          workflowJobRunBackendId: job,
          blobId,
          blocks: new Map(),
          committed: undefined,
        });
        return { status: 200, body: { ok: true, signed_upload_url: blobUrl(blobId) } };
      }
      case 'FinalizeArtifact': {
        const { name, size, hash } = request as z.infer<(typeof Requests)['FinalizeArtifact']>;
        const upload = pending.get(name);
        if (!upload?.committed) {
          violations.push(`FinalizeArtifact: ${name} was not created and uploaded first`);
          return { status: 404, body: { code: 'not_found', msg: 'artifact not found' } };
        }
        const digest = `sha256:${createHash('sha256').update(upload.committed).digest('hex')}`;
        if (Number(size) !== upload.committed.byteLength || (hash !== undefined && hash !== digest)) {
          violations.push(
            `FinalizeArtifact: ${name} reports size ${size} and ${hash}, the blob is ${upload.committed.byteLength} bytes, ${digest}`,
          );
        }
        pending.delete(name);
        const id = nextId++;
        artifacts.push({
          id,
          name,
          workflowRunBackendId: RUN_BACKEND_ID,
          workflowJobRunBackendId: upload.workflowJobRunBackendId,
          size: upload.committed.byteLength,
          digest: hash,
          createdAt: new Date(),
          bytes: upload.committed,
        });
        return { status: 200, body: { ok: true, artifact_id: String(id) } };
      }
      case 'ListArtifacts': {
        const { name_filter, id_filter } = request as z.infer<(typeof Requests)['ListArtifacts']>;
        // The service lists the whole run's artifacts, whichever job asks.
        const listed = artifacts.filter(
          (artifact) =>
            (name_filter === undefined || artifact.name === name_filter) &&
            (id_filter === undefined || artifact.id === Number(id_filter)),
        );
        return {
          status: 200,
          body: {
            artifacts: listed.map((artifact) => ({
              workflow_run_backend_id: artifact.workflowRunBackendId,
              workflow_job_run_backend_id: artifact.workflowJobRunBackendId,
              database_id: String(artifact.id),
              name: artifact.name,
              size: String(artifact.size),
              created_at: artifact.createdAt.toISOString(),
              ...(artifact.digest ? { digest: artifact.digest } : {}),
            })),
          },
        };
      }
      case 'GetSignedArtifactURL': {
        const { name } = request as z.infer<(typeof Requests)['GetSignedArtifactURL']>;
        const artifact = artifacts.find((candidate) => candidate.name === name);
        if (!artifact) return { status: 404, body: { code: 'not_found', msg: 'artifact not found' } };
        return {
          status: 200,
          body: { signed_url: `${baseUrl}/download/${artifact.id}.zip?sig=${signature}` },
        };
      }
      case 'DeleteArtifact': {
        const { name } = request as z.infer<(typeof Requests)['DeleteArtifact']>;
        const index = artifacts.findIndex((candidate) => candidate.name === name);
        if (index === -1) return { status: 404, body: { code: 'not_found', msg: 'artifact not found' } };
        const [deleted] = artifacts.splice(index, 1);
        return { status: 200, body: { ok: true, artifact_id: String(deleted!.id) } };
      }
    }
  }

  function storage(request: IncomingMessage, url: URL, body: Buffer, response: ServerResponse): void {
    if (url.searchParams.get('sig') !== signature) {
      violations.push(`${request.method} ${url.pathname}: not a signed URL this service handed out`);
      response.writeHead(403).end();
      return;
    }
    const download = /^\/download\/(\d+)\.zip$/.exec(url.pathname);
    if (request.method === 'GET' && download) {
      calls.push('GET blob');
      const artifact = artifacts.find((candidate) => candidate.id === Number(download[1]));
      if (!artifact) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/zip',
        'content-length': artifact.bytes.byteLength,
      });
      response.end(artifact.bytes);
      return;
    }
    const blobId = /^\/devstoreaccount1\/actions-results\/([0-9a-f]+)\.zip$/.exec(url.pathname)?.[1];
    const upload = [...pending.values()].find((candidate) => candidate.blobId === blobId);
    const headers = { 'x-ms-request-id': randomBytes(8).toString('hex'), 'x-ms-version': '2021-08-06' };
    if (request.method !== 'PUT' || !upload) {
      violations.push(`${request.method} ${url.pathname}: no upload in progress there`);
      response.writeHead(404, headers).end();
      return;
    }
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      calls.push('PUT block');
      upload.blocks.set(url.searchParams.get('blockid') ?? '', body);
      response.writeHead(201, headers).end();
      return;
    }
    if (comp === 'blocklist') {
      calls.push('PUT blocklist');
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(
        (match) => match[1]!,
      );
      const missing = ids.filter((id) => !upload.blocks.has(id));
      if (missing.length > 0) violations.push(`PUT blocklist: blocks never staged: ${missing.join(', ')}`);
      upload.committed = Buffer.concat(ids.map((id) => upload.blocks.get(id) ?? Buffer.alloc(0)));
      response
        .writeHead(201, {
          ...headers,
          etag: `"0x${randomBytes(8).toString('hex')}"`,
          'last-modified': new Date().toUTCString(),
        })
        .end();
      return;
    }
    violations.push(`PUT ${url.pathname}: comp=${comp} is not a block-blob upload`);
    response.writeHead(400, headers).end();
  }

  const server = createServer((request, response) => {
    readBody(request).then(
      (body) => {
        const url = new URL(request.url ?? '/', baseUrl);
        if (!url.pathname.startsWith(SERVICE_PATH)) {
          storage(request, url, body, response);
          return;
        }
        const method = url.pathname.slice(SERVICE_PATH.length) as TwirpMethod;
        calls.push(method);
        const job = tokens.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
        if (job === undefined) {
          violations.push(`${method}: no runtime token this service issued`);
          reply(response, 401, { code: 'unauthenticated', msg: 'invalid token' });
          return;
        }
        if (!(method in Requests) || request.method !== 'POST') {
          violations.push(`${request.method} ${url.pathname}: not a method of the artifact service`);
          reply(response, 404, { code: 'bad_route', msg: 'no such method' });
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          violations.push(`${method}: the body is not JSON`);
          reply(response, 400, { code: 'malformed', msg: 'invalid JSON' });
          return;
        }
        const answer = twirp(method, job, parsed);
        reply(response, answer.status, answer.body);
      },
      (error: unknown) => {
        violations.push(`reading a request failed: ${String(error)}`);
        response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${baseUrl}/`,
    env(job = 'job-1') {
      const token = runtimeToken(job);
      tokens.set(token, job);
      return { ACTIONS_RESULTS_URL: `${baseUrl}/`, ACTIONS_RUNTIME_TOKEN: token };
    },
    get artifacts() {
      return artifacts;
    },
    calls,
    violations,
    restHandlers(runId) {
      const inRun = (request: Parameters<Handler>[0]) => Number(request.pathParams.run_id) === runId;
      return {
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts': (request, tools) => {
          const example = tools.example(200) as { artifacts: Record<string, unknown>[] };
          const listed = inRun(request) ? artifacts : [];
          return {
            status: 200,
            body: {
              total_count: listed.length,
              artifacts: listed.map((artifact) => ({
                ...example.artifacts[0],
                id: artifact.id,
                name: artifact.name,
                size_in_bytes: artifact.size,
                created_at: artifact.createdAt.toISOString(),
                digest: artifact.digest ?? null,
                workflow_run: { ...(example.artifacts[0]?.workflow_run as object), id: runId },
              })),
            },
          };
        },
        'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}': (request) => {
          const artifact = artifacts.find(
            (candidate) => candidate.id === Number(request.pathParams.artifact_id),
          );
          if (!artifact) return { status: 404, body: { message: 'Not Found', documentation_url: '' } };
          calls.push('REST download');
          // As GitHub: a redirect to a short-lived signed URL of the blob.
          return {
            status: 302,
            headers: { location: `${baseUrl}/download/${artifact.id}.zip?sig=${signature}` },
          };
        },
      };
    },
    failNext(method, failure, times = 1) {
      failures.set(method, { failure, times });
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
