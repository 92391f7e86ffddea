import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from './temp-dir.ts';
import { parseKeyValueFile, parseWorkflowCommands } from './workflow-commands.ts';

describe('workflow command parsing', () => {
  it('reads back what @actions/core writes, escapes included', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    core.error('bad value: 50%\nsecond line', { file: 'a,b:c.yml', startLine: 3, title: 'mlgate x' });
    core.setSecret('s3cret');
    expect(parseWorkflowCommands(lines.join(''))).toEqual([
      {
        command: 'error',
        properties: { title: 'mlgate x', file: 'a,b:c.yml', line: '3' },
        message: 'bad value: 50%\nsecond line',
      },
      { command: 'add-mask', properties: {}, message: 's3cret' },
    ]);
  });

  it('parses GITHUB_OUTPUT files in both forms, as @actions/core writes the heredoc one', async () => {
    const dir = await tempDir();
    const file = join(dir, 'output');
    await writeFile(file, 'plain=value=with=equals\n');
    vi.stubEnv('GITHUB_OUTPUT', file);
    core.setOutput('summary', 'two\nlines');
    core.setOutput('status', 'pass');
    expect(parseKeyValueFile(await readFile(file, 'utf8'))).toEqual({
      plain: 'value=with=equals',
      summary: 'two\nlines',
      status: 'pass',
    });
    expect(() => parseKeyValueFile('name<<EOF\nno end\n')).toThrow(/no closing delimiter/);
  });
});
