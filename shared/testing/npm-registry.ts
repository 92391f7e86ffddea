import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

const run = promisify(execFile);

const Manifest = z.looseObject({
  name: z.string(),
  version: z.string(),
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
});

export interface NpmRegistry {
  /** The registry's URL, for `npm install --registry`. */
  url: string;
  /** `name@version` of every package it serves. */
  served: string[];
  close(): Promise<void>;
}

/**
 * The packages `names` need, as installed under `nodeModules`: their dependencies and the optional ones
 * present (another platform's optional binaries are absent, and the registry answers 404 for them, which
 * npm treats as an optional dependency it cannot have).
 */
async function installedClosure(nodeModules: string, names: readonly string[]) {
  const found = new Map<string, { dir: string; manifest: z.infer<typeof Manifest> }>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const dir = join(nodeModules, name);
    if (found.has(name) || !existsSync(join(dir, 'package.json'))) continue;
    const manifest = Manifest.parse(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
    found.set(name, { dir, manifest });
    queue.push(
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    );
  }
  return [...found.values()];
}

/**
 * A local npm registry serving packages installed under `nodeModules` (as tarballs written to
 * `scratch`), so a test can run a real `npm install` without the network: npm resolves, fetches and
 * verifies each package exactly as from registry.npmjs.org, only from here.
 */
export async function startNpmRegistry(
  nodeModules: string,
  names: readonly string[],
  scratch: string,
): Promise<NpmRegistry> {
  const packages = await installedClosure(nodeModules, names);
  const tarballs = new Map<string, string>();
  const documents = new Map<string, unknown>();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname.slice(1));
    const document = documents.get(path);
    const tarball = tarballs.get(path);
    if (document !== undefined) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(document));
    } else if (tarball !== undefined) {
      readFile(tarball).then(
        (bytes) => {
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          response.end(bytes);
        },
        () => {
          response.writeHead(500);
          response.end();
        },
      );
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":"Not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  for (const { dir, manifest } of packages) {
    // An uncompressed tar (npm detects gzip itself): compressing DuckDB's 68 MB binary would take most of
    // a test's time. npm strips the first path component whatever its name, as it does `package/`.
    const file = `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tar`;
    await run('tar', ['-cf', join(scratch, file), '-C', dirname(dir), basename(dir)]);
    const bytes = await readFile(join(scratch, file));
    const key = `-/${file}`;
    tarballs.set(key, join(scratch, file));
    documents.set(manifest.name, {
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: {
        [manifest.version]: {
          ...manifest,
          _id: `${manifest.name}@${manifest.version}`,
          dist: {
            tarball: `${url}${key}`,
            integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
            shasum: createHash('sha1').update(bytes).digest('hex'),
          },
        },
      },
    });
  }
  return {
    url,
    served: packages.map(({ manifest }) => `${manifest.name}@${manifest.version}`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
