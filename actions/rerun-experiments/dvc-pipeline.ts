import { access } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { locate, readValidatedFile, type SourceDocument } from '../../shared/config/yaml-file.ts';
import { InputError } from '../../shared/errors.ts';
import { metricsSource, paramsSource } from './base-diff.ts';
import { type DvcLock, dvcHash, readDvcLock } from './dvc-lock.ts';
import { flatten, numericLeaves, readDocumentFile } from './metrics-file.ts';
import type { RerunPlan, TrackedExperiment, TrackedOut } from './plan.ts';
import { interpolate, interpolateString, TemplateError } from './template.ts';

/** An out, metric or plot: a path, or `{path: {cache: false, ...}}`. */
const PathEntry = z.union([z.string().min(1), z.record(z.string(), z.unknown().nullable())]);
/** A param: a key of params.yaml, or `{file: [keys]}` (null: every key of the file). */
const ParamEntry = z.union([z.string().min(1), z.record(z.string(), z.array(z.string()).nullable())]);
const VarsEntry = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

const stageFields = {
  cmd: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  wdir: z.string().default('.'),
  deps: z.array(z.string().min(1)).default([]),
  outs: z.array(PathEntry).default([]),
  params: z.array(ParamEntry).default([]),
  metrics: z.array(PathEntry).default([]),
  plots: z.array(z.unknown()).default([]),
  vars: z.array(VarsEntry).default([]),
  frozen: z.boolean().default(false),
  always_changed: z.boolean().default(false),
  desc: z.string().optional(),
  meta: z.unknown().optional(),
};
const StageBody = z.strictObject(stageFields);
const Stage = z.strictObject({
  ...stageFields,
  foreach: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown()), z.string()]).optional(),
  matrix: z.record(z.string(), z.union([z.array(z.unknown()).min(1), z.string()])).optional(),
  do: z.record(z.string(), z.unknown()).optional(),
});

/** `dvc.yaml` (DVC 2 and 3). Templating and `foreach`/`matrix` are resolved after validation. */
export const DvcYaml = z.strictObject({
  vars: z.array(VarsEntry).default([]),
  stages: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a stage name of letters, digits, "_" or "-"' }),
      Stage,
    )
    .default({}),
  params: z.array(z.unknown()).optional(),
  metrics: z.array(z.unknown()).optional(),
  plots: z.array(z.unknown()).optional(),
  artifacts: z.record(z.string(), z.unknown()).optional(),
  datasets: z.array(z.unknown()).optional(),
});

/** One stage after templating and expansion; every path is absolute. */
export interface DvcStage {
  name: string;
  /** The stage as written in dvc.yaml (for `foreach`, the generating stage). */
  definedAs: string;
  commands: string[];
  cwd: string;
  deps: string[];
  outs: string[];
  metrics: string[];
  params: { file: string; keys: string[] | null }[];
  frozen: boolean;
}

export interface DvcPipeline {
  file: string;
  dir: string;
  source: SourceDocument;
  stages: DvcStage[];
}

function pathOf(entry: z.infer<typeof PathEntry>): string {
  return typeof entry === 'string' ? entry : Object.keys(entry)[0]!;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Reads a vars/params file, with `file:key1,key2` selecting top-level keys. */
async function readVarsFile(
  dir: string,
  entry: string,
  missing: () => InputError,
): Promise<Record<string, unknown>> {
  const [file, keys] = entry.split(':') as [string, string | undefined];
  const document = await readDocumentFile(resolve(dir, file), relativeDisplay(dir, file));
  if (document === undefined) throw missing();
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new InputError('expected a mapping of params', { file: relativeDisplay(dir, file) });
  }
  const values = document as Record<string, unknown>;
  if (!keys) return values;
  return Object.fromEntries(keys.split(',').map((key) => [key, values[key]]));
}

function relativeDisplay(dir: string, file: string): string {
  return relative(process.cwd(), resolve(dir, file)) || file;
}

function mergeInto(target: Record<string, unknown>, values: Record<string, unknown>) {
  for (const [key, value] of Object.entries(values)) target[key] = value;
}

function scalarName(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

interface Generated {
  name: string;
  body: Record<string, unknown>;
  context: Record<string, unknown>;
}

/** Expands `foreach` and `matrix` the way DVC names the results: `stage@key`, `stage@v1-v2`. */
function expand(
  name: string,
  stage: z.infer<typeof Stage>,
  context: Record<string, unknown>,
  fail: (message: string, path: PropertyKey[]) => InputError,
): Generated[] {
  const resolveCollection = (value: unknown, path: PropertyKey[]) => {
    if (typeof value !== 'string') return value;
    try {
      return interpolateString(value, context);
    } catch (error) {
      if (error instanceof TemplateError) throw fail(error.message, path);
      throw error;
    }
  };
  if (stage.foreach !== undefined) {
    if (!stage.do) throw fail('a foreach stage needs a "do:" block', [name]);
    const body = StageBody.safeParse(stage.do);
    if (!body.success) throw fail(`do: ${body.error.issues[0]!.message}`, [name, 'do']);
    const items = resolveCollection(stage.foreach, [name, 'foreach']);
    if (Array.isArray(items)) {
      return items.map((item, index) => ({
        name: `${name}@${scalarName(item) ?? index}`,
        body: stage.do!,
        context: { ...context, item, key: index },
      }));
    }
    if (items !== null && typeof items === 'object') {
      return Object.entries(items).map(([key, item]) => ({
        name: `${name}@${key}`,
        body: stage.do!,
        context: { ...context, item, key },
      }));
    }
    throw fail('foreach: expected a list or a mapping', [name, 'foreach']);
  }
  const { foreach: _foreach, matrix, do: _do, ...body } = stage;
  if (!matrix) return [{ name, body, context }];
  let combinations: { names: string[]; item: Record<string, unknown> }[] = [{ names: [], item: {} }];
  for (const [axis, raw] of Object.entries(matrix)) {
    const values = resolveCollection(raw, [name, 'matrix', axis]);
    if (!Array.isArray(values)) throw fail(`matrix.${axis}: expected a list`, [name, 'matrix', axis]);
    combinations = combinations.flatMap((combination) =>
      values.map((value, index) => ({
        names: [...combination.names, scalarName(value) ?? `${axis}${index}`],
        item: { ...combination.item, [axis]: value },
      })),
    );
  }
  return combinations.map((combination) => ({
    name: `${name}@${combination.names.join('-')}`,
    body,
    context: { ...context, item: combination.item },
  }));
}

/** Reads dvc.yaml with its params.yaml and `vars`, templating resolved and foreach/matrix expanded. */
export async function readDvcPipeline(file: string, displayName: string): Promise<DvcPipeline> {
  const { value, source } = await readValidatedFile(file, DvcYaml, displayName);
  const dir = dirname(file);
  const fail = (message: string, path: PropertyKey[]) =>
    new InputError(
      `stages.${path.map(String).join('.')}: ${message}`,
      locate(source, ['stages', ...path.slice(0, -1)], String(path.at(-1))),
    );
  const context: Record<string, unknown> = {};
  if (await exists(join(dir, 'params.yaml'))) {
    mergeInto(context, await readVarsFile(dir, 'params.yaml', () => new InputError('file not found')));
  }
  for (const [index, entry] of value.vars.entries()) {
    if (typeof entry === 'string') {
      mergeInto(
        context,
        await readVarsFile(
          dir,
          entry,
          () => new InputError(`vars: ${entry} not found`, locate(source, ['vars', index])),
        ),
      );
    } else mergeInto(context, entry);
  }
  const stages: DvcStage[] = [];
  for (const [name, stage] of Object.entries(value.stages)) {
    for (const generated of expand(name, stage, context, fail)) {
      let body: z.infer<typeof StageBody>;
      const local = { ...generated.context };
      try {
        const raw = StageBody.parse(generated.body);
        for (const entry of raw.vars) {
          if (typeof entry === 'string')
            mergeInto(
              local,
              await readVarsFile(dir, entry, () => fail(`vars: ${entry} not found`, [name, 'vars'])),
            );
          else mergeInto(local, entry);
        }
        body = StageBody.parse(interpolate({ ...raw, vars: [] }, local));
      } catch (error) {
        if (error instanceof TemplateError) throw fail(error.message, [name]);
        if (error instanceof z.ZodError) throw fail(`after templating: ${error.issues[0]!.message}`, [name]);
        throw error;
      }
      if (!body.cmd) throw fail('required (expected cmd)', [name]);
      const cwd = resolve(dir, body.wdir);
      stages.push({
        name: generated.name,
        definedAs: name,
        commands: Array.isArray(body.cmd) ? body.cmd : [body.cmd],
        cwd,
        deps: body.deps.map((dep) => resolve(cwd, dep)),
        outs: body.outs.map((out) => resolve(cwd, pathOf(out))),
        metrics: body.metrics.map((metric) => resolve(cwd, pathOf(metric))),
        params: body.params.map((param) =>
          typeof param === 'string'
            ? { file: resolve(cwd, 'params.yaml'), keys: [param] }
            : { file: resolve(cwd, Object.keys(param)[0]!), keys: Object.values(param)[0] ?? null },
        ),
        frozen: body.frozen,
      });
    }
  }
  return { file, dir, source, stages };
}

function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder + sep);
}

/** Whether stage `after` reads something stage `before` writes. */
function dependsOn(after: DvcStage, before: DvcStage): boolean {
  const written = [...before.outs, ...before.metrics];
  return after.deps.some((dep) => written.some((out) => within(dep, out) || within(out, dep)));
}

/**
 * The stages in an order that runs every stage after those it reads from, keeping dvc.yaml's order where
 * the graph leaves a choice (as `dvc repro` does). A cycle is an InputError.
 */
export function orderStages(pipeline: DvcPipeline): DvcStage[] {
  const { stages } = pipeline;
  const upstream = new Map(
    stages.map((stage) => [stage.name, stages.filter((other) => other !== stage && dependsOn(stage, other))]),
  );
  const ordered: DvcStage[] = [];
  const placed = new Set<string>();
  while (ordered.length < stages.length) {
    const next = stages.find(
      (stage) =>
        !placed.has(stage.name) && upstream.get(stage.name)!.every((other) => placed.has(other.name)),
    );
    if (!next) {
      const stuck = stages.filter((stage) => !placed.has(stage.name)).map((stage) => stage.name);
      throw new InputError(`stages form a cycle: ${stuck.join(', ')}`, locate(pipeline.source, ['stages']));
    }
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

/** Every stage `targets` need, themselves included, in run order. */
export function stagesFor(pipeline: DvcPipeline, targets: ReadonlySet<string>): DvcStage[] {
  const ordered = orderStages(pipeline);
  const needed = new Set(targets);
  for (const stage of [...ordered].reverse()) {
    if (!needed.has(stage.name)) continue;
    for (const other of ordered) if (other !== stage && dependsOn(stage, other)) needed.add(other.name);
  }
  return ordered.filter((stage) => needed.has(stage.name));
}

/** A DVC experiment's name: the stage's, prefixed so it cannot clash with other sources, dots made dashes. */
export function dvcExperimentName(stage: string): string {
  return `dvc:${stage.replace(/\./g, '_')}`;
}

async function readMetrics(
  files: readonly { path: string; display: string }[],
): Promise<Record<string, number> | undefined> {
  const merged: Record<string, number> = {};
  let found = false;
  for (const file of files) {
    const document = await readDocumentFile(file.path, file.display);
    if (document === undefined) continue;
    found = true;
    // Several metrics files of one stage are told apart by their path, as `dvc metrics show` does.
    for (const [key, value] of Object.entries(numericLeaves(document))) {
      merged[files.length > 1 ? `${file.display}:${key}` : key] = value;
    }
  }
  return found ? merged : undefined;
}

async function currentParams(stage: DvcStage): Promise<Record<string, Record<string, unknown>>> {
  const params: Record<string, Record<string, unknown>> = {};
  for (const { file, keys } of stage.params) {
    const document = await readDocumentFile(file, file);
    const leaves = flatten(document ?? {});
    const name = relative(stage.cwd, file).split(sep).join('/');
    const selected = params[name] ?? {};
    params[name] = selected;
    for (const [key, value] of leaves) {
      if (keys === null || keys.some((wanted) => key === wanted || key.startsWith(`${wanted}.`)))
        selected[key] = value;
    }
  }
  return params;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How the workspace stands against dvc.lock for one stage, for people to read (nothing fails on it). */
async function lockFacts(
  stage: DvcStage,
  lock: DvcLock | undefined,
  params: Record<string, Record<string, unknown>>,
) {
  const entry = lock?.stages[stage.name];
  if (!entry) return { lock: 'absent' };
  const staleParams: string[] = [];
  // dvc.lock nests a param listed as `train` ({train: {seed: 1}}); compare leaf by leaf.
  const locked = (file: string) => flatten(entry.params[file] ?? {});
  for (const [file, values] of Object.entries(params)) {
    for (const [key, value] of Object.entries(values)) {
      if (!sameValue(locked(file).get(key), value)) staleParams.push(`${file}:${key}`);
    }
  }
  const changedDeps: string[] = [];
  for (const dep of entry.deps) {
    if (!dep.md5) continue;
    const hash = await dvcHash(resolve(stage.cwd, dep.path), dep.hash === undefined);
    if (hash !== undefined && hash !== dep.md5) changedDeps.push(dep.path);
  }
  const lockedCommands = Array.isArray(entry.cmd) ? entry.cmd : [entry.cmd];
  const stale =
    !sameValue(lockedCommands, stage.commands) || staleParams.length > 0 || changedDeps.length > 0;
  return {
    lock: stale ? 'stale' : 'up to date',
    ...(sameValue(lockedCommands, stage.commands) ? {} : { lockedCommand: lockedCommands }),
    ...(staleParams.length > 0 ? { changedParams: staleParams } : {}),
    ...(changedDeps.length > 0 ? { changedDeps } : {}),
  };
}

/**
 * Plans the rerun of a DVC pipeline: the selected stages that declare metrics, with every stage they need,
 * in dependency order. Tracked values are the metrics files as they are now.
 */
export async function readDvcPlan(
  file: string,
  displayName: string,
  select: (name: string) => boolean,
): Promise<RerunPlan[]> {
  const pipeline = await readDvcPipeline(file, displayName);
  const lockFile = join(pipeline.dir, 'dvc.lock');
  const lockDisplay = join(dirname(displayName), 'dvc.lock');
  const lock = (await exists(lockFile)) ? await readDvcLock(lockFile, lockDisplay) : undefined;
  const display = (path: string) => relative(pipeline.dir, path).split(sep).join('/');
  const targets = pipeline.stages.filter(
    (stage) => stage.metrics.length > 0 && select(dvcExperimentName(stage.name)),
  );
  if (targets.length === 0) return [];
  const experiments: TrackedExperiment[] = [];
  for (const stage of targets) {
    const name = dvcExperimentName(stage.name);
    const location = locate(pipeline.source, ['stages'], stage.definedAs);
    const tracked = await readMetrics(stage.metrics.map((path) => ({ path, display: display(path) })));
    if (!tracked) {
      throw new InputError(
        `stages.${stage.definedAs}: no tracked metrics: ${stage.metrics.map(display).join(', ')} not found (commit it, or dvc pull)`,
        location,
      );
    }
    const params = await currentParams(stage);
    experiments.push({
      name,
      source: 'dvc',
      tracked,
      location,
      params: Object.fromEntries(
        Object.entries(params).flatMap(([f, values]) =>
          Object.entries(values).map(([k, v]) => [`${f}:${k}`, v]),
        ),
      ),
      facts: {
        file: displayName,
        stage: stage.name,
        metricsFiles: stage.metrics.map(display),
        ...(await lockFacts(stage, lock, params)),
      },
    });
  }
  const run = stagesFor(pipeline, new Set(targets.map((stage) => stage.name)));
  const produced = run.flatMap((stage) => [...stage.outs, ...stage.metrics]);
  const outs: TrackedOut[] = [];
  for (const stage of run) {
    for (const out of lock?.stages[stage.name]?.outs ?? []) {
      outs.push({
        stage: stage.name,
        path: resolve(stage.cwd, out.path),
        display: display(resolve(stage.cwd, out.path)),
        ...(out.md5 ? { md5: out.md5 } : {}),
        ...(out.size !== undefined ? { size: out.size } : {}),
        ...(out.nfiles !== undefined ? { nfiles: out.nfiles } : {}),
        legacy: out.hash === undefined,
      });
    }
  }
  return [
    {
      label: displayName,
      source: 'dvc',
      steps: run.flatMap((stage) =>
        stage.commands.map((command, index) => ({
          name: stage.commands.length > 1 ? `${stage.name}[${index}]` : stage.name,
          command,
          cwd: stage.cwd,
          env: {},
        })),
      ),
      experiments,
      inputs: [...new Set(run.flatMap((stage) => stage.deps))].filter(
        (dep) => !produced.some((out) => within(dep, out)),
      ),
      outs,
      diffSources: [
        ...targets.flatMap((stage) => stage.metrics.map(metricsSource)),
        ...[...new Set(run.flatMap((stage) => stage.params.map((param) => param.file)))].map(paramsSource),
      ],
      async collect(place) {
        const found = new Map<string, Record<string, number>>();
        for (const stage of targets) {
          const metrics = await readMetrics(
            stage.metrics.map((path) => ({ path: place.at(path), display: display(path) })),
          );
          if (metrics) found.set(dvcExperimentName(stage.name), metrics);
        }
        return found;
      },
    },
  ];
}
