import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../testing/temp-dir.ts';
import { ANNOTATION_LIMIT, createGitHubRuntime, SUMMARY_LIMIT_BYTES } from './github-runtime.ts';

/** Parses the runner's GITHUB_OUTPUT file: `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^(.+?)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

describe('the GitHub runtime, through the runner file protocol of @actions/core', () => {
  let dir: string;
  let stdout: string[];

  beforeEach(async () => {
    dir = await tempDir();
    await writeFile(join(dir, 'output'), '');
    await writeFile(join(dir, 'summary'), '');
    vi.stubEnv('GITHUB_OUTPUT', join(dir, 'output'));
    vi.stubEnv('GITHUB_STEP_SUMMARY', join(dir, 'summary'));
    stdout = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
  });

  it('reads INPUT_* the way the runner sets them, multi-line lists split and trimmed', () => {
    vi.stubEnv('INPUT_CONFIG', ' fixtures/mlgate.yml ');
    vi.stubEnv('INPUT_DATASET', 'train\n  eval  \n\n');
    const runtime = createGitHubRuntime();
    expect(runtime.input('config')).toBe('fixtures/mlgate.yml');
    expect(runtime.input('dataset', { multiple: true })).toEqual(['train', 'eval']);
    expect(runtime.input('absent')).toBeUndefined();
  });

  it('writes outputs to GITHUB_OUTPUT and the summary to GITHUB_STEP_SUMMARY', async () => {
    const runtime = createGitHubRuntime();
    runtime.setOutput('status', 'fail');
    runtime.setOutput('summary', 'two lines\nof text');
    await runtime.appendSummary('### ❌ `benchmark`');
    await runtime.appendSummary('second part');
    expect(parseOutputFile(await readFile(join(dir, 'output'), 'utf8'))).toEqual({
      status: 'fail',
      summary: 'two lines\nof text',
    });
    expect(await readFile(join(dir, 'summary'), 'utf8')).toBe('### ❌ `benchmark`\nsecond part\n');
  });

  it('emits annotations as workflow commands pointing at the file line, at most 10 per level', () => {
    const runtime = createGitHubRuntime();
    for (let index = 1; index <= ANNOTATION_LIMIT + 3; index++) {
      runtime.annotate({
        level: 'error',
        title: 'validate-data',
        message: `rule ${index} failed`,
        location: { file: 'schema.yml', line: index, column: 3 },
      });
    }
    runtime.annotate({ level: 'warning', message: 'a warning still shows' });
    const commands = stdout.join('').split('\n');
    const errors = commands.filter((line) => line.startsWith('::error '));
    expect(errors).toHaveLength(ANNOTATION_LIMIT);
    expect(errors[0]).toBe('::error title=validate-data,file=schema.yml,line=1,col=3::rule 1 failed');
    expect(commands).toContain('::warning::a warning still shows');
    expect(commands.some((line) => line.includes('More error annotations were left out'))).toBe(true);
  });

  it('masks the token and caps the summary below 1 MiB', async () => {
    const runtime = createGitHubRuntime({ token: 'ghs_secret123' });
    expect(stdout.join('')).toContain('::add-mask::ghs_secret123');
    expect(runtime.github).toBeDefined();
    await runtime.appendSummary('x'.repeat(SUMMARY_LIMIT_BYTES - 100));
    await runtime.appendSummary('y'.repeat(5000));
    await runtime.appendSummary('never written');
    const summary = await readFile(join(dir, 'summary'), 'utf8');
    expect(Buffer.byteLength(summary)).toBeLessThan(SUMMARY_LIMIT_BYTES + 200);
    expect(summary).toContain("cut here to stay under GitHub's 1 MiB limit");
    expect(summary).not.toContain('never written');
  });

  it('reads the pull request from the event payload: head SHA, base SHA, fork', async () => {
    const event = join(dir, 'event.json');
    await writeFile(
      event,
      JSON.stringify({
        pull_request: {
          number: 42,
          base: { sha: 'b'.repeat(40) },
          head: { sha: 'h'.repeat(40), repo: { fork: true } },
        },
      }),
    );
    vi.stubEnv('GITHUB_EVENT_PATH', event);
    vi.stubEnv('GITHUB_EVENT_NAME', 'pull_request');
    vi.stubEnv('GITHUB_REPOSITORY', 'acme/loans');
    vi.stubEnv('GITHUB_SHA', 'm'.repeat(40));
    const { context } = createGitHubRuntime();
    expect(context).toMatchObject({
      repository: { owner: 'acme', repo: 'loans' },
      pullRequest: 42,
      baseSha: 'b'.repeat(40),
      sha: 'h'.repeat(40),
      fork: true,
      eventName: 'pull_request',
    });
  });
});
