import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMON_INPUTS } from '../action-entry.ts';
import { INPUTS, modelCardGate, OUTPUTS } from './gate.ts';

const read = async (path: string) => parse(await readFile(new URL(path, import.meta.url), 'utf8')) as unknown;

interface Workflow {
  permissions: unknown;
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
}

describe('action.yml and the shipped workflows', () => {
  it('declares exactly the gate’s inputs and outputs', async () => {
    const action = (await read('./action.yml')) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
      runs: unknown;
    };
    expect(Object.keys(action.inputs).sort()).toEqual(
      [...Object.values(COMMON_INPUTS), ...Object.keys(modelCardGate.inputs)].sort(),
    );
    expect(Object.keys(modelCardGate.inputs).sort()).toEqual(Object.values(INPUTS).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(
      ['status', 'result', 'summary', ...Object.values(OUTPUTS)].sort(),
    );
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('ships workflows with no default permissions, third-party actions pinned by SHA, and known inputs', async () => {
    const action = (await read('./action.yml')) as { inputs: Record<string, unknown> };
    for (const file of [
      '../../docs/workflows/pr-quality-gates.yml',
      '../../docs/workflows/pr-report-from-fork.yml',
    ]) {
      const workflow = (await read(file)) as Workflow;
      expect(workflow.permissions).toEqual({});
      const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
      for (const step of steps.filter((candidate) => candidate.uses?.startsWith('actions/'))) {
        expect(step.uses).toMatch(/^actions\/[\w-]+@[0-9a-f]{40}$/);
      }
      for (const step of steps.filter((candidate) => candidate.uses?.includes('/actions/model-card@'))) {
        for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
      }
    }
  });
});
