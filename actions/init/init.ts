import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isMap, isScalar, parse, parseDocument, stringify } from 'yaml';
import { readModelSignature } from '../../shared/data/model-signature.ts';
import { errorMessage, InputError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { AnyGate } from '../../shared/gate.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import { findGate, GATES, loadMlgateConfig } from '../gates.ts';
import { datasetName, inspectRepository, type RepositoryFindings } from './inspect-repository.ts';
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

/** The column names an inferred schema declares, or undefined when it is not readable YAML. */
function schemaColumns(schema: string): string[] | undefined {
  try {
    const parsed = parse(schema) as { columns?: Record<string, unknown> } | null;
    return Object.keys(parsed?.columns ?? {});
  } catch {
    return undefined;
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

function renderConfig(
  findings: RepositoryFindings,
  model: string | undefined,
  schemaPaths: Map<string, string>,
  gates: readonly AnyGate[],
  off: readonly string[],
  validated: readonly string[] | undefined,
): string {
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
      gate.name === 'validate-data' && validated !== undefined ? { datasets: [...validated] } : {},
    ]),
  );
  const header = [
    '# Written by `mlgate init`: a starting point. Review it, tighten the inferred schemas under schemas/,',
    '# and set each gate up (docs/<gate>.md lists every setting). Unknown keys are errors.',
    ...(off.length > 0 ? [`# Not switched on yet: ${off.join(', ')}.`] : []),
    ...(validated !== undefined
      ? [
          '# validate-data checks the datasets that hold every model input; the others have schemas too:',
          '# list them under gates.validate-data.datasets with model-contract: false in a second config.',
        ]
      : []),
    ...(Object.values(findings.tracking).some(Boolean)
      ? [
          `# Experiment tracking found (${[
            findings.tracking.mlgate && 'experiments.yml',
            findings.tracking.dvc && 'dvc.yaml',
            findings.tracking.mlflow && 'mlruns/',
            findings.tracking.mlproject && 'MLproject',
          ]
            .filter(Boolean)
            .join(', ')}): rerun-experiments can rerun it (docs/rerun-experiments.md).`,
        ]
      : []),
  ];
  return `${header.join('\n')}\n${stringify(config, { lineWidth: 0 })}`;
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
  const feedsModel: string[] = [];
  const validateData = findGate('validate-data');
  const modelInputs = model
    ? (await readModelSignature(join(root, model), model)).inputs.map((input) => input.name)
    : [];
  if (validateData && findings.datasets.length > 0) {
    const inferred = await inferSchemas(root, findings, validateData, stream);
    for (const { name } of findings.datasets) {
      const path = `schemas/${name}.schema.yml`;
      const columns = schemaColumns(inferred.get(name)!);
      if (columns === undefined) {
        notes.push(`dataset ${name}: the inferred schema did not parse, so it has none yet`);
        continue;
      }
      if (modelInputs.every((input) => columns.includes(input))) feedsModel.push(name);
      // An existing schema is the user's: refer to it, never replace it.
      if (!existsSync(join(root, path))) files.set(path, inferred.get(name)!);
      schemaPaths.set(name, path);
    }
  }
  for (const { name, path } of findings.datasets) notes.push(`dataset ${name}: ${path}`);
  const { on, off } = startingGates(model !== undefined, findings);
  // Data that cannot feed the model (predictions, lookups) would fail validate-data's model contract.
  const validated = model && feedsModel.length < schemaPaths.size ? feedsModel : undefined;
  files.set(INIT_FILES.config, renderConfig(findings, model, schemaPaths, on, off, validated));
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
    complain(error instanceof InputError ? error.message : `internal error: ${errorMessage(error)}`);
    return 2;
  }
}
