import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ResultsService,
  startResultsService,
  type TwirpFailure,
  type TwirpMethod,
} from '../testing/results-service.ts';
import { tempDir } from '../testing/temp-dir.ts';
import { createGitHubRuntime } from './github-runtime.ts';
import { ArtifactUnavailableError } from './runtime.ts';

/** The GitHub runtime's artifacts through the real @actions/artifact client and the results-service stand-in. */

let service: ResultsService;
let log: string[];

beforeEach(async () => {
  service = await startResultsService();
  log = [];
  // @actions/core and the artifact client write to stdout: kept for the assertions, not printed.
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    log.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  await service.close();
});

function inJob(job = 'job-1', env: Record<string, string | undefined> = {}) {
  for (const [name, value] of Object.entries({
    ...service.env(job),
    GITHUB_SERVER_URL: 'https://github.com',
    MLGATE_ARTIFACT_DIR: undefined,
    ...env,
  })) {
    vi.stubEnv(name, value);
  }
  return createGitHubRuntime();
}

async function someFiles(content: string) {
  const dir = await tempDir('mlgate-artifact-');
  await mkdir(join(dir, 'nested'));
  await writeFile(join(dir, 'evidence.json'), content);
  await writeFile(join(dir, 'nested', 'benchmark.json'), '{}\n');
  return { dir, files: [join(dir, 'evidence.json'), join(dir, 'nested', 'benchmark.json')] };
}

describe('workflow artifacts through the real artifact client', () => {
  it('uploads, lists and downloads a zip with the files at their paths under the root', async () => {
    const runtime = inJob();
    const { dir, files } = await someFiles('{"first":true}\n');
    const stored = await runtime.artifacts.upload('model-card-loans', files, dir);
    expect(service.artifacts.map((artifact) => [artifact.id, artifact.name])).toEqual([
      [stored.id, 'model-card-loans'],
    ]);
    expect(service.artifacts[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const target = await tempDir('mlgate-download-');
    const [folder] = await runtime.artifacts.download('model-card-*', target);
    expect(await readFile(join(folder!, 'evidence.json'), 'utf8')).toBe('{"first":true}\n');
    expect(await readFile(join(folder!, 'nested', 'benchmark.json'), 'utf8')).toBe('{}\n');
    expect(service.calls).toEqual([
      'ListArtifacts',
      'CreateArtifact',
      'PUT block',
      'PUT blocklist',
      'FinalizeArtifact',
      'ListArtifacts',
      'ListArtifacts',
      'GetSignedArtifactURL',
      'GET blob',
    ]);
    expect(service.violations).toEqual([]);
  });

  it('replaces the artifact of an earlier attempt of the run, as overwrite: true does, leaving one', async () => {
    const { dir, files } = await someFiles('{"attempt":1}\n');
    await inJob('job-1').artifacts.upload('model-card-loans', files, dir);
    await writeFile(files[0]!, '{"attempt":2}\n');
    // "Re-run jobs" gives the job a new backend id in the same workflow run.
    const rerun = inJob('job-1-attempt-2');
    await rerun.artifacts.upload('model-card-loans', files, dir);
    expect(service.artifacts.map((artifact) => artifact.name)).toEqual(['model-card-loans']);
    expect(service.artifacts[0]?.workflowJobRunBackendId).toBe('job-1-attempt-2');
    expect(service.calls).toContain('DeleteArtifact');
    const [folder] = await rerun.artifacts.download('model-card-loans', await tempDir('mlgate-download-'));
    expect(await readFile(join(folder!, 'evidence.json'), 'utf8')).toBe('{"attempt":2}\n');
    expect(service.violations).toEqual([]);
  });

  const failures: {
    name: string;
    method?: TwirpMethod;
    failure?: TwirpFailure;
    times?: number;
    env?: Record<string, string | undefined>;
    reason: RegExp;
  }[] = [
    {
      name: 'another step took the name between the list and the create (409)',
      method: 'CreateArtifact',
      failure: {
        status: 409,
        code: 'already_exists',
        msg: 'an artifact with this name already exists on the workflow run',
      },
      reason: /\(409\) Conflict: an artifact with this name already exists on the workflow run$/,
    },
    {
      name: 'the storage quota is used up',
      method: 'CreateArtifact',
      failure: { status: 403, code: 'permission_denied', msg: 'insufficient usage to create artifact' },
      reason: /: Artifact storage quota has been hit\. Unable to upload any new artifacts$/,
    },
    {
      name: 'the service fails on every retry (5xx)',
      method: 'FinalizeArtifact',
      failure: { status: 503, code: 'unavailable', msg: 'service unavailable' },
      times: 5,
      reason:
        /Failed to make request after 5 attempts: Failed request: \(503\) Service Unavailable: service unavailable$/,
    },
    {
      name: 'a GitHub Enterprise Server without the service',
      env: { GITHUB_SERVER_URL: 'https://ghes.example.com' },
      reason: /are not currently supported on GHES$/,
    },
    {
      name: 'a runner that does not provide ACTIONS_RESULTS_URL',
      env: { ACTIONS_RESULTS_URL: undefined },
      reason: /Unable to get the ACTIONS_RESULTS_URL env variable$/,
    },
  ];

  it.each(failures)(
    '$name: one line naming the artifact, an ArtifactUnavailableError',
    async ({ method, failure, times, env, reason }) => {
      if (method && failure) service.failNext(method, failure, times);
      const runtime = inJob('job-1', env);
      const { dir, files } = await someFiles('{}\n');
      const error = await runtime.artifacts.upload('model-card-loans', files, dir).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ArtifactUnavailableError);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(/^could not store the workflow artifact model-card-loans: /);
      expect(message).toMatch(reason);
      expect(service.violations).toEqual([]);
    },
  );
});
