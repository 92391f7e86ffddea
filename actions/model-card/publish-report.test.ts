import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GateReport } from '../../shared/gate.ts';
import {
  type GitHubApiServer,
  type Handler,
  paginate,
  startGitHubApiServer,
} from '../../shared/testing/github-api-server.ts';
import {
  createTestProject,
  runModelCardAction,
  SAMPLE_REPORTS,
  type TestProject,
  writeSampleResult,
  writeSampleResults,
} from './test-project.ts';

const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const COMMENTS = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
const CREATE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const UPDATE = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}';
const STATUS = 'POST /repos/{owner}/{repo}/statuses/{sha}';

interface StoredComment {
  id: number;
  body: string;
}

/** A pull request's comments kept in memory behind GitHub's documented routes. */
function commentRoutes(comments: StoredComment[]): Record<string, Handler> {
  const shape = (tools: Parameters<Handler>[1], status: number, comment: StoredComment) => ({
    ...(tools.example(status) as Record<string, unknown>),
    id: comment.id,
    body: comment.body,
    html_url: `https://github.com/acme/loans/pull/7#issuecomment-${comment.id}`,
  });
  return {
    [COMMENTS]: (request, tools) =>
      paginate(
        comments.map((comment) => ({
          ...(tools.example(200) as Record<string, unknown>[])[0],
          ...shape(tools, 201, comment),
        })),
        request,
        tools.baseUrl,
      ),
    [CREATE]: (request, tools) => {
      const comment = { id: 9000 + comments.length, body: (request.body as { body: string }).body };
      comments.push(comment);
      return { status: 201, body: shape(tools, 201, comment) };
    },
    [UPDATE]: (request, tools) => {
      const comment = comments.find((candidate) => candidate.id === Number(request.pathParams.comment_id))!;
      comment.body = (request.body as { body: string }).body;
      return { status: 200, body: shape(tools, 200, comment) };
    },
    [STATUS]: () => ({ status: 201 }),
  };
}

let server: GitHubApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs the gate as the action does on a pull_request (or workflow_run) event. */
function runInWorkflow(
  project: TestProject,
  api: GitHubApiServer,
  options: { fork?: boolean; workflowRun?: boolean; inputs?: Record<string, string> } = {},
) {
  const payload = {
    pull_request: {
      number: 7,
      base: { sha: 'f'.repeat(40) },
      head: { sha: HEAD_SHA, repo: { fork: options.fork === true } },
    },
  };
  return runModelCardAction(
    project,
    api,
    { name: options.workflowRun ? 'workflow_run' : 'pull_request', payload, sha: 'e'.repeat(40) },
    options.inputs,
  );
}

/** Commit statuses are throttled writes (one a second); tests other than the first do without them. */
const NO_STATUSES = '  model-card: { card: card.yml, statuses: false }';

const routes = (api: GitHubApiServer, route: string) =>
  api.requests.filter((request) => request.route === route);

describe('the pull-request report', () => {
  it('creates one sticky comment, updates it on the next run, and sets a commit status per gate', async () => {
    const comments: StoredComment[] = [{ id: 1, body: 'LGTM' }];
    server = await startGitHubApiServer(commentRoutes(comments));
    const project = await createTestProject();
    await writeSampleResults(project, ['benchmark', 'fairness']);

    const first = await runInWorkflow(project, server);
    expect(first.exitCode).toBe(0);
    expect(comments).toHaveLength(2);
    expect(comments[1]?.body).toMatch(/^<!-- mlgate:model-card:loan-default -->\n/);
    expect(comments[1]?.body).toContain('| ⚠️ fairness | 1 of 2 within; 1 inconclusive |');
    expect(first.outputs).toContain('https://github.com/acme/loans/pull/7#issuecomment-9001');
    expect(
      routes(server, STATUS).map((request) => [
        request.pathParams.sha,
        (request.body as { context: string; state: string }).context,
        (request.body as { state: string }).state,
      ]),
    ).toEqual([
      [HEAD_SHA, 'mlgate/benchmark', 'success'],
      [HEAD_SHA, 'mlgate/fairness', 'success'],
    ]);

    // Statuses are throttled writes (one a second): the first run has shown them.
    const second = await runInWorkflow(project, server, { inputs: { statuses: 'false' } });
    expect(second.exitCode).toBe(0);
    expect(comments).toHaveLength(2);
    expect(routes(server, CREATE)).toHaveLength(1);
    expect(routes(server, UPDATE)).toHaveLength(1);
    expect(second.result.checks.find((check) => check.id === 'report.comment')?.message).toMatch(/^updated /);
    expect(second.summary).toContain('# Model card: loan-default 1.1.0');
    expect(server.violations).toEqual([]);
  });

  it('finds its comment among 150 earlier ones, across pages', async () => {
    const comments: StoredComment[] = Array.from({ length: 150 }, (_, index) => ({
      id: index + 1,
      body: `comment ${index + 1}`,
    }));
    comments[120]!.body = '<!-- mlgate:model-card:loan-default -->\nan old report';
    server = await startGitHubApiServer(commentRoutes(comments));
    const project = await createTestProject({ modelCard: NO_STATUSES });
    await writeSampleResults(project, ['benchmark']);
    const { exitCode } = await runInWorkflow(project, server);
    expect(exitCode).toBe(0);
    expect(comments).toHaveLength(150);
    expect(routes(server, COMMENTS).map((request) => request.query.get('page') ?? '1')).toEqual(['1', '2']);
    expect(routes(server, UPDATE).map((request) => request.pathParams.comment_id)).toEqual(['121']);
    expect(comments[120]?.body).toContain('p50 latency ratio 1.03');
    expect(server.violations).toEqual([]);
  });

  it('says so at the top when every gate passes after an earlier failure', async () => {
    const comments: StoredComment[] = [];
    server = await startGitHubApiServer(commentRoutes(comments));
    const project = await createTestProject({ modelCard: NO_STATUSES });
    const failing: GateReport = {
      ...SAMPLE_REPORTS.benchmark,
      summary: 'p50 latency ratio 1.31 (95% CI 1.22–1.40) over the 10% budget',
      checks: [{ id: 'default.1.p50', status: 'fail', message: 'p50 ratio 1.31 > 1.10' }],
    } as unknown as GateReport;
    await writeSampleResult(project, 'benchmark', failing);
    const failed = await runInWorkflow(project, server);
    expect(failed.exitCode).toBe(1);
    expect(comments[0]?.body).toMatch(/^## ❌ Blocks the merge: `loan-default` 1\.1\.0$/m);
    expect(comments[0]?.body).toContain(
      '<details open><summary>❌ fail <code>benchmark</code>: details</summary>',
    );
    expect(comments[0]?.body).not.toContain('All gates pass now');

    await writeSampleResults(project, ['benchmark']);
    const fixed = await runInWorkflow(project, server);
    expect(fixed.exitCode).toBe(0);
    expect(comments).toHaveLength(1);
    const lines = comments[0]!.body.split('\n');
    expect(lines[2]).toMatch(/^## ✅ Passes: `loan-default` 1\.1\.0/);
    expect(lines[5]).toBe(
      `> All gates pass now. The previous report (for \`${HEAD_SHA.slice(0, 7)}\`) had a \`fail\`; its details are gone because they no longer apply.`,
    );
    expect(comments[0]?.body).not.toContain('<details open><summary>❌');
    expect(server.violations).toEqual([]);
  });

  it('degrades to the summary and the artifact, exit 0, when the token cannot comment (403)', async () => {
    server = await startGitHubApiServer({
      ...commentRoutes([]),
      [CREATE]: (_request, tools) => ({ status: 403, body: tools.example(403) }),
    });
    const project = await createTestProject({ modelCard: NO_STATUSES });
    await writeSampleResults(project, ['fairness']);
    const { exitCode, result, summary, artifacts } = await runInWorkflow(project, server);
    expect(exitCode).toBe(0);
    expect(result.checks.find((check) => check.id === 'report.comment')).toMatchObject({
      status: 'skip',
      message: expect.stringContaining('docs/workflows/pr-report-from-fork.yml'),
    });
    expect(summary).toContain('## Quantitative Analyses');
    expect((await readdir(join(artifacts, 'model-card-loan-default'))).sort()).toEqual([
      'evidence.json',
      'fairness.json',
      'model-card.comment.md',
      'model-card.hf.md',
      'model-card.md',
      'model-card.toolkit.json',
    ]);
    expect(server.violations).toEqual([]);
  });

  it('does not even try to write from a fork pull request', async () => {
    server = await startGitHubApiServer(commentRoutes([]));
    const project = await createTestProject({ modelCard: NO_STATUSES });
    await writeSampleResults(project, ['fairness']);
    const { exitCode, result } = await runInWorkflow(project, server, { fork: true });
    expect(exitCode).toBe(0);
    expect(server.requests).toEqual([]);
    expect(result.checks.find((check) => check.id === 'report.comment')?.message).toMatch(
      /read-only token \(fork\)/,
    );
  });

  it('retries a 5xx', async () => {
    const comments: StoredComment[] = [];
    const normal = commentRoutes(comments);
    let failures = 1;
    server = await startGitHubApiServer({
      ...normal,
      [COMMENTS]: (request, tools) => {
        if (failures-- > 0) return { status: 502, body: { message: 'Server Error' } };
        return normal[COMMENTS]!(request, tools);
      },
    });
    const project = await createTestProject({ modelCard: NO_STATUSES });
    await writeSampleResults(project, ['validate-data']);
    const { exitCode } = await runInWorkflow(project, server);
    expect(exitCode).toBe(0);
    expect(routes(server, COMMENTS)).toHaveLength(2);
    expect(comments).toHaveLength(1);
    expect(server.violations).toEqual([]);
  });

  it('cuts an oversized report below 65,536 characters, with a pointer to the full card', async () => {
    const comments: StoredComment[] = [];
    server = await startGitHubApiServer(commentRoutes(comments));
    const project = await createTestProject({ modelCard: NO_STATUSES });
    const rows = Array.from({ length: 3000 }, (_, index) => [
      `segment-${index}`,
      String(index),
      '0.123456',
      '0.1–0.2',
    ]);
    await writeSampleResult(project, 'fairness', {
      ...(SAMPLE_REPORTS.fairness as unknown as GateReport),
      tables: [{ title: 'Every segment', columns: ['group', 'n', 'FPR', '95% CI'], rows }],
    });
    await writeSampleResults(project, ['benchmark']);
    const { exitCode } = await runInWorkflow(project, server);
    expect(exitCode).toBe(0);
    const body = comments[0]!.body;
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('| ⚠️ fairness | 1 of 2 within; 1 inconclusive |');
    expect(body).toMatch(
      /sections? (was|were) left out to stay under GitHub's 65,536-character limit\. The full card is in the \[job summary\]\(https:\/\/github\.com\/acme\/loans\/actions\/runs\/42\)/,
    );
    expect(await readFile(join(project.out, 'model-card.md'), 'utf8')).toContain('segment-2999');
    expect(server.violations).toEqual([]);
  });

  it('posts from a fork run’s uploaded results in the workflow_run half, as validated data only', async () => {
    const comments: StoredComment[] = [];
    server = await startGitHubApiServer({
      ...commentRoutes(comments),
      'GET /repos/{owner}/{repo}/pulls': (request, tools) => {
        const template = (tools.example(200) as { head: Record<string, unknown> }[])[0]!;
        const pulls = [5, 7].map((number) => ({
          ...template,
          number,
          head: { ...template.head, sha: number === 7 ? HEAD_SHA : 'c'.repeat(40) },
        }));
        return paginate(pulls, request, tools.baseUrl);
      },
    });
    const fork = await createTestProject();
    await writeSampleResults(fork, ['benchmark', 'fairness']);
    const phaseOne = await runInWorkflow(fork, server, { fork: true });
    expect(phaseOne.exitCode).toBe(0);
    const uploaded = join(phaseOne.artifacts, 'model-card-loan-default');

    const trusted = await createTestProject({ model: false });
    const phaseTwo = await runInWorkflow(trusted, server, {
      workflowRun: true,
      inputs: { 'report-from': uploaded },
    });
    expect(phaseTwo.toolMessage).toBe(
      'model-card: created https://github.com/acme/loans/pull/7#issuecomment-9000',
    );
    expect(phaseTwo.exitCode).toBe(0);
    expect(routes(server, CREATE).map((request) => request.pathParams.issue_number)).toEqual(['7']);
    expect(routes(server, STATUS)).toEqual([]);
    expect(comments[0]?.body).toContain('| ⚠️ fairness | 1 of 2 within; 1 inconclusive |');
    expect(comments[0]?.body).not.toContain('<summary>Model card</summary>');

    await writeFile(
      join(uploaded, 'fairness.json'),
      (await readFile(join(uploaded, 'fairness.json'), 'utf8')).replace('"warn"', '"pass"'),
    );
    const tampered = await runInWorkflow(trusted, server, {
      workflowRun: true,
      inputs: { 'report-from': uploaded },
    });
    expect(tampered.exitCode).toBe(2);
    expect(tampered.result.summary).toMatch(
      /evidence\.json the result of fairness is missing or differs from the one the evidence pins$/,
    );
    expect(comments).toHaveLength(1);
    expect(server.violations).toEqual([]);
  });
});
