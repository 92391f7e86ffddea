import { describe, expect, it } from 'vitest';
import { EVIDENCE_SCHEMA, type Evidence } from '../../shared/evidence/evidence.ts';
import { lineOf, literalMarkdown, overflowingTables } from '../../shared/report/markdown-lint.ts';
import { GATE_RESULT_SCHEMA, GateResult } from '../../shared/result/gate-result.ts';
import type { CardData } from './card-data.ts';
import { parseCardSource } from './card-source.ts';
import { extractComparisons } from './comparisons.ts';
import type { LoadedResult } from './read-results.ts';
import { renderModelCard } from './render-card.ts';
import { renderJobSummary, renderPullRequestComment } from './render-comment.ts';
import { renderHuggingFaceCard } from './render-model-index.ts';
import { renderToolkitCard } from './render-toolkit.ts';
import { SAMPLE_REPORTS } from './test-project.ts';

const SHA = '7c4328acba5ee25d4beccee430839ad46be26d692cf84a4ad31b09272b753de2';
const COMMIT = '676439a713ed34d044ccc594aa56d891df8d2f19';

/** Hand-made result files, as the gates write them, validated against the result schema. */
function sampleResults(): LoadedResult[] {
  return Object.entries(SAMPLE_REPORTS).map(([gate, report], index) => ({
    file: `out/${gate}.json`,
    sha256: String(index + 1).repeat(64),
    result: GateResult.parse({
      schema: GATE_RESULT_SCHEMA,
      gate,
      status: gate === 'fairness' ? 'warn' : 'pass',
      ...report,
      subject: { model: { name: 'loan-default', version: '1.1.0', sha256: SHA }, commit: COMMIT },
      startedAt: '2026-11-25T00:00:00.000Z',
      durationMs: 1200,
      tool: { name: 'mlgate', version: '0.1.0' },
    }),
  }));
}

function sampleData(): CardData {
  const results = sampleResults();
  const evidence: Evidence = {
    schema: EVIDENCE_SCHEMA,
    createdAt: '2026-11-25T00:01:00.000Z',
    tool: { name: 'mlgate', version: '0.1.0' },
    model: {
      name: 'loan-default',
      version: '1.1.0',
      path: 'models/loan-default.onnx',
      sha256: SHA,
      sizeBytes: 2101,
      onnx: {
        irVersion: 8,
        producer: 'mlgate-fixtures',
        producerVersion: '1.0',
        opsets: [
          { domain: 'ai.onnx', version: 15 },
          { domain: 'ai.onnx.ml', version: 3 },
        ],
        inputs: [
          { name: 'age', dtype: 'float', shape: ['N', 1] },
          { name: 'region', dtype: 'string', shape: ['N', 1] },
        ],
        outputs: [
          { name: 'label', dtype: 'int64', shape: ['N'] },
          { name: 'probabilities', dtype: 'float', shape: ['N', 2] },
        ],
      },
    },
    commit: COMMIT,
    datasets: [{ name: 'eval', path: 'data/eval.csv', sha256: 'e'.repeat(64) }],
    gates: results.map(({ result, sha256 }) => ({
      gate: result.gate,
      status: result.status,
      summary: result.summary,
      startedAt: result.startedAt,
      resultSha256: sha256,
      checks: { pass: 1, warn: 0, fail: 0, error: 0, skip: 0 },
    })),
    verdict: 'warn',
  };
  const source = parseCardSource(
    [
      '---',
      'overview: Scores the probability that a consumer loan defaults within 12 months.',
      'owners: [{ name: Credit Risk ML, contact: risk-ml@example.com }]',
      'license: Apache-2.0',
      'task: tabular-classification',
      'intended-use: Ranking applications for manual review.',
      'out-of-scope-use: [Automated rejection without human review]',
      'limitations: [Trained on synthetic data]',
      'ethical-considerations: [Higher false positive rate for applicants aged 18-25]',
      '---',
      'A logistic regression exported to ONNX.',
      '',
    ].join('\n'),
    'model-card.md',
  );
  return {
    evidence,
    results,
    source,
    sourceFile: 'model-card.md',
    modelMetadata: { 'training.seed': '42', 'training.epochs': '400' },
    comparisons: results.flatMap(({ result }) => extractComparisons(result)),
    runUrl: 'https://github.com/acme/loans/actions/runs/42',
  };
}

describe('renderers (snapshots, read by a person when written)', () => {
  it('renders the Markdown card', async () => {
    await expect(renderModelCard(sampleData())).toMatchFileSnapshot('__snapshots__/model-card.md.snap');
  });

  it('renders the pull-request comment after an earlier failure', async () => {
    const comment = renderPullRequestComment(sampleData(), {
      previous: { verdict: 'fail', sha: '0123456789abcdef' },
      runUrl: 'https://github.com/acme/loans/actions/runs/42',
      artifactName: 'model-card-loan-default',
    });
    await expect(comment).toMatchFileSnapshot('__snapshots__/comment.md.snap');
  });

  it('renders Model Card Toolkit JSON and the Hugging Face card', async () => {
    const data = sampleData();
    await expect(`${JSON.stringify(renderToolkitCard(data), null, 2)}\n`).toMatchFileSnapshot(
      '__snapshots__/model-card.toolkit.json.snap',
    );
    await expect(renderHuggingFaceCard(data)).toMatchFileSnapshot('__snapshots__/model-card.hf.md.snap');
  });
});

describe('rendered reports fit and read verdict first (character budget; npm run check:render measures it in Chromium)', () => {
  const failing = (): CardData => {
    const data = sampleData();
    const results = data.results.map((loaded) =>
      loaded.result.gate === 'fairness'
        ? {
            ...loaded,
            result: {
              ...loaded.result,
              status: 'fail' as const,
              checks: loaded.result.checks.map((check) => ({ ...check, status: 'fail' as const })),
            },
          }
        : loaded,
    );
    return { ...data, results, evidence: { ...data.evidence, verdict: 'fail' } };
  };
  const verdicts = ['Blocks the merge', 'Mergeable, with warnings', 'Passes'];

  for (const [variant, make] of [
    ['the sample', sampleData],
    ['a failing variant', failing],
  ] as const) {
    it(`${variant}: comment, card and job summary`, () => {
      const data = make();
      const documents = {
        comment: renderPullRequestComment(data, { artifactName: 'model-card-loan-default' }),
        card: renderModelCard(data),
        summary: renderJobSummary(data, 'model-card-loan-default', 300_000),
      };
      for (const [name, markdown] of Object.entries(documents)) {
        expect({ name, tables: overflowingTables(markdown) }).toEqual({ name, tables: [] });
        expect({ name, literal: literalMarkdown(markdown) }).toEqual({ name, literal: [] });
        expect(lineOf(markdown, verdicts), name).toBeGreaterThan(0);
        expect(lineOf(markdown, verdicts), name).toBeLessThanOrEqual(3);
      }
      if (variant === 'a failing variant') {
        expect(documents.comment).toMatch(/^## ❌ Blocks the merge: `loan-default` 1\.1\.0$/m);
        expect(documents.comment).toContain('**Exceeds its limit (2):**');
      }
    });
  }
});
