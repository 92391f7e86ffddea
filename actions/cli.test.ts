import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryStream } from '../shared/testing/memory-stream.ts';
import { tempDir } from '../shared/testing/temp-dir.ts';
import { main } from './cli.ts';
import { ALL_GATES } from './gates.ts';

async function cli(args: string[]) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** What the config error adds after "unknown key", given the gates registered so far. */
function unknownGateHint(intended: string): string {
  if (ALL_GATES.some((gate) => gate.name === intended)) return `; did you mean "${intended}"?`;
  return ALL_GATES.length ? `; expected one of: ${ALL_GATES.map((gate) => gate.name).join(', ')}` : '';
}

describe('the mlgate CLI', () => {
  it('exits 2 on a config typo with file:line:col, before writing anything to --out', async () => {
    const dir = await tempDir();
    const config = join(dir, 'mlgate.yml');
    await writeFile(config, 'version: 1\nmodel:\n  name: loans\n  path: m.onnx\ngates:\n  fairnes: {}\n');
    const out = join(dir, 'out');
    const result = await cli(['run', '--config', config, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `mlgate: ${config}:6:3 gates.fairnes: unknown key${unknownGateHint('fairness')}\n`,
    );
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('documents every command and common flag in --help', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    for (const text of [
      'run',
      '--config FILE',
      '--out DIR',
      '--json',
      'Exit codes',
      ...ALL_GATES.map((gate) => gate.name),
    ]) {
      expect(result.stdout).toContain(text);
    }
  });

  it('rejects unknown commands and flags with one line and exit 2', async () => {
    expect(await cli(['deploy'])).toMatchObject({
      code: 2,
      stderr: `mlgate: unknown command "deploy"; run 'mlgate --help' for the list\n`,
    });
    const flag = await cli(['run', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim().split('\n')).toHaveLength(1);
    expect(flag.stderr).toContain("'--bogus'");
  });

  it('names a missing config file', async () => {
    const result = await cli(['run', '--config', '/nonexistent/mlgate.yml']);
    expect(result).toMatchObject({ code: 2, stderr: 'mlgate: /nonexistent/mlgate.yml file not found\n' });
  });
});
