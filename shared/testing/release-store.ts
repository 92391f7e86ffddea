import type { Handler } from './github-api-server.ts';
import { paginate } from './github-api-server.ts';

/** Routes of the release endpoints, as the test server keys handlers (the upload's without its query). */
export const RELEASE_ROUTES = {
  byTag: 'GET /repos/{owner}/{repo}/releases/tags/{tag}',
  listAssets: 'GET /repos/{owner}/{repo}/releases/{release_id}/assets',
  deleteAsset: 'DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}',
  upload: 'POST /repos/{owner}/{repo}/releases/{release_id}/assets',
} as const;

export interface StoredAsset {
  id: number;
  name: string;
  contentType: string;
  data: Buffer;
}

export interface ReleaseStore {
  id: number;
  tag: string;
  /** The release's assets now, in upload order. */
  assets: StoredAsset[];
  /** GitHub's release and release-asset endpoints over this one release, for `startGitHubApiServer`. */
  handlers: Record<string, Handler>;
}

/**
 * One release of a repository, kept in memory behind GitHub's documented routes: look it up by tag, list,
 * delete and upload its assets. As on GitHub, a second asset of one name is refused with 422, and every
 * reply is GitHub's own example with this release's values put in.
 */
export function releaseStore(options: {
  id: number;
  tag: string;
  assets?: Omit<StoredAsset, 'id'>[];
}): ReleaseStore {
  let nextId = 100;
  const assets: StoredAsset[] = (options.assets ?? []).map((asset) => ({ ...asset, id: nextId++ }));
  const store: ReleaseStore = { id: options.id, tag: options.tag, assets, handlers: {} };
  const ours = (releaseId: string | undefined) => Number(releaseId) === options.id;
  const assetObject = (template: unknown, asset: StoredAsset, owner: string, repo: string) => ({
    ...(template as Record<string, unknown>),
    id: asset.id,
    name: asset.name,
    label: null,
    content_type: asset.contentType,
    size: asset.data.length,
    url: `https://api.github.com/repos/${owner}/${repo}/releases/assets/${asset.id}`,
    browser_download_url: `https://github.com/${owner}/${repo}/releases/download/${options.tag}/${asset.name}`,
  });
  store.handlers = {
    [RELEASE_ROUTES.byTag]: ({ pathParams: { owner, repo, tag } }, tools) => {
      if (tag !== options.tag) return { status: 404, body: { message: 'Not Found' } };
      const template = tools.example(200) as Record<string, unknown>;
      const [assetTemplate] = template.assets as unknown[];
      return {
        status: 200,
        body: {
          ...template,
          id: options.id,
          tag_name: options.tag,
          upload_url: `${tools.uploadsUrl}/repos/${owner}/${repo}/releases/${options.id}/assets{?name,label}`,
          assets: assets.map((asset) => assetObject(assetTemplate, asset, owner!, repo!)),
        },
      };
    },
    [RELEASE_ROUTES.listAssets]: (request, tools) => {
      if (!ours(request.pathParams.release_id)) return { status: 404, body: { message: 'Not Found' } };
      const [template] = tools.example(200) as unknown[];
      const { owner, repo } = request.pathParams;
      return paginate(
        assets.map((asset) => assetObject(template, asset, owner!, repo!)),
        request,
        tools.baseUrl,
      );
    },
    [RELEASE_ROUTES.deleteAsset]: ({ pathParams }) => {
      const index = assets.findIndex((asset) => asset.id === Number(pathParams.asset_id));
      if (index === -1) return { status: 404, body: { message: 'Not Found' } };
      assets.splice(index, 1);
      return { status: 204 };
    },
    [RELEASE_ROUTES.upload]: (request, tools) => {
      const name = request.query.get('name')!;
      if (!ours(request.pathParams.release_id)) return { status: 404, body: { message: 'Not Found' } };
      if (assets.some((asset) => asset.name === name)) {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
          },
        };
      }
      const asset: StoredAsset = {
        id: nextId++,
        name,
        contentType: request.headers['content-type'] ?? '',
        data: request.body as Buffer,
      };
      assets.push(asset);
      const { owner, repo } = request.pathParams;
      return { status: 201, body: assetObject(tools.example(201), asset, owner!, repo!) };
    },
  };
  return store;
}
