import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseSourceText, validateSource } from '../../shared/config/yaml-file.ts';
import { InputError } from '../../shared/errors.ts';
import { Evidence } from '../../shared/evidence/evidence.ts';
import { httpStatusOf } from '../../shared/github/http-status.ts';
import type { Runtime } from '../../shared/runtime/runtime.ts';

/** The file name model-card writes and every evidence source is searched for. */
export const EVIDENCE_FILE = 'evidence.json';

export interface LoadedEvidence {
  evidence: Evidence;
  /** How the tag messages refer to it: a path, `artifact:NAME` or `release:TAG`. */
  reference: string;
  /** sha256 of the bundle's bytes, recorded so the exact bundle can be found again. */
  sha256: string;
}

function parseEvidence(bytes: Buffer, displayName: string, reference: string): LoadedEvidence {
  const source = parseSourceText(bytes.toString('utf8'), displayName);
  return {
    evidence: validateSource(source, Evidence),
    reference,
    sha256: createHash('sha256').update(bytes).digest('hex'),
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

async function fromArtifact(name: string, runtime: Runtime): Promise<LoadedEvidence> {
  const dir = await mkdtemp(join(tmpdir(), 'mlgate-evidence-'));
  try {
    const folders = await runtime.artifacts.download(name, dir);
    if (folders.length === 0)
      throw new InputError(`--evidence artifact:${name}: no workflow artifact named ${name}`);
    const file = await findFile(dir, EVIDENCE_FILE);
    if (!file) throw new InputError(`--evidence artifact:${name}: the artifact has no ${EVIDENCE_FILE}`);
    return parseEvidence(await readFile(file), `artifact:${name}/${relative(dir, file)}`, `artifact:${name}`);
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
  const asset = release.assets.find((candidate) => candidate.name === EVIDENCE_FILE);
  if (!asset) throw new InputError(`--evidence release:${tag}: the release has no ${EVIDENCE_FILE} asset`);
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
  return parseEvidence(bytes, `release:${tag}/${EVIDENCE_FILE}`, `release:${tag}`);
}

/**
 * Loads the evidence bundle named by `--evidence`: a file (default `<out>/evidence.json`), a workflow
 * artifact of this run (`artifact:NAME`), or a release asset (`release:TAG`). Any problem is an
 * InputError naming the source.
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
  return parseEvidence(bytes, display, display);
}
