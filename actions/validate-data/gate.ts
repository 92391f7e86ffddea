import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { refuseInputAsOutput } from '../../shared/config/input-files.ts';
import { readValidatedFile, type SourceDocument } from '../../shared/config/yaml-file.ts';
import { openDataset } from '../../shared/data/dataset.ts';
import { withEngine } from '../../shared/data/duckdb.ts';
import { errorMessage, InputError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { defineGate, type GateContext, type GateReport } from '../../shared/gate.ts';
import { openModel } from '../../shared/onnx/model-io.ts';
import type { Check, Table } from '../../shared/result/gate-result.ts';
import { DataSchema } from './data-schema.ts';
import { compareProfiles, driftChecks } from './drift.ts';
import { FailuresFile } from './failures-file.ts';
import { inferSchema } from './infer-schema.ts';
import { INPUTS, ValidateDataOptions as OptionsSchema, type ValidateDataOptions } from './inputs.ts';
import { fairnessRunsModel, modelContractChecks, modelOutputCheck } from './model-contract.ts';
import { DataProfile, profilableColumns, profileAgainst, profileDataset } from './profile.ts';
import { driftTable, failingTable, summarize } from './report.ts';
import { ValidateDataSettings as SettingsSchema, type ValidateDataSettings } from './settings.ts';
import { validateDataset } from './validate-dataset.ts';

type Context = GateContext<ValidateDataSettings, ValidateDataOptions>;

function selectedDatasets(context: Context): string[] {
  const { config } = context;
  const all = config.config.datasets;
  const chosen = context.options.dataset.length
    ? context.options.dataset
    : (context.settings.datasets ?? Object.keys(all).filter((name) => all[name]!.schema !== undefined));
  for (const name of chosen) {
    if (!all[name]) {
      throw new InputError(
        `unknown dataset "${name}" (datasets: ${Object.keys(all).join(', ') || 'none'})`,
        config.locate(['datasets']),
      );
    }
    if (!all[name].schema) {
      throw new InputError(
        `dataset "${name}" has no schema: add datasets.${name}.schema`,
        config.locate(['datasets', name]),
      );
    }
  }
  return chosen;
}

async function loadSchema(
  config: Context['config'],
  name: string,
): Promise<{ schema: DataSchema; source: SourceDocument } | undefined> {
  const schemaPath = config.config.datasets[name]?.schema;
  if (!schemaPath) return undefined;
  if (!existsSync(config.resolve(schemaPath))) {
    throw new InputError(
      `datasets.${name}.schema: ${config.display(schemaPath)} not found`,
      config.locate(['datasets', name, 'schema']),
    );
  }
  const { value, source } = await readValidatedFile(
    config.resolve(schemaPath),
    DataSchema,
    config.display(schemaPath),
  );
  return { schema: value, source };
}

/** Identifier columns (declared unique) always "drift" between splits, so they are left out by default. */
function identifierColumns(schema: DataSchema | undefined): Set<string> {
  return new Set(
    Object.entries(schema?.columns ?? {})
      .filter(([, rules]) => rules.unique)
      .map(([name]) => name),
  );
}

/** An unknown dataset in a drift pair is pointed at where the pair names it, before any work starts. */
function checkDriftDatasets(context: Context): void {
  const { config } = context;
  for (const [index, spec] of context.settings.drift.entries()) {
    for (const role of ['reference', 'current'] as const) {
      const name = spec[role];
      if (name !== undefined && !config.config.datasets[name]) {
        throw new InputError(
          `drift ${role} "${name}" is not a dataset (datasets: ${Object.keys(config.config.datasets).join(', ') || 'none'})`,
          config.locate(['gates', 'validate-data', 'drift', index, role]),
        );
      }
    }
  }
}

async function runDrift(context: Context, connection: DuckDBConnection): Promise<Check[]> {
  const { config, settings } = context;
  const checks: Check[] = [];
  for (const [index, spec] of settings.drift.entries()) {
    const location = config.locate(['gates', 'validate-data', 'drift', index]);

    const current = await openDataset(connection, config, spec.current);
    const currentSchema = (await loadSchema(config, spec.current))?.schema;
    const currentColumns = await profilableColumns(connection, current, currentSchema);
    let reference: DataProfile;
    let referenceName: string;
    let excluded = identifierColumns(currentSchema);
    if (spec['reference-profile']) {
      referenceName = spec['reference-profile'];
      reference = (
        await readValidatedFile(config.resolve(referenceName), DataProfile, config.display(referenceName))
      ).value;
    } else {
      referenceName = spec.reference!;
      const dataset = await openDataset(connection, config, referenceName);
      const schema = (await loadSchema(config, referenceName))?.schema;
      excluded = new Set([...excluded, ...identifierColumns(schema)]);
      const known = new Set(currentColumns.map((column) => column.name));
      const columns = (await profilableColumns(connection, dataset, schema)).filter((column) =>
        known.has(column.name),
      );
      reference = await profileDataset(connection, dataset, columns);
    }
    const shared = currentColumns.filter((column) => reference.columns[column.name]?.kind === column.kind);
    const wanted = spec.columns ?? shared.map((column) => column.name).filter((name) => !excluded.has(name));
    for (const [position, name] of wanted.entries()) {
      if (!shared.some((column) => column.name === name)) {
        throw new InputError(
          `drift column "${name}" is not a comparable column of both ${referenceName} and ${spec.current}`,
          config.locate(['gates', 'validate-data', 'drift', index, 'columns', position]),
        );
      }
    }
    const profiled = shared.filter((column) => wanted.includes(column.name));
    const currentProfile = await profileAgainst(connection, current, profiled, reference);
    const drifts = compareProfiles(reference, currentProfile, wanted, spec);
    checks.push(...driftChecks(spec.current, referenceName, drifts, spec, location));
  }
  return checks;
}

async function run(context: Context): Promise<GateReport> {
  const { config, settings, options, runtime } = context;
  const names = selectedDatasets(context);
  checkDriftDatasets(context);
  const failuresPath = options.failures ? resolve(options.failures) : undefined;
  if (failuresPath) refuseInputAsOutput(config, failuresPath, '--failures');
  const failures = failuresPath ? await FailuresFile.create(failuresPath) : undefined;
  const checks: Check[] = [];
  const metrics: Record<string, number> = {};
  const model = config.config.model;
  const contract = settings['model-contract'];
  for (const [index, name] of (Array.isArray(contract) ? contract : []).entries()) {
    if (!config.config.datasets[name]) {
      throw new InputError(
        `unknown dataset "${name}" in model-contract (datasets: ${Object.keys(config.config.datasets).join(', ') || 'none'})`,
        config.locate(['gates', 'validate-data', 'model-contract', index]),
      );
    }
  }
  const feedsModel = (name: string) =>
    contract === true || (Array.isArray(contract) && contract.includes(name));
  const onnx =
    model && names.some(feedsModel)
      ? await openModel(config.resolve(model.path), config.display(model.path))
      : undefined;
  // Released at once: the contract reads what the model declares, and never runs it.
  await onnx?.release();
  const scoredByFairness = fairnessRunsModel(config.config);
  const locations = {
    input: (input: string) => config.locate(['model', 'inputs', input]),
    model: config.locate(['model']),
    modelKey: (key: string) => config.locate(['model', key]),
  };
  try {
    await withEngine(
      { memoryLimit: settings['memory-limit'], threads: settings.threads },
      async ({ connection }) => {
        const progress = runtime.progress('validate-data', names.length);
        for (const [index, name] of names.entries()) {
          const { schema, source } = (await loadSchema(config, name))!;
          const dataset = await openDataset(connection, config, name);
          if (failuresPath && dataset.files.includes(failuresPath)) {
            throw new InputError(
              `--failures would write over a file of dataset "${name}", which this run reads; choose another file`,
              { file: options.failures! },
            );
          }
          const result = await validateDataset(connection, dataset, schema, source, {
            now: context.now(),
            failures,
          });
          metrics[`${name}.rows`] = result.rows;
          checks.push(...result.checks);
          if (onnx && model && feedsModel(name)) {
            checks.push(
              ...modelContractChecks(
                name,
                schema,
                dataset.columns.map((column) => column.name),
                model,
                onnx,
                locations,
                scoredByFairness,
              ),
              modelOutputCheck(name, onnx, model, scoredByFairness, locations),
            );
          }
          progress.update(index + 1);
        }
        progress.done();
        checks.push(...(await runDrift(context, connection)));
      },
    );
    await failures?.close();
    if (failures && failures.count > 0 && options.failures) {
      const path = resolve(options.failures);
      // The CSV stays on disk either way; an upload problem must not change the verdict.
      await runtime.artifacts
        .upload('validate-data-failures', [path], dirname(path))
        .catch((error: unknown) =>
          runtime.log.warn(`could not upload ${options.failures}: ${errorMessage(error)}`),
        );
    }
  } catch (error) {
    await failures?.abort();
    throw error;
  }
  const table = failingTable(checks);
  const drift = driftTable(checks);
  const tables = [table, drift].filter((item): item is Table => item !== undefined);
  return {
    summary: summarize(names, checks),
    ...(names.length === 0 && context.settings.drift.length === 0
      ? {
          nothingChecked: context.settings.datasets
            ? 'gates.validate-data.datasets lists no dataset, and no drift pair is configured'
            : 'no dataset under datasets: has a schema, and no drift pair is configured',
        }
      : {}),
    checks,
    metrics,
    ...(tables.length ? { tables } : {}),
    details: {
      datasets: names,
      ...(failures ? { failuresFile: options.failures, failingRows: failures.count } : {}),
    },
  };
}

/**
 * Writes `--to`: never over a file the run reads, and a hand-written schema only with `--force` (a profile
 * is machine-written and meant to be refreshed in place).
 */
async function writeToolOutput(
  context: Context,
  to: string,
  text: string,
  { replaceOnlyWithForce }: { replaceOnlyWithForce: boolean },
): Promise<void> {
  const target = resolve(to);
  refuseInputAsOutput(context.config, target, '--to');
  if (replaceOnlyWithForce && !context.options.force && existsSync(target)) {
    throw new InputError('--to names an existing file; add --force to replace it', { file: to });
  }
  await writeFileAtomic(target, text);
}

/** `--infer DATASET` and `--profile DATASET --to FILE`: helpers that write files and judge nothing. */
async function runTool(context: Context): Promise<string | undefined> {
  const { config, options, settings } = context;
  const engine = { memoryLimit: settings['memory-limit'], threads: settings.threads };
  if (options.infer) {
    const name = options.infer;
    const text = await withEngine(engine, async ({ connection }) =>
      inferSchema(connection, await openDataset(connection, config, name)),
    );
    if (!options.to) return text.trimEnd();
    await writeToolOutput(context, options.to, text, { replaceOnlyWithForce: true });
    return `wrote a starting schema for ${name} to ${options.to}`;
  }
  if (options.profile) {
    const name = options.profile;
    if (!options.to) throw new InputError('--profile needs --to FILE (where the profile is written)');
    const profile = await withEngine(engine, async ({ connection }) => {
      const dataset = await openDataset(connection, config, name);
      const schema = (await loadSchema(config, name))?.schema;
      return profileDataset(connection, dataset, await profilableColumns(connection, dataset, schema));
    });
    await writeToolOutput(context, options.to, `${JSON.stringify(profile, null, 2)}\n`, {
      replaceOnlyWithForce: false,
    });
    return `wrote the profile of ${name} (${profile.rows} rows, ${Object.keys(profile.columns).length} columns) to ${options.to}`;
  }
  return undefined;
}

export const validateDataGate = defineGate({
  name: 'validate-data',
  description: 'check datasets against their schema contracts, for drift, and against the model inputs',
  settings: SettingsSchema,
  inputs: INPUTS,
  options: OptionsSchema,
  needsModel: false,
  run,
  runTool,
});
