import type { NewTag, Tagger } from '../../shared/registry/git-write.ts';
import type { Registry } from '../../shared/registry/registry.ts';

/** The tags one promotion writes: the registration only when the version is new. */
export interface PromotionTags {
  registration: NewTag | undefined;
  /** The registration that already exists (when `registration` is undefined); it must not move. */
  existingRegistration: { name: string; object: string } | undefined;
  assignment: NewTag;
}

/**
 * Where the registry's tags live: the local git repository (offline, the CLI's default) or the GitHub
 * repository through its Git database API (in a workflow). Both write with compare-and-swap semantics
 * and throw TagExistsError when another promotion got there first.
 */
export interface RecordStore {
  /** For messages: `the git repository at /x` or `GitHub acme/loans`. */
  readonly description: string;
  read(model: string): Promise<Registry>;
  write(tags: PromotionTags, tagger: Tagger): Promise<void>;
}
