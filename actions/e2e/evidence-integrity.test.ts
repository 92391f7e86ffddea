import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../shared/evidence/evidence.ts';
import { sha256File } from '../../shared/fs/sha256.ts';
import type { GateResult } from '../../shared/result/gate-result.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { tinyOnnxModel } from '../../shared/testing/tiny-onnx-model.ts';
import { main } from '../cli.ts';
import { commitAll, git, promoteRepo } from '../promote/test-repo.ts';

/** Evidence integrity end to end: the gates' results, model-card's bundle, then promote, all through the CLI. */

async function cli(...args: string[]) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The lines a person reads as the reason: errors, and the refusal's own line. */
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => /\berror\b/.test(line));

type Verdicts = Record<string, Evidence['verdict']>;

/** A committed v1.0.0 whose gates ran on its bytes, and model-card's bundle over their results. */
async function gatedRepo(gates: Verdicts) {
  const repo = await promoteRepo({ version: '1.0.0' });
  const { commit } = await repo.build('1.0.0', tinyOnnxModel(), gates);
  const card = await cli('model-card', '--config', repo.config, '--out', repo.out, '--sha', commit);
  expect(card.stderr).not.toMatch(/internal error/);
  const evidenceFile = join(repo.out, 'evidence.json');
  const readJson = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;
  return {
    ...repo,
    card,
    evidenceFile,
    resultFile: (gate: string) => join(repo.out, `${gate}.json`),
    readJson,
    editEvidence: async (edit: (evidence: Evidence) => void) => {
      const evidence = await readJson<Evidence>(evidenceFile);
      edit(evidence);
      await writeFile(evidenceFile, `${JSON.stringify(evidence, null, 2)}\n`);
    },
    promote: (...args: string[]) => cli('promote', '--config', repo.config, '--out', repo.out, ...args),
    tags: async () => (await git(repo.dir, 'tag', '-l')).split('\n').filter(Boolean),
  };
}
type GatedRepo = Awaited<ReturnType<typeof gatedRepo>>;

const ALL_PASS: Verdicts = { 'validate-data': 'pass', 'rerun-experiments': 'pass' };
const DATA_FAILS: Verdicts = { 'validate-data': 'fail', 'rerun-experiments': 'pass' };
const SHA = '[0-9a-f]{64}';

interface TamperCase {
  name: string;
  gates: Verdicts;
  tamper: (repo: GatedRepo) => Promise<void>;
  /** The line promote refuses with: one per gate whose result does not bear the bundle out. */
  line: RegExp;
  gatesRefused?: number;
}

const cases: TamperCase[] = [
  {
    name: 'the bundle hand-edited from validate-data: fail to pass',
    gates: DATA_FAILS,
    tamper: (repo) =>
      repo.editEvidence((evidence) => {
        evidence.gates[0]!.status = 'pass';
        evidence.verdict = 'pass';
      }),
    line: /out\/evidence\.json misstates the validate-data result it pins \(status\): out\/validate-data\.json is fail: validate-data fail$/,
  },
  {
    name: 'a pinned result edited after model-card ran',
    gates: ALL_PASS,
    tamper: async (repo) => {
      const result = await repo.readJson<GateResult>(repo.resultFile('validate-data'));
      await writeFile(repo.resultFile('validate-data'), JSON.stringify({ ...result, summary: 'edited' }));
    },
    line: new RegExp(
      `out/validate-data\\.json has sha256 ${SHA}, not the ${SHA} that out/evidence\\.json pins: the validate-data result changed after model-card ran$`,
    ),
  },
  {
    name: 'a pinned result missing',
    gates: ALL_PASS,
    tamper: (repo) => rm(repo.resultFile('rerun-experiments')),
    line: new RegExp(
      `out/evidence\\.json pins a rerun-experiments result \\(sha256 ${SHA}\\) that is not beside it \\(looked for rerun-experiments\\.json\\)`,
    ),
  },
  {
    name: 'a result’s status and its pin edited together',
    gates: DATA_FAILS,
    tamper: async (repo) => {
      const file = repo.resultFile('validate-data');
      await writeFile(file, JSON.stringify({ ...(await repo.readJson<GateResult>(file)), status: 'pass' }));
      const sha256 = await sha256File(file);
      await repo.editEvidence((evidence) => {
        Object.assign(evidence.gates[0]!, { status: 'pass', resultSha256: sha256 });
      });
    },
    line: /out\/validate-data\.json says pass, but its own checks make it fail: the result was edited$/,
  },
  {
    name: 'the bundle re-pointed at new model bytes no gate judged',
    gates: ALL_PASS,
    tamper: async (repo) => {
      const bytes = tinyOnnxModel({ producerVersion: '2.0' });
      await writeFile(repo.modelFile, bytes);
      const commit = await commitAll(repo.dir, 'new bytes, same version');
      const sha256 = await sha256File(repo.modelFile);
      await repo.editEvidence((evidence) => {
        evidence.commit = commit;
        evidence.model.sha256 = sha256;
        evidence.model.sizeBytes = bytes.byteLength;
      });
    },
    line: new RegExp(
      `out/validate-data\\.json judged model sha256 ${SHA}, not the ${SHA} that out/evidence\\.json is for$`,
    ),
    gatesRefused: 2,
  },
  {
    name: 'a second, passing line for a failed gate',
    gates: DATA_FAILS,
    tamper: (repo) =>
      repo.editEvidence((evidence) => {
        evidence.gates.push({ ...evidence.gates[0]!, status: 'pass' });
      }),
    line: /out\/evidence\.json lists validate-data 2 times: model-card writes one line per gate$/,
  },
  {
    name: 'a pinned path that climbs out of the bundle’s folder',
    gates: ALL_PASS,
    tamper: async (repo) => {
      await rm(repo.resultFile('validate-data'));
      await repo.editEvidence((evidence) => {
        evidence.gates[0]!.result = '../mlgate.yml';
      });
    },
    line: /pins a validate-data result .* that is not beside it \(looked for mlgate\.yml, validate-data\.json\)/,
  },
];

describe('evidence integrity: promote refuses a bundle its results do not bear out', () => {
  it.each(cases)(
    '$name: exit 1, one line per refused gate, no registry tag',
    async ({ gates, tamper, line, gatesRefused }) => {
      const repo = await gatedRepo(gates);
      expect(repo.card.code).toBe(gates['validate-data'] === 'fail' ? 1 : 0);
      await tamper(repo);
      const refused = await repo.promote('--to', 'staging');
      expect(refused.code).toBe(1);
      const errors = errorLines(refused.stderr);
      expect(errors, refused.stderr).toHaveLength(gatesRefused ?? 1);
      expect(errors[0]).toMatch(line);
      // Quoting the bundle's claim would repeat the lie as if promote had checked it.
      expect(refused.stderr).not.toMatch(/validate-data: pass/);
      expect(refused.stdout).toMatch(/refused: loan-default cannot enter staging/);
      expect(await repo.tags()).toEqual([]);
    },
  );

  it('an untampered bundle over the same results promotes', async () => {
    const repo = await gatedRepo(ALL_PASS);
    expect(repo.card.code).toBe(0);
    const promoted = await repo.promote('--to', 'staging');
    expect(promoted.stderr).not.toMatch(/error/);
    expect(promoted.code).toBe(0);
    expect(await repo.tags()).toEqual(['loan-default#staging#1', 'loan-default@v1.0.0']);
  });

  it('model bytes changed and committed after the gates ran: no evidence, and promote then refuses', async () => {
    const repo = await gatedRepo(ALL_PASS);
    expect(repo.card.code).toBe(0);
    const judged = await sha256File(repo.modelFile);
    await writeFile(repo.modelFile, tinyOnnxModel({ producerVersion: '2.0' }));
    const now = await sha256File(repo.modelFile);

    const commit = await commitAll(repo.dir, 'retrained after the gates ran');
    const card = await cli('model-card', '--config', repo.config, '--out', repo.out, '--sha', commit);
    expect(card.code).toBe(1);
    const errors = errorLines(card.stderr);
    expect(errors, card.stderr).toHaveLength(1);
    const shown = (path: string) => relative(process.cwd(), join(repo.dir, path));
    expect(errors[0]).toBe(
      `error: model-card: evidence.model: no evidence written: ${shown('models/m.onnx')} has sha256 ${now}, but ${shown('out/validate-data.json')} judged sha256 ${judged}; ${shown('out/rerun-experiments.json')} judged sha256 ${judged}. Run the gates again on these bytes`,
    );
    // The bundle of the run before, for the bytes the gates did judge, is gone too.
    expect(await readdir(repo.out)).not.toContain('evidence.json');

    const promote = await repo.promote('--to', 'staging');
    expect(promote.code).toBe(2);
    expect(errorLines(promote.stderr)).toHaveLength(1);
    expect(promote.stderr).toMatch(/out\/evidence\.json.*evidence not found/);
    expect(await repo.tags()).toEqual([]);
  });

  const unreadable: { name: string; bundle: string | undefined; line: RegExp }[] = [
    {
      name: 'a truncated bundle',
      bundle: '{ "schema": "mlgate/evidence@1", "model": {',
      line: /out\/evidence\.json not valid JSON \(.+\): not an evidence bundle$/,
    },
    {
      name: 'JSON that is not a bundle',
      bundle: '{ "schema": "mlgate/evidence@2" }\n',
      line: /out\/evidence\.json:1:\d+ .*schema/,
    },
    {
      name: 'no bundle at all',
      bundle: undefined,
      line: /out\/evidence\.json evidence not found: run `mlgate run`/,
    },
  ];

  it.each(unreadable)(
    '$name: exit 2, one line naming the file, no registry tag',
    async ({ bundle, line }) => {
      const repo = await gatedRepo(ALL_PASS);
      if (bundle === undefined) await rm(repo.evidenceFile);
      else await writeFile(repo.evidenceFile, bundle);
      const refused = await repo.promote('--to', 'staging');
      expect(refused.code).toBe(2);
      const errors = errorLines(refused.stderr);
      expect(errors, refused.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(line);
      expect(refused.stderr).not.toMatch(/YAML|internal error/);
      expect(await repo.tags()).toEqual([]);
    },
  );
});
