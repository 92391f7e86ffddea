import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isMap, isScalar, parse, parseDocument, stringify } from 'yaml';
import { readModelSignature } from '../../shared/data/model-signature.ts';
import { EXIT_CODES, errorMessage, InputError, internalErrorLine } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { AnyGate } from '../../shared/gate.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import { findGate, GATES, loadMlgateConfig } from '../gates.ts';
import { DataSchema } from '../validate-data/data-schema.ts';
import { datasetName, inspectRepository, type RepositoryFindings } from './inspect-repository.ts';
import {
  fairnessSuggestion,
  guessLabel,
  type InferredDataset,
  inputSuggestion,
  segmentColumns,
} from './suggestions.ts';
import { readWorkflowTemplate } from './workflow-template.ts';

/** Where init writes, relative to the repository. */
export const INIT_FILES = { config: 'mlgate.yml', workflow: '.github/workflows/mlgate.yml' } as const;

const DEFAULT_ACTION_REPOSITORY = '<owner>/mlgate';

export const INIT_HELP = `Usage: mlgate init [options]

Looks through a repository for ONNX models, data files (CSV, TSV, Parquet, JSONL), DVC pipelines and
MLflow runs, and writes a starting mlgate.yml (with data schemas inferred by validate-data --infer
under schemas/) and a pull-request workflow (.github/workflows/mlgate.yml). Never overwrites a file.

Options:
  --dir DIR                 the repository to set up (default: .)
  --action-repo OWNER/NAME  where the workflow takes the actions from (default: ${DEFAULT_ACTION_REPOSITORY})
  -h, --help                show this help`;

interface Streams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

interface Plan {
  files: Map<string, string>;
  notes: string[];
}

function chooseModel(models: readonly string[]): string | undefined {
  // A repository with a candidate and a baseline usually names the baseline so.
  return models.find((path) => !/baseline|previous|old/i.test(basename(path))) ?? models[0];
}

/** Infers a data contract per dataset with validate-data's `--infer`, through a scratch config. */
async function inferSchemas(
  root: string,
  findings: RepositoryFindings,
  gate: AnyGate,
  stream: NodeJS.WriteStream,
): Promise<Map<string, string>> {
  const scratch = await mkdtemp(join(tmpdir(), 'mlgate-init-'));
  try {
    const config = join(scratch, 'mlgate.yml');
    const datasets = Object.fromEntries(
      findings.datasets.map(({ name, path }) => [name, { path: resolve(root, path) }]),
    );
    await writeFileAtomic(config, stringify({ version: 1, datasets }));
    const loaded = await loadMlgateConfig(config);
    const schemas = new Map<string, string>();
    for (const { name } of findings.datasets) {
      const to = join(scratch, `${name}.schema.yml`);
      const runtime = await createLocalRuntime({ out: scratch, stream, inputs: { infer: name, to } });
      const outcome = await runGate(gate, {
        config: loaded,
        runtime,
        out: scratch,
        inputs: { infer: name, to },
      });
      if (outcome.toolMessage === undefined || !existsSync(to)) {
        throw new InputError(`could not infer a schema for ${name}: ${outcome.result.summary}`, {
          file: findings.datasets.find((dataset) => dataset.name === name)!.path,
        });
      }
      schemas.set(name, await readFile(to, 'utf8'));
    }
    return schemas;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The gates a fresh config can switch on: their defaults must be valid and their needs met. */
function startingGates(hasModel: boolean, findings: RepositoryFindings): { on: AnyGate[]; off: string[] } {
  const on: AnyGate[] = [];
  const off: string[] = [];
  const tracked = Object.values(findings.tracking).some(Boolean);
  for (const gate of GATES) {
    if (gate.needsModel && !hasModel) off.push(`${gate.name} (no model found)`);
    // Rerunning needs something tracked to rerun; its defaults look for it beside the config.
    else if (gate.name === 'rerun-experiments' && !tracked)
      off.push(`${gate.name} (no tracked experiments found)`);
    else if (!gate.settings.safeParse({}).success) off.push(`${gate.name} (needs settings only you know)`);
    else on.push(gate);
  }
  return { on, off };
}

/** What init decided, for the config and the notes at its top. */
interface Decisions {
  model: string | undefined;
  schemaPaths: Map<string, string>;
  gates: readonly AnyGate[];
  off: readonly string[];
  /** Datasets that hold every model input by name (undefined without a model). */
  feedsModel: readonly string[] | undefined;
  /** Comment lines proposing `model.inputs`, and a fairness gate. */
  inputLines: readonly string[];
  fairnessLines: readonly string[];
}

function validateDataSettings(findings: RepositoryFindings, decisions: Decisions): Record<string, unknown> {
  const { feedsModel, schemaPaths } = decisions;
  if (feedsModel === undefined || feedsModel.length === schemaPaths.size) return {};
  // Every dataset is validated against its schema; the model contract only where the inputs are columns.
  if (feedsModel.length === 0) return { 'model-contract': false };
  return {
    'model-contract': findings.datasets.map(({ name }) => name).filter((name) => feedsModel.includes(name)),
  };
}

function renderConfig(findings: RepositoryFindings, decisions: Decisions): string {
  const { model, schemaPaths, gates, off, feedsModel, inputLines, fairnessLines } = decisions;
  const config: Record<string, unknown> = { version: 1 };
  if (model) {
    config.model = { name: datasetName(model.replace(/\.onnx$/i, ''), new Set()), path: model };
  }
  config.datasets = Object.fromEntries(
    findings.datasets.map(({ name, path }) => [
      name,
      { path, ...(schemaPaths.has(name) ? { schema: schemaPaths.get(name) } : {}) },
    ]),
  );
  config.gates = Object.fromEntries(
    gates.map((gate) => [
      gate.name,
      gate.name === 'validate-data' ? validateDataSettings(findings, decisions) : {},
    ]),
  );
  const tracking = [
    findings.tracking.mlgate && 'experiments.yml',
    findings.tracking.dvc && 'dvc.yaml',
    findings.tracking.mlflow && 'mlruns/',
    findings.tracking.mlflowDb && 'mlflow.db',
    findings.tracking.mlproject && 'MLproject',
  ].filter(Boolean);
  const header = [
    'Written by `mlgate init`: a starting point. Review it before you commit it:',
    ...(schemaPaths.size > 0
      ? [
          '- schemas/: inferred from the data as it is today and loosened to what should still hold; each',
          '  file says how. Check every rule: they are the contract the next data refresh must meet.',
          `- validate-data checks every dataset against its schema${
            feedsModel === undefined
              ? '.'
              : feedsModel.length > 0
                ? `, and the model's inputs against ${feedsModel.join(', ')} (the datasets holding every input).`
                : '; no dataset has a column per model input, so the model contract waits for model.inputs.'
          }`,
        ]
      : []),
    ...(inputLines.length > 0
      ? ["- model.inputs: the model's inputs are not named like columns: see the proposal below."]
      : []),
    ...(fairnessLines.length > 0
      ? ['- fairness: proposed at the end, commented out: its label and segments are guesses to confirm.']
      : []),
    ...(off.length > 0 ? [`- Not switched on yet: ${off.join(', ')}.`] : []),
    ...(tracking.length > 0
      ? [
          `- Experiment tracking found (${tracking.join(', ')}): rerun-experiments reruns it (docs/rerun-experiments.md).`,
        ]
      : []),
    'Every setting is in docs/<gate>.md. Unknown keys are errors.',
  ];
  let body = stringify(config, { lineWidth: 0 });
  if (inputLines.length > 0) {
    body = body.replace(/^datasets:/m, `${inputLines.map((line) => `  #${line}`).join('\n')}\ndatasets:`);
  }
  if (fairnessLines.length > 0) body += `${fairnessLines.map((line) => `  #${line}`).join('\n')}\n`;
  return `${header.map((line) => `# ${line}`).join('\n')}\n${body}`;
}

/** The PR workflow of docs/workflows/, cut down to the configured gates. */
async function renderWorkflow(gates: readonly AnyGate[], actionRepository: string): Promise<string> {
  const document = parseDocument(await readWorkflowTemplate());
  const jobs = document.get('jobs');
  if (!isMap(jobs)) throw new Error('docs/workflows/pr-quality-gates.yml has no jobs');
  const names = new Set(gates.map((gate) => gate.name));
  for (const item of [...jobs.items]) {
    const job = String((item.key as { value: unknown }).value);
    if (!names.has(job)) jobs.delete(job);
  }
  if (names.has('model-card')) {
    const measured = gates
      .map((gate) => gate.name)
      .filter((name) => name !== 'model-card' && name !== 'promote');
    document.setIn(['jobs', 'model-card', 'needs'], document.createNode(measured, { flow: true }));
  }
  // The template's own header speaks of copying it; this file is already in place.
  const firstKey = isMap(document.contents) ? document.contents.items[0]?.key : undefined;
  if (isMap(document.contents)) document.contents.commentBefore = null;
  if (isScalar(firstKey)) firstKey.commentBefore = null;
  document.commentBefore = [
    ' Written by `mlgate init` from docs/workflows/pr-quality-gates.yml: each configured gate runs as a job',
    ' on pull requests and uploads its result; model-card (when configured) gathers them into one comment.',
  ].join('\n');
  return document.toString({ lineWidth: 0 }).replaceAll(DEFAULT_ACTION_REPOSITORY, actionRepository);
}

async function plan(root: string, actionRepository: string, stream: NodeJS.WriteStream): Promise<Plan> {
  const findings = await inspectRepository(root);
  if (findings.models.length === 0 && findings.datasets.length === 0) {
    throw new InputError(
      'found no ONNX model (.onnx) and no data file (.csv, .tsv, .parquet, .jsonl) to gate',
      {
        file: root,
      },
    );
  }
  const files = new Map<string, string>();
  const notes: string[] = [];
  const model = chooseModel(findings.models);
  if (model)
    notes.push(`model: ${model}${findings.models.length > 1 ? ` (of ${findings.models.join(', ')})` : ''}`);
  const schemaPaths = new Map<string, string>();
  const validateData = findGate('validate-data');
  const signature = model ? await readModelSignature(join(root, model), model) : undefined;
  const modelInputs = signature?.inputs.map((input) => input.name) ?? [];
  const inferred: InferredDataset[] = [];
  if (validateData && findings.datasets.length > 0) {
    const texts = await inferSchemas(root, findings, validateData, stream);
    for (const { name } of findings.datasets) {
      const path = `schemas/${name}.schema.yml`;
      const schema = DataSchema.safeParse(parse(texts.get(name)!));
      if (!schema.success) {
        notes.push(`dataset ${name}: the inferred schema did not parse, so it has none yet`);
        continue;
      }
      inferred.push({ name, columns: schema.data.columns });
      // An existing schema is the user's: refer to it, never replace it.
      if (!existsSync(join(root, path))) files.set(path, texts.get(name)!);
      schemaPaths.set(name, path);
    }
  }
  for (const { name, path } of findings.datasets) notes.push(`dataset ${name}: ${path}`);
  const feedsModel = signature
    ? inferred
        .filter((dataset) => modelInputs.every((input) => input in dataset.columns))
        .map(({ name }) => name)
    : undefined;
  // Evaluation data is where fairness is measured and where the model's inputs are looked for.
  const byPreference = [...inferred].sort(
    (a, b) =>
      Number(/eval|test|valid|holdout/i.test(b.name)) - Number(/eval|test|valid|holdout/i.test(a.name)),
  );
  const evaluation =
    byPreference.find((dataset) => feedsModel?.includes(dataset.name) ?? true) ?? byPreference[0];
  const label = evaluation ? guessLabel(evaluation, modelInputs) : undefined;
  const segments = evaluation ? segmentColumns(evaluation, label) : [];
  const unmatched = (signature?.inputs ?? []).filter(
    (input) => !inferred.some((dataset) => input.name in dataset.columns),
  );
  const { on, off } = startingGates(model !== undefined, findings);
  const decisions: Decisions = {
    model,
    schemaPaths,
    gates: on,
    off,
    feedsModel,
    inputLines: inputSuggestion(unmatched, evaluation, label),
    fairnessLines:
      evaluation && label && segments.length > 0 && (feedsModel?.includes(evaluation.name) ?? true)
        ? fairnessSuggestion(evaluation, label, segments, model !== undefined)
        : [],
  };
  files.set(INIT_FILES.config, renderConfig(findings, decisions));
  files.set(INIT_FILES.workflow, await renderWorkflow(on, actionRepository));
  notes.push(`gates: ${on.map((gate) => gate.name).join(', ') || 'none'}`);
  if (actionRepository === DEFAULT_ACTION_REPOSITORY) {
    notes.push(`replace ${DEFAULT_ACTION_REPOSITORY} in ${INIT_FILES.workflow} (or pass --action-repo)`);
  }
  return { files, notes };
}

/** `mlgate init`: returns the exit code (0 written, 2 refused or bad input). Never overwrites a file. */
export async function runInit(argv: readonly string[], streams: Streams): Promise<number> {
  const complain = (text: string) => streams.stderr.write(`mlgate: ${text}\n`);
  let values: { dir?: string; 'action-repo'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        dir: { type: 'string', default: '.' },
        'action-repo': { type: 'string', default: DEFAULT_ACTION_REPOSITORY },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    complain(`${errorMessage(error).split('\n')[0]}; run 'mlgate init --help'`);
    return 2;
  }
  if (values.help) {
    streams.stdout.write(`${INIT_HELP}\n`);
    return 0;
  }
  const root = resolve(values.dir ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    complain(`${values.dir ?? '.'} --dir must name an existing folder (the repository to set up)`);
    return EXIT_CODES.input;
  }
  const existing = Object.values(INIT_FILES).filter((file) => existsSync(join(root, file)));
  if (existing.length > 0) {
    complain(
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''} in ${root}: init never overwrites; move ${existing.length === 1 ? 'it' : 'them'} away to start afresh`,
    );
    return 2;
  }
  try {
    const { files, notes } = await plan(
      root,
      values['action-repo'] ?? DEFAULT_ACTION_REPOSITORY,
      streams.stderr,
    );
    for (const [path, content] of files) await writeFileAtomic(join(root, path), content);
    for (const note of notes) streams.stdout.write(`  ${note}\n`);
    streams.stdout.write(
      `wrote ${[...files.keys()].join(', ')}\nnext: mlgate run --config ${join(values.dir ?? '.', INIT_FILES.config)}\n`,
    );
    return 0;
  } catch (error) {
    complain(error instanceof InputError ? error.message : internalErrorLine(error));
    return error instanceof InputError ? EXIT_CODES.input : EXIT_CODES.internal;
  }
}
