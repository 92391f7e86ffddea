/**
 * The hostile-but-realistic sweep of issue #16 as a table: each case builds a small repository, runs the
 * CLI in-process, and asserts the exit code, the one line a person reads, and the files left behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EXIT_CODES } from '../../shared/errors.ts';
import { defineGate } from '../../shared/gate.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { main } from '../cli.ts';
import { loadMlgateConfig } from '../gates.ts';
import { readExperimentsFile } from '../rerun-experiments/experiments-file.ts';
import { runCommand } from '../rerun-experiments/run-command.ts';

const HEADER = 'id,age,region,note';
const ROWS = Array.from(
  { length: 40 },
  (_, index) => `${index + 1},${20 + (index % 50)},${['north', 'south'][index % 2]},ok`,
);
const DATA = `${[HEADER, ...ROWS].join('\n')}\n`;
const SCHEMA = `columns:
  id: { type: integer, nullable: false, unique: true }
  age: { type: integer, min: 18, max: 85 }
  region: { type: string, enum: [north, south] }
checks:
  - name: adults
    fail-when: age < 18
`;
const CONFIG = `version: 1
datasets:
  people:
    path: data/people.csv
    schema: schemas/people.yml
gates:
  validate-data:
    datasets: [people]
`;

type Files = Record<string, string | Buffer>;

/** A git repository holding the project: `files` replace or add to the default ones. */
async function project(files: Files = {}): Promise<string> {
  const root = await tempDir('mlgate-bad-input-');
  const all: Files = {
    'mlgate.yml': CONFIG,
    'data/people.csv': DATA,
    'schemas/people.yml': SCHEMA,
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  execFileSync('git', ['init', '-q', root]);
  return root;
}

/** Runs `mlgate ...args` in `root` and returns the exit code and the one line that explains it. */
async function mlgate(root: string, args: string[]) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const previous = process.cwd();
  process.chdir(root);
  let code: number;
  try {
    code = await main(args, { stdout, stderr });
  } finally {
    process.chdir(previous);
  }
  const errors = stderr
    .text()
    .split('\n')
    .filter((line) => line.startsWith('mlgate: '));
  let line = errors[0]?.slice('mlgate: '.length);
  if (line === undefined && args.includes('--json')) {
    line = (JSON.parse(stdout.text()) as { summary: string }).summary;
  }
  return { code, line, errors, stdout: stdout.text(), stderr: stderr.text() };
}

async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .filter((path) => !path.startsWith('.git/'))
    .sort();
}

async function result(root: string, gate = 'validate-data') {
  return JSON.parse(await readFile(join(root, 'out', `${gate}.json`), 'utf8')) as {
    status: string;
    summary: string;
    checks: { id: string; status: string; message: string }[];
  };
}

/** Asserts the failed `present` check of the age column, naming the data file; returns every check. */
async function ageMissing(root: string) {
  const checks = (await result(root)).checks;
  expect(checks.find((check) => check.id === 'people.age.present')).toMatchObject({
    status: 'fail',
    message: 'column age is missing from data/people.csv',
  });
  return checks;
}

interface Case {
  name: string;
  files?: Files;
  /** Prepares what files cannot say (folders, links); gets the project root. */
  setup?: (root: string) => Promise<void>;
  args: string[];
  code: number;
  /** The one line (exact), or a pattern for lines that carry an absolute path or an OS detail. */
  line: string | RegExp;
  /** Checks on what the run left behind. */
  after?: (root: string) => Promise<unknown>;
}

const VALIDATE = ['validate-data', '--json'];
const nothingUnder = (path: string) => async (root: string) => {
  expect(await listFiles(join(root, path)).catch(() => [])).toEqual([]);
};
const unchanged = (path: string, content: string) => async (root: string) => {
  expect(await readFile(join(root, path), 'utf8')).toBe(content);
};

const CASES: Case[] = [
  {
    name: '--out is a file',
    files: { 'results.txt': 'mine\n' },
    args: [...VALIDATE, '--out', 'results.txt'],
    code: 2,
    line: 'results.txt cannot use --out as the results folder: a file is in the way (a folder was expected)',
    after: unchanged('results.txt', 'mine\n'),
  },
  {
    name: 'a folder in the way of the result file',
    setup: async (root) => {
      await mkdir(join(root, 'out', 'validate-data.json'), { recursive: true });
    },
    args: VALIDATE,
    code: 2,
    line: 'out/validate-data.json cannot write the file: a folder is in the way (a file was expected)',
    after: async (root) =>
      expect((await listFiles(join(root, 'out'))).filter((f) => f.endsWith('.tmp'))).toEqual([]),
  },
  {
    name: 'a read-only --out',
    args: [...VALIDATE, '--out', '/sys/fs'],
    code: 2,
    line: /^\/sys\/fs cannot write results into --out: (permission denied|read-only file system)$/,
  },
  {
    name: '--failures is a folder',
    setup: async (root) => {
      await mkdir(join(root, 'failing'));
    },
    args: [...VALIDATE, '--failures', 'failing'],
    code: 2,
    line: 'failing --failures names a folder; give a CSV file such as failing-rows.csv',
    after: nothingUnder('failing'),
  },
  {
    name: '--failures names the dataset being validated',
    args: [...VALIDATE, '--failures', 'data/people.csv'],
    code: 2,
    line: 'data/people.csv --failures would write over datasets.people.path, which this run reads; choose another file',
    after: unchanged('data/people.csv', DATA),
  },
  {
    name: '--failures names a file of a globbed dataset',
    files: { 'mlgate.yml': CONFIG.replace('data/people.csv', 'data/*.csv') },
    args: [...VALIDATE, '--failures', 'data/people.csv'],
    code: 2,
    line: 'data/people.csv --failures would write over a file of dataset "people", which this run reads; choose another file',
    after: unchanged('data/people.csv', DATA),
  },
  {
    name: '--infer --to over the schema the run reads',
    args: [...VALIDATE, '--infer', 'people', '--to', 'schemas/people.yml', '--force'],
    code: 2,
    line: 'schemas/people.yml --to would write over datasets.people.schema, which this run reads; choose another file',
    after: unchanged('schemas/people.yml', SCHEMA),
  },
  {
    name: '--infer --to over a hand-written file, without --force',
    files: { 'schemas/draft.yml': '# mine\n' },
    args: [...VALIDATE, '--infer', 'people', '--to', 'schemas/draft.yml'],
    code: 2,
    line: 'schemas/draft.yml --to names an existing file; add --force to replace it',
    after: unchanged('schemas/draft.yml', '# mine\n'),
  },
  {
    name: 'init --dir that does not exist',
    args: ['init', '--dir', 'nowhere'],
    code: 2,
    line: 'nowhere --dir must name an existing folder (the repository to set up)',
  },
  {
    name: 'registry --config that does not exist',
    args: ['registry', '--config', 'missing.yml'],
    code: 2,
    line: 'missing.yml file not found (the config names the repository to read)',
  },
  {
    name: 'a YAML alias bomb',
    files: {
      'mlgate.yml': `version: 1
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
`,
    },
    args: VALIDATE,
    code: 2,
    line: 'mlgate.yml too many YAML aliases (*name) expand in this file (more than 100); write the values out',
    after: nothingUnder('out'),
  },
  {
    name: 'a missing schema file',
    files: { 'mlgate.yml': CONFIG.replace('schemas/people.yml', 'schemas/nope.yml') },
    args: VALIDATE,
    code: 2,
    line: 'mlgate.yml:5:13 datasets.people.schema: schemas/nope.yml not found',
  },
  {
    name: 'a truncated JSON schema',
    files: {
      'mlgate.yml': CONFIG.replace('schemas/people.yml', 'schemas/people.json'),
      'schemas/people.json': '{"columns": {"id": {"type": "integ',
    },
    args: VALIDATE,
    code: 2,
    line: /^schemas\/people\.json:1:\d+ invalid JSON: /,
  },
  {
    name: 'an unknown drift dataset, located at the drift entry',
    files: { 'mlgate.yml': `${CONFIG}    drift:\n      - { reference: trian, current: people }\n` },
    args: VALIDATE,
    code: 2,
    line: 'mlgate.yml:10:22 drift reference "trian" is not a dataset (datasets: people)',
  },
  {
    name: 'a misspelt key under gates.validate-data',
    files: { 'mlgate.yml': CONFIG.replace('    datasets: [people]', '    datset: [people]') },
    args: VALIDATE,
    code: 2,
    line: 'mlgate.yml:8:5 gates.validate-data.datset: unknown key; did you mean "datasets"?',
  },
  {
    name: 'a waiver until a day that does not exist',
    files: { 'mlgate.yml': `${CONFIG}waivers:\n  - { check: "*", reason: known, until: 2027-02-30 }\n` },
    args: VALIDATE,
    code: 2,
    line: 'mlgate.yml:10:41 waivers.0.until: expected a real calendar date (this day does not exist), got "2027-02-30"',
  },
  {
    name: 'contradictory bounds',
    files: { 'schemas/people.yml': SCHEMA.replace('min: 18, max: 85', 'min: 85, max: 18') },
    args: VALIDATE,
    code: 2,
    line: 'schemas/people.yml:3:30 columns.age.min: expected at most max (18): the bounds contradict each other, got 85',
  },
  {
    name: 'non-UTF-8 bytes',
    files: {
      'data/people.csv': Buffer.concat([
        Buffer.from(`${HEADER}\n1,30,north,ok\n2,31,`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('south,ok\n'),
      ]),
    },
    args: VALIDATE,
    code: 2,
    line: 'data/people.csv:3 cannot read csv data: Invalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded.',
  },
  {
    name: 'a 10 MB line, at its real line',
    files: {
      'data/people.csv': `${[HEADER, ...ROWS.slice(0, 10), `99,30,north,${'x'.repeat(10 * 1024 * 1024)}`, ...ROWS.slice(10)].join('\n')}\n`,
    },
    args: VALIDATE,
    code: 2,
    line: /^data\/people\.csv:12 cannot read csv data: Maximum line size of \d+ bytes exceeded\. Actual Size:\d+ bytes\.$/,
  },
  {
    name: 'a truncated gzip',
    files: {
      'mlgate.yml': CONFIG.replace('data/people.csv', 'data/people.csv.gz'),
      'data/people.csv.gz': gzipSync(DATA.repeat(50)).subarray(0, 300),
    },
    args: VALIDATE,
    code: 2,
    line: 'data/people.csv.gz cannot decompress: unexpected end of file (the file is truncated or corrupt)',
  },
  {
    name: 'a data path outside the repository',
    files: { 'mlgate.yml': CONFIG.replace('data/people.csv', '/etc/passwd') },
    args: VALIDATE,
    code: 2,
    line: /^mlgate\.yml:4:11 \/etc\/passwd is outside the repository \(.+\); mlgate reads only files inside it unless the config sets paths: \{ allow-outside: true \}$/,
  },
  {
    name: 'a data file that is a link out of the repository',
    setup: async (root) => {
      const outside = await tempDir('mlgate-outside-');
      await writeFile(join(outside, 'secret.csv'), 'token\nhunter2\n');
      await symlink(join(outside, 'secret.csv'), join(root, 'data', 'linked.csv'));
    },
    files: { 'mlgate.yml': CONFIG.replace('data/people.csv', 'data/linked.csv') },
    args: VALIDATE,
    code: 2,
    line: /^mlgate\.yml:4:11 data\/linked\.csv is outside the repository/,
  },
  {
    name: 'a path outside the repository that the config allows',
    setup: async (root) => {
      const outside = await tempDir('mlgate-outside-');
      await writeFile(join(outside, 'people.csv'), DATA);
      const config = CONFIG.replace('data/people.csv', join(outside, 'people.csv'));
      await writeFile(join(root, 'mlgate.yml'), `${config}paths: { allow-outside: true }\n`);
    },
    args: VALIDATE,
    code: 0,
    line: /^1 dataset meets its contract/,
  },
  {
    name: 'a fail-when column missing from the data',
    files: { 'data/people.csv': 'id,region\n1,north\n2,south\n' },
    args: VALIDATE,
    code: 1,
    line: /fail/,
    after: async (root) => {
      const checks = await ageMissing(root);
      expect(checks.find((check) => check.id === 'people.check.adults')).toMatchObject({
        status: 'skip',
        message: 'not judged: it uses column age, which is missing from data/people.csv',
      });
    },
  },
  {
    name: 'a 0-byte data file',
    files: { 'data/people.csv': '' },
    args: VALIDATE,
    code: 1,
    line: /fail/,
    after: ageMissing,
  },
  {
    name: 'a configuration that checks nothing',
    files: { 'mlgate.yml': CONFIG.replace('datasets: [people]', 'datasets: []') },
    args: VALIDATE,
    code: 0,
    line: 'nothing was checked: gates.validate-data.datasets lists no dataset, and no drift pair is configured',
    after: async (root) => {
      expect((await result(root)).status).toBe('warn');
      expect(await readFile(join(root, 'out', 'summary.md'), 'utf8')).toContain('⚠️ warn');
    },
  },
  {
    name: 'fairness whose only segment is empty',
    files: {
      'data/scored.csv': `id,label,pred,grp\n${Array.from({ length: 60 }, (_, i) => `${i},${i % 2},${(i >> 1) % 2},`).join('\n')}\n`,
      'mlgate.yml': `version: 1
datasets:
  scored: { path: data/scored.csv }
gates:
  fairness:
    dataset: scored
    label: label
    prediction: { column: pred }
    segments: [grp]
    bootstrap: { resamples: 100 }
`,
    },
    args: ['fairness', '--json'],
    code: 0,
    line: 'nothing was checked: no segment has groups to compare (grp: 1 group(s)); a segment column with no values judges nothing',
    after: async (root) => expect((await result(root, 'fairness')).status).toBe('warn'),
  },
  {
    name: 'mentions and links in data values stay inert in the summary',
    files: { 'data/people.csv': `${HEADER}\n1,30,@octocat [x](https://evil.example) <b>hi</b>,ok\n` },
    args: VALIDATE,
    code: 1,
    line: /fail/,
    after: async (root) => {
      const summary = await readFile(join(root, 'out', 'summary.md'), 'utf8');
      expect(summary).not.toMatch(/(^|[^\w])@octocat/);
      expect(summary).not.toContain('](https://');
      expect(summary).not.toContain('<b>');
      expect(summary).toContain('@\u200bocto');
    },
  },
  {
    name: 'a stale result from an earlier run is gone when the run cannot finish',
    files: { 'out/validate-data.json': '{"status": "pass"}\n' },
    setup: (root) =>
      writeFile(join(root, 'data', 'people.csv'), Buffer.from(`${HEADER}\n1,30,n\xf0rth,ok\n`, 'latin1')),
    args: [...VALIDATE, '--failures', 'failing.csv'],
    code: 2,
    line: /^data\/people\.csv/,
    after: async (root) => {
      expect((await result(root)).status).toBe('error');
      expect(existsSync(join(root, 'failing.csv'))).toBe(false);
      expect((await listFiles(root)).filter((path) => path.endsWith('.tmp'))).toEqual([]);
    },
  },
];

describe('bad input: exit code, one line, files left behind', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = process.cwd();
  });
  afterEach(() => {
    process.chdir(cwd);
  });

  it.each(CASES)('$name', async (testCase) => {
    const root = await project(testCase.files);
    await testCase.setup?.(root);
    const run = await mlgate(root, testCase.args);
    expect({ code: run.code, errors: run.errors.length <= 1 }).toEqual({ code: testCase.code, errors: true });
    if (typeof testCase.line === 'string') expect(run.line).toBe(testCase.line);
    else expect(run.line).toMatch(testCase.line);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await testCase.after?.(root);
  });
});

describe('bad input: tools and bugs', () => {
  it('replaces an existing --to file with --force', async () => {
    const root = await project({ 'schemas/draft.yml': '# mine\n' });
    const run = await mlgate(root, [
      'validate-data',
      '--infer',
      'people',
      '--to',
      'schemas/draft.yml',
      '--force',
    ]);
    expect(run).toMatchObject({ code: 0, line: undefined });
    expect(await readFile(join(root, 'schemas/draft.yml'), 'utf8')).toMatch(
      /^# Inferred by mlgate validate-data/,
    );
  });

  it('reports a bug as one line asking for --debug, with exit code 3 (not 2)', async () => {
    const root = await project();
    const config = await loadMlgateConfig(join(root, 'mlgate.yml'));
    const buggy = defineGate({
      name: 'buggy',
      description: 'throws what no user caused',
      settings: z.strictObject({}),
      inputs: {},
      options: z.object({}),
      needsModel: false,
      async run() {
        const missing = undefined as unknown as { rows: number };
        return { summary: String(missing.rows), checks: [] };
      },
    });
    const runtime = await createLocalRuntime({ out: join(root, 'out'), stream: memoryStream() });
    const outcome = await runGate(buggy, { config, runtime, out: join(root, 'out') });
    expect(outcome.exitCode).toBe(EXIT_CODES.internal);
    expect(outcome.result.summary).toMatch(
      /^internal error \(a bug in mlgate\): Cannot read properties of undefined \(reading 'rows'\); please report it with the output of the same command run with --debug$/,
    );
    expect(await readFile(join(root, 'out', 'buggy.json'), 'utf8')).toContain('"status": "error"');
  });
});

describe('bad input: commands and signals', () => {
  it('quotes experiments.yml param values in a shell command', async () => {
    const root = await project({
      'experiments.yml': `version: 1
experiments:
  train:
    command: echo \${note} > said.txt
    params: { note: "a; touch injected" }
    metrics-file: metrics.json
    metrics: { accuracy: 1 }
`,
    });
    const [plan] = await readExperimentsFile(join(root, 'experiments.yml'), 'experiments.yml');
    const [step] = plan!.steps;
    expect(step!.command).toBe("echo 'a; touch injected' > said.txt");
    const outcome = await runCommand(step!.command, { cwd: root, env: process.env, timeoutMs: 30_000 });
    expect(outcome.kind).toBe('ok');
    expect(await readFile(join(root, 'said.txt'), 'utf8')).toBe('a; touch injected\n');
    expect(existsSync(join(root, 'injected'))).toBe(false);
  });

  it('ends a timed-out command with its detached descendants, without waiting on their pipes', async () => {
    const marker = `${process.pid}${Date.now() % 100_000}`;
    const outcome = await runCommand(
      `setsid sleep ${marker} & (setsid sh -c 'sleep ${marker}' &) ; sleep ${marker}`,
      {
        cwd: process.cwd(),
        env: process.env,
        timeoutMs: 500,
      },
    );
    expect(outcome.kind).toBe('timeout');
    expect(survivors(`sleep ${marker}`)).toEqual([]);
  });

  it('leaves no detached descendant (nor a wait on its pipe) once a command succeeds', async () => {
    const marker = `${process.pid}${(Date.now() + 7) % 100_000}`;
    const outcome = await runCommand(`setsid sleep ${marker} & echo started`, {
      cwd: process.cwd(),
      env: process.env,
      timeoutMs: 60_000,
    });
    expect(outcome).toMatchObject({ kind: 'ok', tail: 'started\n' });
    expect(survivors(`sleep ${marker}`)).toEqual([]);
  });

  it('SIGTERM during validate-data removes the failing-rows temporary file and leaves no stale result', async () => {
    const rows = Array.from({ length: 100_000 }, (_, index) => `${index + 1},5,west,ok`);
    const root = await project({
      'data/people.csv': `${[HEADER, ...rows].join('\n')}\n`,
      'out/validate-data.json': '{"status": "pass"}\n',
    });
    const child = spawn(
      process.execPath,
      [join(cwdAtLoad, 'actions/mlgate.mjs'), 'validate-data', '--failures', 'failing.csv'],
      {
        cwd: root,
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let sawTemporary = false;
    for (let tries = 0; tries < 3_000 && !sawTemporary; tries++) {
      sawTemporary = (await readdir(root)).some((name) => name.endsWith('.tmp'));
      if (!sawTemporary) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sawTemporary).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect((await readdir(root)).filter((name) => name.endsWith('.tmp') || name === 'failing.csv')).toEqual(
      [],
    );
    expect(existsSync(join(root, 'out', 'validate-data.json'))).toBe(false);
  });
});

const cwdAtLoad = process.cwd();

/** Processes whose command line is exactly `command` (none should outlive the run that started them). */
function survivors(command: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      if (line === command) found.push(entry);
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}
