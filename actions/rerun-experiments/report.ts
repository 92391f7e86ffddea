import { formatNumber } from '../../shared/report/markdown.ts';
import type { Check, Table } from '../../shared/result/gate-result.ts';
import { type Judgement, judgeMetric, ruleFor, type Verdict } from './judge.ts';
import type { PlanOutcome } from './rerun.ts';
import { lastLines } from './run-command.ts';
import type { RerunExperimentsSettings } from './settings.ts';

export interface ExperimentReport {
  checks: Check[];
  /** For `details.experiments`. */
  details: Record<string, unknown>[];
  rows: string[][];
  counts: Record<Verdict | 'error' | 'skipped', number>;
}

function failureMessage(outcome: PlanOutcome): string | undefined {
  const failure = outcome.failure;
  if (failure) {
    const { outcome: result } = failure;
    const seconds = (result.durationMs / 1000).toFixed(1);
    const what =
      result.kind === 'timeout'
        ? `timed out after ${seconds} s`
        : result.kind === 'spawn'
          ? `could not start (${result.reason ?? 'unknown'})`
          : result.signal
            ? `was killed by ${result.signal} after ${seconds} s`
            : `exited with code ${result.exitCode} after ${seconds} s`;
    const tail = lastLines(result.tail);
    return `step ${failure.step} \`${failure.command}\` ${what}${tail ? `; last output:\n${tail}` : ' with no output'}`;
  }
  if (outcome.unreadable) return `the rerun wrote an unreadable metrics file: ${outcome.unreadable}`;
  return undefined;
}

const SIGNED = (value: number) => (value > 0 ? `+${formatNumber(value)}` : formatNumber(value));

/** Checks (`<experiment>.<metric>`), table rows and details from the reruns, judged per the settings. */
export function judgeOutcomes(
  outcomes: readonly PlanOutcome[],
  settings: Pick<RerunExperimentsSettings, 'tolerance' | 'metrics' | 'repeats'>,
): ExperimentReport {
  const report: ExperimentReport = {
    checks: [],
    details: [],
    rows: [],
    counts: {
      reproduced: 0,
      'not reproduced': 0,
      nondeterministic: 0,
      inconclusive: 0,
      missing: 0,
      error: 0,
      skipped: 0,
    },
  };
  for (const outcome of outcomes) {
    const failed = failureMessage(outcome);
    for (const experiment of outcome.plan.experiments) {
      const judged: Record<string, Judgement> = {};
      if (failed) {
        report.counts.error += 1;
        report.checks.push({
          id: `${experiment.name}.rerun`,
          status: 'error',
          message: `${experiment.name}: ${failed}`,
          location: experiment.location,
          ...(outcome.failure
            ? {
                exitCode: outcome.failure.outcome.exitCode,
                output: lastLines(outcome.failure.outcome.tail, 50),
              }
            : {}),
        });
        report.rows.push([experiment.name, '(rerun)', '', '', '', '', '⛔ error']);
      }
      for (const [metric, tracked] of Object.entries(experiment.tracked)) {
        const rule = ruleFor(settings, experiment.name, metric);
        const id = `${experiment.name}.${metric}`;
        if (rule.ignore) continue;
        if (failed) {
          report.counts.skipped += 1;
          report.checks.push({
            id,
            status: 'skip',
            message: `${metric} not judged: the rerun failed`,
            expected: tracked,
            location: experiment.location,
          });
          continue;
        }
        const values = outcome.reruns.map((rerun) => rerun.get(experiment.name)?.[metric]);
        const judgement = judgeMetric(metric, tracked, values, rule);
        judged[metric] = judgement;
        report.counts[judgement.verdict] += 1;
        report.checks.push({
          id,
          status: judgement.status,
          message: `${experiment.name}: ${judgement.message}`,
          ...(judgement.observed !== undefined ? { observed: judgement.observed } : {}),
          expected: tracked,
          verdict: judgement.verdict,
          tolerance: { abs: rule.abs, rel: rule.rel, allowed: judgement.allowed, direction: rule.direction },
          ...(judgement.values.length > 1 ? { values: judgement.values, spread: judgement.spread } : {}),
          location: experiment.location,
        });
        report.rows.push([
          experiment.name,
          metric,
          formatNumber(tracked),
          judgement.observed !== undefined ? formatNumber(judgement.observed) : '—',
          judgement.difference !== undefined ? SIGNED(judgement.difference) : '—',
          `±${formatNumber(judgement.allowed)}`,
          judgement.verdict,
        ]);
      }
      const rerunKeys = new Set(
        outcome.reruns.flatMap((rerun) => Object.keys(rerun.get(experiment.name) ?? {})),
      );
      report.details.push({
        name: experiment.name,
        source: experiment.source,
        commands: outcome.plan.steps.map((step) => ({
          step: step.name,
          command: typeof step.command === 'string' ? step.command : [...step.command],
        })),
        params: experiment.params,
        ...(experiment.seed !== undefined ? { seed: experiment.seed } : {}),
        ...experiment.facts,
        reruns: outcome.reruns.length,
        durationMs: Math.round(outcome.durationMs),
        ...(failed ? { error: failed } : {}),
        metrics: Object.fromEntries(
          Object.entries(judged).map(([metric, judgement]) => [
            metric,
            {
              tracked: judgement.tracked,
              rerun: judgement.values,
              verdict: judgement.verdict,
              allowed: judgement.allowed,
            },
          ]),
        ),
        untrackedMetrics: [...rerunKeys].filter((key) => !(key in experiment.tracked)).sort(),
        ...(outcome.changedOuts.length > 0 ? { changedOuts: outcome.changedOuts } : {}),
      });
    }
  }
  return report;
}

export const RESULTS_COLUMNS = [
  'experiment',
  'metric',
  'tracked',
  'rerun',
  'difference',
  'tolerance',
  'verdict',
];

/** The informational table of DVC outs whose hash moved (bitwise equality is not required). */
export function outsTable(outcomes: readonly PlanOutcome[]): Table | undefined {
  const rows = outcomes.flatMap((outcome) =>
    outcome.changedOuts.map((change) => [
      change.stage,
      change.path,
      change.tracked ?? '',
      change.rerun ?? '(not written)',
    ]),
  );
  if (rows.length === 0) return undefined;
  return {
    title: 'DVC outs whose md5 differs from dvc.lock after the rerun (informational)',
    columns: ['stage', 'out', 'dvc.lock md5', 'rerun md5'],
    rows,
  };
}
