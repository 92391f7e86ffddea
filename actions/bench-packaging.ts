import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { z } from 'zod';
import { withEngine } from '../shared/data/duckdb.ts';
import { quoteString } from '../shared/data/sql.ts';
import { percentileOfSorted, sortedCopy } from '../shared/stats/percentiles.ts';
import { ACTIONS_DIR, discoverActions } from './build.ts';
import { buildCliPackage, CLI_BIN } from './build-cli-package.ts';
import { PRUNE_SCRIPT, readActionNatives } from './composite-action.ts';
import { generator, handWrittenQuery, SCHEMA } from './validate-data/bench/workload.ts';

/**
 * `npm run bench:packaging`: what users pay for the packaging.
 * - the CLI package (built afresh into dist/cli): `mlgate --help` against a bare `node -e 0`, and
 *   `mlgate validate-data` on a generated 3 M-row CSV against a bare DuckDB process running the same
 *   aggregates as one hand-written query (bench:data's workload), whole processes, alternating repeats;
 *   then the package's size as `npm pack` makes it (`--skip-pack` leaves that out: it takes a minute);
 * - cold start of each committed action bundle: `node dist/index.js` to its first line of output, in the
 *   fixtures project (median of 7);
 * - install size: `npm ci --omit=dev` of each composite action's own lockfile, as its first run does,
 *   before and after pruning other platforms' binaries (this part downloads from the npm registry).
 *
 *   npm run bench:packaging [-- --rows 3000000 --repeat 5 --skip-pack --cli-only]
 */

const RUNS = 7;
const ROOT = join(ACTIONS_DIR, '..');
const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '3000000' },
    repeat: { type: 'string', default: '5' },
    'skip-pack': { type: 'boolean', default: false },
    'cli-only': { type: 'boolean', default: false },
  },
});
const execFileAsync = promisify(execFile);

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

/** Seconds from spawning `command` to its exit; throws unless it exits 0. */
async function wallSeconds(command: string, args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  await execFileAsync(command, args, { cwd, maxBuffer: 1 << 26 });
  return (performance.now() - started) / 1000;
}

/**
 * Runs the measured command and its reference `repeat` times each, alternating, so a moment when another process took the CPU
 * lands on both sides; returns each side's median.
 */
async function sideBySide(
  repeat: number,
  measured: () => Promise<number>,
  reference: () => Promise<number>,
): Promise<{ measured: number; reference: number }> {
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < repeat; round++) {
    theirs.push(await reference());
    mine.push(await measured());
  }
  return { measured: median(mine), reference: median(theirs) };
}

/** A bare DuckDB process: the package's own DuckDB, one query, nothing else. */
function bareDuckdbScript(file: string, threads: number): string {
  return [
    "const { DuckDBInstance } = await import('@duckdb/node-api');",
    `const instance = await DuckDBInstance.create(':memory:', { threads: '${threads}', memory_limit: '1GB', preserve_insertion_order: 'true' });`,
    'const connection = await instance.connect();',
    `const reader = await connection.runAndReadAll(${JSON.stringify(handWrittenQuery(file))});`,
    'console.log(reader.getRowsJS()[0].length);',
  ].join('\n');
}

async function cliPackage(mb: (bytes: number) => string) {
  const repeat = Number(flags.repeat);
  const built = await buildCliPackage();
  const bin = join(built.dir, CLI_BIN);
  console.log(
    `CLI package: dist/cli (bundle ${mb(built.bundleBytes)}); ${repeat} alternating repeats, medians`,
  );
  const start = await sideBySide(
    repeat,
    () => wallSeconds(process.execPath, [bin, '--help'], ROOT),
    () => wallSeconds(process.execPath, ['-e', '0'], ROOT),
  );
  console.log(
    `mlgate --help ${(start.measured * 1000).toFixed(0)} ms vs node -e 0 ${(start.reference * 1000).toFixed(0)} ms: ratio ${(start.measured / start.reference).toFixed(2)}x (target <= 5x)`,
  );
  const rows = Number(flags.rows);
  const threads = availableParallelism();
  const dir = await mkdtemp(join(tmpdir(), 'mlgate-bench-cli-'));
  try {
    const data = join(dir, 'data.csv');
    await withEngine({ threads }, ({ connection }) =>
      connection.run(`COPY (${generator(rows)}) TO ${quoteString(data)} (HEADER)`),
    );
    await writeFile(join(dir, 'schema.yml'), SCHEMA);
    await writeFile(
      join(dir, 'mlgate.yml'),
      `version: 1\ndatasets:\n  data: { path: data.csv, schema: schema.yml }\ngates:\n  validate-data:\n    memory-limit: 1GB\n    threads: ${threads}\n`,
    );
    const script = bareDuckdbScript(data, threads);
    const gate = await sideBySide(
      repeat,
      () => wallSeconds(process.execPath, [bin, 'validate-data', '--out', join(dir, 'out')], dir),
      // From the package folder, so that it loads the same DuckDB the CLI does.
      () => wallSeconds(process.execPath, ['--input-type=module', '-e', script], built.dir),
    );
    console.log(
      `mlgate validate-data on ${rows.toLocaleString('en-US')} rows (${mb((await stat(data)).size)} CSV) ${gate.measured.toFixed(2)} s vs a bare DuckDB process ${gate.reference.toFixed(2)} s: ratio ${(gate.measured / gate.reference).toFixed(2)}x (target <= 1.3x)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (flags['skip-pack']) return;
  const { stdout } = await execFileAsync('npm', ['pack', built.dir, '--dry-run', '--json'], {
    cwd: ROOT,
    maxBuffer: 1 << 26,
  });
  const [packed] = z
    .array(z.object({ size: z.number(), unpackedSize: z.number(), entryCount: z.number() }))
    .parse(JSON.parse(stdout));
  console.log(
    `npm pack dist/cli: ${mb(packed!.size)} tarball, ${mb(packed!.unpackedSize)} unpacked, ${packed!.entryCount} files (onnxruntime-node for every platform included)`,
  );
}

async function main() {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  await cliPackage(mb);
  if (flags['cli-only']) return;
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
