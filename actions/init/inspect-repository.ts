import { readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

/** What `mlgate init` found in a repository, as paths relative to its root. */
export interface RepositoryFindings {
  models: string[];
  /** Data files mlgate can read, with a dataset name derived from the file name. */
  datasets: { name: string; path: string }[];
  /**
   * Experiment tracking: mlgate's experiments.yml, a DVC pipeline, an MLflow file store, MLflow's SQLite
   * store (`mlflow.db` at the root, where rerun-experiments looks for it, as MLflow 3.7+ does), an MLflow project.
   */
  tracking: { mlgate: boolean; dvc: boolean; mlflow: boolean; mlflowDb: boolean; mlproject: boolean };
}

const DATA_EXTENSIONS = /\.(csv|tsv|parquet|jsonl)(\.gz)?$/i;
// Build output, dependencies and tool state hold copies or caches, never the project's own data.
const SKIPPED = new Set([
  'node_modules',
  '.git',
  'dist',
  'out',
  'mlgate-results',
  '.dvc',
  'mlruns',
  '.venv',
  'venv',
]);

async function walk(root: string, dir: string, found: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      // An MLflow file store is recognised by its folder; its contents are MLflow's, not datasets.
      if (entry.name === 'mlruns')
        found.push(`${relative(root, join(dir, entry.name)).split('\\').join('/')}/`);
      if (!SKIPPED.has(entry.name) && !entry.name.startsWith('.'))
        await walk(root, join(dir, entry.name), found);
    } else if (entry.isFile()) {
      found.push(relative(root, join(dir, entry.name)).split('\\').join('/'));
    }
  }
}

/** A dataset name the config accepts: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function datasetName(path: string, taken: ReadonlySet<string>): string {
  const stem = basename(path).replace(DATA_EXTENSIONS, '');
  const base = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'data';
  let name = base;
  for (let suffix = 2; taken.has(name); suffix++) name = `${base}-${suffix}`;
  return name;
}

/** Looks through a repository for what mlgate can gate: ONNX models, data files, experiment tracking. */
export async function inspectRepository(root: string): Promise<RepositoryFindings> {
  const files: string[] = [];
  await walk(root, root, files);
  files.sort();
  const taken = new Set<string>();
  const datasets: RepositoryFindings['datasets'] = [];
  for (const path of files.filter((file) => DATA_EXTENSIONS.test(file))) {
    const name = datasetName(path, taken);
    taken.add(name);
    datasets.push({ name, path });
  }
  return {
    models: files.filter((file) => file.toLowerCase().endsWith('.onnx')),
    datasets,
    tracking: {
      mlgate: files.includes('experiments.yml'),
      dvc: files.some((file) => basename(file) === 'dvc.yaml'),
      mlflow: files.some((file) => file === 'mlruns/' || file.endsWith('/mlruns/')),
      mlflowDb: files.includes('mlflow.db'),
      mlproject: files.some((file) => basename(file) === 'MLproject'),
    },
  };
}
