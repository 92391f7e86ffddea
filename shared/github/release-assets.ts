import { errorMessage } from '../errors.ts';
import type { GitHubClient } from '../runtime/runtime.ts';
import { httpStatusOf } from './http-status.ts';

/** A GitHub release, as far as attaching files to it goes. */
export interface Release {
  id: number;
  tagName: string;
  /**
   * The release's hypermedia upload URL, an RFC 6570 template such as
   * `https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}` (on GitHub Enterprise Server,
   * `<server>/api/uploads/repos/...`).
   */
  uploadUrl: string;
}

/** One file to attach: the asset's name, its media type and its bytes. */
export interface ReleaseAsset {
  name: string;
  contentType: string;
  data: Uint8Array;
}

export interface AttachedAsset {
  name: string;
  contentType: string;
  size: number;
  /** Where people download it. */
  url: string;
  /** Whether an asset of the same name was deleted first (a rerun of the workflow). */
  replaced: boolean;
}

/** A request of `attachReleaseAssets` failed: one line saying which, with GitHub's status and message. */
export class ReleaseAssetError extends Error {
  /** The HTTP status GitHub answered with, when it answered. */
  readonly status: number | undefined;

  constructor(step: string, cause: unknown) {
    const status = httpStatusOf(cause);
    const message = errorMessage(cause).split('\n')[0]!.trim();
    super(`${step}: ${status === undefined ? '' : `HTTP ${status} `}${message}`.trim(), { cause });
    this.name = 'ReleaseAssetError';
    this.status = status;
  }
}

/** Runs one request of the attachment, naming the step when it fails. */
async function step<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new ReleaseAssetError(what, error);
  }
}

const UPLOAD_PATH = /^(.*)\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)\/assets(?:\{[^}]*\})?$/;

/**
 * Splits a release's `upload_url` into the origin Octokit should send the upload to (its `baseUrl`) and
 * the route's parameters, so the upload goes through the documented route, with the client's retries.
 */
export function parseUploadUrl(uploadUrl: string): {
  baseUrl: string;
  owner: string;
  repo: string;
  releaseId: number;
} {
  const match = UPLOAD_PATH.exec(uploadUrl);
  if (!match || !/^https?:\/\/[^/]+/.test(match[1]!)) {
    throw new Error(`not a release upload URL: ${uploadUrl}`);
  }
  return {
    baseUrl: match[1]!,
    owner: decodeURIComponent(match[2]!),
    repo: decodeURIComponent(match[3]!),
    releaseId: Number(match[4]),
  };
}

/** The release of a tag (`GET /repos/{owner}/{repo}/releases/tags/{tag}`); a `ReleaseAssetError` (404) if none. */
export async function findReleaseByTag(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  tag: string,
): Promise<Release> {
  const { data } = await step(`looking up the release of tag ${tag}`, () =>
    client.request('GET /repos/{owner}/{repo}/releases/tags/{tag}', { ...repository, tag }),
  );
  return { id: data.id, tagName: data.tag_name, uploadUrl: data.upload_url };
}

/**
 * Attaches `assets` to `release`, replacing any asset of the same name, as `gh release upload --clobber`
 * does: GitHub refuses a second asset of one name (422), so a rerun of a workflow lists the release's
 * assets, deletes the old one, then uploads. Files go one at a time, in order; the first failure throws
 * a `ReleaseAssetError` naming the step (the earlier files stay attached, and a rerun replaces them).
 */
export async function attachReleaseAssets(
  client: GitHubClient,
  release: Release,
  assets: readonly ReleaseAsset[],
): Promise<AttachedAsset[]> {
  const { baseUrl, owner, repo, releaseId } = parseUploadUrl(release.uploadUrl);
  const names = assets.map((asset) => asset.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice) throw new Error(`two assets named ${twice}: a release holds one file per name`);
  const existing = await step('listing its assets', () =>
    client.paginate('GET /repos/{owner}/{repo}/releases/{release_id}/assets', {
      owner,
      repo,
      release_id: releaseId,
      per_page: 100,
    }),
  );
  const attached: AttachedAsset[] = [];
  for (const asset of assets) {
    const old = existing.find((candidate) => candidate.name === asset.name);
    if (old) {
      await step(`deleting the earlier ${asset.name}`, () =>
        client.request('DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}', {
          owner,
          repo,
          asset_id: old.id,
        }),
      );
    }
    const { data } = await step(`uploading ${asset.name}`, () =>
      client.request('POST /repos/{owner}/{repo}/releases/{release_id}/assets{?name,label}', {
        baseUrl,
        owner,
        repo,
        release_id: releaseId,
        name: asset.name,
        data: asset.data,
        // fetch sets Content-Length, which GitHub requires, from the bytes.
        headers: { 'content-type': asset.contentType },
      }),
    );
    attached.push({
      name: data.name,
      contentType: asset.contentType,
      size: asset.data.byteLength,
      url: data.browser_download_url,
      replaced: old !== undefined,
    });
  }
  return attached;
}
