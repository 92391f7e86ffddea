/**
 * `npm run bench:data`: mlgate validate-data on a generated 10-million-row, 10-column CSV (about 550 MB)
 * against one hand-written DuckDB query computing the same aggregates over the same file, in the same run,
 * each in its own child process (so peak RSS is each one's own). Then drift on two 1-million-row datasets.
 * The two runs alternate `--repeat` times and the fastest of each counts, so a moment when another
 * process took the CPU does not decide the ratio. `--scale-rows N` then validates an N-row file the same
 * way, to show peak RSS stays flat as the data grows (DuckDB streams; only the distinct-value tables of
 * `unique` checks grow, and they spill past the memory limit). Everything generated goes to a temporary
 * folder that is deleted at the end. Heavy: run it sparingly.
 *
 *   npm run bench:data [-- --rows 10000000 --drift-rows 1000000 --threads N --memory-limit 1GB
 *                          --repeat 2 --scale-rows 50000000 --drift-only]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { withEngine } from '../../../shared/data/duckdb.ts';
import { quoteString } from '../../../shared/data/sql.ts';
import { main } from '../../cli.ts';
import { generator, handWrittenQuery, SCHEMA } from './workload.ts';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    'drift-rows': { type: 'string', default: '1000000' },
    threads: { type: 'string', default: String(availableParallelism()) },
    'memory-limit': { type: 'string', default: '1GB' },
    mode: { type: 'string' },
    'drift-only': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '2' },
    'scale-rows': { type: 'string', default: '0' },
    dir: { type: 'string' },
  },
});
const threads = Number(values.threads);
const memoryLimit = String(values['memory-limit']);

function config(datasets: string, gate: string): string {
  return `version: 1\ndatasets:\n${datasets}gates:\n  validate-data:\n    memory-limit: ${memoryLimit}\n    threads: ${threads}\n${gate}`;
}

/** Child-process modes: one measured workload each, reporting seconds and peak RSS as JSON. */
async function child(mode: string, dir: string): Promise<void> {
  const started = performance.now();
  let detail = '';
  if (mode === 'duckdb') {
    await withEngine({ threads, memoryLimit }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(handWrittenQuery(join(dir, 'data.csv')));
      detail = `${reader.getRowsJS()[0]!.length} aggregates`;
    });
  } else {
    const configFile = join(dir, mode === 'mlgate' ? 'validate.yml' : 'drift.yml');
    const code = await main(
      ['validate-data', '--config', configFile, '--out', join(dir, `out-${mode}`), '--json'],
      {
        stdout: {
          write: (text: string) => {
            detail += text;
            return true;
          },
        } as unknown as NodeJS.WriteStream,
        stderr: { write: () => true } as unknown as NodeJS.WriteStream,
      },
    );
    const result = JSON.parse(detail) as { status: string; summary: string };
    detail = `exit ${code}, ${result.status}: ${result.summary}`;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, detail })}\n`,
  );
}

interface Measurement {
  seconds: number;
  maxRssMb: number;
  detail: string;
}

async function measure(mode: string, dir: string): Promise<Measurement> {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      import.meta.filename,
      '--mode',
      mode,
      '--dir',
      dir,
      '--threads',
      String(threads),
      '--memory-limit',
      memoryLimit,
    ],
    { maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measurement;
}

async function parent(): Promise<void> {
  const rows = values['drift-only'] ? 0 : Number(values.rows);
  const driftRows = Number(values['drift-rows']);
  const dir = await mkdtemp(join(tmpdir(), 'mlgate-bench-data-'));
  const say = (text: string) => process.stdout.write(`${text}\n`);
  try {
    say(
      `generating ${rows.toLocaleString('en-US')} + 2 x ${driftRows.toLocaleString('en-US')} rows x 10 columns in ${dir} ...`,
    );
    await withEngine({ threads, memoryLimit }, async ({ connection }) => {
      await connection.run(`COPY (${generator(rows)}) TO ${quoteString(join(dir, 'data.csv'))} (HEADER)`);
      await connection.run(
        `COPY (${generator(driftRows)}) TO ${quoteString(join(dir, 'reference.parquet'))} (FORMAT parquet)`,
      );
      await connection.run(
        `COPY (SELECT * FROM (${generator(driftRows, 0.2)}) OFFSET 0) TO ${quoteString(join(dir, 'current.parquet'))} (FORMAT parquet)`,
      );
    });
    const size = (await stat(join(dir, 'data.csv'))).size;
    await writeFile(join(dir, 'schema.yml'), SCHEMA);
    await writeFile(
      join(dir, 'validate.yml'),
      config('  data: { path: data.csv, schema: schema.yml }\n', ''),
    );
    await writeFile(
      join(dir, 'drift.yml'),
      config(
        '  reference: { path: reference.parquet }\n  current: { path: current.parquet }\n',
        '    datasets: []\n    drift:\n      - { reference: reference, current: current }\n',
      ),
    );
    say(`data.csv: ${(size / 1e6).toFixed(0)} MB; threads ${threads}, memory limit ${memoryLimit}`);
    const drift = await measure('drift', dir);
    say(
      `drift, 2 x ${driftRows.toLocaleString('en-US')} rows x 10 columns (Parquet): ${drift.seconds.toFixed(2)} s, ` +
        `peak RSS ${drift.maxRssMb.toFixed(0)} MB (${drift.detail})`,
    );
    if (rows === 0) return;
    const line = (name: string, m: Measurement, count: number) =>
      `${name.padEnd(22)} ${m.seconds.toFixed(2).padStart(7)} s  ${Math.round(count / m.seconds)
        .toLocaleString('en-US')
        .padStart(12)} rows/s  peak RSS ${m.maxRssMb.toFixed(0).padStart(5)} MB  (${m.detail})`;
    const fastest = (runs: Measurement[]) =>
      runs.reduce((best, run) => (run.seconds < best.seconds ? run : best));
    const duckdbRuns: Measurement[] = [];
    const mlgateRuns: Measurement[] = [];
    for (let round = 1; round <= Number(values.repeat); round++) {
      duckdbRuns.push(await measure('duckdb', dir));
      mlgateRuns.push(await measure('mlgate', dir));
      say(
        `  round ${round}: DuckDB alone ${duckdbRuns.at(-1)!.seconds.toFixed(2)} s, mlgate ${mlgateRuns.at(-1)!.seconds.toFixed(2)} s`,
      );
    }
    const duckdb = fastest(duckdbRuns);
    const mlgate = fastest(mlgateRuns);
    say(line('DuckDB alone (1 query)', duckdb, rows));
    say(line('mlgate validate-data', mlgate, rows));
    say(
      `ratio mlgate / DuckDB alone: ${(mlgate.seconds / duckdb.seconds).toFixed(2)}x, fastest of ${values.repeat} each (target <= 1.3x); peak RSS ${Math.max(...mlgateRuns.map((run) => run.maxRssMb)).toFixed(0)} MB (target < 1500 MB)`,
    );
    const scaleRows = Number(values['scale-rows']);
    if (scaleRows > 0) {
      await rm(join(dir, 'data.csv'));
      say(`generating ${scaleRows.toLocaleString('en-US')} rows ...`);
      await withEngine({ threads, memoryLimit }, async ({ connection }) => {
        await connection.run(
          `COPY (${generator(scaleRows)}) TO ${quoteString(join(dir, 'data.csv'))} (HEADER)`,
        );
      });
      say(`data.csv: ${((await stat(join(dir, 'data.csv'))).size / 1e6).toFixed(0)} MB`);
      const large = await measure('mlgate', dir);
      say(line('mlgate validate-data', large, scaleRows));
      say(
        `peak RSS ${rows.toLocaleString('en-US')} rows -> ${scaleRows.toLocaleString('en-US')} rows: ` +
          `${mlgate.maxRssMb.toFixed(0)} MB -> ${large.maxRssMb.toFixed(0)} MB (x${(large.maxRssMb / mlgate.maxRssMb).toFixed(2)} for x${(scaleRows / rows).toFixed(0)} the rows)`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (values.mode) await child(values.mode, String(values.dir));
else await parent();
