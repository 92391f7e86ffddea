import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import type { RawInputs } from '../../shared/runtime/runtime.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { loadMlgateConfig } from '../gates.ts';
import { validateDataGate } from './gate.ts';

/** Writes `files` (name -> content) into a fresh temporary folder and returns its path. */
export async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('mlgate-vd-');
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/** Runs the real gate on `<dir>/mlgate.yml` with a local runtime, as the CLI would. */
export async function runValidateData(
  dir: string,
  inputs: RawInputs = {},
  now = new Date('2026-01-15T00:00:00Z'),
) {
  const config = await loadMlgateConfig(join(dir, 'mlgate.yml'));
  const out = join(dir, 'out');
  const stream = memoryStream();
  const runtime = await createLocalRuntime({ out, stream, cwd: dir, inputs });
  const outcome = await runGate(validateDataGate, { config, runtime, out, inputs, now: () => now });
  return { ...outcome, log: stream.text() };
}
