import { dirname, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readValidatedFile, type SourceDocument } from '../../shared/config/yaml-file.ts';
import { openDataset } from '../../shared/data/dataset.ts';
import { withEngine } from '../../shared/data/duckdb.ts';
import { readModelSignature } from '../../shared/data/model-signature.ts';
import { errorMessage, InputError } from '../../shared/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../shared/fs/atomic-write.ts';
import { defineGate, type GateContext, type GateReport } from '../../shared/gate.ts';
import type { Check, Table } from '../../shared/result/gate-result.ts';
import { DataSchema } from './data-schema.ts';
import { compareProfiles, driftChecks } from './drift.ts';
import { FailuresFile } from './failures-file.ts';
import { inferSchema } from './infer-schema.ts';
import { INPUTS, ValidateDataOptions as OptionsSchema, type ValidateDataOptions } from './inputs.ts';
import { modelContractChecks } from './model-contract.ts';
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
  const failures = options.failures ? await FailuresFile.create(resolve(options.failures)) : undefined;
  const checks: Check[] = [];
  const metrics: Record<string, number> = {};
  const model = config.config.model;
  const signature =
    model && settings['model-contract']
      ? await readModelSignature(config.resolve(model.path), config.display(model.path))
      : undefined;
  try {
    await withEngine(
      { memoryLimit: settings['memory-limit'], threads: settings.threads },
      async ({ connection }) => {
        const progress = runtime.progress('validate-data', names.length);
        for (const [index, name] of names.entries()) {
          const { schema, source } = (await loadSchema(config, name))!;
          const dataset = await openDataset(connection, config, name);
          const result = await validateDataset(connection, dataset, schema, source, {
            now: context.now(),
            failures,
          });
          metrics[`${name}.rows`] = result.rows;
          checks.push(...result.checks);
          if (signature && model) {
            checks.push(
              ...modelContractChecks(
                name,
                schema,
                dataset.columns.map((column) => column.name),
                model,
                signature,
                {
                  input: (input) => config.locate(['model', 'inputs', input]),
                  model: config.locate(['model']),
                },
              ),
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
    checks,
    metrics,
    ...(tables.length ? { tables } : {}),
    details: {
      datasets: names,
      ...(failures ? { failuresFile: options.failures, failingRows: failures.count } : {}),
    },
  };
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
    await writeFileAtomic(resolve(options.to), text);
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
    await writeJsonAtomic(resolve(options.to), profile);
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
