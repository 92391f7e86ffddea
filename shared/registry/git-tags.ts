import { InputError } from '../errors.ts';
import { GitError, runGit, runGitBytes } from './git.ts';
import { buildRegistry, type Registry, type TagRecord } from './registry.ts';

const TAG_HEADER = /^tagger (.*) <([^>]*)> (\d+) [+-]\d{4}$/m;

/** Parses a raw tag object (`git cat-file tag X`): headers, a blank line, the message (maybe signed). */
export function parseTagObject(name: string, object: string, commit: string, raw: string): TagRecord {
  const split = raw.indexOf('\n\n');
  const headers = split === -1 ? raw : raw.slice(0, split);
  let message = split === -1 ? '' : raw.slice(split + 2);
  const signature = message.indexOf('-----BEGIN PGP SIGNATURE-----');
  if (signature !== -1) message = message.slice(0, signature);
  const tagger = TAG_HEADER.exec(headers);
  return {
    name,
    object,
    commit,
    tagger: {
      name: tagger?.[1] ?? '',
      email: tagger?.[2] ?? '',
      date: new Date(Number(tagger?.[3] ?? 0) * 1000),
    },
    message,
  };
}

/** Whether `dir` is inside a git work tree (or is a bare repository). */
export async function isGitRepository(dir: string): Promise<boolean> {
  try {
    await runGit(dir, ['rev-parse', '--git-dir']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads every annotated tag of the repository at `repoDir` with `git for-each-ref` and one
 * `git cat-file --batch`. Lightweight tags are skipped: they carry no message, and GTO skips them too.
 */
export async function readTagRecords(repoDir: string): Promise<TagRecord[]> {
  if (!(await isGitRepository(repoDir))) {
    throw new InputError(`${repoDir} is not a git repository: the model registry lives in its tags`);
  }
  const listing = await runGit(repoDir, [
    'for-each-ref',
    '--format=%(objecttype) %(objectname) %(*objectname) %(refname)',
    'refs/tags',
  ]);
  const tags = listing
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields[0] === 'tag' && fields.length >= 4)
    .map(([, object = '', commit = '', ...ref]) => ({
      object,
      commit,
      name: ref.join(' ').replace(/^refs\/tags\//, ''),
    }));
  if (tags.length === 0) return [];
  const batch = await runGitBytes(
    repoDir,
    ['cat-file', '--batch'],
    `${tags.map((tag) => tag.object).join('\n')}\n`,
  );
  const records: TagRecord[] = [];
  let offset = 0;
  for (const tag of tags) {
    // Each entry is `<oid> <type> <size>\n<size bytes>\n`; sizes are in bytes, so parse bytes.
    const headerEnd = batch.indexOf(0x0a, offset);
    const size = Number(batch.subarray(offset, headerEnd).toString('utf8').split(' ')[2]);
    const body = batch.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8');
    records.push(parseTagObject(tag.name, tag.object, tag.commit, body));
    offset = headerEnd + 1 + size + 1;
  }
  return records;
}

/**
 * Reads the model registry kept in the tags of the git repository at `repoDir` (GTO's format).
 * Throws InputError when `repoDir` is not a git repository. In a CI checkout, fetch the tags first
 * (`actions/checkout` with `fetch-depth: 0`, or `git fetch --tags`).
 */
export async function readRegistry(repoDir: string): Promise<Registry> {
  return buildRegistry(await readTagRecords(repoDir));
}

/** The top folder of the work tree that contains `dir`. */
export async function repositoryRoot(dir: string): Promise<string> {
  try {
    return (await runGit(dir, ['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    if (error instanceof GitError) throw new InputError(`${dir} is not inside a git work tree`);
    throw error;
  }
}
