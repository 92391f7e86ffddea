import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegistry } from '../../shared/registry/git-tags.ts';
import { GTO_TAG_PATTERN } from '../../shared/registry/gto-tag.ts';
import { currentAssignment, stageHistory } from '../../shared/registry/registry.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { main } from '../cli.ts';
import { loadMlgateConfig } from '../gates.ts';
import { promoteGate } from './gate.ts';
import { ALL_PASS, commitAll, git, promoteRepo } from './test-repo.ts';

async function cli(...args: string[]) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A repo where loan-default v1.0.0 is committed with passing evidence in out/evidence.json. */
async function setup(gates: Record<string, 'pass' | 'warn' | 'fail' | 'error'> = ALL_PASS) {
  const repo = await promoteRepo({ version: '1.0.0' });
  const { digest, commit } = await repo.build(
    '1.0.0',
    new Uint8Array([8, 1, 18, 4, 116, 101, 115, 116, 1]),
    gates,
  );
  const promote = (...args: string[]) => cli('promote', '--config', repo.config, '--out', repo.out, ...args);
  return { ...repo, digest, commit, promote };
}

async function tags(dir: string): Promise<string[]> {
  const listing = await git(dir, 'tag', '-l');
  return listing === '' ? [] : listing.split('\n');
}

describe('mlgate promote (local git registry)', () => {
  it('promotes to staging then production, writing GTO tags that record the digest', async () => {
    const repo = await setup();
    const staging = await repo.promote('--to', 'staging', '--reason', 'nightly candidate');
    expect(staging.stderr).not.toMatch(/error|warning/);
    expect(staging.code).toBe(0);
    const production = await repo.promote('--to', 'production');
    expect(production.code).toBe(0);
    expect(await tags(repo.dir)).toEqual([
      'loan-default#production#2',
      'loan-default#staging#1',
      'loan-default@v1.0.0',
    ]);
    for (const tag of await tags(repo.dir)) expect(GTO_TAG_PATTERN.test(tag), tag).toBe(true);
    const registry = await readRegistry(repo.dir);
    expect(currentAssignment(registry, 'loan-default', 'production')).toMatchObject({
      version: '1.0.0',
      commit: repo.commit,
      digest: repo.digest,
      modelPath: 'models/m.onnx',
    });
    const message = await git(repo.dir, 'tag', '-l', '--format=%(contents)', 'loan-default#staging#1');
    expect(message).toContain('Promote loan-default v1.0.0 to staging');
    expect(message).toContain(`digest: ${repo.digest}`);
    expect(message).toContain('evidence: ');
    expect(message).toContain('actor: Ada Lovelace');
    expect(message).toContain('reason: nightly candidate');
    const result = JSON.parse(await readFile(join(repo.out, 'promote.json'), 'utf8')) as {
      status: string;
      details: unknown;
    };
    expect(result).toMatchObject({
      status: 'pass',
      details: { tag: 'loan-default#production#2', version: '1.0.0' },
    });
  });

  it('refuses production before staging, naming the requirement, and writes nothing', async () => {
    const repo = await setup();
    const result = await repo.promote('--to', 'production');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/requires the version to be or have been in staging/);
    expect(result.stderr).toMatch(
      /mlgate\.yml:\d+:\d+: error: .*never was: promote it with --to staging first/,
    );
    expect(await tags(repo.dir)).toEqual([]);
  });

  it('refuses a stage whose required gate failed', async () => {
    const repo = await setup({ ...ALL_PASS, 'rerun-experiments': 'fail' });
    const result = await repo.promote('--to', 'staging');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/staging requires rerun-experiments to pass, but it is fail/);
    expect(await tags(repo.dir)).toEqual([]);
  });

  it('exits 2 before any write on a digest mismatch, an unknown version or an unknown stage', async () => {
    const repo = await setup();
    await appendFile(repo.modelFile, Buffer.from([0]));
    const tampered = await repo.promote('--to', 'staging');
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toMatch(
      /digest mismatch: \S*models\/m\.onnx has sha256 [0-9a-f]{64}, but out\/evidence\.json was produced for/,
    );
    await git(repo.dir, 'checkout', '--', 'models/m.onnx');
    const unknown = await repo.promote('--to', 'staging', '--version', '3.0.0');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/evidence for loan-default v1\.0\.0, not loan-default v3\.0\.0/);
    const stage = await repo.promote('--to', 'canary');
    expect(stage.code).toBe(2);
    expect(stage.stderr).toMatch(
      /mlgate\.yml:\d+:\d+ stage "canary" is not in gates\.promote\.stages \(staging, production\)/,
    );
    expect(await tags(repo.dir)).toEqual([]);
  });

  it('reads the evidence from a workflow artifact and records where it came from', async () => {
    const repo = await setup();
    // What model-card uploads: the bundle and the results it pins, as they lie under --out.
    const artifact = join(repo.out, 'artifacts', 'mlgate-evidence');
    await mkdir(artifact, { recursive: true });
    for (const name of await readdir(repo.out)) {
      if (name.endsWith('.json')) await rename(join(repo.out, name), join(artifact, name));
    }
    const missing = await repo.promote('--to', 'staging', '--evidence', 'artifact:no-such-artifact');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /--evidence artifact:no-such-artifact: no workflow artifact named no-such-artifact/,
    );
    const result = await repo.promote('--to', 'staging', '--evidence', 'artifact:mlgate-evidence');
    expect(result.code).toBe(0);
    const registry = await readRegistry(repo.dir);
    expect(currentAssignment(registry, 'loan-default', 'staging')?.facts.evidence).toBe(
      'artifact:mlgate-evidence',
    );
  });

  it('says so and writes nothing when the same promotion runs again', async () => {
    const repo = await setup();
    expect((await repo.promote('--to', 'staging')).code).toBe(0);
    const again = await repo.promote('--to', 'staging');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already holds staging \(loan-default#staging#1\): nothing to do/);
    expect(await tags(repo.dir)).toEqual(['loan-default#staging#1', 'loan-default@v1.0.0']);
  });

  it('rolls production back to the previous version as a new promotion, and the registry shows it all', async () => {
    const repo = await setup();
    expect((await repo.promote('--to', 'staging')).code).toBe(0);
    expect((await repo.promote('--to', 'production')).code).toBe(0);
    // Version 1.1.0: new bytes, a new commit, new evidence.
    const { digest } = await repo.build('1.1.0', new Uint8Array([8, 1, 18, 4, 116, 101, 115, 116, 2]));
    expect((await repo.promote('--to', 'staging')).code).toBe(0);
    expect((await repo.promote('--to', 'production', '--reason', 'better AUC')).code).toBe(0);
    expect(currentAssignment(await readRegistry(repo.dir), 'loan-default', 'production')?.digest).toBe(
      digest,
    );

    const rollback = await repo.promote('--to', 'production', '--rollback', '--reason', 'latency regression');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(
      /rolled production back to loan-default v1\.0\.0 \(loan-default#production#5\)/,
    );
    const registry = await readRegistry(repo.dir);
    expect(currentAssignment(registry, 'loan-default', 'production')).toMatchObject({
      version: '1.0.0',
      digest: repo.digest,
      commit: repo.commit,
    });
    expect(
      stageHistory(registry, 'loan-default', 'production').map((event) => [event.tag, event.version]),
    ).toEqual([
      ['loan-default#production#2', '1.0.0'],
      ['loan-default#production#4', '1.1.0'],
      ['loan-default#production#5', '1.0.0'],
    ]);
    // GTO resolves an assignment's version through its commit: the rollback points at v1.0.0's commit.
    expect(await git(repo.dir, 'rev-parse', 'loan-default#production#5^{commit}')).toBe(repo.commit);

    const shown = await cli('registry', '--config', repo.config);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^loan-default$/m);
    expect(shown.stdout).toMatch(/production\s+v1\.0\.0\s+.*loan-default#production#5/);
    expect(shown.stdout).toMatch(/staging\s+v1\.1\.0/);
    expect(shown.stdout).toMatch(/rollback of loan-default#production#4/);
    expect(
      shown.stdout.match(/^ +\S+ \S+ +production +v\d\.\d\.\d.*loan-default#production#\d$/gm),
    ).toHaveLength(3);
    const json = JSON.parse(
      (await cli('registry', 'loan-default', '--config', repo.config, '--json')).stdout,
    ) as {
      stages: Record<string, { version: string }>;
    }[];
    expect(json[0]?.stages.production?.version).toBe('1.0.0');
  });

  it('loses a race cleanly: another promotion takes the stage tag between reading and writing', async () => {
    const repo = await setup();
    expect((await repo.promote('--to', 'staging')).code).toBe(0);
    const config = await loadMlgateConfig(repo.config);
    const runtime = await createLocalRuntime({
      out: repo.out,
      stream: memoryStream(),
      inputs: { to: 'production' },
    });
    let calls = 0;
    const outcome = await runGate(promoteGate, {
      config,
      runtime,
      out: repo.out,
      now: () => {
        calls++;
        // The gate asks for the time after reading the registry and before writing: the competitor strikes here.
        if (calls === 2) {
          execFileSync('git', ['tag', '-a', 'loan-default#production#2', '-m', 'competitor', repo.commit], {
            cwd: repo.dir,
          });
        }
        return new Date();
      },
    });
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.result.summary).toMatch(
      /lost a race: another promotion of loan-default wrote loan-default#production#2 first.*wrote no stage assignment/,
    );
    expect(
      await git(repo.dir, 'tag', '-l', '--format=%(contents:subject)', 'loan-default#production#2'),
    ).toBe('competitor');
  });

  it('checks minimum soak time in the previous stage', async () => {
    const repo = await setup();
    await writeFile(
      repo.config,
      `version: 1\nmodel:\n  name: loan-default\n  path: models/m.onnx\n  version: 1.0.0\ngates:\n  promote:\n    stages:\n      staging: {}\n      production:\n        after: staging\n        min-soak: 1h\n`,
    );
    await commitAll(repo.dir, 'soak policy');
    expect((await repo.promote('--to', 'staging')).code).toBe(0);
    const early = await repo.promote('--to', 'production');
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/production requires 1h in staging without interruption; .* wait 59m/);
  });
});
