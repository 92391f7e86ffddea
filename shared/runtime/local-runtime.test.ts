import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryStream } from '../testing/memory-stream.ts';
import { tempDir } from '../testing/temp-dir.ts';
import { createLocalRuntime } from './local-runtime.ts';

describe('the local runtime', () => {
  it('reads flags as inputs, keeps outputs, and writes the summary under --out', async () => {
    const out = await tempDir();
    const stream = memoryStream();
    const runtime = await createLocalRuntime({
      out,
      stream,
      inputs: { dataset: ['train', 'eval'], infer: 'true' },
    });
    expect(runtime.kind).toBe('local');
    expect(runtime.github).toBeUndefined();
    expect(runtime.input('dataset', { multiple: true })).toEqual(['train', 'eval']);
    expect(runtime.input('dataset')).toBe('eval');
    expect(runtime.input('infer', { multiple: true })).toEqual(['true']);
    runtime.setOutput('status', 'pass');
    expect(runtime.outputs.get('status')).toBe('pass');
    await runtime.appendSummary('# one');
    await runtime.appendSummary('# two');
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toBe('# one\n# two\n');
  });

  it('prints annotations as file:line:col lines on its log stream and hides secrets', async () => {
    const stream = memoryStream();
    const runtime = await createLocalRuntime({ out: await tempDir(), stream });
    runtime.maskSecret('hunter2');
    runtime.annotate({
      level: 'error',
      message: 'age above max',
      location: { file: 'schema.yml', line: 4, column: 5 },
    });
    runtime.log.info('token is hunter2');
    runtime.log.debug('not shown without --debug');
    expect(stream.text()).toBe('schema.yml:4:5: error: age above max\ntoken is ***\n');
  });

  it('keeps artifacts as folders and downloads them by wildcard', async () => {
    const out = await tempDir();
    const work = await tempDir();
    await writeFile(join(work, 'benchmark.json'), '{"gate":"benchmark"}');
    await writeFile(join(work, 'fairness.json'), '{"gate":"fairness"}');
    const runtime = await createLocalRuntime({ out, stream: memoryStream() });
    await runtime.artifacts.upload('results-benchmark', [join(work, 'benchmark.json')], work);
    await runtime.artifacts.upload('results-fairness', [join(work, 'fairness.json')], work);
    await runtime.artifacts.upload('logs', [join(work, 'fairness.json')], work);
    const target = await tempDir();
    const folders = await runtime.artifacts.download('results-*', target);
    expect(folders).toEqual([join(target, 'results-benchmark'), join(target, 'results-fairness')]);
    expect(await readFile(join(target, 'results-fairness', 'fairness.json'), 'utf8')).toBe(
      '{"gate":"fairness"}',
    );
  });

  it('names the commit under test from git when run inside a repository', async () => {
    const runtime = await createLocalRuntime({
      out: await tempDir(),
      stream: memoryStream(),
      cwd: await tempDir(),
    });
    expect(runtime.context.sha).toBeUndefined();
  });
});
