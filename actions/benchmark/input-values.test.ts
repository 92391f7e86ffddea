import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { loadMlgateConfig } from '../gates.ts';
import { resolveInputValues } from './input-values.ts';

async function configWith(files: Record<string, string | Uint8Array>) {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  await writeFile(
    join(dir, 'mlgate.yml'),
    `version: 1
model: { name: m, path: m.onnx, inputs: { features: [age, income] } }
datasets:
  shards: { path: "shard-*.csv.gz" }
gates:
  benchmark:
    inputs:
      features: { values: { dataset: shards } }
      wrong: { values: { dataset: shards } }
      nowhere: { values: { dataset: nope } }
`,
  );
  return loadMlgateConfig(join(dir, 'mlgate.yml'));
}

describe('input values from a dataset', () => {
  it('reads the mapped columns through the datasets reader: globs, gzip and the sniffed delimiter', async () => {
    const config = await configWith({
      'shard-1.csv.gz': gzipSync('age;income;city\n30;1200.5;Lyon\n41;;Nice\n'),
      'shard-2.csv.gz': gzipSync('age;income;city\n52;900;Metz\n'),
    });
    const resolved = await resolveInputValues('features', { dataset: 'shards' }, config);
    expect(resolved).toEqual({
      kind: 'rows',
      rows: [
        [30n, 1200.5],
        [41n, null],
        [52n, 900],
      ],
      origin: 'dataset shards',
    });
  });

  it('names the input, its config line and the file when a column is missing', async () => {
    const config = await configWith({ 'shard-1.csv.gz': gzipSync('age;income\n30;1\n') });
    await expect(resolveInputValues('wrong', { dataset: 'shards' }, config)).rejects.toThrow(
      /mlgate\.yml:9:\d+ input "wrong" reads column\(s\) wrong, which dataset "shards" \(.*shard-1\.csv\.gz\) does not have$/,
    );
    await expect(resolveInputValues('nowhere', { dataset: 'nope' }, config)).rejects.toThrow(
      /mlgate\.yml:10:\d+ input "nowhere" reads dataset "nope", which is not under datasets \(shards\)$/,
    );
  });
});
