import { readRegistry } from '../../shared/registry/git-tags.ts';
import { createTagsAtomically } from '../../shared/registry/git-write.ts';
import type { RecordStore } from './record-store.ts';

/** The registry in the tags of the local git repository at `repoDir`: the whole flow works offline. */
export function createLocalStore(repoDir: string): RecordStore {
  return {
    description: `the git repository at ${repoDir}`,
    read: () => readRegistry(repoDir),
    async write(tags, tagger) {
      // One ref transaction: both tags or neither, and the registration we rely on must still be there.
      await createTagsAtomically(
        repoDir,
        tags.registration ? [tags.registration, tags.assignment] : [tags.assignment],
        tagger,
        tags.existingRegistration ? [tags.existingRegistration] : [],
      );
    },
  };
}
