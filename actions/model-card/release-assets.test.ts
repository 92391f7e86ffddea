import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import { type GitHubApiServer, startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { pullRequestEvent, releaseEvent } from '../../shared/testing/github-events.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { RELEASE_ROUTES, releaseStore } from '../../shared/testing/release-store.ts';
import { loadMlgateConfig } from '../gates.ts';
import { modelCardGate } from './gate.ts';
import {
  createTestProject,
  runModelCardAction,
  type TestEvent,
  type TestProject,
  writeSampleResults,
} from './test-project.ts';

const RELEASE = { id: 42, tag: 'v1.1.0' };
/** Commit statuses are writes GitHub wants a second apart; these tests are about the release. */
const NO_STATUSES = '  model-card: { card: card.yml, statuses: false }';

let server: GitHubApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs the gate as the action does, on a release event (or a pull request), against the local server. */
async function runInWorkflow(
  project: TestProject,
  api: GitHubApiServer,
  options: { event?: 'release' | 'pull_request'; inputs?: Record<string, string> } = {},
) {
  const repository = { owner: 'acme', repo: 'loans' };
  const event: TestEvent =
    options.event === 'pull_request'
      ? {
          name: 'pull_request',
          payload: pullRequestEvent({
            ...repository,
            number: 7,
            headSha: 'a'.repeat(40),
            baseSha: 'b'.repeat(40),
          }),
          sha: 'c'.repeat(40),
          ref: 'refs/pull/7/merge',
        }
      : {
          name: 'release',
          payload: releaseEvent({
            ...repository,
            releaseId: RELEASE.id,
            tag: RELEASE.tag,
            uploadsUrl: api.uploadsUrl,
          }),
          sha: 'c'.repeat(40),
          ref: `refs/tags/${RELEASE.tag}`,
        };
  const outcome = await runModelCardAction(project, api, event, options.inputs);
  return { ...outcome, check: outcome.result.checks.find((candidate) => candidate.id === 'release.assets') };
}

const requested = (api: GitHubApiServer, from = 0) =>
  api.requests
    .slice(from)
    .map((request) => `${request.method} ${request.path}${request.query.size ? `?${request.query}` : ''}`);

describe('attaching the evidence to a GitHub release', () => {
  it('on a release event attaches the evidence, the card and the gate results, and a rerun replaces them', async () => {
    const release = releaseStore(RELEASE);
    server = await startGitHubApiServer(release.handlers);
    const project = await createTestProject({ modelCard: NO_STATUSES });
    await writeSampleResults(project, ['benchmark']);

    const first = await runInWorkflow(project, server);
    expect(first.exitCode, first.result.summary).toBe(0);
    expect(release.assets.map(({ name, contentType }) => [name, contentType])).toEqual([
      ['evidence.json', 'application/json'],
      ['model-card.md', 'text/markdown'],
      ['benchmark.json', 'application/json'],
    ]);
    for (const asset of release.assets) {
      expect(asset.data.equals(await readFile(join(project.out, asset.name))), asset.name).toBe(true);
    }
    expect(first.check).toMatchObject({
      status: 'pass',
      message: 'attached 3 files to release v1.1.0 (id 42)',
    });
    expect(first.result.summary).toMatch(/; 3 files attached to release v1\.1\.0$/);
    expect(first.summary).toContain('Attached to release v1.1.0 (id 42)');
    expect(first.summary).toContain('| evidence.json | application/json |');
    expect(first.result.details?.releaseAssets).toHaveLength(3);
    expect(JSON.stringify(first.result.details?.releaseAssets)).toContain(
      'https://github.com/acme/loans/releases/download/v1.1.0/evidence.json',
    );

    // A rerun of the workflow: GitHub refuses a second asset of one name, so each old one goes first.
    const firstIds = release.assets.map((asset) => asset.id);
    const before = server.requests.length;
    const second = await runInWorkflow(project, server);
    expect(second.exitCode, second.result.summary).toBe(0);
    const upload = (name: string) => `POST /repos/acme/loans/releases/42/assets?name=${name}`;
    expect(requested(server, before)).toEqual([
      'GET /repos/acme/loans/releases/42/assets?per_page=100',
      `DELETE /repos/acme/loans/releases/assets/${firstIds[0]}`,
      upload('evidence.json'),
      `DELETE /repos/acme/loans/releases/assets/${firstIds[1]}`,
      upload('model-card.md'),
      `DELETE /repos/acme/loans/releases/assets/${firstIds[2]}`,
      upload('benchmark.json'),
    ]);
    expect(release.assets.map((asset) => asset.name)).toEqual([
      'evidence.json',
      'model-card.md',
      'benchmark.json',
    ]);
    expect(release.assets.map((asset) => asset.id)).not.toContain(firstIds[0]);
    // The new evidence (a new created-at) is what the release holds now.
    expect(release.assets[0]!.data.equals(await readFile(join(project.out, 'evidence.json')))).toBe(true);
    expect(second.check?.message).toBe(
      'attached 3 files to release v1.1.0 (id 42), replacing 3 of the same name',
    );
    expect(server.violations).toEqual([]);
  });

  it('a 4xx from GitHub fails the check with one line naming the release (exit 1)', async () => {
    const release = releaseStore(RELEASE);
    server = await startGitHubApiServer({
      ...release.handlers,
      // GitHub refuses the upload with a 422, the one error status it documents for it (an immutable release).
      [RELEASE_ROUTES.upload]: () => ({
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            { resource: 'Release', code: 'custom', message: 'Cannot upload assets to an immutable release.' },
          ],
        },
      }),
    });
    const project = await createTestProject({ modelCard: NO_STATUSES });
    await writeSampleResults(project, ['fairness']);
    const { exitCode, check, log } = await runInWorkflow(project, server);
    expect(exitCode).toBe(1);
    expect(check).toEqual({
      id: 'release.assets',
      status: 'fail',
      message:
        'could not attach the evidence to release v1.1.0 (id 42): uploading evidence.json: HTTP 422 Validation Failed: {"resource":"Release","code":"custom","message":"Cannot upload assets to an immutable release."}',
    });
    expect(log).toContain(`::error title=model-card%3A release.assets::${check!.message}\n`);
    expect(server.violations).toEqual([]);
  });

  it('release-tag attaches to the release of a tag from any event; an unknown tag fails naming it', async () => {
    const release = releaseStore(RELEASE);
    server = await startGitHubApiServer(release.handlers);
    const project = await createTestProject({ modelCard: `${NO_STATUSES.slice(0, -2)}, comment: false }` });
    await writeSampleResults(project, ['validate-data']);
    const tagged = await runInWorkflow(project, server, {
      event: 'pull_request',
      inputs: { 'release-tag': 'v1.1.0' },
    });
    expect(tagged.exitCode, tagged.result.summary).toBe(0);
    expect(requested(server)[0]).toBe('GET /repos/acme/loans/releases/tags/v1.1.0');
    expect(release.assets.map((asset) => asset.name)).toEqual([
      'evidence.json',
      'model-card.md',
      'validate-data.json',
    ]);

    const unknown = await runInWorkflow(project, server, {
      event: 'pull_request',
      inputs: { 'release-tag': 'v9.9.9' },
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.check?.message).toBe('no release v9.9.9 in acme/loans: nothing attached');
    // On a pull request, auto attaches nothing and asks GitHub nothing about releases.
    const before = server.requests.length;
    const plain = await runInWorkflow(project, server, { event: 'pull_request' });
    expect(plain.exitCode).toBe(0);
    expect(plain.check).toBeUndefined();
    expect(server.requests.slice(before)).toEqual([]);
    expect(server.violations).toEqual([]);
  });

  it('release-assets: true with no release to attach to, or a value other than auto/true/false, exits 2', async () => {
    server = await startGitHubApiServer({});
    const project = await createTestProject({ modelCard: NO_STATUSES });
    await writeSampleResults(project, ['fairness']);
    const noRelease = await runInWorkflow(project, server, {
      event: 'pull_request',
      inputs: { 'release-assets': 'true' },
    });
    expect(noRelease.exitCode).toBe(2);
    expect(noRelease.result.summary).toBe(
      'release-assets is true but a pull_request event has no release: set release-tag, or run on a release event',
    );
    const typo = await runInWorkflow(project, server, { inputs: { 'release-assets': 'yes' } });
    expect(typo.exitCode).toBe(2);
    expect(typo.result.summary).toMatch(/release-assets.*expected auto, true or false/);
    expect(server.requests).toEqual([]);
  });

  it('under the local runtime (no network) attaches nothing and says so in one log line', async () => {
    const project = await createTestProject({ modelCard: NO_STATUSES });
    await writeSampleResults(project, ['benchmark']);
    const config = await loadMlgateConfig(project.configFile);
    const run = async (inputs: Record<string, string>) => {
      const stream = memoryStream();
      const runtime = await createLocalRuntime({ out: project.out, stream, cwd: project.dir });
      const outcome = await runGate(modelCardGate, { config, runtime, out: project.out, inputs });
      return { ...outcome, log: stream.text() };
    };
    const tagged = await run({ 'release-tag': 'v1.1.0' });
    expect(tagged.exitCode).toBe(0);
    expect(tagged.result.checks.find((check) => check.id === 'release.assets')).toEqual({
      id: 'release.assets',
      status: 'skip',
      message: 'local run: nothing attached to release v1.1.0',
    });
    expect(tagged.log).toContain(
      'Release assets: nothing attached to release v1.1.0; the local runtime has no network (attaching happens in a GitHub workflow).',
    );
    const plain = await run({});
    expect(plain.exitCode).toBe(0);
    expect(plain.result.checks.map((check) => check.id)).not.toContain('release.assets');
  });
});
