import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { COMMON_INPUTS } from '../action-entry.ts';
import { ACTION_INPUT_NAMES, PROMOTE_INPUTS, PROMOTE_OUTPUTS } from './inputs.ts';

const ActionYml = z.object({
  inputs: z.record(z.string(), z.object({ description: z.string().min(1) }).loose()),
  outputs: z.record(z.string(), z.object({ description: z.string().min(1) })),
  runs: z.object({ using: z.literal('node24'), main: z.literal('dist/index.js') }),
});

describe('actions/promote/action.yml', () => {
  it('declares every input of the gate (to as stage) and every output, each described', async () => {
    const action = ActionYml.parse(parse(await readFile(join(import.meta.dirname, 'action.yml'), 'utf8')));
    const expected = [
      ...Object.values(COMMON_INPUTS),
      ...Object.keys(PROMOTE_INPUTS).map((name) => (name === 'to' ? ACTION_INPUT_NAMES.to : name)),
    ];
    expect(Object.keys(action.inputs).sort()).toEqual(expected.sort());
    expect(Object.keys(action.outputs).sort()).toEqual(
      ['status', 'result', 'summary', ...Object.values(PROMOTE_OUTPUTS)].sort(),
    );
  });
});
