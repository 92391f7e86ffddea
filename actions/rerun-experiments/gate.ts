import { z } from 'zod';
import { errorMessage, InputError } from '../../shared/errors.ts';
import { defineGate } from '../../shared/gate.ts';
import { formatNumber } from '../../shared/report/markdown.ts';
import type { Table } from '../../shared/result/gate-result.ts';
import { type BaseDiff, changedEntries, diffAgainstBase } from './base-diff.ts';
import type { RerunPlan } from './plan.ts';
import { judgeOutcomes, outsTable, RESULTS_COLUMNS } from './report.ts';
import { type PlanOutcome, rerunPlan } from './rerun.ts';
import { RerunExperimentsSettings } from './settings.ts';
import { findSources, matcher, readPlans } from './sources.ts';
import { gitTopLevel } from './workspace.ts';

/** Input names shared by the CLI flags, action.yml and the docs. */
export const INPUTS = { experiment: 'experiment', base: 'base' } as const;

/** Outputs beyond status, result and summary. */
export const OUTPUTS = { reproduced: 'reproduced' } as const;

/** Names from repeated flags, or from a multi-line (or comma-separated) action input. */
function names(value: string | string[] | undefined): string[] | undefined {
  const list = (typeof value === 'string' ? [value] : (value ?? []))
    .flatMap((item) => item.split(/[\n,]/))
    .map((item) => item.trim())
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
}

const Options = z.object({
  [INPUTS.experiment]: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform(names),
  [INPUTS.base]: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined),
});

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

/** The base diff as a table of what changed, or nothing when nothing did. */
function diffTable(diff: BaseDiff): Table | undefined {
  const rows = [
    ...changedEntries(diff.metrics).map(({ file, key, entry }) => [
      'metric',
      file,
      key,
      show(entry.old),
      show(entry.new),
      entry.diff === undefined ? '' : show(entry.diff),
    ]),
    ...changedEntries(diff.params).map(({ file, key, entry }) => [
      'param',
      file,
      key,
      show(entry.old),
      show(entry.new),
      '',
    ]),
  ];
  if (rows.length === 0) return undefined;
  return {
    title: `Tracked metrics and params changed since ${diff.base} (merge base ${diff.mergeBase.slice(0, 7)})`,
    columns: ['kind', 'file', 'key', 'old', 'new', 'diff'],
    rows,
  };
}

/** The diff against the base branch, or why there is none; never fails the gate (it is for reading). */
async function baseDiffDetails(
  plans: readonly RerunPlan[],
  dir: string,
  base: string | undefined,
  warn: (message: string) => void,
) {
  if (!base) return {};
  const top = await gitTopLevel(dir);
  if (!top) return { diff: { base, error: 'not a git repository' } };
  try {
    return {
      diff: await diffAgainstBase(
        top,
        base,
        plans.flatMap((plan) => plan.diffSources),
      ),
    };
  } catch (error) {
    warn(`no diff against ${base}: ${errorMessage(error)}`);
    return { diff: { base, error: errorMessage(error) } };
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export const rerunExperimentsGate = defineGate({
  name: 'rerun-experiments',
  description: 'rerun tracked experiments (mlgate, DVC, MLflow) and check that their metrics reproduce',
  settings: RerunExperimentsSettings,
  inputs: {
    [INPUTS.experiment]: {
      description: 'rerun only this experiment (a name, or a pattern with *); overrides `select`',
      multiple: true,
      valueName: 'NAME',
    },
    [INPUTS.base]: {
      description: 'git ref to diff tracked metrics and params against, at the merge base',
      valueName: 'REF',
    },
  },
  options: Options,
  needsModel: false,
  async run({ settings, options, config, runtime }) {
    const env = process.env;
    const sources = await findSources(settings, config, env);
    const read = { sources, resolve: config.resolve, display: config.display, env };
    const patterns = options.experiment ?? settings.select;
    const matchers = patterns.map(matcher);
    const select = (name: string) => matchers.length === 0 || matchers.some((match) => match(name));
    const plans = await readPlans(read, select);
    const names = plans.flatMap((plan) => plan.experiments.map((experiment) => experiment.name));
    const unmatched = patterns.filter((pattern) => !names.some(matcher(pattern)));
    if (unmatched.length > 0 || names.length === 0) {
      const known = (await readPlans(read, () => true)).flatMap((plan) =>
        plan.experiments.map((experiment) => experiment.name),
      );
      const where = options.experiment
        ? { file: '--experiment' }
        : config.locate(['gates', 'rerun-experiments']);
      throw new InputError(
        unmatched.length > 0
          ? `no tracked experiment matches ${unmatched.map((pattern) => `"${pattern}"`).join(', ')}; known: ${known.join(', ') || 'none'}`
          : 'no tracked experiment found in the configured sources',
        where,
      );
    }
    const root = settings.root
      ? config.resolve(settings.root)
      : ((await gitTopLevel(config.dir)) ?? config.dir);
    const total = plans.length * settings.repeats;
    const progress = runtime.progress('rerunning experiments', total);
    let done = 0;
    const outcomes: PlanOutcome[] = [];
    for (const plan of plans) {
      outcomes.push(
        await rerunPlan(plan, {
          mode: settings.workspace,
          root,
          link: settings.link,
          repeats: settings.repeats,
          timeoutMs: settings.timeout * 1000,
          env: Object.fromEntries(Object.entries(settings.env).map(([key, value]) => [key, String(value)])),
          log: runtime.log,
          onRerun: () => progress.update(++done),
        }),
      );
    }
    progress.done();
    const judged = judgeOutcomes(outcomes, settings);
    const { counts } = judged;
    const judgedCount =
      counts.reproduced +
      counts['not reproduced'] +
      counts.nondeterministic +
      counts.inconclusive +
      counts.missing;
    const parts = [
      counts.error ? `${plural(counts.error, 'experiment')} failed to rerun` : '',
      judgedCount > 0 ? `${counts.reproduced} of ${judgedCount} metrics reproduced` : '',
      counts['not reproduced'] ? `${counts['not reproduced']} not reproduced` : '',
      counts.nondeterministic ? `${counts.nondeterministic} nondeterministic` : '',
      counts.inconclusive ? `${counts.inconclusive} inconclusive` : '',
      counts.missing ? `${counts.missing} missing` : '',
    ].filter(Boolean);
    runtime.setOutput(OUTPUTS.reproduced, String(judgedCount > 0 && counts.reproduced === judgedCount));
    const tables: Table[] = [
      { title: 'Tracked vs rerun metrics', columns: RESULTS_COLUMNS, rows: judged.rows },
    ];
    const outs = outsTable(outcomes);
    if (outs) tables.push(outs);
    const base = options.base ?? settings.base ?? runtime.context.baseSha;
    const diff = await baseDiffDetails(plans, config.dir, base, (message) => runtime.log.warn(message));
    const changes = diff.diff && 'mergeBase' in diff.diff ? diffTable(diff.diff) : undefined;
    if (changes) tables.push(changes);
    return {
      summary: `${plural(names.length, 'experiment')} rerun${settings.repeats > 1 ? ` ${settings.repeats} times each` : ''}: ${parts.join(', ')}`,
      checks: judged.checks,
      metrics: {
        experiments: names.length,
        metrics: judgedCount,
        reproduced: counts.reproduced,
        'not-reproduced': counts['not reproduced'],
        nondeterministic: counts.nondeterministic,
        inconclusive: counts.inconclusive,
        missing: counts.missing,
        'rerun-errors': counts.error,
        reruns: outcomes.reduce((sum, outcome) => sum + outcome.reruns.length, 0),
        'rerun-seconds': Number(
          (outcomes.reduce((sum, outcome) => sum + outcome.durationMs, 0) / 1000).toFixed(3),
        ),
      },
      tables,
      details: {
        root,
        workspace: settings.workspace,
        repeats: settings.repeats,
        experiments: judged.details,
        ...diff,
      },
    };
  },
});
