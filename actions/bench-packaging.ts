import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentileOfSorted, sortedCopy } from '../shared/stats/percentiles.ts';
import { ACTIONS_DIR, discoverActions } from './build.ts';
import { PRUNE_SCRIPT, readActionNatives } from './composite-action.ts';

/**
 * `npm run bench:packaging`: what users pay for the packaging, measured on the committed bundles.
 * - cold start: `node dist/index.js` to its first line of output, in the fixtures project (median of 7);
 * - install size: `npm ci --omit=dev` of each composite action's own lockfile, as its first run does,
 *   before and after pruning other platforms' binaries (this part downloads from the npm registry).
 */

const RUNS = 7;
const ROOT = join(ACTIONS_DIR, '..');

function firstOutput(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(performance.now() - started);
      child.kill();
    };
    child.stdout.once('data', finish);
    child.stderr.once('data', finish);
    child.on('error', reject);
    child.on('close', finish);
  });
}

const median = (values: number[]) => percentileOfSorted(sortedCopy(values), 50);

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

function spawnQuietly(command: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** The composite action's install step: `npm ci`, then the pruning of other platforms' binaries. */
async function installStep(cwd: string): Promise<{ installed: number; kept: number }> {
  const code = await spawnQuietly(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
    cwd,
  );
  if (code !== 0) throw new Error(`npm ci failed in ${cwd}`);
  const installed = await folderBytes(join(cwd, 'node_modules'));
  if ((await spawnQuietly(process.execPath, ['-e', PRUNE_SCRIPT], cwd)) !== 0)
    throw new Error('pruning failed');
  return { installed, kept: await folderBytes(join(cwd, 'node_modules')) };
}

async function main() {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const env = {
    PATH: process.env.PATH,
    INPUT_CONFIG: 'fixtures/mlgate.yml',
    INPUT_OUT: join(tmpdir(), 'mlgate-bench'),
  };
  const baseline = median(
    await Promise.all(
      Array.from({ length: RUNS }, () => firstOutput(process.execPath, ['-e', 'console.log(1)'], env)),
    ),
  );
  console.log(`node -e 'console.log(1)': ${baseline.toFixed(0)} ms (the floor)`);
  for (const action of await discoverActions()) {
    const bundle = join(ACTIONS_DIR, action.name, 'dist', 'index.js');
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) times.push(await firstOutput(process.execPath, [bundle], env));
    const size = (await stat(bundle)).size;
    console.log(
      `${action.name}: cold start ${median(times).toFixed(0)} ms to the first line (bundle ${mb(size)})`,
    );
  }
  for (const action of await discoverActions()) {
    const dir = join(ACTIONS_DIR, action.name);
    const natives = await readActionNatives(dir);
    if (!natives) continue;
    const scratch = await mkdtemp(join(tmpdir(), 'mlgate-install-'));
    try {
      await cp(join(dir, 'package.json'), join(scratch, 'package.json'));
      await cp(join(dir, 'package-lock.json'), join(scratch, 'package-lock.json'));
      const started = performance.now();
      const { installed, kept } = await installStep(scratch);
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(
        `${action.name}: npm ci --omit=dev installs ${mb(installed)} (${Object.keys(natives).join(', ')}) in ${seconds} s; ${mb(kept)} kept and cached for this platform`,
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

await main();
