import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.ts';
import { runGit } from './git.ts';
import { readRegistry } from './git-tags.ts';
import { createTagsAtomically, TagExistsError } from './git-write.ts';
import { assignmentTagName, GTO_TAG_PATTERN, parseGtoTagName, registrationTagName } from './gto-tag.ts';
import { readAssignedModel } from './model-blob.ts';
import { currentAssignment, stageHistory } from './registry.ts';
import { formatTagMessage, parseTagMessage } from './tag-message.ts';

const DIGEST_A = 'a'.repeat(64);
const DIGEST_B = 'b'.repeat(64);
const tagger = (seconds: number) => ({
  name: 'Ada',
  email: 'ada@example.com',
  date: new Date(seconds * 1000),
});

async function repoWithCommits(count: number): Promise<{ dir: string; commits: string[] }> {
  const dir = await tempDir();
  await runGit(dir, ['init', '-q', '-b', 'main']);
  const commits: string[] = [];
  for (let index = 0; index < count; index++) {
    await runGit(dir, [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      `c${index}`,
    ]);
    commits.push((await runGit(dir, ['rev-parse', 'HEAD'])).trim());
  }
  return { dir, commits };
}

describe('GTO tag grammar', () => {
  it('parses the tag forms GTO writes', () => {
    expect(parseGtoTagName('rf@v1.2.3')).toEqual({ action: 'register', model: 'rf', version: '1.2.3' });
    expect(parseGtoTagName('rf@v1.2.3!')).toEqual({ action: 'deregister', model: 'rf', version: '1.2.3' });
    expect(parseGtoTagName('rf#prod#2')).toEqual({
      action: 'assign',
      model: 'rf',
      stage: 'prod',
      counter: 2,
    });
    expect(parseGtoTagName('rf#prod!#3')).toEqual({
      action: 'unassign',
      model: 'rf',
      stage: 'prod',
      counter: 3,
    });
    expect(parseGtoTagName('rf#prod')).toEqual({ action: 'assign', model: 'rf', stage: 'prod' });
    expect(parseGtoTagName('rf@deprecated#4')).toEqual({ action: 'deprecate', model: 'rf', counter: 4 });
    expect(parseGtoTagName('models/churn@v2.0.0-rc.1')).toEqual({
      action: 'register',
      model: 'models/churn',
      version: '2.0.0-rc.1',
    });
  });

  it('rejects what GTO rejects', () => {
    for (const tag of [
      'v1.0.0',
      'Rf@v1.0.0',
      'rf@1.0.0',
      'rf@v1.0',
      'r@v1.0.0',
      'rf#Prod#1',
      'rf#prod#x',
      'rf-@v1.0.0',
    ]) {
      expect(parseGtoTagName(tag), tag).toBeUndefined();
    }
  });

  it('names tags so they round-trip', () => {
    const registration = registrationTagName('loan-default', '1.1.0');
    const assignment = assignmentTagName('loan-default', 'production', 7);
    expect([registration, assignment]).toEqual(['loan-default@v1.1.0', 'loan-default#production#7']);
    expect(GTO_TAG_PATTERN.test(registration) && GTO_TAG_PATTERN.test(assignment)).toBe(true);
  });
});

describe('tag messages', () => {
  it('round-trips facts and folds a multi-line reason', () => {
    const message = formatTagMessage('Promote loan-default v1.1.0 to production', {
      digest: DIGEST_A,
      actor: 'ada',
      reason: 'better AUC\non the October data',
      version: '1.1.0',
    });
    expect(parseTagMessage(message)).toEqual({
      title: 'Promote loan-default v1.1.0 to production',
      facts: { digest: DIGEST_A, actor: 'ada', reason: 'better AUC on the October data', version: '1.1.0' },
    });
  });

  it('drops facts that do not parse instead of failing', () => {
    expect(parseTagMessage('Title\n\ndigest: not-a-digest\nactor: ada\nnoise').facts).toEqual({
      actor: 'ada',
    });
  });
});

describe('readRegistry', () => {
  it('reads registrations and assignments back from real git tags', async () => {
    const { dir, commits } = await repoWithCommits(2);
    const [first = '', second = ''] = commits;
    const note = (version: string, digest: string, extra: Record<string, string> = {}) =>
      formatTagMessage(`loan-default v${version}`, {
        digest,
        version,
        'model-path': 'models/m.onnx',
        ...extra,
      });
    await createTagsAtomically(
      dir,
      [
        { name: 'loan-default@v1.0.0', commit: first, message: note('1.0.0', DIGEST_A) },
        {
          name: 'loan-default#production#1',
          commit: first,
          message: note('1.0.0', DIGEST_A, { reason: 'första' }),
        },
      ],
      tagger(1_700_000_000),
    );
    await createTagsAtomically(
      dir,
      [
        { name: 'loan-default@v1.1.0', commit: second, message: note('1.1.0', DIGEST_B) },
        { name: 'loan-default#production#2', commit: second, message: note('1.1.0', DIGEST_B) },
      ],
      tagger(1_700_000_100),
    );
    // A lightweight tag and an unrelated annotated tag are not registry records.
    await runGit(dir, ['tag', 'v9.9.9']);
    await runGit(dir, [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'tag',
      '-a',
      'release-1',
      '-m',
      'release',
    ]);

    const registry = await readRegistry(dir);
    expect([...registry.models.keys()]).toEqual(['loan-default']);
    expect(registry.models.get('loan-default')?.highestCounter).toBe(2);
    expect(currentAssignment(registry, 'loan-default', 'production')).toMatchObject({
      version: '1.1.0',
      commit: second,
      digest: DIGEST_B,
      modelPath: 'models/m.onnx',
      tag: 'loan-default#production#2',
      assignedAt: new Date(1_700_000_100_000),
    });
    expect(
      stageHistory(registry, 'loan-default', 'production').map((event) => [
        event.version,
        event.facts.reason,
      ]),
    ).toEqual([
      ['1.0.0', 'första'],
      ['1.1.0', undefined],
    ]);
    expect(currentAssignment(registry, 'loan-default', 'staging')).toBeUndefined();
  });

  it('resolves the version of a tag written by GTO (no facts) through its commit, as GTO does', async () => {
    const { dir, commits } = await repoWithCommits(1);
    const git = ['-c', 'user.name=gto', '-c', 'user.email=g@g'];
    await runGit(dir, [...git, 'tag', '-a', 'rf@v0.3.0', '-m', 'Registering artifact rf version v0.3.0']);
    await runGit(dir, [
      ...git,
      'tag',
      '-a',
      'rf#dev#1',
      '-m',
      'Assigning stage dev to artifact rf version v0.3.0',
    ]);
    const registry = await readRegistry(dir);
    expect(currentAssignment(registry, 'rf', 'dev')).toMatchObject({
      version: '0.3.0',
      commit: commits[0],
      digest: undefined,
    });
    await runGit(dir, [...git, 'tag', '-a', 'rf#dev!#2', '-m', 'Unassigning stage dev']);
    expect(currentAssignment(await readRegistry(dir), 'rf', 'dev')).toBeUndefined();
  });

  it('writes all tags of a transaction or none, and loses a race cleanly', async () => {
    const { dir, commits } = await repoWithCommits(1);
    const commit = commits[0] ?? '';
    const message = formatTagMessage('x', {});
    await createTagsAtomically(dir, [{ name: 'm1#prod#1', commit, message }], tagger(1));
    await expect(
      createTagsAtomically(
        dir,
        [
          { name: 'm1@v1.0.0', commit, message },
          { name: 'm1#prod#1', commit, message },
        ],
        tagger(2),
      ),
    ).rejects.toEqual(new TagExistsError('m1#prod#1'));
    expect((await runGit(dir, ['tag', '-l'])).trim().split('\n')).toEqual(['m1#prod#1']);
  });

  it('refuses a folder that is not a git repository', async () => {
    const dir = await tempDir();
    await expect(readRegistry(dir)).rejects.toThrow(/is not a git repository/);
  });

  it('reads the model that holds a stage from git and refuses bytes that do not match the digest', async () => {
    const { dir } = await repoWithCommits(0);
    await writeFile(join(dir, 'm.onnx'), 'model bytes');
    await runGit(dir, ['add', 'm.onnx']);
    await runGit(dir, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'model']);
    const commit = (await runGit(dir, ['rev-parse', 'HEAD'])).trim();
    const digest = createHash('sha256').update('model bytes').digest('hex');
    const facts = { digest, 'model-path': 'm.onnx', version: '1.0.0' };
    await createTagsAtomically(
      dir,
      [
        { name: 'm1@v1.0.0', commit, message: formatTagMessage('r', facts) },
        { name: 'm1#prod#1', commit, message: formatTagMessage('a', facts) },
      ],
      tagger(1),
    );
    const assignment = currentAssignment(await readRegistry(dir), 'm1', 'prod');
    expect(assignment && (await readAssignedModel(dir, assignment)).toString()).toBe('model bytes');
    await expect(readAssignedModel(dir, { ...assignment!, digest: DIGEST_A })).rejects.toThrow(
      /m1#prod#1 \(v1\.0\.0\): digest mismatch: m\.onnx at [0-9a-f]{12} is not the promoted model/,
    );
    await expect(readAssignedModel(dir, { ...assignment!, modelPath: undefined })).rejects.toThrow(
      /records no model-path/,
    );
  });
});
