import { checkLabel } from '../../shared/report/check-label.ts';
import { details, formatNumber, statusBadge, table } from '../../shared/report/markdown.ts';
import { renderChart } from '../../shared/report/mermaid.ts';
import { formatBytes, formatDuration } from '../../shared/report/units.ts';
import type { CardData } from './card-data.ts';
import { type CardSource, REQUIRED_SOURCE_FIELDS } from './card-source.ts';
import { bySeverity, changeRows, valueRows } from './changes.ts';
import { renderChangesTable, renderHeadline } from './render-headline.ts';
import { plain, safeChart, shortHash } from './text.ts';

/** The nine sections of Mitchell et al. (2019), "Model Cards for Model Reporting", in their order. */
export const CARD_SECTIONS = [
  'Model Details',
  'Intended Use',
  'Factors',
  'Metrics',
  'Evaluation Data',
  'Training Data',
  'Quantitative Analyses',
  'Ethical Considerations',
  'Caveats and Recommendations',
] as const;

/** What each card-source field is called in the card, for the list of what is missing. */
const FIELD_TITLES: Record<keyof CardSource, string> = {
  overview: 'overview',
  description: 'description',
  owners: 'owners',
  license: 'license',
  references: 'references',
  citation: 'citation',
  task: 'task',
  'model-type': 'model type',
  'intended-use': 'intended use',
  'intended-users': 'intended users',
  'out-of-scope-use': 'out-of-scope use',
  factors: 'factors',
  'training-data': 'training data',
  'evaluation-data': 'evaluation data',
  limitations: 'limitations',
  tradeoffs: 'tradeoffs',
  'ethical-considerations': 'ethical considerations',
  recommendations: 'recommendations',
};

/** The card-source fields a person still has to write. */
export function missingSourceFields(source: CardSource | undefined): (keyof CardSource)[] {
  return REQUIRED_SOURCE_FIELDS.filter((field) => source?.[field] === undefined);
}

function missing(data: CardData, field: keyof CardSource): string {
  const where = data.sourceFile
    ? ` to \`${data.sourceFile}\``
    : ' to the card source (`gates.model-card.card`)';
  return `_Not written yet: add \`${field}\`${where}._`;
}

const bullets = (items: readonly string[]) => items.map((item) => `- ${item}`).join('\n');

function modelDetails(data: CardData): string {
  const { model, commit, createdAt } = data.evidence;
  const source = data.source;
  const parts: string[] = [];
  parts.push(source?.overview ?? missing(data, 'overview'));
  if (source?.description) parts.push(source.description);
  const facts: [string, string][] = [
    ['Name', model.name],
    ['Version', model.version ?? 'not set (`model.version` in mlgate.yml)'],
    ['Type', source?.['model-type'] ?? 'not stated'],
    ['File', `\`${model.path}\` (${formatBytes(model.sizeBytes)})`],
    ['sha256', `\`${model.sha256}\``],
    [
      'Format',
      `ONNX IR ${model.onnx.irVersion ?? '?'}, ${model.onnx.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}`,
    ],
    [
      'Producer',
      [model.onnx.producer, model.onnx.producerVersion].filter(Boolean).join(' ') || 'not recorded',
    ],
    ['Commit', commit ? `\`${commit}\`` : 'unknown'],
    ['Card generated', createdAt],
    [
      'Owners',
      source?.owners
        ? source.owners.map((o) => (o.contact ? `${o.name} (${o.contact})` : o.name)).join('; ')
        : 'not written',
    ],
    ['License', source?.license ?? 'not written'],
  ];
  parts.push(table(['', ''], facts));
  const signature = [
    ...model.onnx.inputs.map((t) => ['input', t.name, t.dtype, `[${t.shape.join(', ')}]`]),
    ...model.onnx.outputs.map((t) => ['output', t.name, t.dtype, `[${t.shape.join(', ')}]`]),
  ];
  parts.push(table(['', 'name', 'type', 'shape'], signature));
  const stored = Object.entries(data.modelMetadata ?? {});
  if (stored.length > 0) {
    parts.push(
      details(
        `Metadata stored in the ONNX file (${stored.length})`,
        table(
          ['key', 'value'],
          stored.slice(0, 50).map(([key, value]) => [plain(key, 100), plain(value, 200)]),
        ),
      ),
    );
  }
  if (source?.references) parts.push(`References:\n\n${bullets(source.references)}`);
  if (source?.citation) parts.push(`Cite as: ${source.citation}`);
  if (!source?.owners) parts.push(missing(data, 'owners'));
  if (!source?.license) parts.push(missing(data, 'license'));
  return parts.join('\n\n');
}

function intendedUse(data: CardData): string {
  const source = data.source;
  const parts = [
    '### Primary intended uses',
    source?.['intended-use'] ? bullets(source['intended-use']) : missing(data, 'intended-use'),
  ];
  if (source?.['intended-users']) parts.push('### Primary intended users', bullets(source['intended-users']));
  parts.push(
    '### Out-of-scope uses',
    source?.['out-of-scope-use'] ? bullets(source['out-of-scope-use']) : missing(data, 'out-of-scope-use'),
  );
  return parts.join('\n\n');
}

function factors(data: CardData): string {
  return data.source?.factors ? bullets(data.source.factors) : missing(data, 'factors');
}

/** A metric in its unit, read from the name's suffix: one unit for memory, µs for sub-millisecond times. */
function formatMetric(name: string, value: number): string {
  if (name.endsWith('-ms')) return formatDuration(value);
  if (name.endsWith('-bytes')) return formatBytes(value);
  return formatNumber(value);
}

function metrics(data: CardData): string {
  const rows = data.results.flatMap(({ result }) =>
    Object.entries(result.metrics).map(([name, value]) => [result.gate, name, formatMetric(name, value)]),
  );
  const parts = [
    'Every figure below was measured by an mlgate gate on the model bytes and data pinned in `evidence.json`.',
  ];
  parts.push(rows.length > 0 ? table(['gate', 'metric', 'value'], rows) : '_No gate reported metrics._');
  return parts.join('\n\n');
}

function evaluationData(data: CardData): string {
  const parts: string[] = [];
  if (data.source?.['evaluation-data']) parts.push(data.source['evaluation-data']);
  const datasets = data.evidence.datasets;
  parts.push(
    datasets.length > 0
      ? table(
          ['dataset', 'path', 'sha256'],
          datasets.map((d) => [d.name, `\`${d.path}\``, `\`${shortHash(d.sha256)}\``]),
        )
      : '_No datasets in mlgate.yml._',
  );
  if (!data.source?.['evaluation-data']) parts.push(missing(data, 'evaluation-data'));
  return parts.join('\n\n');
}

function trainingData(data: CardData): string {
  return data.source?.['training-data'] ?? missing(data, 'training-data');
}

function quantitativeAnalyses(data: CardData): string {
  const parts: string[] = [];
  const rows = [...valueRows(data.comparisons), ...changeRows(data.results.map(({ result }) => result))];
  if (rows.length > 0) parts.push('### Against the baseline', renderChangesTable([...rows].sort(bySeverity)));
  for (const { result } of data.results) {
    parts.push(`### ${result.gate}`, plain(result.summary));
    for (const extra of result.tables ?? [])
      parts.push(details(plain(extra.title), table(extra.columns, extra.rows)));
    for (const chart of result.charts ?? []) parts.push(renderChart(safeChart(chart)));
  }
  if (parts.length === 0) parts.push('_No gate reported tables, charts or baseline comparisons._');
  return parts.join('\n\n');
}

function ethicalConsiderations(data: CardData): string {
  const risks = data.source?.['ethical-considerations'];
  if (!risks) return missing(data, 'ethical-considerations');
  return table(
    ['risk', 'mitigation'],
    risks.map((risk) => [risk.risk, risk.mitigation ?? 'none stated']),
  );
}

function caveats(data: CardData): string {
  const source = data.source;
  const parts: string[] = [];
  parts.push(
    '### Limitations',
    source?.limitations ? bullets(source.limitations) : missing(data, 'limitations'),
  );
  if (source?.tradeoffs) parts.push('### Tradeoffs', bullets(source.tradeoffs));
  if (source?.recommendations) parts.push('### Recommendations', bullets(source.recommendations));
  const attention = data.results.flatMap(({ result }) =>
    result.checks
      .filter((check) => check.status === 'warn' || check.status === 'fail' || check.status === 'error')
      .map(
        (check) =>
          `- ${statusBadge(check.status)} ${result.gate} **${plain(checkLabel(check), 120)}**: ${plain(check.message, 300)} (\`${plain(check.id, 120)}\`)`,
      ),
  );
  if (attention.length > 0) {
    parts.push('### Findings of the gates', attention.slice(0, 100).join('\n'));
    if (attention.length > 100) parts.push(`…and ${attention.length - 100} more in the gates' result files.`);
  }
  const waivers = data.results.flatMap(({ result }) =>
    (result.waivers ?? [])
      .filter((w) => w.state === 'applied')
      .map((w) => [result.gate, w.check, w.reason, w.until]),
  );
  if (waivers.length > 0)
    parts.push('### Waived findings', table(['gate', 'check', 'reason', 'until'], waivers));
  return parts.join('\n\n');
}

const RENDERERS: Record<(typeof CARD_SECTIONS)[number], (data: CardData) => string> = {
  'Model Details': modelDetails,
  'Intended Use': intendedUse,
  Factors: factors,
  Metrics: metrics,
  'Evaluation Data': evaluationData,
  'Training Data': trainingData,
  'Quantitative Analyses': quantitativeAnalyses,
  'Ethical Considerations': ethicalConsiderations,
  'Caveats and Recommendations': caveats,
};

/** The card as blocks (head, then one per section), so a size-capped report can keep whole blocks. */
export function renderModelCardBlocks(data: CardData): string[] {
  const { model } = data.evidence;
  const title = `# Model card: ${model.name}${model.version ? ` ${model.version}` : ''}`;
  const headline = renderHeadline(data, 'line');
  const head = [title, '', headline.verdict];
  if (headline.changes) head.push('', '### Baseline vs candidate', '', headline.changes);
  const absent = missingSourceFields(data.source);
  if (absent.length > 0) {
    head.push(
      '',
      `> [!NOTE]\n> Sections only people can write are missing: ${absent.map((field) => FIELD_TITLES[field]).join(', ')}. ` +
        `Add them to ${data.sourceFile ? `\`${data.sourceFile}\`` : 'a card source (`gates.model-card.card`)'}; mlgate does not invent them.`,
    );
  }
  return [head.join('\n'), ...CARD_SECTIONS.map((section) => `## ${section}\n\n${RENDERERS[section](data)}`)];
}

/** The model card in Markdown: verdict, a line per gate, then the nine sections of Mitchell et al. */
export function renderModelCard(data: CardData): string {
  return `${renderModelCardBlocks(data).join('\n\n')}\n`;
}
