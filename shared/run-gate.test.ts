import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createConfigSchema } from './config/config-schema.ts';
import { loadConfig } from './config/load-config.ts';
import { InputError } from './errors.ts';
import { defineGate } from './gate.ts';
import { GateResult } from './result/gate-result.ts';
import { runGate } from './run-gate.ts';
import { createLocalRuntime } from './runtime/local-runtime.ts';
import { memoryStream } from './testing/memory-stream.ts';
import { tempDir } from './testing/temp-dir.ts';

/** A small real gate: compares the rows it is told about with a configured maximum. */
const rowsGate = defineGate({
  name: 'count-rows',
  description: 'checks a row count',
  settings: z.strictObject({ max: z.number().default(10) }),
  inputs: {
    rows: { description: 'observed rows' },
    infer: { description: 'print a suggestion', flag: true },
  },
  options: z.object({ rows: z.coerce.number().default(5), infer: z.stringbool().default(false) }),
  needsModel: false,
  async run({ settings, options }) {
    if (options.rows < 0) throw new InputError('rows must not be negative', { file: 'data.csv', line: 3 });
    const ok = options.rows <= settings.max;
    return {
      summary: `${options.rows} rows`,
      checks: [
        {
          id: 'data.rows',
          status: ok ? 'pass' : 'fail',
          message: `${options.rows} rows`,
          observed: options.rows,
          expected: settings.max,
        },
      ],
      metrics: { rows: options.rows },
    };
  },
  async runTool({ options }) {
    return options.infer ? 'suggested max: 10' : undefined;
  },
});

const MODEL_BYTES = 'not really onnx, but bytes to hash';
const schema = createConfigSchema({ 'count-rows': rowsGate.settings });

async function setUp(configText: string) {
  const dir = await tempDir();
  await writeFile(join(dir, 'mlgate.yml'), configText);
  await writeFile(join(dir, 'model.onnx'), MODEL_BYTES);
  const config = await loadConfig(join(dir, 'mlgate.yml'), schema);
  const stream = memoryStream();
  const out = join(dir, 'out');
  const runtime = await createLocalRuntime({ out, stream, cwd: dir });
  return { dir, out, config, runtime, stream };
}

describe('runGate', () => {
  it('writes a schema-valid result with subject, metrics and outputs, and exit code 0 on pass', async () => {
    const { out, config, runtime } = await setUp(
      'version: 1\nmodel: { name: loans, path: model.onnx, version: 1.0.0 }\ngates:\n  count-rows: { max: 10 }\n',
    );
    const outcome = await runGate(rowsGate, { config, runtime, out, inputs: { rows: '7' } });
    expect(outcome.exitCode).toBe(0);
    const written = GateResult.parse(JSON.parse(await readFile(join(out, 'count-rows.json'), 'utf8')));
    expect(written).toMatchObject({ gate: 'count-rows', status: 'pass', metrics: { rows: 7 } });
    expect(written.subject.model).toEqual({
      name: 'loans',
      version: '1.0.0',
      sha256: createHash('sha256').update(MODEL_BYTES).digest('hex'),
    });
    expect(runtime.outputs.get('status')).toBe('pass');
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain(
      '### ✅ `count-rows` passes: 1 of 1 checks pass',
    );
  });

  it('fails with exit 1, and a live waiver turns the failure into a warning with exit 0', async () => {
    const failing = await setUp('version: 1\ngates:\n  count-rows: { max: 3 }\n');
    const failed = await runGate(rowsGate, { ...failing, inputs: { rows: '7' } });
    expect(failed.exitCode).toBe(1);
    expect(failing.stream.text()).toContain('error: count-rows: data.rows: 7 rows');
    const waived = await setUp(
      'version: 1\ngates:\n  count-rows: { max: 3 }\nwaivers:\n  - { check: data.*, reason: known, until: 2999-01-01 }\n',
    );
    const outcome = await runGate(rowsGate, { ...waived, inputs: { rows: '7' } });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.result.status).toBe('warn');
    expect(outcome.result.waivers).toEqual([
      { check: 'data.*', reason: 'known', until: '2999-01-01', state: 'applied' },
    ]);
  });

  it('turns a user mistake into an error result with exit 2 and a one-line summary naming the file', async () => {
    const { out, config, runtime } = await setUp('version: 1\ngates:\n  count-rows: {}\n');
    const outcome = await runGate(rowsGate, { config, runtime, out, inputs: { rows: '-1' } });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.result.status).toBe('error');
    expect(outcome.result.summary).toBe('data.csv:3 rows must not be negative');
    const bad = await runGate(rowsGate, { config, runtime, out, inputs: { rows: 'many' } });
    expect(bad.exitCode).toBe(2);
    expect(bad.result.summary).toMatch(/^input rows: /);
  });

  it('runs an auxiliary tool without writing a gate result', async () => {
    const { out, config, runtime } = await setUp('version: 1\n');
    const outcome = await runGate(rowsGate, { config, runtime, out, inputs: { infer: 'true' } });
    expect(outcome).toMatchObject({ exitCode: 0, toolMessage: 'suggested max: 10' });
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('requires a model when the gate needs one', async () => {
    const { out, config, runtime } = await setUp('version: 1\n');
    const outcome = await runGate({ ...rowsGate, needsModel: true }, { config, runtime, out, inputs: {} });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.result.summary).toMatch(/gates\.count-rows needs a model/);
  });
});
