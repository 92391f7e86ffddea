import { describe, expect, it } from 'vitest';
import { GATE_SETTINGS } from './config-schema.ts';
import { ALL_GATES } from './gates.ts';

describe('the gate registry', () => {
  it('lists each gate once, and the config schema validates each with that gate own settings schema', () => {
    expect(ALL_GATES.map((gate) => gate.name).sort()).toEqual(Object.keys(GATE_SETTINGS).sort());
    for (const gate of ALL_GATES) {
      expect(GATE_SETTINGS[gate.name as keyof typeof GATE_SETTINGS], gate.name).toBe(gate.settings);
    }
  });
});
