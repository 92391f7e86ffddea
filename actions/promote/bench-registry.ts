/**
 * How long `readRegistry` takes on a repository with many registry tags.
 * Run: npx tsx actions/promote/bench-registry.ts [TAGS]   (default 2000)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../../shared/registry/git.ts';
import { readRegistry } from '../../shared/registry/git-tags.ts';
import { createTagsAtomically } from '../../shared/registry/git-write.ts';
import { currentAssignment } from '../../shared/registry/registry.ts';
import { formatTagMessage } from '../../shared/registry/tag-message.ts';

const count = Number(process.argv[2] ?? 2000);
const dir = await mkdtemp(join(tmpdir(), 'mlgate-bench-registry-'));
try {
  await runGit(dir, ['init', '-q']);
  await runGit(dir, [
    '-c',
    'user.name=b',
    '-c',
    'user.email=b@b',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'x',
  ]);
  const commit = (await runGit(dir, ['rev-parse', 'HEAD'])).trim();
  const tags = Array.from({ length: count }, (_, index) => ({
    name: index % 2 === 0 ? `model-${index % 20}@v1.${index}.0` : `model-${index % 20}#production#${index}`,
    commit,
    message: formatTagMessage('bench', {
      digest: 'a'.repeat(64),
      version: `1.${index - 1}.0`,
      actor: 'bench',
    }),
  }));
  const started = performance.now();
  await createTagsAtomically(dir, tags, { name: 'b', email: 'b@b', date: new Date() });
  const written = performance.now() - started;
  const readStart = performance.now();
  const registry = await readRegistry(dir);
  const read = performance.now() - readStart;
  const holder = currentAssignment(registry, 'model-1', 'production');
  console.log(
    `${count} tags: wrote in ${(written / 1000).toFixed(2)} s (one transaction), read in ${read.toFixed(0)} ms; ${registry.models.size} models; model-1 production = v${holder?.version}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
