import { GitError, runGit } from './git.ts';

/** An annotated tag to create. */
export interface NewTag {
  name: string;
  commit: string;
  message: string;
}

export interface Tagger {
  name: string;
  email: string;
  date: Date;
}

/** A tag that some other writer created first: the compare-and-swap lost. */
export class TagExistsError extends Error {
  readonly tag: string;

  constructor(tag: string) {
    super(`tag ${tag} was written by another writer meanwhile`);
    this.tag = tag;
    this.name = 'TagExistsError';
  }
}

function tagObjectText(tag: NewTag, tagger: Tagger): string {
  const seconds = Math.floor(tagger.date.getTime() / 1000);
  const message = tag.message.endsWith('\n') ? tag.message : `${tag.message}\n`;
  return `object ${tag.commit}\ntype commit\ntag ${tag.name}\ntagger ${tagger.name} <${tagger.email}> ${seconds} +0000\n\n${message}`;
}

/** The identity git would use for a tag here (`user.name`/`user.email`), if one is configured. */
export async function gitIdentity(repoDir: string): Promise<{ name: string; email: string } | undefined> {
  try {
    const ident = (await runGit(repoDir, ['var', 'GIT_COMMITTER_IDENT'])).trim();
    const match = /^(.*) <([^>]*)>/.exec(ident);
    return match?.[1] && match[2] !== undefined ? { name: match[1], email: match[2] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates annotated tags in one git ref transaction: every tag is written, or none is. Each ref is
 * created with compare-and-swap semantics (`create` fails if the ref exists), and `keep` names refs
 * that must still point where they did when the caller read them (`verify`). A ref that appeared in
 * between makes the transaction fail with TagExistsError and leaves the repository as it was.
 */
export async function createTagsAtomically(
  repoDir: string,
  tags: readonly NewTag[],
  tagger: Tagger,
  keep: readonly { name: string; object: string }[] = [],
): Promise<void> {
  const objects: string[] = [];
  for (const tag of tags) {
    // mktag checks the object's format and that the commit exists before anything is referenced.
    objects.push((await runGit(repoDir, ['mktag'], tagObjectText(tag, tagger))).trim());
  }
  const commands = [
    ...keep.map((ref) => `verify refs/tags/${ref.name} ${ref.object}`),
    ...tags.map((tag, index) => `create refs/tags/${tag.name} ${objects[index]}`),
  ];
  try {
    await runGit(repoDir, ['update-ref', '--stdin'], `${commands.join('\n')}\n`);
  } catch (error) {
    if (error instanceof GitError) {
      const taken = /refs\/tags\/([^':]+)'?: reference already exists/.exec(error.stderr);
      if (taken?.[1]) throw new TagExistsError(taken[1]);
      const moved = /refs\/tags\/([^':]+)'?: (?:is at|reference is missing|unable to resolve)/.exec(
        error.stderr,
      );
      if (moved?.[1]) throw new TagExistsError(moved[1]);
    }
    throw error;
  }
}
