import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withEngine } from '../../shared/data/duckdb.ts';
import { quoteString } from '../../shared/data/sql.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { project, runValidateData } from './test-setup.ts';

const CONFIG = `version: 1
datasets:
  people:
    path: people.csv
    schema: people.schema.yml
`;

const SCHEMA = `strict: true
rows: { min: 2, max: 100 }
key: [id]
unique: [[name, day]]
columns:
  id:     { type: integer, unique: true, nullable: false }
  age:    { type: integer, min: 18, max: 120 }
  income: { type: number, min: 0, max-null-fraction: 0.25 }
  sex:    { type: string, enum: [female, male] }
  email:  { type: string, pattern: '^[^@\\s]+@[^@\\s]+$', max-length: 12, min-length: 5 }
  day:    { type: date, max-age: 30d }
  name:   { type: string }
  flag:   { type: boolean }
checks:
  - { name: minors-income, fail-when: "age < 21 and income > 0" }
`;

// Row numbers are 1-based data rows: the header is not counted.
const DATA = `id,age,income,sex,email,day,name,flag
1,30,100.5,female,a@b.co,2026-01-10,ann,true
2,17,,male,bad-email,2026-01-11,bob,false
3,abc,50,other,c@d.ef,2026-01-12,cy,yes
3,40,,female,averyverylong@x.io,2026-01-12,cy,maybe
,125,-4,male,e@f.gh,not-a-date,dee,false
6,20,10,,f@g.hi,2026-01-13,eve,true
`;

/** Messages name files relative to the working directory; tests run from the repository. */
function withoutDir(text: string, dir: string): string {
  return text.replaceAll(`${relative(process.cwd(), dir)}/`, '').replaceAll(`${dir}/`, '');
}

function byId(checks: Check[]): Map<string, Check> {
  return new Map(checks.map((check) => [check.id, check]));
}

describe('validate-data rules', () => {
  it('reports each rule with failing counts and 1-based example rows', async () => {
    const dir = await project({ 'mlgate.yml': CONFIG, 'people.schema.yml': SCHEMA, 'people.csv': DATA });
    const { result, exitCode } = await runValidateData(dir, { failures: join(dir, 'failures.csv') });
    expect(exitCode).toBe(1);
    const checks = byId(result.checks);
    const failing = (id: string) => ({
      status: checks.get(id)?.status,
      failing: checks.get(id)?.failing,
      rows: (checks.get(id)?.examples as { row: number }[] | undefined)?.map((example) => example.row),
    });
    expect(checks.get('people.rows')).toMatchObject({ status: 'pass', observed: 6 });
    expect(checks.get('people.columns')?.status).toBe('pass');
    expect(checks.get('people.id.present')?.status).toBe('pass');
    expect(failing('people.id.nullable')).toEqual({ status: 'fail', failing: 1, rows: [5] });
    expect(failing('people.id.unique')).toEqual({ status: 'fail', failing: 2, rows: [3, 4] });
    expect(failing('people.age.type')).toEqual({ status: 'fail', failing: 1, rows: [3] });
    // A value that fails its type is left out of the value checks.
    expect(failing('people.age.min')).toEqual({ status: 'fail', failing: 1, rows: [2] });
    expect(failing('people.age.max')).toEqual({ status: 'fail', failing: 1, rows: [5] });
    expect(failing('people.income.min')).toEqual({ status: 'fail', failing: 1, rows: [5] });
    expect(checks.get('people.income.null-fraction')).toMatchObject({
      status: 'fail',
      failing: 2,
      observed: 2 / 6,
    });
    expect(failing('people.income.type').status).toBe('pass');
    // A null counts only against nullable / null-fraction.
    expect(failing('people.sex.enum')).toEqual({ status: 'fail', failing: 1, rows: [3] });
    expect(failing('people.email.pattern')).toEqual({ status: 'fail', failing: 1, rows: [2] });
    expect(failing('people.email.max-length')).toEqual({ status: 'fail', failing: 1, rows: [4] });
    expect(failing('people.email.min-length').status).toBe('pass');
    expect(failing('people.day.type')).toEqual({ status: 'fail', failing: 1, rows: [5] });
    expect(checks.get('people.day.max-age')).toMatchObject({
      status: 'pass',
      observed: '2026-01-13T00:00:00.000Z',
    });
    expect(failing('people.flag.type')).toEqual({ status: 'fail', failing: 1, rows: [4] });
    expect(failing('people.unique.name+day')).toEqual({ status: 'fail', failing: 2, rows: [3, 4] });
    // Row 2 (age 17, income empty): the condition is null there, which is not a failure.
    expect(failing('people.check.minors-income')).toEqual({ status: 'fail', failing: 1, rows: [6] });
    expect(checks.get('people.age.type')?.examples).toEqual([{ row: 3, value: 'abc', key: { id: '3' } }]);
    const location = checks.get('people.age.min')?.location;
    expect({ ...location, file: withoutDir(location?.file ?? '', dir) }).toEqual({
      file: 'people.schema.yml',
      line: 7,
      column: 33,
    });
    expect(result.tables?.[0]?.rows.map((row) => row[0])).toContain('people.age.type');
    const failures = withoutDir(await readFile(join(dir, 'failures.csv'), 'utf8'), dir);
    expect(failures.split('\n')[0]).toBe('dataset,check,file,row,value,key');
    expect(failures).toContain('people,people.age.type,people.csv,3,abc,"{""id"":""3""}"');
    const listed = result.checks.filter((check) => check.status === 'fail' && Array.isArray(check.examples));
    const total = listed.reduce((sum, check) => sum + Number(check.failing), 0);
    expect(total).toBe(17);
    expect(failures.trim().split('\n')).toHaveLength(1 + total);
  });

  it('fails present, strict columns, rows and freshness', async () => {
    const dir = await project({
      'mlgate.yml': CONFIG,
      'people.schema.yml':
        'strict: true\nrows: { min: 5 }\ncolumns:\n  id: { type: integer }\n  gone: { type: string }\n  day: { type: date, max-age: 2d }\n',
      'people.csv': 'id,day,extra\n1,2026-01-01,x\n2,2026-01-02,y\n',
    });
    const { result } = await runValidateData(dir);
    const checks = byId(result.checks);
    expect(checks.get('people.rows')).toMatchObject({ status: 'fail', observed: 2 });
    expect(checks.get('people.gone.present')).toMatchObject({ status: 'fail', location: { line: 5 } });
    expect(checks.get('people.columns')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('extra'),
    });
    expect(checks.get('people.day.max-age')).toMatchObject({
      status: 'fail',
      observed: '2026-01-02T00:00:00.000Z',
    });
  });

  it('passes clean data', async () => {
    const dir = await project({
      'mlgate.yml': CONFIG,
      'people.schema.yml': SCHEMA,
      'people.csv':
        'id,age,income,sex,email,day,name,flag\n1,30,1.5,female,a@b.co,2026-01-10,ann,true\n2,40,,male,b@c.de,2026-01-11,bob,false\n3,50,3,,c@d.ef,,cy,\n4,60,4,male,d@e.fg,2026-01-12,dee,false\n',
    });
    const { result, exitCode } = await runValidateData(dir);
    expect(result.checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(exitCode).toBe(0);
  });
});

describe('SQL injection', () => {
  it('treats hostile column names, enum values and patterns as data', async () => {
    const hostile = `x"); DROP TABLE t; SELECT ("`;
    const dir = await project({
      'mlgate.yml': CONFIG,
      'people.schema.yml': `columns:\n  '${hostile.replace(/'/g, "''")}': { type: string, enum: ["a'); SELECT 1; --", 'b'], pattern: "a'\\\\); SELECT 1; --" }\n`,
      'people.csv': `"${hostile.replace(/"/g, '""')}"\n"a'); SELECT 1; --"\nb\n`,
    });
    const { result } = await runValidateData(dir);
    const checks = byId(result.checks);
    expect(checks.get(`people.${hostile}.present`)?.status).toBe('pass');
    expect(checks.get(`people.${hostile}.enum`)).toMatchObject({ status: 'pass', failing: 0 });
    expect(checks.get(`people.${hostile}.pattern`)).toMatchObject({
      status: 'fail',
      failing: 1,
      examples: [{ row: 2, value: 'b' }],
    });
  });

  it('refuses a fail-when that smuggles a second statement', async () => {
    const dir = await project({
      'mlgate.yml': CONFIG,
      'people.schema.yml':
        'columns:\n  id: { type: integer }\nchecks:\n  - { name: sneaky, fail-when: "false); SELECT 42; SELECT (1" }\n',
      'people.csv': 'id\n1\n',
    });
    const { result, exitCode } = await runValidateData(dir);
    expect(exitCode).toBe(2);
    expect(withoutDir(result.summary, dir)).toMatch(/^people\.schema\.yml:4:\d+ invalid fail-when/);
  });
});

describe('bad input', () => {
  async function errorOf(files: Record<string, string>) {
    const dir = await project({
      'mlgate.yml': CONFIG,
      'people.schema.yml': 'columns:\n  id: { type: integer }\n',
      ...files,
    });
    const { result, exitCode } = await runValidateData(dir);
    expect(exitCode).toBe(2);
    expect(result.summary.split('\n')).toHaveLength(1);
    return withoutDir(result.summary, dir);
  }

  it('names a missing file', async () => {
    expect(await errorOf({})).toBe('mlgate.yml:4:11 dataset "people": no file matches people.csv');
  });

  it('names the line of a ragged CSV row', async () => {
    expect(await errorOf({ 'people.csv': 'id,b\n1,2\n2,3,4\n3,4\n' })).toBe(
      'people.csv:3 malformed CSV: this row has 3 fields, the header has 2',
    );
  });

  it('names a corrupt Parquet file', async () => {
    const dir = await project({
      'mlgate.yml': CONFIG.replace('people.csv', 'people.parquet'),
      'people.schema.yml': 'columns:\n  id: { type: integer }\n',
      'people.parquet': 'PAR1 this is not parquet at all, just bytes pretending',
    });
    const { result, exitCode } = await runValidateData(dir);
    expect(exitCode).toBe(2);
    expect(withoutDir(result.summary, dir)).toMatch(/^people\.parquet cannot read parquet data: /);
  });

  it('names a schema key column that does not exist', async () => {
    expect(
      await errorOf({
        'people.csv': 'id\n1\n',
        'people.schema.yml': 'unique: [[id, nope]]\ncolumns:\n  id: { type: integer }\n',
      }),
    ).toBe('people.schema.yml:1:15 column "nope" does not exist in dataset people');
  });

  it('names an invalid regular expression with its line', async () => {
    expect(
      await errorOf({
        'people.csv': 'id\n1\n',
        'people.schema.yml': "columns:\n  id: { type: string, pattern: '(' }\n",
      }),
    ).toMatch(/^people\.schema\.yml:2:\d+ invalid regular expression: missing \)/);
  });

  it('names an invalid schema key', async () => {
    expect(
      await errorOf({ 'people.csv': 'id\n1\n', 'people.schema.yml': 'columns:\n  id: { type: int }\n' }),
    ).toMatch(/^people\.schema\.yml:2:\d+ /);
  });

  it('never leaves a partial failures file', async () => {
    const dir = await project({
      'mlgate.yml': CONFIG,
      'people.schema.yml': 'columns:\n  id: { type: string, pattern: "(" }\n',
      'people.csv': 'id\n1\n',
    });
    await writeFile(join(dir, 'failures.csv'), 'old\n');
    await runValidateData(dir, { failures: join(dir, 'failures.csv') });
    expect(await readFile(join(dir, 'failures.csv'), 'utf8')).toBe('old\n');
  });
});

describe('row numbers', () => {
  it('numbers rows within each file of a glob, in file order', async () => {
    const dir = await project({
      'mlgate.yml': CONFIG.replace('people.csv', 'part-*.csv'),
      'people.schema.yml': 'columns:\n  id: { type: integer, max: 9 }\n',
      'part-1.csv': 'id\n1\n20\n3\n',
      'part-2.csv': 'id\n4\n5\n60\n70\n',
    });
    const { result } = await runValidateData(dir);
    const max = byId(result.checks).get('people.id.max');
    expect(max?.failing).toBe(3);
    expect(
      ((max?.examples ?? []) as { row: number; file: string }[]).map((e) => [withoutDir(e.file, dir), e.row]),
    ).toEqual([
      ['part-1.csv', 2],
      ['part-2.csv', 3],
      ['part-2.csv', 4],
    ]);
  });

  it('keeps file order across many parallel chunks', async () => {
    const dir = await project({
      'mlgate.yml': CONFIG,
      'people.schema.yml': 'columns:\n  id: { type: integer }\n  v: { type: integer, max: 996 }\n',
    });
    await withEngine({ threads: 2 }, ({ connection }) =>
      connection.run(
        `COPY (SELECT range + 1 AS id, (range * 7919) % 1000 AS v FROM range(300000)) TO ${quoteString(join(dir, 'people.csv'))}`,
      ),
    );
    const { result } = await runValidateData(dir, { failures: join(dir, 'f.csv') });
    const max = byId(result.checks).get('people.v.max');
    expect(max?.failing).toBe(900);
    const rows = (await readFile(join(dir, 'f.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[3]));
    const expected = Array.from({ length: 300000 }, (_, index) => index)
      .filter((index) => (index * 7919) % 1000 > 996)
      .map((index) => index + 1);
    expect(rows).toEqual(expected);
  });
});

describe('dialects', () => {
  it('reads TSV and a custom CSV dialect, with a JSON schema', async () => {
    const schema = JSON.stringify({
      columns: { id: { type: 'integer', nullable: false }, name: { type: 'string' } },
    });
    const dir = await project({
      'mlgate.yml': `version: 1
datasets:
  tabs: { path: people.tsv, schema: people.schema.json }
  semicolons: { path: people.txt, format: csv, schema: people.schema.json, csv: { delimiter: ';', nulls: [NA] } }
`,
      'people.schema.json': schema,
      'people.tsv': 'id\tname\n1\ta, b\n\tc\n',
      'people.txt': 'id;name\n1;x\nNA;y\nz;w\n',
    });
    const { result } = await runValidateData(dir);
    const checks = byId(result.checks);
    expect(checks.get('tabs.id.nullable')).toMatchObject({
      status: 'fail',
      failing: 1,
      examples: [{ row: 2, value: null }],
    });
    expect(checks.get('semicolons.id.nullable')).toMatchObject({
      status: 'fail',
      examples: [{ row: 2, value: null }],
    });
    expect(checks.get('semicolons.id.type')).toMatchObject({
      status: 'fail',
      examples: [{ row: 3, value: 'z' }],
    });
  });

  it('sniffs the delimiter of a CSV whose dialect the config does not give', async () => {
    const schema =
      'strict: true\ncolumns:\n  id: { type: integer }\n  city: { type: string }\n  note: { type: string }\n';
    const dir = await project({
      'mlgate.yml': `version: 1
datasets:
  semicolons: { path: semicolons.csv, schema: cities.schema.yml }
  pipes: { path: pipes.csv, schema: cities.schema.yml }
  commas: { path: commas.csv, schema: cities.schema.yml }
`,
      'cities.schema.yml': schema,
      // Commas inside fields must not win over the real delimiter.
      'semicolons.csv': 'id;city;note\n1;Lyon;"a, b"\n2;Nice;c, d\nx;Metz;e\n',
      'pipes.csv': 'id|city|note\n1|Lyon|a, b\n2|Nice|c\nx|Metz|e\n',
      'commas.csv': 'id,city,note\n1,Lyon,"a; b"\n2,Nice,c\nx,Metz,e\n',
    });
    const { result, exitCode } = await runValidateData(dir);
    expect(exitCode).toBe(1);
    const checks = byId(result.checks);
    for (const dataset of ['semicolons', 'pipes', 'commas']) {
      expect(checks.get(`${dataset}.columns`)?.status).toBe('pass');
      expect(checks.get(`${dataset}.id.type`)).toMatchObject({
        status: 'fail',
        failing: 1,
        examples: [{ row: 3, value: 'x' }],
      });
    }
  });
});
