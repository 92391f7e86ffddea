import type { SourceLocation } from '../../shared/errors.ts';
import type { GateReport } from '../../shared/gate.ts';
import { formatNumber } from '../../shared/report/markdown.ts';
import { formatBytes, formatDuration } from '../../shared/report/units.ts';
import type { Chart, Check, Table } from '../../shared/result/gate-result.ts';
import {
  formatRatio,
  judgeUnits,
  MIN_UNITS,
  MIN_UNITS_TO_STOP,
  samplesPerUnit,
  whatWouldSettle,
} from './compare.ts';
import type { Fingerprint } from './fingerprint.ts';
import type { ConfigurationResult, ServerResult } from './run-benchmark.ts';

/** Everything the report is made from; also what `details` records for later runs and the model card. */
export interface BenchmarkData {
  candidate: { description: string; coldStartMs: number; sizeBytes: number };
  baseline:
    | {
        kind: 'model';
        description: string;
        source: string;
        commit?: string;
        tag?: string;
        coldStartMs: number;
        sizeBytes: number;
      }
    | { kind: 'results'; description: string; fingerprintDifferences: string[] }
    | { kind: 'none'; description: string };
  configurations: ConfigurationResult[];
  server?: ServerResult;
  peakRssBytes: number;
  fingerprint: Fingerprint;
  targetCiWidth: number;
}

export interface ReportContext {
  /** Where a setting was written (the closest written ancestor), for check locations. */
  locate(path: readonly string[]): SourceLocation;
}

const ms = (value: number | 'insufficient' | undefined) =>
  value === undefined ? '–' : value === 'insufficient' ? 'insufficient' : formatDuration(value);

function figure(value: number | 'insufficient' | undefined, statistic: string): string {
  if (statistic === 'items-per-second')
    return typeof value === 'number' ? `${formatNumber(value)} items/s` : '–';
  return ms(value);
}

function label(configuration: ConfigurationResult): string {
  return configuration.scenario === 'offline'
    ? `offline batch ${configuration.batchSize} ×${configuration.concurrency} concurrent`
    : `single-stream batch ${configuration.batchSize}`;
}

function comparisonChecks(data: BenchmarkData, context: ReportContext): Check[] {
  const checks: Check[] = [];
  const incomparable = data.baseline.kind === 'results' && data.baseline.fingerprintDifferences.length > 0;
  for (const configuration of data.configurations) {
    for (const comparison of configuration.comparisons) {
      const id = `${configuration.id}.${comparison.statistic}`;
      const threshold = 1 + comparison.maxRegression;
      const location = context.locate([
        'gates',
        'benchmark',
        'scenarios',
        configuration.scenario,
        'max-regression',
      ]);
      const candidateValue = configuration.candidate.statistics[comparison.statistic];
      const baselineValue = configuration.baseline?.statistics[comparison.statistic];
      const figures = `candidate ${ms(candidateValue)}${configuration.baseline ? ` vs baseline ${ms(baselineValue)}` : ''}`;
      if (!comparison.interval) {
        checks.push({
          id,
          status: 'skip',
          message: `${label(configuration)} ${comparison.statistic}: insufficient samples (${Math.min(configuration.candidate.samples, configuration.baseline?.samples ?? Number.POSITIVE_INFINITY)} runs per model; comparing ${comparison.statistic} takes ${MIN_UNITS} groups of ${samplesPerUnit(comparison.statistic)}); raise the time budget`,
          expected: `<= ×${threshold.toFixed(2)}`,
          location,
        });
        continue;
      }
      const interval = comparison.interval;
      const units = comparison.units ?? configuration.blocks;
      let status = judgeUnits(interval, comparison.maxRegression, units);
      const over =
        units === configuration.blocks
          ? `${units} blocks`
          : `${units} groups formed from ${configuration.blocks} blocks`;
      const confidence = `${Math.round(interval.confidence * 100)}% CI over ${over}`;
      const ratio = `${formatRatio(interval)} (${confidence})`;
      let verdict =
        status === 'fail'
          ? `regression: even the interval's lower bound ${interval.lower.toFixed(3)} is beyond the tolerated ×${threshold.toFixed(2)}`
          : status === 'warn' && interval.lower > threshold
            ? `inconclusive: the interval is beyond the tolerated ×${threshold.toFixed(2)}, but ${units} units are too few to rule out one slow spell of the machine spanning them (a failure takes ${MIN_UNITS_TO_STOP}); a longer time budget would settle it`
            : status === 'warn'
              ? `possibly slower than the tolerated ×${threshold.toFixed(2)}, not proven at this confidence; ${whatWouldSettle(interval, threshold, units)}`
              : `within ×${threshold.toFixed(2)}`;
      if (configuration.stoppedBy === 'budget' && interval.upper - interval.lower >= data.targetCiWidth) {
        verdict += `; the time budget ended the run before the interval narrowed to ${data.targetCiWidth}`;
      }
      if (incomparable) {
        status = 'warn';
        verdict = `not judged: the stored results came from another environment (${(data.baseline as { fingerprintDifferences: string[] }).fingerprintDifferences.join(', ')} differ)`;
      }
      checks.push({
        id,
        label: `${label(configuration)} · ${comparison.statistic}`,
        status,
        message: `${label(configuration)} ${comparison.statistic}: ratio ${ratio}, ${figures}; ${verdict}`,
        observed: Number(interval.estimate.toFixed(4)),
        expected: `lower bound <= ×${threshold.toFixed(2)}`,
        interval: { lower: interval.lower, upper: interval.upper, confidence: interval.confidence },
        threshold,
        blocks: configuration.blocks,
        ...(comparison.units !== undefined && comparison.units !== configuration.blocks
          ? { groups: comparison.units }
          : {}),
        stoppedBy: configuration.stoppedBy,
        location,
      });
    }
  }
  return checks;
}

function serverCheck(server: ServerResult, context: ReportContext): Check {
  const { candidate } = server;
  const location = context.locate(['gates', 'benchmark', 'scenarios', 'server']);
  const wantRate = server.rate * server.minAchievedRate;
  const rateOk = candidate.achievedRate >= wantRate;
  const baseline = server.baseline
    ? ` (baseline: ${formatNumber(server.baseline.achievedRate)}/s, p99 ${ms(server.baseline.p99)})`
    : '';
  if (candidate.p99 === 'insufficient') {
    return {
      id: `${server.id}.p99`,
      status: 'warn',
      message: `server at ${formatNumber(server.rate)} requests/s: ${candidate.completed} requests are too few to back a p99 (662 needed); lengthen duration-s${baseline}`,
      observed: 'insufficient',
      expected: `p99 <= ${server.latencyBoundMs} ms`,
      location,
    };
  }
  const latencyOk = candidate.p99 <= server.latencyBoundMs;
  const status = rateOk && latencyOk ? 'pass' : 'fail';
  return {
    id: `${server.id}.p99`,
    status,
    message: `server at ${formatNumber(server.rate)} requests/s: achieved ${formatNumber(candidate.achievedRate)}/s (needs ${formatNumber(wantRate)}), p99 ${ms(candidate.p99)} against the bound ${server.latencyBoundMs} ms${baseline}`,
    observed: { p99Ms: candidate.p99, achievedRate: candidate.achievedRate },
    expected: { p99Ms: `<= ${server.latencyBoundMs}`, achievedRate: `>= ${wantRate}` },
    location,
  };
}

function metrics(data: BenchmarkData): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (key: string, value: number | 'insufficient' | undefined) => {
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = Number(value.toPrecision(6));
  };
  for (const configuration of data.configurations) {
    for (const arm of ['candidate', 'baseline'] as const) {
      const figures = configuration[arm];
      if (!figures) continue;
      for (const [statistic, value] of Object.entries(figures.statistics)) {
        put(`${configuration.id}.${arm}.${statistic}${statistic === 'items-per-second' ? '' : '-ms'}`, value);
      }
    }
    for (const comparison of configuration.comparisons)
      put(`${configuration.id}.ratio.${comparison.statistic}`, comparison.interval?.estimate);
  }
  if (data.server) {
    for (const arm of ['candidate', 'baseline'] as const) {
      const figures = data.server[arm];
      if (!figures) continue;
      put(`${data.server.id}.${arm}.achieved-rate`, figures.achievedRate);
      put(`${data.server.id}.${arm}.p99-ms`, figures.p99);
    }
  }
  put('cold-start.candidate-ms', data.candidate.coldStartMs);
  put('model-size.candidate-bytes', data.candidate.sizeBytes);
  if (data.baseline.kind === 'model') {
    put('cold-start.baseline-ms', data.baseline.coldStartMs);
    put('model-size.baseline-bytes', data.baseline.sizeBytes);
  }
  put('peak-rss-bytes', data.peakRssBytes);
  return out;
}

function tables(data: BenchmarkData): Table[] {
  const rows: string[][] = [];
  for (const configuration of data.configurations) {
    for (const statistic of Object.keys(configuration.candidate.statistics)) {
      const comparison = configuration.comparisons.find((entry) => entry.statistic === statistic);
      rows.push([
        label(configuration),
        statistic,
        figure(configuration.baseline?.statistics[statistic], statistic),
        figure(configuration.candidate.statistics[statistic], statistic),
        comparison?.interval ? formatRatio(comparison.interval) : '',
        comparison ? `×${(1 + comparison.maxRegression).toFixed(2)}` : '',
      ]);
    }
  }
  const result: Table[] = [
    {
      title: 'Latency and throughput',
      columns: ['Configuration', 'Statistic', 'Baseline', 'Candidate', 'Ratio [95% CI]', 'Threshold'],
      rows,
    },
  ];
  const runs = data.configurations.map((configuration) => [
    label(configuration),
    String(configuration.blocks),
    String(configuration.candidate.samples),
    `${formatNumber(configuration.elapsedMs / 1000)} s`,
    configuration.stoppedBy === 'budget' ? 'time budget ended it' : configuration.stoppedBy,
  ]);
  result.push({
    title: 'Measurement',
    columns: ['Configuration', 'Blocks', 'Candidate samples', 'Time', 'Stopped by'],
    rows: runs,
  });
  const environment = [
    ['Baseline', data.baseline.description],
    ['CPU', `${data.fingerprint.cpuModel} (${data.fingerprint.cores} cores)`],
    [
      'onnxruntime-node',
      `${data.fingerprint.onnxruntime}, ${data.fingerprint.executionProviders.join(', ')}`,
    ],
    [
      'Threads',
      `intra-op ${data.fingerprint.intraOpThreads}, inter-op ${data.fingerprint.interOpThreads}, ${data.fingerprint.executionMode}`,
    ],
    [
      'Cold start',
      `candidate ${ms(data.candidate.coldStartMs)}${data.baseline.kind === 'model' ? `, baseline ${ms(data.baseline.coldStartMs)}` : ''}`,
    ],
    [
      'Model size',
      `candidate ${formatBytes(data.candidate.sizeBytes)}${data.baseline.kind === 'model' ? `, baseline ${formatBytes(data.baseline.sizeBytes)}` : ''}`,
    ],
    ['Peak RSS (process)', formatBytes(data.peakRssBytes)],
  ];
  result.push({ title: 'Environment', columns: ['', ''], rows: environment });
  return result;
}

/**
 * One chart of every judged comparison: candidate ÷ baseline as bars, the allowed ratio and "no change" as
 * lines, on an axis centred on 1, so a regression reads as a bar above 1 reaching for its limit.
 */
function charts(data: BenchmarkData): Chart[] {
  const judged = data.configurations.flatMap((configuration) =>
    configuration.comparisons.flatMap((comparison) =>
      comparison.interval ? [{ configuration, comparison, interval: comparison.interval }] : [],
    ),
  );
  if (judged.length === 0) return [];
  // Same statistic side by side, so the allowed-ratio line steps once instead of zig-zagging.
  judged.sort((a, b) =>
    a.comparison.statistic.localeCompare(b.comparison.statistic, 'en', { numeric: true }),
  );
  const limits = judged.map(({ comparison }) => 1 + comparison.maxRegression);
  const reach = Math.max(
    ...limits,
    ...judged.map(({ interval }) => interval.estimate),
    ...judged.map(({ interval }) => 2 - interval.estimate),
  );
  const top = Math.ceil((reach + 0.05) * 20) / 20;
  return [
    {
      title: 'Latency, candidate ÷ baseline (1 = no change)',
      kind: 'bar',
      labels: judged.map(
        ({ configuration, comparison }) =>
          `${label(configuration).replace('single-stream ', '')} ${comparison.statistic}`,
      ),
      yLabel: 'ratio',
      yMin: Number((2 - top).toFixed(2)),
      yMax: top,
      series: [
        {
          name: 'candidate ÷ baseline',
          kind: 'bar',
          values: judged.map(({ interval }) => interval.estimate),
        },
        { name: 'allowed', kind: 'line', values: limits },
        { name: 'no change', kind: 'line', values: judged.map(() => 1) },
      ],
    },
  ];
}

function summary(data: BenchmarkData, checks: readonly Check[]): string {
  const failed = checks.filter((check) => check.status === 'fail');
  if (failed.length > 0)
    return `regression: ${failed.map((check) => `${check.id} ×${Number(check.observed).toFixed(3)}`).join(', ')}`;
  // Quote the comparison closest to its limit (a significant change before a flat one), not the first.
  const compared = data.configurations.flatMap((configuration) =>
    configuration.comparisons.flatMap((comparison) =>
      comparison.interval ? [{ configuration, comparison, interval: comparison.interval }] : [],
    ),
  );
  const significance = (interval: { lower: number; upper: number }) =>
    interval.lower > 1 || interval.upper < 1 ? 1 : 0;
  const headline = compared.sort(
    (a, b) =>
      significance(b.interval) - significance(a.interval) ||
      Math.abs(b.interval.estimate - 1) / b.comparison.maxRegression -
        Math.abs(a.interval.estimate - 1) / a.comparison.maxRegression,
  )[0];
  if (headline) {
    const { configuration, comparison } = headline;
    const changed = significance(headline.interval) ? '' : ' (no measurable change)';
    return `no regression: ${label(configuration)} ${comparison.statistic} ${formatRatio(comparison.interval!)} of the baseline${changed}`;
  }
  const first = data.configurations[0];
  if (first)
    return `${label(first)}: p50 ${ms(first.candidate.statistics.p50)} (${data.baseline.description})`;
  return 'benchmark ran';
}

/** The gate's report from measured data: checks, metrics, tables, charts and the data itself. */
export function buildReport(data: BenchmarkData, context: ReportContext): GateReport {
  const checks = comparisonChecks(data, context);
  if (data.server) checks.push(serverCheck(data.server, context));
  if (data.baseline.kind === 'none') {
    checks.push({
      id: 'baseline',
      status: 'skip',
      message: `${data.baseline.description}: absolute figures only`,
    });
  }
  if (data.baseline.kind === 'results') {
    const differs = data.baseline.fingerprintDifferences;
    checks.push({
      id: 'baseline.results',
      status: 'warn',
      message:
        differs.length > 0
          ? `compared with ${data.baseline.description} from a different environment (${differs.join(', ')} differ): ratios across machines are not trustworthy and decide nothing`
          : `compared with ${data.baseline.description}, not side by side: drift between the two runs is not cancelled`,
      location: context.locate(['gates', 'benchmark', 'baseline']),
    });
  }
  return {
    summary: summary(data, checks),
    checks,
    metrics: metrics(data),
    tables: tables(data),
    charts: charts(data),
    details: {
      fingerprint: data.fingerprint,
      candidate: data.candidate,
      baseline: data.baseline,
      configurations: data.configurations,
      ...(data.server ? { server: data.server } : {}),
      peakRssBytes: data.peakRssBytes,
    },
  };
}
