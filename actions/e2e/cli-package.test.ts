import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { startNpmRegistry } from '../../shared/testing/npm-registry.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { buildCliPackage } from '../build-cli-package.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'fixtures');

/** npm as a user's shell runs it: none of this repository's npm settings (its .npmrc skips a script). */
function userEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && !/^ONNXRUNTIME_NODE_INSTALL/i.test(key)) env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    npm_config_userconfig: join(home, '.npmrc'),
    npm_config_update_notifier: 'false',
  };
}

const Results = z.array(z.object({ gate: z.string(), status: z.string(), checks: z.array(z.unknown()) }));

describe('the installable package', () => {
  it('installs from its tarball into another repository with a default npm install, then init and run judge real checks', async () => {
    const work = await tempDir();
    // One platform's onnxruntime binaries: packing every platform's 290 MB takes a minute on 2 cores,
    // and the others are files this install never opens (npm run bench:packaging packs them all).
    const built = await buildCliPackage(join(work, 'package'), {
      platforms: [`${process.platform}/${process.arch}`],
    });
    const packed = await run('npm', ['pack', built.dir, '--pack-destination', work, '--json'], { cwd: work });
    const { filename } = z.array(z.object({ filename: z.string() })).parse(JSON.parse(packed.stdout))[0]!;
    // What npm will fetch: the dependencies the package does not carry inside it.
    const fetched = Object.keys(built.manifest.dependencies).filter(
      (name) => !built.manifest.bundleDependencies.includes(name),
    );
    await mkdir(join(work, 'registry'));
    const registry = await startNpmRegistry(join(ROOT, 'node_modules'), fetched, join(work, 'registry'));
    try {
      const repo = join(work, 'repo');
      await mkdir(join(repo, 'models'), { recursive: true });
      await mkdir(join(repo, 'data'));
      await writeFile(join(repo, 'package.json'), '{ "name": "loan-scoring", "private": true }\n');
      await cp(join(FIXTURES, 'models', 'loan-default.onnx'), join(repo, 'models', 'loan-default.onnx'));
      await cp(join(FIXTURES, 'data', 'eval.csv'), join(repo, 'data', 'eval.csv'));
      const home = join(work, 'home');
      await mkdir(home);
      await writeFile(join(home, '.npmrc'), `registry=${registry.url}\ncache=${join(home, 'cache')}\n`);
      const env = userEnvironment(home);
      const install = await run('npm', ['install', '-D', join(work, filename), '--no-audit', '--no-fund'], {
        cwd: repo,
        env,
      });
      expect(install.stderr).not.toContain('ERR');
      const installed = (await readdir(join(repo, 'node_modules'))).sort();
      // Run-time packages only: no TypeScript, tsx, esbuild, vitest or the bundled libraries.
      expect(installed).toEqual(['.bin', '.package-lock.json', '@duckdb', 'detect-libc', 'mlgate']);
      expect(existsSync(join(repo, 'node_modules', 'mlgate', 'node_modules', 'onnxruntime-node'))).toBe(true);

      const mlgate = join(repo, 'node_modules', '.bin', 'mlgate');
      const init = await run(mlgate, ['init', '--action-repo', 'octo-org/mlgate'], { cwd: repo, env });
      expect(init.stdout).toMatch(/^wrote .*\bmlgate\.yml\b/m);
      const outcome = await run(mlgate, ['run', '--json'], { cwd: repo, env }).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      const results = Results.parse(JSON.parse(outcome.stdout));
      expect(results.map((result) => result.gate)).toEqual(
        Object.keys(
          z
            .object({ gates: z.record(z.string(), z.unknown()) })
            .parse(parse(await readFile(join(repo, 'mlgate.yml'), 'utf8'))).gates,
        ),
      );
      for (const result of results) expect(result.checks.length, result.gate).toBeGreaterThan(0);
      expect(results.map((result) => result.status)).not.toContain('fail');
      expect(results.map((result) => result.status)).not.toContain('error');
    } finally {
      await registry.close();
    }
  }, 180_000);
});
