import { readModelSignature } from '../../shared/data/model-signature.ts';
import { InputError, type SourceLocation } from '../../shared/errors.ts';
import { defineGate, type GateContext, type GateReport } from '../../shared/gate.ts';
import { describeScorePlan } from '../../shared/onnx/classifier-scores.ts';
import { measureName } from '../../shared/report/check-label.ts';
import { formatNumber } from '../../shared/report/markdown.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { type Analysis, analyse, type DisparityReport } from './analysis.ts';
import { overallAgainstBaseline } from './baseline-overall.ts';
import { binaryColumn, joinByKey, numericColumn, requireColumn } from './columns.ts';
import { type DataTable, readConfiguredDataset, readDataFile, type Value } from './data.ts';
import {
  type Comparison,
  type DisparitySpec,
  disparityNames,
  parseDisparity,
  STANDARD_DISPARITIES,
} from './disparities.ts';
import { RATE_METRICS, SHORT_NAME } from './metrics.ts';
import { scoreWithModel } from './model-scores.ts';
import { pairedComparison } from './paired.ts';
import {
  baselineTable,
  disparityTable,
  EQUIVALENTS,
  segmentCharts,
  segmentDetails,
  segmentTables,
} from './report.ts';
import { encodeVariable, MISSING_GROUP, type SegmentSpec, type Variable } from './segments.ts';
import { FAIRNESS_INPUTS, FairnessOptions, FairnessSettings } from './settings.ts';
import { judge, type PolicyRule } from './verdicts.ts';

type Context = GateContext<FairnessSettings, FairnessOptions>;

/** More distinct values than this in an unbinned numeric feature is almost surely a missing `bins` entry. */
const MAX_UNBINNED_LEVELS = 50;

interface Prepared {
  /** How the model's scores were read, when the model was run. */
  scoring: string | undefined;
  labels: Uint8Array;
  predictions: Uint8Array;
  scores: Float64Array | undefined;
  weights: Float64Array | undefined;
  table: DataTable;
  threshold: number;
}

async function prepare(ctx: Context): Promise<Prepared> {
  const { settings, config } = ctx;
  const at = (...path: PropertyKey[]) => config.locate(['gates', 'fairness', ...path]);
  if (!config.config.datasets[settings.dataset]) {
    const known = Object.keys(config.config.datasets).join(', ') || 'none';
    throw new InputError(
      `gates.fairness.dataset: unknown dataset ${JSON.stringify(settings.dataset)} (configured: ${known})`,
      at('dataset'),
    );
  }
  const reading = ctx.runtime.progress(`reading dataset ${settings.dataset}`);
  const table = await readConfiguredDataset(config, settings.dataset, await wantedColumns(ctx));
  const file = table.display;
  reading.done(`${formatNumber(table.rows)} rows`);
  if (table.rows === 0) throw new InputError('the dataset has no rows', { file });

  const labels = binaryColumn(
    requireColumn(table, settings.label, 'gates.fairness.label', at('label'), file),
    `label ${settings.label}`,
    at('label'),
  );

  let predictionValues: Value[] | undefined;
  let scoreValues: Value[] | undefined;
  let threshold = 0.5;
  let scoring: string | undefined;
  let scores: Float64Array | undefined;
  let predictions: Uint8Array;
  if ('model' in settings.prediction) {
    threshold = settings.prediction.threshold;
    const model = config.config.model;
    if (!model) {
      throw new InputError(
        'gates.fairness.prediction.model needs `model: { name, path }` in the config',
        at('prediction'),
      );
    }
    const progress = ctx.runtime.progress('scoring with the model', table.rows);
    const scored = await scoreWithModel(table, {
      ...modelScoring(ctx, model.path, config.locate(['model', 'path'])),
      onBatch: (done) => progress.update(done),
    });
    progress.done();
    scores = scored.scores;
    scoring = describeScorePlan(scored.plan);
    ctx.runtime.log.info(`fairness: scores are ${scoring}`);
    predictions = Uint8Array.from(scores, (score) => (score >= threshold ? 1 : 0));
  } else {
    const column = settings.prediction.column;
    const scoreColumn = settings.score?.column;
    if (settings.predictions) {
      const sideFile = config.display(settings.predictions.path);
      const side = await readDataFile(
        config.resolve(settings.predictions.path),
        sideFile,
        at('predictions', 'path'),
      );
      const key = settings.predictions.key;
      const here = at('predictions', 'key');
      const datasetKeys = requireColumn(table, key, 'gates.fairness.predictions.key', here, file);
      const sideKeys = requireColumn(side, key, 'gates.fairness.predictions.key', here, sideFile);
      const join = (name: string, path: PropertyKey[]) =>
        joinByKey(
          datasetKeys,
          sideKeys,
          requireColumn(side, name, `gates.fairness.${path.join('.')}`, at(...path), sideFile),
          sideFile,
          here,
        );
      predictionValues = join(column, ['prediction', 'column']);
      if (scoreColumn) scoreValues = join(scoreColumn, ['score', 'column']);
    } else {
      predictionValues = requireColumn(
        table,
        column,
        'gates.fairness.prediction.column',
        at('prediction', 'column'),
        file,
      );
      if (scoreColumn)
        scoreValues = requireColumn(
          table,
          scoreColumn,
          'gates.fairness.score.column',
          at('score', 'column'),
          file,
        );
    }
    predictions = binaryColumn(predictionValues, `prediction column ${column}`, at('prediction', 'column'));
    if (scoreValues)
      scores = numericColumn(scoreValues, `score column ${scoreColumn}`, at('score', 'column'));
  }
  const weights = settings.weight
    ? numericColumn(
        requireColumn(table, settings.weight, 'gates.fairness.weight', at('weight'), file),
        `weight column ${settings.weight}`,
        at('weight'),
        (value) => value >= 0,
      )
    : undefined;
  return { scoring, labels, predictions, scores, weights, table, threshold };
}

/** How a model (the candidate or the baseline) is run: `model.inputs`, and how its scores are read. */
function modelScoring(ctx: Context, path: string, location: SourceLocation) {
  const { config, settings } = ctx;
  const model = config.config.model;
  return {
    path: config.resolve(path),
    display: config.display(path),
    location,
    inputs: model?.inputs,
    scores: {
      scoreOutput: model?.['score-output'],
      positiveClass: model?.['positive-class'],
      kind: 'model' in settings.prediction ? settings.prediction.score : undefined,
      at: {
        scoreOutput: config.locate(['model', 'score-output']),
        positiveClass: config.locate(['model', 'positive-class']),
        kind: config.locate(['gates', 'fairness', 'prediction']),
      },
      kindSetting: 'gates.fairness.prediction.score',
    },
  };
}

/** The dataset columns the gate uses: label, predictions, weights, features, the model's inputs. */
async function wantedColumns(ctx: Context): Promise<Set<string>> {
  const { settings, config } = ctx;
  const wanted = new Set<string>([settings.label]);
  if (settings.weight) wanted.add(settings.weight);
  for (const segment of segmentSpecs(settings))
    for (const name of [...segment.features, ...segment.control]) wanted.add(name);
  if (settings.predictions) wanted.add(settings.predictions.key);
  else if ('column' in settings.prediction) {
    wanted.add(settings.prediction.column);
    if (settings.score) wanted.add(settings.score.column);
  }
  const model = config.config.model;
  const models = [
    ...('model' in settings.prediction && model ? [model.path] : []),
    ...(settings.baseline ? [settings.baseline.path] : []),
  ];
  for (const path of models) {
    const signature = await readModelSignature(config.resolve(path), config.display(path));
    for (const input of signature.inputs) {
      const mapped = model?.inputs?.[input.name] ?? input.name;
      for (const name of Array.isArray(mapped) ? mapped : [mapped]) wanted.add(name);
    }
  }
  return wanted;
}

function segmentSpecs(settings: FairnessSettings): SegmentSpec[] {
  return settings.segments.map((entry) => {
    if (typeof entry === 'string') return { id: entry, features: [entry], control: [] };
    if (Array.isArray(entry)) return { id: entry.join('+'), features: entry, control: [] };
    const features = typeof entry.features === 'string' ? [entry.features] : entry.features;
    return { id: features.join('+'), features, control: entry.control };
  });
}

function variablesFor(ctx: Context, segments: readonly SegmentSpec[], table: DataTable): Variable[] {
  const { settings, config } = ctx;
  const file = table.display;
  const names = [...new Set(segments.flatMap((segment) => [...segment.features, ...segment.control]))];
  return names.map((name) => {
    const index = settings.segments.findIndex((entry) =>
      typeof entry === 'string' ? entry === name : Array.isArray(entry) ? entry.includes(name) : true,
    );
    const location = config.locate(['gates', 'fairness', 'segments', Math.max(0, index)]);
    const values = requireColumn(table, name, 'segment feature', location, file);
    const missingRows = values.flatMap((value, row) => (value === null || value === '' ? [row + 1] : []));
    if (settings.missing === 'fail' && missingRows.length > 0) {
      throw new InputError(
        `sensitive feature ${name} is missing on ${missingRows.length} rows (first: data row ${missingRows[0]}); set missing: own-group or drop to keep going`,
        config.locate(['gates', 'fairness', 'missing']),
      );
    }
    const edges = settings.bins[name];
    if (edges) {
      const sorted = edges.every((edge, i) => i === 0 || edge > edges[i - 1]!);
      if (!sorted)
        throw new InputError(
          `bins for ${name} must be strictly ascending`,
          config.locate(['gates', 'fairness', 'bins', name]),
        );
      numericColumn(
        values,
        `binned feature ${name}`,
        config.locate(['gates', 'fairness', 'bins', name]),
        () => true,
      );
    }
    const variable = encodeVariable(name, values, {
      edges,
      missing: settings.missing === 'drop' ? 'drop' : 'own-group',
    });
    const numeric = values.every((value) => value === null || typeof value === 'number');
    const levels = variable.labels.filter((label) => label !== MISSING_GROUP).length;
    if (!edges && numeric && levels > MAX_UNBINNED_LEVELS) {
      throw new InputError(
        `segment feature ${name} is numeric with ${levels} distinct values; add bins, e.g. bins: { ${name}: [..edges..] }`,
        location,
      );
    }
    return variable;
  });
}

interface ParsedPolicy {
  spec: DisparitySpec;
  rule: PolicyRule;
  method: Comparison['method'];
}

function parsePolicy(ctx: Context, segments: readonly SegmentSpec[]): ParsedPolicy[] {
  const { settings, config } = ctx;
  return Object.entries(settings.policy).map(([name, written]) => {
    const location = config.locate(['gates', 'fairness', 'policy', name]);
    const spec = parseDisparity(name);
    if (!spec) {
      throw new InputError(
        `unknown disparity ${JSON.stringify(name)}; known: ${STANDARD_DISPARITIES.join(', ')}, or <metric>_difference / <metric>_ratio for ${RATE_METRICS.join(', ')}`,
        location,
      );
    }
    const entry =
      typeof written === 'object' ? written : { threshold: written, method: 'between_groups' as const };
    const heuristic = entry.threshold === 'four-fifths';
    if (heuristic && spec.kind !== 'ratio') {
      throw new InputError(`${name}: four-fifths is a threshold for a ratio, not a difference`, location);
    }
    const threshold = entry.threshold === 'four-fifths' ? 0.8 : entry.threshold;
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new InputError(
        `${name}: threshold ${threshold} is out of range: expected a number between 0 and 1`,
        location,
      );
    }
    if (entry.method === 'reference') {
      const missing = segments.filter((segment) => settings.reference[segment.id] === undefined);
      if (missing.length > 0) {
        throw new InputError(
          `${name} compares to a reference group, but gates.fairness.reference names none for ${missing.map((s) => s.id).join(', ')}`,
          location,
        );
      }
    }
    return {
      spec,
      rule: { name, threshold, ...(heuristic ? { heuristic: 'four-fifths' as const } : {}) },
      method: entry.method,
    };
  });
}

function checkReferences(ctx: Context, analysis: Analysis): void {
  for (const segment of analysis.segments) {
    const reference = ctx.settings.reference[segment.groups.spec.id];
    if (reference === undefined) continue;
    if (!segment.reports.some((group) => group.label === reference)) {
      throw new InputError(
        `reference group ${JSON.stringify(reference)} does not occur in segment ${segment.groups.spec.id} (groups: ${segment.reports.map((g) => g.label).join(', ')})`,
        ctx.config.locate(['gates', 'fairness', 'reference', segment.groups.spec.id]),
      );
    }
  }
}

async function run(ctx: Context): Promise<GateReport> {
  const { settings } = ctx;
  const strict = ctx.options.strict ?? settings.strict;
  const segments = segmentSpecs(settings);
  const prepared = await prepare(ctx);
  const variables = variablesFor(ctx, segments, prepared.table);
  const policy = parsePolicy(ctx, segments);
  const policyByName = new Map(policy.map((entry) => [entry.spec.name, entry]));
  const comparisonFor =
    (method: Comparison['method']) =>
    (segment: string): Comparison =>
      method === 'reference' ? { method, group: settings.reference[segment]! } : { method };
  const disparities = [
    ...STANDARD_DISPARITIES.map((name) => ({
      spec: parseDisparity(name)!,
      comparison: comparisonFor(policyByName.get(name)?.method ?? 'between_groups'),
    })),
    ...policy
      .filter((entry) => !(STANDARD_DISPARITIES as readonly string[]).includes(entry.spec.name))
      .map((entry) => ({ spec: entry.spec, comparison: comparisonFor(entry.method) })),
  ];
  const options = {
    minSupport: settings['min-support'],
    minDenominator: settings['min-denominator'],
    confidence: settings.confidence,
    resamples: settings.bootstrap.resamples,
    seed: settings.bootstrap.seed,
    disparities,
  };
  const progress = ctx.runtime.progress(`bootstrap (${settings.bootstrap.resamples} resamples)`);
  const analysis = analyse(
    {
      labels: prepared.labels,
      predictions: prepared.predictions,
      scores: prepared.scores,
      weights: prepared.weights,
      variables,
      segments,
    },
    options,
  );
  progress.done();
  checkReferences(ctx, analysis);

  const policyItems = analysis.segments.flatMap((segment) =>
    segment.disparities.flatMap((report: DisparityReport) => {
      const entry = policyByName.get(report.name);
      return entry ? [{ segment, report, rule: entry.rule }] : [];
    }),
  );
  const againstBaseline = settings.baseline
    ? await baselineComparisons(ctx, prepared, analysis)
    : { items: [], overall: undefined };
  const judged = judge(policyItems, againstBaseline.items, {
    strict,
    correction: settings.correction,
    confidence: settings.confidence,
    minSupport: settings['min-support'],
    minDenominator: settings['min-denominator'],
  });

  const checks: Check[] = [
    ...judged.disparities.map((judgement) => ({
      id: `${judgement.report.segment}.${judgement.report.name}`,
      label: `${judgement.report.segment} · ${measureName(judgement.report.name)}`,
      status: judgement.status,
      message: judgement.message,
      observed: judgement.report.value ?? null,
      expected: `${judgement.report.spec.kind === 'difference' ? '<=' : '>='} ${judgement.rule.threshold}`,
      location: ctx.config.locate(['gates', 'fairness', 'policy', judgement.rule.name]),
      verdict: judgement.verdict,
      interval: judgement.report.interval ?? null,
      pValue: judgement.pValue ?? null,
      adjustedPValue: judgement.adjustedPValue ?? null,
      ...(judgement.neededFactor !== undefined && Number.isFinite(judgement.neededFactor)
        ? { neededFactor: Number(judgement.neededFactor.toFixed(2)) }
        : {}),
    })),
    ...judged.baselines.map((judgement) => ({
      id: `${judgement.segment}.${judgement.group.id}.${judgement.comparison.metric}.vs-baseline`,
      label: `${judgement.segment} · ${judgement.group.id} · ${SHORT_NAME[judgement.comparison.metric]} vs baseline`,
      status: judgement.status,
      message: judgement.message,
      observed: judgement.comparison.regression,
      expected: `<= ${judgement.tolerance}`,
      // The rates themselves, so reports can show baseline → candidate, not only the regression.
      metric: judgement.comparison.metric,
      candidate: judgement.comparison.candidate,
      baseline: judgement.comparison.baseline,
      location: ctx.config.locate(['gates', 'fairness', 'baseline']),
      verdict: judgement.verdict,
      interval: judgement.comparison.interval,
      adjustedPValue: judgement.adjustedPValue ?? null,
    })),
  ];

  const metrics: Record<string, number> = {};
  for (const metric of RATE_METRICS) {
    const value = analysis.overall.rates[metric].value;
    if (value !== undefined) metrics[`overall.${metric}`] = value;
  }
  if (analysis.overall.auc) metrics['overall.roc_auc'] = analysis.overall.auc.value;
  for (const segment of analysis.segments) {
    for (const report of segment.disparities) {
      if (report.allGroups !== undefined) metrics[`${report.segment}.${report.name}`] = report.allGroups;
    }
  }

  const tables = [
    ...segmentTables(analysis, settings['min-support'], settings.confidence),
    disparityTable(analysis, judged.disparities, settings.confidence),
    ...(judged.baselines.length > 0 ? [baselineTable(judged.baselines, settings.confidence)] : []),
  ];

  return {
    summary: summarise(checks, analysis, strict),
    ...(checks.every((check) => check.status === 'skip')
      ? {
          nothingChecked: `no segment has groups to compare (${analysis.segments
            .map((segment) => `${segment.groups.spec.id}: ${segment.groups.groups.length} group(s)`)
            .join(', ')}); a segment column with no values judges nothing`,
        }
      : {}),
    checks,
    metrics,
    tables,
    charts: segmentCharts(analysis, judged.disparities),
    details: {
      rows: analysis.rows,
      threshold: prepared.threshold,
      ...(prepared.scoring ? { scoring: prepared.scoring } : {}),
      strict,
      correction: settings.correction,
      confidence: settings.confidence,
      bootstrap: settings.bootstrap,
      ...segmentDetails(analysis),
      equivalents: EQUIVALENTS,
      knownDisparities: disparityNames(),
      ...(againstBaseline.overall ? { baseline: againstBaseline.overall } : {}),
    },
  };
}

async function baselineComparisons(ctx: Context, prepared: Prepared, analysis: Analysis) {
  const baseline = ctx.settings.baseline!;
  const progress = ctx.runtime.progress('scoring with the baseline model', prepared.table.rows);
  const { scores } = await scoreWithModel(prepared.table, {
    ...modelScoring(ctx, baseline.path, ctx.config.locate(['gates', 'fairness', 'baseline', 'path'])),
    onBatch: (done) => progress.update(done),
  });
  progress.done();
  const baselinePredictions = Uint8Array.from(scores, (score) => (score >= prepared.threshold ? 1 : 0));
  const overall = overallAgainstBaseline({
    path: ctx.config.display(ctx.config.resolve(baseline.path)),
    labels: prepared.labels,
    candidate: { predictions: prepared.predictions, scores: prepared.scores },
    baseline: { predictions: baselinePredictions, scores },
    confidence: ctx.settings.confidence,
  });
  const items = analysis.segments.flatMap((segment) => {
    const rowsOfGroup: number[][] = segment.reports.map(() => []);
    for (let row = 0; row < analysis.rows; row += 1) {
      const group = segment.groups.groupOfCell[analysis.cellOfRow[row]!]!;
      if (group >= 0) rowsOfGroup[group]!.push(row);
    }
    return segment.reports.flatMap((group, index) =>
      baseline.metrics.map((metric) => ({
        segment: segment.groups.spec.id,
        group,
        tolerance: baseline['max-regression'],
        comparison: pairedComparison(
          metric,
          prepared.labels,
          prepared.predictions,
          baselinePredictions,
          rowsOfGroup[index]!,
          ctx.settings.confidence,
        ),
      })),
    );
  });
  return { items, overall };
}

function summarise(checks: readonly Check[], analysis: Analysis, strict: boolean): string {
  const scope = `${formatNumber(analysis.rows)} rows, ${analysis.segments.length} segments${strict ? ', strict' : ''}`;
  if (checks.length === 0)
    return `Reported disparities over ${scope}; no policy or baseline to judge them against.`;
  const verdicts = checks.map((check) => String(check.verdict));
  const count = (verdict: string, label: string) => {
    const n = verdicts.filter((v) => v === verdict).length;
    return n > 0 ? [`${n} ${label}`] : [];
  };
  const counts = [
    ...count('fail', 'beyond the limit'),
    ...count('inconclusive', 'inconclusive'),
    ...count('pass', 'pass'),
    ...count('not-judged', 'not judged'),
  ].join(', ');
  const worst =
    checks.find((check) => check.verdict === 'fail') ??
    checks.find((check) => check.verdict === 'inconclusive');
  const interval = worst?.interval as { lower: number; upper: number } | null | undefined;
  const detail =
    worst && typeof worst.observed === 'number'
      ? `; worst: ${worst.id} = ${formatNumber(worst.observed)}${interval ? ` [${formatNumber(interval.lower)}, ${formatNumber(interval.upper)}]` : ''}`
      : '';
  return `${counts} over ${scope}${detail}.`;
}

export const fairnessGate = defineGate({
  name: 'fairness',
  description: 'Per-segment metrics and disparities with confidence intervals, gated without false alarms.',
  settings: FairnessSettings,
  inputs: FAIRNESS_INPUTS,
  options: FairnessOptions,
  needsModel: false,
  run,
});
