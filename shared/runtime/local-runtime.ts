import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, readdir } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileProblem, formatLocation, InputError } from '../errors.ts';
import { displayPath } from '../fs/display-path.ts';
import { createProgressLine } from './progress-line.ts';
import type { ArtifactStore, Logger, RawInputs, RunContext, Runtime } from './runtime.ts';

const run = promisify(execFile);

export interface LocalRuntimeOptions {
  /** The `--out` folder: the summary and the artifacts go under it. */
  out: string;
  inputs?: RawInputs;
  debug?: boolean;
  /** Where logs go; stdout is left to results (`--json`) and the final table. */
  stream?: NodeJS.WriteStream;
  /** Folder whose git repository names the commit under test. */
  cwd?: string;
}

/** The runtime behind `mlgate` on a developer machine: flags in, stderr and files out, no network. */
export interface LocalRuntime extends Runtime {
  readonly outputs: ReadonlyMap<string, string>;
}

async function gitHead(cwd: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['rev-parse', 'HEAD'], { cwd });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `*` matches any run of characters; everything else matches itself. */
export function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Artifacts as folders: `<root>/<name>/...`. `MLGATE_ARTIFACT_DIR` lets several runs share one root. */
export function createFolderArtifactStore(root: string): ArtifactStore {
  return {
    async upload(name, files, rootDir) {
      const target = join(root, name);
      await mkdir(target, { recursive: true });
      for (const file of files) {
        await cp(file, join(target, relative(rootDir, file)), { recursive: true });
      }
      return {};
    },
    async download(pattern, dir, from) {
      if (from) {
        throw new InputError(
          `artifacts of workflow run ${from.runId} are only reachable in a GitHub workflow, with a token`,
        );
      }
      let names: string[];
      try {
        names = await readdir(root);
      } catch {
        return [];
      }
      const matcher = wildcard(pattern);
      const folders: string[] = [];
      for (const name of names.filter((candidate) => matcher.test(candidate)).sort()) {
        const target = join(dir, basename(name));
        await cp(join(root, name), target, { recursive: true });
        folders.push(target);
      }
      return folders;
    },
  };
}

export async function createLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const stream = options.stream ?? process.stderr;
  const secrets: string[] = [];
  const hide = (text: string) => secrets.reduce((masked, secret) => masked.split(secret).join('***'), text);
  const write = (text: string) => stream.write(`${hide(text)}\n`);
  const log: Logger = {
    info: (message) => write(message),
    warn: (message) => write(`warning: ${message}`),
    error: (message) => write(`error: ${message}`),
    debug: (message) => {
      if (options.debug) write(`debug: ${message}`);
    },
    async group(title, work) {
      write(`▸ ${title}`);
      return work();
    },
  };
  const outputs = new Map<string, string>();
  const inputs = options.inputs ?? {};
  const out = resolve(options.out);
  const sha = await gitHead(options.cwd ?? process.cwd());
  const context: RunContext = sha ? { sha } : {};
  return {
    kind: 'local',
    log,
    context,
    github: undefined,
    artifacts: createFolderArtifactStore(process.env.MLGATE_ARTIFACT_DIR ?? join(out, 'artifacts')),
    outputs,
    input(name, { multiple } = {}) {
      const value = inputs[name];
      if (value === undefined) return undefined;
      if (multiple) return Array.isArray(value) ? value : [value];
      return Array.isArray(value) ? value.at(-1) : value;
    },
    setOutput(name, value) {
      outputs.set(name, value);
      log.debug(`output ${name}=${value}`);
    },
    annotate({ level, message, title, location }) {
      const where = location ? `${formatLocation(location)}: ` : '';
      write(`${where}${level}: ${title ? `${title}: ` : ''}${message}`);
    },
    async appendSummary(markdown) {
      const file = join(out, 'summary.md');
      try {
        await mkdir(out, { recursive: true });
        await appendFile(file, `${markdown}\n`);
      } catch (error) {
        throw fileProblem(error, displayPath(file), 'write the summary');
      }
    },
    progress: (label, total) => createProgressLine(label, total, stream),
    maskSecret(value) {
      if (value) secrets.push(value);
    },
  };
}
