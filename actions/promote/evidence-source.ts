import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseSourceText, validateSource } from '../../shared/config/yaml-file.ts';
import { errorMessage, InputError } from '../../shared/errors.ts';
import { Evidence } from '../../shared/evidence/evidence.ts';
import { httpStatusOf } from '../../shared/github/http-status.ts';
import type { Runtime } from '../../shared/runtime/runtime.ts';
import { findAllPinned, type PinnedResult, type ReadBeside } from './pinned-results.ts';
import { checkRunProvenance } from './run-provenance.ts';

/** The file name model-card writes and every evidence source is searched for. */
export const EVIDENCE_FILE = 'evidence.json';

export interface LoadedEvidence {
  evidence: Evidence;
  /** How the tag messages refer to it: a path, `artifact:NAME` or `release:TAG`. */
  reference: string;
  /** sha256 of the bundle's bytes, recorded so the exact bundle can be found again. */
  sha256: string;
  /** Per gate, the result file the bundle pins, as found beside it in the same source. */
  pinned: Map<string, PinnedResult>;
}

async function parseEvidence(
  bytes: Buffer,
  displayName: string,
  reference: string,
  readBeside: ReadBeside,
): Promise<LoadedEvidence> {
  const text = bytes.toString('utf8');
  try {
    JSON.parse(text);
  } catch (error) {
    // model-card writes JSON; YAML's reading of a truncated bundle ("invalid YAML") would mislead.
    throw new InputError(`not valid JSON (${errorMessage(error)}): not an evidence bundle`, {
      file: displayName,
    });
  }
  // Parsed again for the positions that point a schema problem at its line.
  const source = parseSourceText(text, displayName);
  const evidence = validateSource(source, Evidence);
  return {
    evidence,
    reference,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    pinned: await findAllPinned(evidence, readBeside),
  };
}

/** Reads files beside the bundle in a folder; only absence is undefined, other faults are the user's to fix. */
function folderReader(dir: string, display: (path: string) => string): ReadBeside {
  return async (name) => {
    const path = join(dir, name);
    try {
      return { where: display(path), bytes: await readFile(path) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new InputError(`cannot read the pinned result (${code ?? String(error)})`, {
        file: display(path),
      });
    }
  };
}

async function findFile(dir: string, name: string): Promise<string | undefined> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const found = entries
    .filter((entry) => entry.isFile() && entry.name === name)
    .map((entry) => join(entry.parentPath, entry.name))
    .sort((a, b) => a.length - b.length);
  return found[0];
}

/**
 * `artifact:NAME` (this workflow run) or `artifact:RUN_ID/NAME` (another run of this repository, which
 * must have run the default branch). Artifact names cannot contain `/`, so the two cannot be confused.
 */
async function fromArtifact(spec: string, runtime: Runtime): Promise<LoadedEvidence> {
  const reference = `artifact:${spec}`;
  const ofRun = /^(\d+)\/(.+)$/.exec(spec);
  const name = ofRun ? ofRun[2]! : spec;
  const from = ofRun ? { runId: Number(ofRun[1]) } : undefined;
  const run = from ? await checkRunProvenance(runtime, from.runId, reference) : undefined;
  if (run) runtime.log.info(`Evidence from workflow run ${from?.runId}: ${run}.`);
  const dir = await mkdtemp(join(tmpdir(), 'mlgate-evidence-'));
  try {
    const folders = await runtime.artifacts.download(name, dir, from);
    if (folders.length === 0) {
      throw new InputError(
        `--evidence ${reference}: no workflow artifact named ${name}${from ? ` in run ${from.runId}` : ''}`,
      );
    }
    const file = await findFile(dir, EVIDENCE_FILE);
    if (!file) throw new InputError(`--evidence ${reference}: the artifact has no ${EVIDENCE_FILE}`);
    const inArtifact = (path: string) => `${reference}/${relative(folders[0]!, path)}`;
    return await parseEvidence(
      await readFile(file),
      inArtifact(file),
      reference,
      folderReader(dirname(file), inArtifact),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fromRelease(tag: string, runtime: Runtime): Promise<LoadedEvidence> {
  const github = runtime.github;
  const repository = runtime.context.repository;
  if (!github || !repository) {
    throw new InputError(
      `--evidence release:${tag} needs GitHub: a token and the repository (GITHUB_REPOSITORY)`,
    );
  }
  let release: { assets: { id: number; name: string }[] };
  try {
    ({ data: release } = await github.request('GET /repos/{owner}/{repo}/releases/tags/{tag}', {
      ...repository,
      tag,
    }));
  } catch (error) {
    if (httpStatusOf(error) === 404) throw new InputError(`--evidence release:${tag}: no such release`);
    throw error;
  }
  const download = async (name: string) => {
    const asset = release.assets.find((candidate) => candidate.name === name);
    if (!asset) return undefined;
    // With this media type GitHub answers with the asset's bytes (through a redirect) instead of its metadata.
    const response = await github.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
      ...repository,
      asset_id: asset.id,
      headers: { accept: 'application/octet-stream' },
    });
    const data: unknown = response.data;
    const bytes =
      data instanceof ArrayBuffer
        ? Buffer.from(data)
        : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
    return { where: `release:${tag}/${name}`, bytes };
  };
  const bundle = await download(EVIDENCE_FILE);
  if (!bundle) throw new InputError(`--evidence release:${tag}: the release has no ${EVIDENCE_FILE} asset`);
  // Release assets are flat: only a bare file name can be one.
  return parseEvidence(bundle.bytes, bundle.where, `release:${tag}`, async (name) =>
    name.includes('/') ? undefined : download(name),
  );
}

/**
 * Loads the evidence bundle named by `--evidence`: a file (default `<out>/evidence.json`), a workflow
 * artifact of this run (`artifact:NAME`) or of a default-branch run (`artifact:RUN_ID/NAME`), or a release
 * asset (`release:TAG`), with the result files it pins from the same source. Any problem reading it is an
 * InputError naming the source; docs/promote.md says which sources can be trusted.
 */
export async function loadEvidence(
  spec: string | undefined,
  context: { out: string; runtime: Runtime; display: (path: string) => string },
): Promise<LoadedEvidence> {
  if (spec?.startsWith('artifact:')) return fromArtifact(spec.slice('artifact:'.length), context.runtime);
  if (spec?.startsWith('release:')) return fromRelease(spec.slice('release:'.length), context.runtime);
  const file = spec ?? join(context.out, EVIDENCE_FILE);
  const display = context.display(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new InputError(
      `evidence not found: run \`mlgate run\` (model-card writes ${EVIDENCE_FILE}) or pass --evidence`,
      { file: display },
    );
  }
  return parseEvidence(bytes, display, display, folderReader(dirname(file), context.display));
}
