import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../shared/errors.ts';
import { isHttpUri } from './mlflow-rest.ts';

/** Where MLflow runs are read from: a tracking server, a file store folder or a SQLite database. */
export type TrackingStore =
  | { kind: 'rest'; uri: string }
  | { kind: 'file'; path: string }
  | { kind: 'sqlite'; path: string };

/**
 * Parses a tracking URI as MLflow does: `http(s)://` is a server; `sqlite:///rel.db` and
 * `sqlite:////abs.db` (SQLAlchemy's URL, three slashes then the path) a database; `file:` or no scheme
 * a file store folder. `origin` names where the URI came from, for the error.
 */
export function parseTrackingUri(uri: string, origin: string): TrackingStore {
  if (isHttpUri(uri)) return { kind: 'rest', uri };
  if (/^sqlite:/i.test(uri)) {
    // SQLAlchemy's query options (?mode=ro, ?timeout=...) do not change what is stored.
    const path = /^sqlite:\/\/\/([^?]+)/i.exec(uri)?.[1];
    if (!path) {
      throw new InputError(
        `${origin}: "${uri}" names no database file; write sqlite:///relative/path.db or sqlite:////absolute/path.db`,
      );
    }
    return { kind: 'sqlite', path };
  }
  if (/^file:/i.test(uri)) {
    return { kind: 'file', path: /^file:\//i.test(uri) ? fileURLToPath(uri) : uri.slice('file:'.length) };
  }
  // One letter before a colon is a Windows drive, not a scheme; MLflow writes Databricks without one.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(uri)?.[1] ?? /^(databricks(-uc)?|uc)$/i.exec(uri)?.[1];
  if (scheme) {
    throw new InputError(
      `${origin}: "${uri}" is a ${scheme} store; mlgate reads MLflow file stores, sqlite:/// databases and http(s) tracking servers`,
    );
  }
  return { kind: 'file', path: uri };
}

/** MLflow's test for a file store worth keeping: a numbered experiment folder holding meta.yaml. */
async function hasFileStoreExperiments(dir: string): Promise<boolean> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || !/^\d+$/.test(entry.name)) continue;
    const files: string[] = await readdir(join(dir, entry.name)).catch(() => []);
    if (files.includes('meta.yaml')) return true;
  }
  return false;
}

/**
 * The store the settings, else MLFLOW_TRACKING_URI, name; with neither, MLflow 3.7's default: `./mlruns`
 * when it already holds experiments, else the SQLite database `./mlflow.db` (paths relative to `dir`).
 */
export async function trackingStore(
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<TrackingStore> {
  if (configured) return parseTrackingUri(configured, 'gates.rerun-experiments.mlflow.tracking-uri');
  if (env.MLFLOW_TRACKING_URI) return parseTrackingUri(env.MLFLOW_TRACKING_URI, 'MLFLOW_TRACKING_URI');
  if (await hasFileStoreExperiments(join(dir, 'mlruns'))) return { kind: 'file', path: 'mlruns' };
  return { kind: 'sqlite', path: 'mlflow.db' };
}
