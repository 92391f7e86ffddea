import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readActionMetadata } from '../../shared/actions/action-metadata.ts';
import { COMMON_INPUTS } from '../action-entry.ts';
import { ACTIONS_DIR } from '../build.ts';
import { ALL_GATES } from '../gates.ts';

/** The outputs `runGate` sets for every gate. */
const COMMON_OUTPUTS = ['status', 'result', 'summary'];

describe.each(ALL_GATES.map((gate) => [gate.name, gate] as const))('actions/%s/action.yml', (name, gate) => {
  const file = join(ACTIONS_DIR, name, 'action.yml');

  it('exists beside the entry point', () => {
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(ACTIONS_DIR, name, 'main.ts'))).toBe(true);
  });

  it('declares the common inputs with the defaults the entry point assumes, and the common outputs', async () => {
    const action = await readActionMetadata(file);
    expect(action.inputs[COMMON_INPUTS.config]?.default).toBe('mlgate.yml');
    expect(action.inputs[COMMON_INPUTS.out]?.default).toBe('mlgate-results');
    expect(action.inputs[COMMON_INPUTS.token]?.default).toBe('${{ github.token }}');
    for (const output of COMMON_OUTPUTS) expect(Object.keys(action.outputs)).toContain(output);
  });

  it("declares exactly the gate's own inputs besides the common ones", async () => {
    const action = await readActionMetadata(file);
    const declared = Object.keys(action.inputs).filter((input) => !(input in COMMON_INPUTS));
    // A gate may name an input differently in action.yml (promote's --to is `stage`), mapped in its main.ts.
    const inputsModule = join(ACTIONS_DIR, name, 'inputs.ts');
    const renamed: Record<string, string> = existsSync(inputsModule)
      ? (((await import(inputsModule)) as { ACTION_INPUT_NAMES?: Record<string, string> })
          .ACTION_INPUT_NAMES ?? {})
      : {};
    expect(declared.sort()).toEqual(
      Object.keys(gate.inputs)
        .map((input) => renamed[input] ?? input)
        .sort(),
    );
  });

  it('runs the bundle: node24, or composite for a gate with native dependencies', async () => {
    const action = await readActionMetadata(file);
    if (action.runs.using === 'composite') {
      expect(existsSync(join(ACTIONS_DIR, name, 'package.json'))).toBe(true);
      expect(action.runs.steps.at(-1)).toMatchObject({
        id: 'run',
        run: 'node "$GITHUB_ACTION_PATH/dist/index.js"\n',
      });
    } else {
      expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    }
  });
});
