import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../runtime/github-runtime.ts';
import { type GitHubApiServer, paginate, startGitHubApiServer } from './github-api-server.ts';

describe('the OpenAPI-checking GitHub test server', () => {
  let server: GitHubApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('accepts documented requests and answers with documented examples', async () => {
    server = await startGitHubApiServer({
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': (request, tools) => {
        const comment = tools.example(201) as Record<string, unknown>;
        return { status: 201, body: { ...comment, body: (request.body as { body: string }).body } };
      },
    });
    const client = createGitHubClient('test-token', server.url);
    const response = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'acme',
      repo: 'loans',
      issue_number: 7,
      body: 'hello',
    });
    expect(response.status).toBe(201);
    expect(response.data.body).toBe('hello');
    expect(server.requests[0]?.pathParams).toEqual({ owner: 'acme', repo: 'loans', issue_number: '7' });
    expect(server.violations).toEqual([]);
  });

  it('flags bodies that break the schema, undocumented routes and replies that break the response schema', async () => {
    server = await startGitHubApiServer({
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': () => ({
        status: 200,
        body: [{ id: 'not-a-number' }],
      }),
    });
    const client = createGitHubClient('test-token', server.url);
    // Untyped on purpose: this request is malformed, which the typed route signature would refuse.
    const untyped = client.request as unknown as (
      route: string,
      parameters: Record<string, unknown>,
    ) => Promise<unknown>;
    await expect(
      untyped('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: 'acme',
        repo: 'loans',
        issue_number: 7,
        bodyy: 'typo',
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      client.request('GET /repos/{owner}/{repo}/no-such-thing', { owner: 'a', repo: 'b' }),
    ).rejects.toMatchObject({
      status: 404,
    });
    await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'a',
      repo: 'b',
      issue_number: 1,
    });
    expect(server.violations.join('\n')).toMatch(/body must have required property 'body'/);
    expect(server.violations.join('\n')).toMatch(/not an endpoint of GitHub's REST API/);
    expect(server.violations.join('\n')).toMatch(/response \/0\/id must be integer/);
  });

  it('paginates with Link headers that Octokit follows', async () => {
    const all = Array.from({ length: 250 }, (_, index) => index + 1);
    server = await startGitHubApiServer({
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': (request, tools) => {
        const template = tools.example(200) as Record<string, unknown>[];
        const items = all.map((id) => ({ ...template[0], id, body: `comment ${id}` }));
        return paginate(items, request, tools.baseUrl);
      },
    });
    const client = createGitHubClient('test-token', server.url);
    const comments = await client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'a',
      repo: 'b',
      issue_number: 1,
      per_page: 100,
    });
    expect(comments.map((comment) => comment.id)).toEqual(all);
    expect(server.requests).toHaveLength(3);
    expect(server.violations).toEqual([]);
  });

  it('takes release asset uploads as raw bytes at the uploads origin, as GitHub does', async () => {
    const route = 'POST /repos/{owner}/{repo}/releases/{release_id}/assets';
    const upload = `${route}{?name,label}` as const;
    server = await startGitHubApiServer({
      [route]: (request, tools) => ({
        status: 201,
        body: { ...(tools.example(201) as Record<string, unknown>), name: request.query.get('name') },
      }),
    });
    const client = createGitHubClient('test-token', server.url);
    const bytes = Buffer.from('{"schema":"mlgate/evidence@1"}\n');
    const parameters = { owner: 'acme', repo: 'loans', release_id: 7, name: 'evidence.json', data: bytes };
    const response = await client.request(upload, {
      ...parameters,
      baseUrl: server.uploadsUrl,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.data).toMatchObject({ name: 'evidence.json', state: 'uploaded' });
    const [recorded] = server.requests;
    // A JSON file uploaded as an asset stays the file's bytes: it is not read as a JSON request body.
    expect(Buffer.isBuffer(recorded?.body) && recorded.body.equals(bytes)).toBe(true);
    expect(recorded?.path).toBe('/repos/acme/loans/releases/7/assets');
    expect(recorded?.query.get('name')).toBe('evidence.json');
    expect(recorded?.headers['content-length']).toBe(String(bytes.length));
    expect(server.violations).toEqual([]);

    // Sent to the API origin, without a media type, or without the asset's name: each one a violation.
    const post = (url: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', body: bytes, headers: { authorization: 'token test-token', ...headers } });
    const path = '/repos/acme/loans/releases/7/assets';
    const json = { 'content-type': 'application/json' };
    expect((await post(`${server.url}${path}?name=evidence.json`, json)).status).toBe(404);
    expect((await post(`${server.uploadsUrl}${path}?name=evidence.json`, {})).status).toBe(422);
    expect((await post(`${server.uploadsUrl}${path}`, json)).status).toBe(422);
    expect(server.violations).toEqual([
      `${route}: served at https://uploads.github.com (the uploads origin, here ${server.uploadsUrl}), not at the API URL`,
      `${route}: a raw body needs a content-type giving its media type`,
      `${route}: missing required query parameter name`,
    ]);
  });
});
