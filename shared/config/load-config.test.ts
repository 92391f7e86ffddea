import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { tempDir } from '../testing/temp-dir.ts';
import { createConfigSchema } from './config-schema.ts';
import { loadConfig } from './load-config.ts';
import { numberBetween } from './zod-helpers.ts';

const schema = createConfigSchema({
  benchmark: z.strictObject({ 'max-regression': numberBetween(0, 10).default(0.1) }),
  fairness: z.strictObject({ 'min-support': z.number().int().default(30) }),
});

async function configFile(text: string): Promise<string> {
  const dir = await tempDir();
  const file = join(dir, 'mlgate.yml');
  await writeFile(file, text);
  return file;
}

async function errorOf(text: string): Promise<string> {
  const file = await configFile(text);
  const error = await loadConfig(file, schema).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).message.replace(file, 'mlgate.yml');
}

describe('loadConfig', () => {
  it('parses a valid config, fills defaults and resolves paths against the config folder', async () => {
    const file = await configFile(
      'version: 1\nmodel: { name: loans, path: models/m.onnx }\ndatasets:\n  eval: { path: data/eval.csv }\ngates:\n  benchmark:\n',
    );
    const loaded = await loadConfig(file, schema);
    expect(loaded.config.gates.benchmark).toEqual({ 'max-regression': 0.1 });
    expect(loaded.config.gates.fairness).toBeUndefined();
    expect(loaded.config.waivers).toEqual([]);
    expect(loaded.resolve('models/m.onnx')).toBe(join(loaded.dir, 'models/m.onnx'));
    expect(loaded.locate(['datasets', 'eval'])).toMatchObject({ line: 4, column: 9 });
  });

  it('names file, line and column and what was expected for a wrong value', async () => {
    const text = ['version: 1', 'gates:', '  benchmark:', '    max-regression: ten'].join('\n');
    expect(await errorOf(text)).toBe(
      'mlgate.yml:4:21 gates.benchmark.max-regression: expected a number between 0 and 10, got "ten"',
    );
  });

  it('rejects unknown keys at the key itself, with a suggestion, before the issues they cause', async () => {
    expect(await errorOf('version: 1\nmodel:\n  name: m\n  paht: m.onnx\n')).toBe(
      'mlgate.yml:4:3 model.paht: unknown key; did you mean "path"?',
    );
    expect(await errorOf('version: 1\ngates:\n  benchmrk: {}\n')).toBe(
      'mlgate.yml:3:3 gates.benchmrk: unknown key; did you mean "benchmark"?',
    );
  });

  it('reports YAML syntax errors and missing files as one line', async () => {
    expect(await errorOf('version: 1\n  bad: [\n')).toMatch(/^mlgate\.yml:1:10 invalid YAML: /);
    await expect(loadConfig('/nonexistent/mlgate.yml', schema)).rejects.toThrow(
      '/nonexistent/mlgate.yml file not found',
    );
  });

  it('requires version 1 and a reason and a date on every waiver', async () => {
    expect(await errorOf('version: 2\n')).toBe('mlgate.yml:1:10 version: expected version: 1, got 2');
    expect(await errorOf('version: 1\nwaivers:\n  - { check: a, reason: x, until: soon }\n')).toBe(
      'mlgate.yml:3:35 waivers.0.until: expected a date YYYY-MM-DD, got "soon"',
    );
    expect(await errorOf('version: 1\nwaivers:\n  - { check: a, reason: "", until: 2030-01-01 }\n')).toMatch(
      /waivers\.0\.reason: expected a reason: a waiver must say why/,
    );
  });
});
