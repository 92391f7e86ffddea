import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CorpusModel, modelCorpus } from './model-corpus.ts';

const DOC = join(import.meta.dirname, '../../docs/models.md');

/** The rows of the "Supported shapes" table, by id: the cells after the id. */
async function documentedRows(): Promise<Map<string, string[]>> {
  const text = await readFile(DOC, 'utf8');
  const section = text.slice(text.indexOf('## Supported shapes'), text.indexOf('## Inputs'));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const id = /^`([a-z0-9-]+)`$/.exec(cells[0] ?? '')?.[1];
    if (id) rows.set(id, cells.slice(1));
  }
  return rows;
}

/** The settings a row's "configure" cell must name for a corpus model. */
function settingsOf(entry: CorpusModel): string[] {
  return [
    ...(entry.model?.inputs ? ['model.inputs'] : []),
    ...(entry.model?.['score-output'] ? ['model.score-output'] : []),
    ...(entry.model?.['positive-class'] !== undefined
      ? [`model.positive-class: ${entry.model['positive-class']}`]
      : []),
    ...(entry.score ? [`gates.fairness.prediction.score: ${entry.score}`] : []),
    ...(entry.benchmarkInputs ? ['gates.benchmark.inputs'] : []),
  ];
}

describe('docs/models.md', () => {
  it('lists every corpus model with what to configure and what each gate does', async () => {
    const rows = await documentedRows();
    const corpus = modelCorpus();
    expect([...rows.keys()]).toEqual(corpus.map((entry) => entry.id));
    for (const entry of corpus) {
      const [, configure, contract, benchmark, fairness] = rows.get(entry.id)!;
      for (const setting of settingsOf(entry)) expect(configure, entry.id).toContain(setting);
      if (settingsOf(entry).length === 0) expect(configure, entry.id).toBe('nothing');
      expect(contract!.split(' ')[0], entry.id).toBe(entry.expected.contract);
      const outcome = (expected: CorpusModel['expected']['fairness']) =>
        expected === 'runs' ? 'runs' : 'refused';
      expect(benchmark!.split(/[ :;]/)[0], entry.id).toBe(outcome(entry.expected.benchmark));
      expect(fairness!.split(/[ :;,]/)[0], entry.id).toBe(outcome(entry.expected.fairness));
    }
  });
});
