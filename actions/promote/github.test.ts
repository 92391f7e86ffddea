import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { parseGtoTagName } from '../../shared/registry/gto-tag.ts';
import { parseTagMessage } from '../../shared/registry/tag-message.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createGitHubRuntime } from '../../shared/runtime/github-runtime.ts';
import type { Annotation, GitHubClient, RawInputs, Runtime } from '../../shared/runtime/runtime.ts';
import {
  type GitHubApiServer,
  type Handler,
  startGitHubApiServer,
} from '../../shared/testing/github-api-server.ts';
import { type ResultsService, startResultsService } from '../../shared/testing/results-service.ts';
import { loadMlgateConfig } from '../gates.ts';
import { promoteGate } from './gate.ts';
import { type GitHubState, gitHubHandlers, newGitHubState } from './github-fake.ts';
import { promoteRepo } from './test-repo.ts';

/**
 * The artifact client reaches another run's artifacts through @actions/github, which reads GITHUB_API_URL
 * once, when first imported (as on a runner, where it is set before the step starts): so the port of the
 * API server those tests use is chosen, and the variable set, before any import.
 */
const FIXED_API_PORT = await vi.hoisted(async () => {
  const { createServer: createNetServer } = await import('node:net');
  const probe = createNetServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((done) => probe.close(() => done()));
  process.env.GITHUB_API_URL = `http://127.0.0.1:${port}`;
  return port;
});

let server: GitHubApiServer | undefined;
let savedEnv: NodeJS.ProcessEnv;

beforeEach(() => {
  savedEnv = { ...process.env };
});
afterEach(async () => {
  process.env = savedEnv;
  await server?.close();
  server = undefined;
});

/** The GitHub runtime against the test server, with its sinks kept in memory instead of the runner's files. */
function testRuntime(url: string) {
  process.env.GITHUB_API_URL = url;
  process.env.GITHUB_REPOSITORY = 'acme/loans';
  process.env.GITHUB_ACTOR = 'octocat';
  process.env.GITHUB_SERVER_URL = 'https://github.com';
  process.env.GITHUB_RUN_ID = '42';
  const base = createGitHubRuntime({ token: 'test-token' });
  // Octokit with pagination but without the throttling plugin, whose one-second spacing of writes
  // would make every promotion take seconds; requests and replies are the same.
  const github = new (Octokit.plugin(paginateRest))({ auth: 'test-token', baseUrl: url }) as GitHubClient;
  const outputs = new Map<string, string>();
  const annotations: Annotation[] = [];
  const quiet = {
    info: () => {},
    warn: () => {},
    error: () => {},
    debug: () => {},
    group: <T>(_: string, work: () => Promise<T>) => work(),
  };
  const runtime: Runtime = {
    ...base,
    kind: 'github',
    context: base.context,
    github,
    artifacts: base.artifacts,
    log: quiet,
    input: () => undefined,
    setOutput: (name, value) => outputs.set(name, value),
    annotate: (annotation) => annotations.push(annotation),
    appendSummary: async () => {},
    progress: base.progress,
    maskSecret: () => {},
  };
  return { runtime, outputs, annotations };
}

async function setup(state: GitHubState, handlers: Record<string, Handler> = {}, port?: number) {
  const repo = await promoteRepo({ version: '1.0.0' });
  const { digest, commit } = await repo.build('1.0.0', new Uint8Array([8, 1, 18, 3, 1, 2, 3]));
  server = await startGitHubApiServer({ ...gitHubHandlers(state), ...handlers }, { port });
  const url = server.url;
  const config = await loadMlgateConfig(repo.config);
  const promote = async (inputs: RawInputs) => {
    const { runtime, outputs, annotations } = testRuntime(url);
    const outcome = await runGate(promoteGate, { config, runtime, out: repo.out, inputs });
    return { ...outcome, outputs, annotations };
  };
  return { ...repo, digest, commit, promote };
}

const tagNames = (state: GitHubState) =>
  [...state.refs.keys()].map((ref) => ref.replace('refs/tags/', '')).sort();

describe('mlgate promote on GitHub (Git refs API and Deployments)', () => {
  it('writes GTO tags through the refs API and a deployment with a success status; warns on an unprotected production', async () => {
    const state = newGitHubState();
    const repo = await setup(state);
    const staging = await repo.promote({ to: 'staging', reason: 'candidate' });
    expect(staging.result.summary).toBe(
      'promoted loan-default v1.0.0 to staging (loan-default@v1.0.0 and loan-default#staging#1)',
    );
    expect(staging.exitCode).toBe(0);
    const production = await repo.promote({ to: 'production' });
    expect(production.exitCode).toBe(0);
    expect(tagNames(state)).toEqual([
      'loan-default#production#2',
      'loan-default#staging#1',
      'loan-default@v1.0.0',
    ]);
    for (const name of tagNames(state)) expect(parseGtoTagName(name), name).toBeDefined();
    const assignment = [...state.tags.values()].find((tag) => tag.tag === 'loan-default#production#2');
    expect(assignment?.object).toBe(repo.commit);
    expect(parseTagMessage(assignment?.message ?? '').facts).toMatchObject({
      digest: repo.digest,
      actor: 'octocat',
      version: '1.0.0',
    });
    expect(
      state.deployments.map((deployment) => [deployment.environment, deployment.task, deployment.statuses]),
    ).toEqual([
      ['staging', 'deploy', ['success']],
      ['production', 'deploy', ['success']],
    ]);
    expect(state.deployments[1]?.payload).toMatchObject({
      model: 'loan-default',
      version: '1.0.0',
      digest: repo.digest,
      tag: 'loan-default#production#2',
    });
    expect(production.outputs.get('deployment-url')).toBe(`${server?.url}/deployments/2`);
    expect(production.outputs.get('digest')).toBe(repo.digest);
    expect(production.result.status).toBe('warn');
    expect(production.annotations.map((annotation) => annotation.message).join('\n')).toMatch(
      /environment production has no protection rules/,
    );
    expect(server?.violations).toEqual([]);
  });

  it('passes the protection check when the production environment has required reviewers', async () => {
    const state = newGitHubState();
    state.protectionRules = ['required_reviewers', 'wait_timer', 'branch_policy'];
    const repo = await setup(state);
    await repo.promote({ to: 'staging' });
    const production = await repo.promote({ to: 'production' });
    expect(production.result.status).toBe('pass');
    expect(production.result.checks.find((check) => check.id === 'environment-protection')?.message).toMatch(
      /is protected/,
    );
    expect(server?.violations).toEqual([]);
  });

  it('loses a race on the stage tag (422 Reference already exists) and creates no deployment', async () => {
    const state = newGitHubState();
    const repo = await setup(state);
    state.beforeCreateRef = (ref) => {
      if (!ref.includes('#staging#')) return undefined;
      // Another run created the same stage tag a moment earlier.
      state.refs.set(ref, 'f'.repeat(40));
      return undefined;
    };
    const outcome = await repo.promote({ to: 'staging' });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.result.summary).toMatch(
      /lost a race: another promotion of loan-default wrote loan-default#staging#1 first, in GitHub acme\/loans/,
    );
    expect(state.deployments).toEqual([]);
    expect(server?.violations).toEqual([]);
  });

  it("reads the evidence from a release asset, following GitHub's redirect to the storage host", async () => {
    const state = newGitHubState();
    const repo = await setup(state);
    // The release holds the bundle and the results it pins, as model-card attaches them.
    const assets = ['evidence.json', 'validate-data.json', 'rerun-experiments.json'];
    // The asset download redirects to another host, as GitHub's does; that host is not the API.
    const storage = createServer((request, response) => {
      readFile(join(repo.out, request.url?.slice(1) ?? '')).then((bytes) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(bytes);
      });
    });
    await new Promise<void>((done) => storage.listen(0, '127.0.0.1', done));
    onTestFinished(() => new Promise<void>((done) => storage.close(() => done())));
    const storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
    await server?.close();
    server = await startGitHubApiServer({
      ...gitHubHandlers(state),
      'GET /repos/{owner}/{repo}/releases/tags/{tag}': (request, tools) => {
        const release = tools.example(200) as { assets: Record<string, unknown>[] };
        if (request.pathParams.tag !== 'loan-default-v1.0.0')
          return { status: 404, body: { message: 'Not Found', documentation_url: '' } };
        return {
          status: 200,
          body: { ...release, assets: assets.map((name, id) => ({ ...release.assets[0], id, name })) },
        };
      },
      'GET /repos/{owner}/{repo}/releases/assets/{asset_id}': (request) => {
        expect(request.headers.accept).toBe('application/octet-stream');
        return {
          status: 302,
          headers: { location: `${storageUrl}/${assets[Number(request.pathParams.asset_id)]}` },
        };
      },
    });
    const { runtime } = testRuntime(server.url);
    const config = await loadMlgateConfig(repo.config);
    const outcome = await runGate(promoteGate, {
      config,
      runtime,
      out: repo.out,
      inputs: { to: 'staging', evidence: 'release:loan-default-v1.0.0' },
    });
    expect(outcome.result.summary).toMatch(/^promoted loan-default v1\.0\.0 to staging/);
    const assignment = [...state.tags.values()].find((tag) => tag.tag === 'loan-default#staging#1');
    expect(parseTagMessage(assignment?.message ?? '').facts.evidence).toBe('release:loan-default-v1.0.0');
    const missing = await runGate(promoteGate, {
      config,
      runtime,
      out: repo.out,
      inputs: { to: 'staging', evidence: 'release:v9' },
    });
    expect(missing.result.summary).toBe('--evidence release:v9: no such release');
    expect(server.violations).toEqual([]);
  });

  describe('evidence from a workflow artifact, through the real artifact client and the results service', () => {
    let service: ResultsService;
    const ARTIFACT = 'model-card-loan-default';
    beforeEach(async () => {
      service = await startResultsService();
      for (const [name, value] of Object.entries(service.env())) vi.stubEnv(name, value);
      vi.stubEnv('MLGATE_ARTIFACT_DIR', undefined);
      // @actions/core and the artifact client log to stdout.
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    });
    afterEach(() => service.close());

    /** What model-card uploads: the bundle and the results it pins, under --out. */
    async function uploadEvidence(repo: Awaited<ReturnType<typeof setup>>) {
      const files = ['evidence.json', 'validate-data.json', 'rerun-experiments.json'];
      await createGitHubRuntime().artifacts.upload(
        ARTIFACT,
        files.map((file) => join(repo.out, file)),
        repo.out,
      );
    }

    it('this run’s artifact: what the gates uploaded counts, not the file in the checkout', async () => {
      const state = newGitHubState();
      const repo = await setup(state);
      await uploadEvidence(repo);
      // A pull request can rewrite the checkout's copy; the artifact is what the gates wrote.
      await writeFile(join(repo.out, 'evidence.json'), '{}');
      const promoted = await repo.promote({ to: 'staging', evidence: `artifact:${ARTIFACT}` });
      expect(promoted.result.summary).toMatch(/^promoted loan-default v1\.0\.0 to staging/);
      expect(promoted.result.checks.find((check) => check.id === 'evidence.validate-data')?.message).toMatch(
        new RegExp(`^validate-data: pass, re-derived from artifact:${ARTIFACT}/validate-data\\.json`),
      );
      const assignment = [...state.tags.values()].find((tag) => tag.tag === 'loan-default#staging#1');
      expect(parseTagMessage(assignment?.message ?? '').facts.evidence).toBe(`artifact:${ARTIFACT}`);
      expect(service.violations).toEqual([]);
      expect(server?.violations).toEqual([]);
    });

    const RUN_ID = 7001;
    function runRoutes(run: { event: string; head_branch: string; fork?: boolean }): Record<string, Handler> {
      return {
        ...service.restHandlers(RUN_ID),
        'GET /repos/{owner}/{repo}': (_request, tools) => {
          // GitHub's own example of this response lacks `language`, which its schema requires.
          const example = tools.example(200) as { source: object; parent: object };
          return {
            status: 200,
            body: {
              ...example,
              language: null,
              source: { ...example.source, language: null },
              parent: { ...example.parent, language: null },
              default_branch: 'main',
            },
          };
        },
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}': (request, tools) => {
          if (Number(request.pathParams.run_id) !== RUN_ID) return { status: 404, body: tools.example(404) };
          const example = tools.example(200) as { head_repository: object };
          return {
            status: 200,
            body: {
              ...example,
              id: RUN_ID,
              event: run.event,
              head_branch: run.head_branch,
              path: '.github/workflows/gates.yml',
              head_repository: {
                ...example.head_repository,
                full_name: run.fork ? 'mallory/loans' : 'acme/loans',
              },
            },
          };
        },
      };
    }

    it('another run’s artifact: taken from a push to the default branch', async () => {
      const state = newGitHubState();
      const repo = await setup(state, runRoutes({ event: 'push', head_branch: 'main' }), FIXED_API_PORT);
      await uploadEvidence(repo);
      const promoted = await repo.promote({ to: 'staging', evidence: `artifact:${RUN_ID}/${ARTIFACT}` });
      expect(promoted.result.summary).toMatch(/^promoted loan-default v1\.0\.0 to staging/);
      const assignment = [...state.tags.values()].find((tag) => tag.tag === 'loan-default#staging#1');
      expect(parseTagMessage(assignment?.message ?? '').facts.evidence).toBe(
        `artifact:${RUN_ID}/${ARTIFACT}`,
      );
      expect(service.calls).toContain('REST download');
      expect(service.violations).toEqual([]);
      expect(server?.violations).toEqual([]);
    });

    it.each([
      { run: { event: 'pull_request', head_branch: 'main' }, why: 'was started by a pull_request event' },
      { run: { event: 'push', head_branch: 'feature' }, why: 'ran branch feature' },
      { run: { event: 'push', head_branch: 'main', fork: true }, why: 'ran code from mallory/loans' },
    ])('another run’s artifact: refused when the run $why, exit 2, nothing written', async ({ run, why }) => {
      const state = newGitHubState();
      const repo = await setup(state, runRoutes(run));
      await uploadEvidence(repo);
      const refused = await repo.promote({ to: 'staging', evidence: `artifact:${RUN_ID}/${ARTIFACT}` });
      expect(refused.exitCode).toBe(2);
      expect(refused.result.summary).toBe(
        `--evidence artifact:${RUN_ID}/${ARTIFACT}: workflow run ${RUN_ID} ${why}, so its artifacts are not trusted evidence: use a run on main (push, workflow_dispatch, schedule or release)`,
      );
      expect(tagNames(state)).toEqual([]);
      expect(service.calls).not.toContain('REST download');
    });
  });

  it.each(['deployment', 'status'] as const)(
    'repairs on re-run when the %s failed after the tags were written',
    async (failing) => {
      const state = newGitHubState();
      const repo = await setup(state);
      let failures = 0;
      state.beforeDeploy = (what) => {
        if (what !== failing || failures > 0) return undefined;
        failures++;
        // Documented failures of each endpoint, so the reply itself is one GitHub can give.
        return failing === 'deployment'
          ? {
              status: 409,
              body: {
                message: 'Conflict merging main into 1a2b3c.',
                documentation_url: 'https://docs.github.com',
              },
            }
          : {
              status: 422,
              body: {
                message: 'Validation Failed',
                documentation_url: 'https://docs.github.com',
                errors: [],
              },
            };
      };
      const first = await repo.promote({ to: 'staging' });
      expect(first.exitCode).toBe(2);
      expect(tagNames(state)).toEqual(['loan-default#staging#1', 'loan-default@v1.0.0']);
      const again = await repo.promote({ to: 'staging' });
      expect(again.exitCode).toBe(0);
      expect(again.result.summary).toMatch(/already holds staging \(loan-default#staging#1\): nothing to do/);
      expect(tagNames(state)).toEqual(['loan-default#staging#1', 'loan-default@v1.0.0']);
      expect(state.deployments.map((deployment) => deployment.statuses)).toEqual([['success']]);
      const third = await repo.promote({ to: 'staging' });
      expect(third.result.checks.find((check) => check.id === 'deployment')?.message).toMatch(
        /^kept deployment 1/,
      );
      expect(state.deployments.map((deployment) => deployment.statuses)).toEqual([['success']]);
      expect(server?.violations).toEqual([]);
    },
  );
});
