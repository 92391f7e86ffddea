import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import type { BaseConfig } from '../../shared/config/config-schema.ts';
import type { LoadedConfig } from '../../shared/config/load-config.ts';
import { errorMessage, InputError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { readRegistry } from '../../shared/registry/git-tags.ts';
import { readAssignedModel } from '../../shared/registry/model-blob.ts';
import { currentAssignment } from '../../shared/registry/registry.ts';
import type { RunContext } from '../../shared/runtime/runtime.ts';
import { Fingerprint } from './fingerprint.ts';
import { git, gitShowFile } from './git.ts';
import type { BaselineSettings } from './settings.ts';

/** A configuration's figures as an earlier run stored them in `details.configurations`. */
export const StoredConfiguration = z.object({
  id: z.string(),
  candidate: z.object({
    statistics: z.record(z.string(), z.union([z.number(), z.literal('insufficient')])),
    // Results written before the spread was recorded lack it; the comparison then assumes it.
    spread: z
      .record(
        z.string(),
        z.object({ logStandardError: z.number().nonnegative(), degreesOfFreedom: z.number().min(1) }),
      )
      .optional(),
  }),
});

/** The parts of an earlier `benchmark.json` that a results baseline reads. */
export const StoredResults = z.object({
  gate: z.literal('benchmark'),
  details: z.object({ fingerprint: Fingerprint, configurations: z.array(StoredConfiguration) }),
});
export type StoredResults = z.infer<typeof StoredResults>;

/** What the candidate is compared with, once found. */
export type ResolvedBaseline =
  | {
      kind: 'model';
      path: string;
      /** How people should read where it came from, e.g. `models/a.onnx at main (3f2c...)`. */
      description: string;
      source: 'path' | 'ref' | 'merge-base' | 'stage';
      commit?: string;
      tag?: string;
      version?: string;
    }
  | { kind: 'results'; description: string; stored: StoredResults }
  | { kind: 'none'; description: string };

export interface BaselineContext {
  config: LoadedConfig<BaseConfig>;
  /** Absolute path of the candidate model (its repository path is the baseline's, for refs). */
  candidatePath: string;
  /** A private folder where a model read from git is written. */
  workDir: string;
  run: RunContext;
}

async function repositoryPath(cwd: string, file: string): Promise<{ root: string; path: string }> {
  let root: string;
  try {
    root = await git(cwd, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new InputError(`a git baseline needs a git repository, and ${cwd} is not in one`);
  }
  return { root, path: relative(root, file).split(sep).join('/') };
}

async function modelAtCommit(
  context: BaselineContext,
  commit: string,
  path: string,
  root: string,
  label: string,
) {
  let bytes: Buffer;
  try {
    bytes = await gitShowFile(root, commit, path);
  } catch (error) {
    throw new InputError(`cannot read ${path} at ${label}: ${errorMessage(error)}`);
  }
  const file = join(context.workDir, `baseline-${commit.slice(0, 12)}.onnx`);
  await writeFileAtomic(file, bytes);
  return file;
}

async function resolveCommit(root: string, ref: string, where: () => ReturnType<LoadedConfig['locate']>) {
  try {
    return await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new InputError(
      `baseline ref "${ref}" is not a commit in this repository (in CI, fetch it: fetch-depth: 0)`,
      where(),
    );
  }
}

async function fromRef(context: BaselineContext, ref: string): Promise<ResolvedBaseline> {
  const where = () => context.config.locate(['gates', 'benchmark', 'baseline', 'ref']);
  const { root, path } = await repositoryPath(context.config.dir, context.candidatePath);
  let commit: string;
  let label: string;
  if (ref === 'merge-base') {
    const base = context.run.baseSha;
    if (!base)
      throw new InputError(
        'baseline ref "merge-base" needs a pull request (its base commit); name a ref instead',
        where(),
      );
    const baseCommit = await resolveCommit(root, base, where);
    try {
      commit = await git(root, ['merge-base', 'HEAD', baseCommit]);
    } catch (error) {
      throw new InputError(
        `no merge base of HEAD and ${base} (in CI, fetch history: fetch-depth: 0): ${errorMessage(error)}`,
        where(),
      );
    }
    label = `the merge base ${commit.slice(0, 12)}`;
  } else {
    commit = await resolveCommit(root, ref, where);
    label = `${ref} (${commit.slice(0, 12)})`;
  }
  const file = await modelAtCommit(context, commit, path, root, label);
  return {
    kind: 'model',
    path: file,
    description: `${path} at ${label}`,
    source: ref === 'merge-base' ? 'merge-base' : 'ref',
    commit,
  };
}

async function fromStage(context: BaselineContext, stage: string): Promise<ResolvedBaseline> {
  const where = () => context.config.locate(['gates', 'benchmark', 'baseline', 'stage']);
  const model = context.config.config.model;
  if (!model) throw new InputError('baseline stage needs `model.name` in the config', where());
  const { root } = await repositoryPath(context.config.dir, context.candidatePath);
  const holder = currentAssignment(await readRegistry(root), model.name, stage);
  if (!holder) {
    throw new InputError(
      `no version of ${model.name} holds the stage "${stage}" in the registry (tags ${model.name}#${stage}#N)`,
      where(),
    );
  }
  // readAssignedModel checks the bytes against the digest the registry recorded.
  const bytes = await readAssignedModel(root, holder);
  const file = join(context.workDir, `baseline-${holder.commit.slice(0, 12)}.onnx`);
  await writeFileAtomic(file, bytes);
  return {
    kind: 'model',
    path: file,
    description: `${model.name} ${holder.version} (stage ${stage}, ${holder.tag}, commit ${holder.commit.slice(0, 12)})`,
    source: 'stage',
    commit: holder.commit,
    tag: holder.tag,
    version: holder.version,
  };
}

async function fromResults(context: BaselineContext, file: string): Promise<ResolvedBaseline> {
  const where = () => context.config.locate(['gates', 'benchmark', 'baseline', 'results']);
  const display = context.config.display(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(context.config.resolve(file), 'utf8'));
  } catch (error) {
    throw new InputError(`cannot read the stored results ${display}: ${errorMessage(error)}`, where());
  }
  const stored = StoredResults.safeParse(parsed);
  if (!stored.success) {
    throw new InputError(
      `${display} is not a benchmark result of this mlgate (${stored.error.issues[0]?.path.join('.')}: ${stored.error.issues[0]?.message})`,
      where(),
    );
  }
  return { kind: 'results', description: `stored results ${display}`, stored: stored.data };
}

/**
 * Finds the baseline: the configured one, else the merge base in a pull request, else none (the gate
 * then reports absolute figures only). Models read from git are written under `workDir`.
 */
export async function resolveBaseline(
  settings: BaselineSettings | undefined,
  context: BaselineContext,
): Promise<ResolvedBaseline> {
  if (!settings) {
    if (context.run.baseSha) return fromRef(context, 'merge-base');
    return {
      kind: 'none',
      description: 'no baseline (configure gates.benchmark.baseline, or run in a pull request)',
    };
  }
  if ('path' in settings) {
    return {
      kind: 'model',
      path: context.config.resolve(settings.path),
      description: context.config.display(settings.path),
      source: 'path',
    };
  }
  if ('ref' in settings) return fromRef(context, settings.ref);
  if ('stage' in settings) return fromStage(context, settings.stage);
  return fromResults(context, settings.results);
}
