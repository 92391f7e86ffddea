import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegistry } from '../../shared/registry/git-tags.ts';
import { GTO_TAG_PATTERN } from '../../shared/registry/gto-tag.ts';
import { readAssignedModel } from '../../shared/registry/model-blob.ts';
import { currentAssignment } from '../../shared/registry/registry.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { main } from '../cli.ts';
import { ALL_PASS, commitAll, git, initRepo, writeEvidence } from './test-repo.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');

async function cli(...args: string[]) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('promote on the fixtures project (offline, in a temporary git repository)', () => {
  it('staging then production, refusal, digest mismatch, rollback, and the registry history', async () => {
    const dir = await initRepo(await tempDir('mlgate-promote-fixtures-'));
    // Promote reads the config, the model and the evidence; the datasets are not copied.
    await cp(join(FIXTURES, 'models'), join(dir, 'models'), { recursive: true });
    await cp(join(FIXTURES, 'schemas'), join(dir, 'schemas'), { recursive: true });
    const shipped = await readFile(join(FIXTURES, 'mlgate.yml'), 'utf8');
    const config = join(dir, 'mlgate.yml');
    const model = join(dir, 'models/loan-default.onnx');
    const out = join(dir, 'out');
    await writeFile(join(dir, '.gitignore'), 'out/\n');
    const evidenceFor = (version: string, commit: string) =>
      writeEvidence(join(out, 'evidence.json'), {
        model: 'loan-default',
        version,
        modelFile: model,
        modelPath: 'models/loan-default.onnx',
        gates: ALL_PASS,
        commit,
      });
    const promote = (...args: string[]) => cli('promote', '--config', config, '--out', out, ...args);

    // History first: the baseline (1.0.0) was the production model before the candidate.
    await cp(join(FIXTURES, 'models/loan-default-baseline.onnx'), model);
    await writeFile(config, shipped.replace('version: 1.1.0', 'version: 1.0.0'));
    const baselineCommit = await commitAll(dir, 'loan-default 1.0.0');
    await evidenceFor('1.0.0', baselineCommit);
    expect((await promote('--to', 'staging')).code).toBe(0);
    expect((await promote('--to', 'production')).code).toBe(0);

    // The candidate as shipped in fixtures/: 1.1.0.
    await cp(join(FIXTURES, 'models/loan-default.onnx'), model);
    await writeFile(config, shipped);
    const candidateCommit = await commitAll(dir, 'loan-default 1.1.0');
    await evidenceFor('1.1.0', candidateCommit);

    const straight = await promote('--to', 'production');
    expect(straight.code).toBe(1);
    expect(straight.stdout).toMatch(
      /production requires the version to be or have been in staging, and loan-default v1\.1\.0 never was/,
    );

    const bytes = await readFile(model);
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    await writeFile(model, tampered);
    const mismatch = await promote('--to', 'staging');
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/digest mismatch: \S*models\/loan-default\.onnx has sha256/);
    await writeFile(model, bytes);

    expect((await promote('--to', 'staging', '--reason', 'candidate from the October retrain')).code).toBe(0);
    expect((await promote('--to', 'production', '--reason', 'AUC up on eval')).code).toBe(0);
    const rollback = await promote('--to', 'production', '--rollback', '--reason', 'drill');
    expect(rollback.code).toBe(0);

    const registry = await readRegistry(dir);
    expect(currentAssignment(registry, 'loan-default', 'production')).toMatchObject({
      version: '1.0.0',
      commit: baselineCommit,
    });
    expect(currentAssignment(registry, 'loan-default', 'staging')).toMatchObject({
      version: '1.1.0',
      commit: candidateCommit,
    });
    const tags = (await git(dir, 'tag', '-l')).split('\n');
    expect(tags).toEqual([
      'loan-default#production#2',
      'loan-default#production#4',
      'loan-default#production#5',
      'loan-default#staging#1',
      'loan-default#staging#3',
      'loan-default@v1.0.0',
      'loan-default@v1.1.0',
    ]);
    for (const tag of tags) expect(GTO_TAG_PATTERN.test(tag), tag).toBe(true);

    // What benchmark's `baseline: { stage: production }` reads: the production model's bytes, verified.
    const production = currentAssignment(registry, 'loan-default', 'production');
    const baselineBytes = await readFile(join(FIXTURES, 'models/loan-default-baseline.onnx'));
    expect(production && (await readAssignedModel(dir, production)).equals(baselineBytes)).toBe(true);

    const shown = await cli('registry', '--config', config);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/production\s+v1\.0\.0/);
    expect(shown.stdout).toMatch(/rollback of loan-default#production#4/);
    expect(shown.stdout).toMatch(/AUC up on eval/);
  });
});
