import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { errorMessage, InputError } from '../../shared/errors.ts';
import {
  type AttachedAsset,
  attachReleaseAssets,
  findReleaseByTag,
  type Release,
  ReleaseAssetError,
} from '../../shared/github/release-assets.ts';
import type { Check, Table } from '../../shared/result/gate-result.ts';
import type { RunContext, Runtime } from '../../shared/runtime/runtime.ts';

/** `release-assets`: `auto` attaches on a `release` event (or when a tag is given), `true`/`false` force it. */
export type ReleaseAssetsMode = 'auto' | boolean;

/** Which release the files go to: the event's, or the one of a tag, looked up when attaching. */
export type ReleaseTarget = { release: Release } | { tag: string };

const CHECK_ID = 'release.assets';

/** Media types by extension; GitHub serves each asset with the type it was uploaded with. */
const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json', '.md': 'text/markdown' };

/**
 * Where to attach, decided before any work so that a contradictory request fails first: undefined when
 * nothing is to be attached. `true` outside a release event without a tag is the user's mistake.
 */
export function releaseTarget(
  mode: ReleaseAssetsMode,
  tag: string | undefined,
  context: RunContext,
): ReleaseTarget | undefined {
  if (mode === false) return undefined;
  if (tag !== undefined) return { tag };
  if (context.release) return { release: context.release };
  if (mode === true) {
    throw new InputError(
      `release-assets is true but ${context.eventName ? `a ${context.eventName} event` : 'this run'} has no release: set release-tag, or run on a release event`,
    );
  }
  return undefined;
}

const nameOf = (target: ReleaseTarget) =>
  'release' in target
    ? `release ${target.release.tagName} (id ${target.release.id})`
    : `release ${target.tag}`;

export interface ReleaseAttachment {
  check: Check;
  /** The release the files went to, once they all did. */
  release?: Release;
  attached: AttachedAsset[];
  /** For the job summary: what went where. */
  table?: Table;
}

/**
 * Attaches `files` (the card, the evidence bundle, the gate results) to the release, replacing assets of
 * the same name so a rerun works. Never throws for GitHub's answers: a failure is a failing check naming
 * the release (annotated as an error by runGate), since a release without its evidence is what the
 * release workflow exists to prevent.
 */
export async function attachToRelease(
  runtime: Runtime,
  target: ReleaseTarget,
  files: readonly string[],
): Promise<ReleaseAttachment> {
  const where = nameOf(target);
  if (runtime.kind === 'local') {
    runtime.log.info(
      `Release assets: nothing attached to ${where}; the local runtime has no network (attaching happens in a GitHub workflow).`,
    );
    return {
      check: { id: CHECK_ID, status: 'skip', message: `local run: nothing attached to ${where}` },
      attached: [],
    };
  }
  const { github, context } = runtime;
  if (!github) {
    const message = `no token: cannot attach the evidence to ${where}`;
    return { check: { id: CHECK_ID, status: 'fail', message }, attached: [] };
  }
  let release: Release;
  if ('release' in target) release = target.release;
  else {
    if (!context.repository) {
      const message = `cannot look up ${where}: the repository is unknown (GITHUB_REPOSITORY)`;
      return { check: { id: CHECK_ID, status: 'fail', message }, attached: [] };
    }
    try {
      release = await findReleaseByTag(github, context.repository, target.tag);
    } catch (error) {
      const message =
        error instanceof ReleaseAssetError && error.status === 404
          ? `no ${where} in ${context.repository.owner}/${context.repository.repo}: nothing attached`
          : `could not attach the evidence to ${where}: ${errorMessage(error)}`;
      return { check: { id: CHECK_ID, status: 'fail', message }, attached: [] };
    }
  }
  const releaseName = nameOf({ release });
  const assets = [];
  for (const file of files) {
    const name = basename(file);
    const extension = name.slice(name.lastIndexOf('.'));
    assets.push({
      name,
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      data: await readFile(file),
    });
  }
  let attached: AttachedAsset[];
  try {
    attached = await attachReleaseAssets(github, release, assets);
  } catch (error) {
    const message = `could not attach the evidence to ${releaseName}: ${errorMessage(error)}`;
    return { check: { id: CHECK_ID, status: 'fail', message }, attached: [] };
  }
  const replaced = attached.filter((asset) => asset.replaced).length;
  const message = `attached ${attached.length} files to ${releaseName}${replaced > 0 ? `, replacing ${replaced} of the same name` : ''}`;
  runtime.log.info(`Release assets: ${message}.`);
  return {
    check: { id: CHECK_ID, status: 'pass', message, observed: attached.map((asset) => asset.name) },
    release,
    attached,
    table: {
      title: `Attached to ${releaseName}`,
      columns: ['asset', 'type', 'bytes', 'replaced'],
      // Table cells are inert (a result's tables may come from a fork): the name, not a link; the
      // download URLs are in details.releaseAssets.
      rows: attached.map((asset) => [
        asset.name,
        asset.contentType,
        String(asset.size),
        asset.replaced ? 'yes' : 'no',
      ]),
    },
  };
}
