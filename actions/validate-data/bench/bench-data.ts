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

/** The generated table: integers, decimals, categories, text, dates and some nulls. */
function generator(rows: number, shift = 0): string {
  return `SELECT
    range + 1 AS id,
    18 + (hash(range, 1) % 68)::INTEGER AS age,
    CASE WHEN hash(range, 2) % 50 = 0 THEN NULL
         ELSE round(20000 + (hash(range, 3) % 100000) * (1 + ${shift}) + (hash(range, 4) % 100) / 100.0, 2) END AS income,
    round(1000 + (hash(range, 5) % 50000) + (hash(range, 6) % 100) / 100.0, 2) AS loan_amount,
    300 + (hash(range, 7) % 551)::INTEGER AS credit_score,
    round((hash(range, 8) % 5000) / 100.0, 2) AS employment_years,
    ['north', 'south', 'east', 'west'][1 + (hash(range, 9) % 4)::INTEGER] AS region,
    ['rent', 'own', 'mortgage'][1 + (hash(range, 10) % 3)::INTEGER] AS home_ownership,
    'user' || (hash(range, 11) % 100000)::VARCHAR || '@example.com' AS email,
    DATE '2026-01-01' + (hash(range, 12) % 365)::INTEGER AS signup
  FROM range(${rows})`;
}

const SCHEMA = `strict: true
rows: { min: 1 }
unique: [[id, signup]]
columns:
  id: { type: integer, nullable: false, unique: true, min: 1 }
  age: { type: integer, nullable: false, min: 18, max: 85 }
  income: { type: number, min: 0, max-null-fraction: 0.05 }
  loan_amount: { type: number, nullable: false, min: 1, max: 1000000 }
  credit_score: { type: integer, nullable: false, min: 300, max: 850 }
  employment_years: { type: number, min: 0, max: 50 }
  region: { type: string, nullable: false, enum: [north, south, east, west], max-length: 16 }
  home_ownership: { type: string, enum: [rent, own, mortgage], min-length: 3 }
  email: { type: string, pattern: '^[^@\\s]+@[^@\\s]+$', max-length: 254 }
  signup: { type: date, nullable: false, min: '2020-01-01' }
checks:
  - { name: young-high-income, fail-when: "age < 18 and income > 1000000" }
`;

/** The same aggregates, written by hand as one query: the bare-DuckDB baseline. */
function handWrittenQuery(file: string): string {
  return `
  WITH t AS (SELECT * FROM read_csv(${quoteString(file)}, header = true, all_varchar = true))
  SELECT count(*),
    count_if(id IS NULL), count_if(id IS NOT NULL AND TRY_CAST(id AS BIGINT) IS NULL), count_if(TRY_CAST(id AS BIGINT) < 1),
    count(TRY_CAST(id AS BIGINT)) - count(DISTINCT TRY_CAST(id AS BIGINT)),
    count(DISTINCT (TRY_CAST(id AS BIGINT), TRY_CAST(signup AS DATE))),
    count_if(age IS NULL), count_if(age IS NOT NULL AND TRY_CAST(age AS BIGINT) IS NULL),
    count_if(TRY_CAST(age AS BIGINT) NOT BETWEEN 18 AND 85),
    count_if(income IS NULL), count_if(income IS NOT NULL AND TRY_CAST(income AS DOUBLE) IS NULL),
    count_if(TRY_CAST(income AS DOUBLE) < 0),
    count_if(loan_amount IS NULL), count_if(loan_amount IS NOT NULL AND TRY_CAST(loan_amount AS DOUBLE) IS NULL),
    count_if(TRY_CAST(loan_amount AS DOUBLE) NOT BETWEEN 1 AND 1000000),
    count_if(credit_score IS NULL), count_if(credit_score IS NOT NULL AND TRY_CAST(credit_score AS BIGINT) IS NULL),
    count_if(TRY_CAST(credit_score AS BIGINT) NOT BETWEEN 300 AND 850),
    count_if(employment_years IS NOT NULL AND TRY_CAST(employment_years AS DOUBLE) IS NULL),
    count_if(TRY_CAST(employment_years AS DOUBLE) NOT BETWEEN 0 AND 50),
    count_if(region IS NULL), count_if(region NOT IN ('north', 'south', 'east', 'west')), count_if(length(region) > 16),
    count_if(home_ownership NOT IN ('rent', 'own', 'mortgage')), count_if(length(home_ownership) < 3),
    count_if(NOT regexp_full_match(email, '^[^@\\s]+@[^@\\s]+$')), count_if(length(email) > 254),
    count_if(signup IS NULL), count_if(signup IS NOT NULL AND TRY_CAST(signup AS DATE) IS NULL),
    count_if(TRY_CAST(signup AS DATE) < DATE '2020-01-01'),
    count_if(TRY_CAST(age AS BIGINT) < 18 AND TRY_CAST(income AS DOUBLE) > 1000000)
  FROM t`;
}

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
