import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGitHubRuntime } from '../../shared/runtime/github-runtime.ts';
import { type GitHubApiServer, startGitHubApiServer } from '../../shared/testing/github-api-server.ts';
import { type ResultsService, startResultsService } from '../../shared/testing/results-service.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import {
  createTestProject,
  runModelCardAction,
  type TestProject,
  writeSampleResults,
} from './test-project.ts';

/** model-card's artifact through the real @actions/artifact client, against the results-service stand-in. */

const PUSH = { name: 'push', payload: {}, sha: 'e'.repeat(40) };
/** No comment and no statuses: the artifact is what these tests are about. */
const QUIET = { comment: 'false', statuses: 'false' };
const ARTIFACT = 'model-card-loan-default';

let api: GitHubApiServer;
let service: ResultsService;

beforeEach(async () => {
  [api, service] = await Promise.all([startGitHubApiServer({}), startResultsService()]);
});
afterEach(async () => {
  await Promise.all([api.close(), service.close()]);
});

async function project(): Promise<TestProject> {
  const created = await createTestProject();
  await writeSampleResults(created, ['validate-data', 'benchmark']);
  return created;
}

/** Downloads the artifact with the real client, as a later job of the run would. */
async function downloaded(name: string, file: string): Promise<string> {
  for (const [key, value] of Object.entries(service.env('reader'))) vi.stubEnv(key, value);
  vi.stubEnv('MLGATE_ARTIFACT_DIR', undefined);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const [folder] = await createGitHubRuntime().artifacts.download(name, await tempDir('mlgate-download-'));
  return readFile(join(folder!, file), 'utf8');
}

describe('model-card’s workflow artifact, through the real artifact client', () => {
  it('a re-run of the job in the same workflow run exits 0 and leaves one artifact, the re-run’s', async () => {
    const card = await project();
    const first = await runModelCardAction(card, api, PUSH, QUIET, service.env('job-1'));
    expect(first.exitCode).toBe(0);
    expect(first.result.checks.find((check) => check.id === 'artifact')).toMatchObject({ status: 'pass' });
    const firstId = service.artifacts[0]?.id;

    const rerun = await runModelCardAction(card, api, PUSH, QUIET, service.env('job-1-attempt-2'));
    expect(rerun.exitCode).toBe(0);
    expect(rerun.log).not.toMatch(/internal error|already exists/);
    expect(service.artifacts.map((artifact) => artifact.name)).toEqual([ARTIFACT]);
    expect(service.artifacts[0]?.id).not.toBe(firstId);
    expect(service.artifacts[0]?.workflowJobRunBackendId).toBe('job-1-attempt-2');
    expect(await downloaded(ARTIFACT, 'evidence.json')).toBe(
      await readFile(join(card.out, 'evidence.json'), 'utf8'),
    );
    expect(await downloaded(ARTIFACT, 'validate-data.json')).toBe(
      await readFile(join(card.out, 'validate-data.json'), 'utf8'),
    );
    expect(service.violations).toEqual([]);
  });

  it('two model-card steps for one model in one job leave one artifact', async () => {
    const card = await project();
    const env = service.env('job-1');
    expect((await runModelCardAction(card, api, PUSH, QUIET, env)).exitCode).toBe(0);
    expect((await runModelCardAction(card, api, PUSH, QUIET, env)).exitCode).toBe(0);
    expect(service.artifacts.map((artifact) => artifact.name)).toEqual([ARTIFACT]);
    expect(service.violations).toEqual([]);
  });

  it('an artifact the service cannot store is a warning; the verdict, the card and the evidence stay', async () => {
    const card = await project();
    service.failNext('CreateArtifact', {
      status: 403,
      code: 'permission_denied',
      msg: 'insufficient usage to create artifact',
    });
    const { exitCode, result, log } = await runModelCardAction(card, api, PUSH, QUIET, service.env());
    expect(exitCode).toBe(0);
    expect(result.status).toBe('warn');
    expect(result.summary).toMatch(/^verdict pass over 2 gates/);
    expect(result.checks.find((check) => check.id === 'artifact')).toEqual({
      id: 'artifact',
      status: 'warn',
      message: `could not store the workflow artifact ${ARTIFACT}: Failed to CreateArtifact: Artifact storage quota has been hit. Unable to upload any new artifacts; the card and the evidence are only in this job's summary and files`,
    });
    expect(log).not.toMatch(/internal error/);
    expect(JSON.parse(await readFile(join(card.out, 'evidence.json'), 'utf8'))).toMatchObject({
      verdict: 'pass',
    });
    expect(service.artifacts).toEqual([]);
    expect(service.violations).toEqual([]);
  });
});
