import { httpStatusOf } from '../../shared/github/http-status.ts';
import { TagExistsError } from '../../shared/registry/git-write.ts';
import { parseGtoTagName } from '../../shared/registry/gto-tag.ts';
import { buildRegistry, type TagRecord } from '../../shared/registry/registry.ts';
import { parseTagMessage } from '../../shared/registry/tag-message.ts';
import type { GitHubClient } from '../../shared/runtime/runtime.ts';
import type { RecordStore } from './record-store.ts';

interface Repository {
  owner: string;
  repo: string;
}

async function readTag(
  github: GitHubClient,
  repository: Repository,
  name: string,
  sha: string,
): Promise<TagRecord> {
  const { data } = await github.request('GET /repos/{owner}/{repo}/git/tags/{tag_sha}', {
    ...repository,
    tag_sha: sha,
  });
  return {
    name,
    object: data.sha,
    commit: data.object.sha,
    tagger: { name: data.tagger.name, email: data.tagger.email, date: new Date(data.tagger.date) },
    message: data.message,
  };
}

async function readModelTags(
  github: GitHubClient,
  repository: Repository,
  model: string,
): Promise<TagRecord[]> {
  // Not paginated by GitHub: one answer lists every matching ref.
  const { data: refs } = await github.request('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', {
    ...repository,
    ref: `tags/${model}`,
  });
  const records: TagRecord[] = [];
  for (const ref of refs) {
    const name = ref.ref.replace(/^refs\/tags\//, '');
    // The prefix also matches other models (`loan-default-v2@...`) and lightweight tags: skip both.
    if (parseGtoTagName(name)?.model !== model || ref.object.type !== 'tag') continue;
    records.push(await readTag(github, repository, name, ref.object.sha));
  }
  return records;
}

/**
 * The registry in the GitHub repository's tags, through the Git database API: tag objects with
 * `POST /git/tags`, refs with `POST /git/refs`, which answers 422 "Reference already exists" when the
 * ref is taken. That is the compare-and-swap: the registration first (an identical registration made
 * by a concurrent run is accepted), then the stage assignment, whose loss means the race was lost.
 */
export function createGitHubStore(github: GitHubClient, repository: Repository): RecordStore {
  async function createTag(
    tag: { name: string; commit: string; message: string },
    tagger: { name: string; email: string; date: Date },
  ): Promise<string> {
    const { data } = await github.request('POST /repos/{owner}/{repo}/git/tags', {
      ...repository,
      tag: tag.name,
      message: tag.message,
      object: tag.commit,
      type: 'commit',
      tagger: { name: tagger.name, email: tagger.email, date: tagger.date.toISOString() },
    });
    try {
      await github.request('POST /repos/{owner}/{repo}/git/refs', {
        ...repository,
        ref: `refs/tags/${tag.name}`,
        sha: data.sha,
      });
    } catch (error) {
      if (httpStatusOf(error) === 422) throw new TagExistsError(tag.name);
      throw error;
    }
    return data.sha;
  }

  return {
    description: `GitHub ${repository.owner}/${repository.repo}`,
    read: async (model) => buildRegistry(await readModelTags(github, repository, model)),
    async write(tags, tagger) {
      if (tags.registration) {
        try {
          await createTag(tags.registration, tagger);
        } catch (error) {
          if (!(error instanceof TagExistsError)) throw error;
          // A concurrent run registered the same version; fine if it recorded the same bytes at the same commit.
          const { data: ref } = await github.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
            ...repository,
            ref: `tags/${tags.registration.name}`,
          });
          const theirs = await readTag(github, repository, tags.registration.name, ref.object.sha);
          const ours = parseTagMessage(tags.registration.message).facts.digest;
          if (
            theirs.commit !== tags.registration.commit ||
            parseTagMessage(theirs.message).facts.digest !== ours
          ) {
            throw error;
          }
        }
      }
      await createTag(tags.assignment, tagger);
    },
  };
}
