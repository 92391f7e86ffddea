import { resolve } from 'node:path';
import { readValidatedFile } from '../../shared/config/yaml-file.ts';
import { openDataset } from '../../shared/data/dataset.ts';
import { withEngine } from '../../shared/data/duckdb.ts';
import { InputError } from '../../shared/errors.ts';
import { defineGate, type GateContext, type GateReport } from '../../shared/gate.ts';
import { formatNumber } from '../../shared/report/markdown.ts';
import type { Check, Table } from '../../shared/result/gate-result.ts';
import { DataSchema } from './data-schema.ts';
import { FailuresFile } from './failures-file.ts';
import { INPUTS, ValidateDataOptions as OptionsSchema, type ValidateDataOptions } from './inputs.ts';
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

/** The rows of the summary's table of failing checks. */
export function failingTable(checks: readonly Check[]): Table | undefined {
  const failing = checks.filter((check) => check.status === 'fail' || check.status === 'warn');
  if (failing.length === 0) return undefined;
  return {
    title: 'Failing checks',
    columns: ['Check', 'Failing rows', 'Examples (row: value)', 'Message'],
    rows: failing.map((check) => {
      const examples = Array.isArray(check.examples)
        ? (check.examples as { row: number; value: unknown }[])
        : [];
      return [
        check.id,
        typeof check.failing === 'number' ? formatNumber(check.failing) : '',
        examples.map((example) => `${example.row}: ${JSON.stringify(example.value)}`).join('; '),
        check.message,
      ];
    }),
  };
}

async function run(context: Context): Promise<GateReport> {
  const { config, settings, options, runtime } = context;
  const names = selectedDatasets(context);
  const failures = options.failures ? await FailuresFile.create(resolve(options.failures)) : undefined;
  const checks: Check[] = [];
  const metrics: Record<string, number> = {};
  try {
    await withEngine(
      { memoryLimit: settings['memory-limit'], threads: settings.threads },
      async ({ connection }) => {
        const progress = runtime.progress('validate-data', names.length);
        for (const [index, name] of names.entries()) {
          const schemaPath = config.config.datasets[name]!.schema!;
          const { value: schema, source } = await readValidatedFile(
            config.resolve(schemaPath),
            DataSchema,
            config.display(schemaPath),
          );
          const dataset = await openDataset(connection, config, name);
          const result = await validateDataset(connection, dataset, schema, source, {
            now: context.now(),
            failures,
          });
          metrics[`${name}.rows`] = result.rows;
          checks.push(...result.checks);
          progress.update(index + 1);
        }
        progress.done();
      },
    );
    await failures?.close();
  } catch (error) {
    await failures?.abort();
    throw error;
  }
  const failed = checks.filter((check) => check.status === 'fail');
  const table = failingTable(checks);
  return {
    summary:
      failed.length === 0
        ? `${names.length} dataset(s) meet their contract (${checks.length} checks)`
        : `${failed.length} of ${checks.length} checks fail in ${[...new Set(failed.map((check) => String(check.dataset)))].join(', ')}`,
    checks,
    metrics,
    ...(table ? { tables: [table] } : {}),
    details: {
      datasets: names,
      ...(failures ? { failuresFile: options.failures, failingRows: failures.count } : {}),
    },
  };
}

export const validateDataGate = defineGate({
  name: 'validate-data',
  description: 'check datasets against their schema contracts, for drift, and against the model inputs',
  settings: SettingsSchema,
  inputs: INPUTS,
  options: OptionsSchema,
  needsModel: false,
  run,
});
