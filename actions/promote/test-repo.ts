import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EVIDENCE_SCHEMA, type Evidence, evidenceGate } from '../../shared/evidence/evidence.ts';
import { writeJsonAtomic } from '../../shared/fs/atomic-write.ts';
import { sha256File } from '../../shared/fs/sha256.ts';
import { runGit } from '../../shared/registry/git.ts';
import { GATE_RESULT_SCHEMA, type GateResult, worstStatus } from '../../shared/result/gate-result.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';

/** Test support: a git repository with an mlgate.yml, model files and evidence computed from their bytes. */

const IDENTITY = ['-c', 'user.name=Ada Lovelace', '-c', 'user.email=ada@example.com'];

export async function git(dir: string, ...args: string[]): Promise<string> {
  return (await runGit(dir, [...IDENTITY, ...args])).trim();
}

/** A fresh repository with the identity set locally, so tags have a tagger. */
export async function initRepo(dir?: string): Promise<string> {
  const root = dir ?? (await tempDir('mlgate-promote-'));
  await runGit(root, ['init', '-q', '-b', 'main']);
  await runGit(root, ['config', 'user.name', 'Ada Lovelace']);
  await runGit(root, ['config', 'user.email', 'ada@example.com']);
  return root;
}

export async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Writes model bytes at `path` (copying `from` when given) and returns their sha256. */
export async function writeModel(
  file: string,
  content: { from: string } | { bytes: Uint8Array },
): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  if ('from' in content) await copyFile(content.from, file);
  else await writeFile(file, content.bytes);
  return sha256File(file);
}

/**
 * An evidence bundle for the model file as it is now, with the given gate verdicts, and beside it the
 * result file of each gate that the bundle pins, as model-card writes them.
 */
export async function writeEvidence(
  file: string,
  options: {
    model: string;
    version: string;
    modelFile: string;
    modelPath: string;
    gates: Record<string, Evidence['verdict']>;
    commit?: string;
  },
): Promise<Evidence> {
  const sha256 = await sha256File(options.modelFile);
  const gates = [];
  for (const [gate, status] of Object.entries(options.gates)) {
    const result: GateResult = {
      schema: GATE_RESULT_SCHEMA,
      gate,
      status,
      summary: `${gate} ${status}`,
      checks: status === 'error' ? [] : [{ id: `${gate}.check`, status, message: `${gate} is ${status}` }],
      metrics: {},
      subject: {
        model: { name: options.model, version: options.version, sha256 },
        ...(options.commit ? { commit: options.commit } : {}),
      },
      startedAt: '2026-11-24T10:00:00.000Z',
      durationMs: 1,
      tool: { name: 'mlgate', version: '0.1.0' },
    };
    const resultFile = join(dirname(file), `${gate}.json`);
    await writeJsonAtomic(resultFile, result);
    gates.push(evidenceGate(result, await sha256File(resultFile), `${gate}.json`));
  }
  const evidence: Evidence = {
    schema: EVIDENCE_SCHEMA,
    createdAt: '2026-11-24T10:00:00.000Z',
    tool: { name: 'mlgate', version: '0.1.0' },
    model: {
      name: options.model,
      version: options.version,
      path: options.modelPath,
      sha256,
      sizeBytes: (await stat(options.modelFile)).size,
      onnx: { opsets: [{ domain: '', version: 17 }], inputs: [], outputs: [] },
    },
    ...(options.commit ? { commit: options.commit } : {}),
    datasets: [],
    gates,
    verdict: worstStatus(gates.map((gate) => gate.status)),
  };
  await writeJsonAtomic(file, evidence);
  return evidence;
}

export const ALL_PASS = {
  'validate-data': 'pass',
  'rerun-experiments': 'pass',
  benchmark: 'pass',
  fairness: 'warn',
  'model-card': 'pass',
} as const;

/** The stage policy the tests use (gate names listed, since this branch registers no other gate). */
export const POLICY_YAML = `  promote:
    stages:
      staging:
        requires: [validate-data, rerun-experiments]
      production:
        requires: [validate-data, rerun-experiments, benchmark, fairness]
        after: staging
`;

/** A repository with `mlgate.yml`, the model at `models/m.onnx`, committed. */
export async function promoteRepo(options: { version: string; policy?: string }) {
  const dir = await initRepo();
  const config = join(dir, 'mlgate.yml');
  const writeConfig = (version: string) =>
    writeFile(
      config,
      `version: 1\nmodel:\n  name: loan-default\n  path: models/m.onnx\n  version: ${version}\ngates:\n${options.policy ?? POLICY_YAML}`,
    );
  await writeConfig(options.version);
  const modelFile = join(dir, 'models/m.onnx');
  const out = join(dir, 'out');
  await writeFile(join(dir, '.gitignore'), 'out/\n');
  /**
   * Builds `version` as CI would: the config names it, the model has `bytes`, both are committed, and
   * out/evidence.json records the gate verdicts for that commit.
   */
  const build = async (
    version: string,
    bytes: Uint8Array,
    gates: Record<string, Evidence['verdict']> = ALL_PASS,
  ) => {
    await writeConfig(version);
    const digest = await writeModel(modelFile, { bytes });
    const commit = await commitAll(dir, `model ${version}`);
    await writeEvidence(join(out, 'evidence.json'), {
      model: 'loan-default',
      version,
      modelFile,
      modelPath: 'models/m.onnx',
      gates,
      commit,
    });
    return { digest, commit };
  };
  return { dir, config, modelFile, out, writeConfig, build };
}
