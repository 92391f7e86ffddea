import type { CardData } from './card-data.ts';

/** Model Card Toolkit's JSON (schema v0.0.2; see `toolkit-schema.ts`). */
export interface ToolkitCard {
  schema_version: '0.0.2';
  model_details: {
    name: string;
    overview?: string;
    documentation?: string;
    owners?: { name: string; contact?: string }[];
    version?: { name?: string; date?: string; diff?: string };
    licenses?: ({ identifier: string } | { custom_text: string })[];
    references?: { reference: string }[];
    citations?: { citation: string }[];
  };
  model_parameters: {
    model_architecture?: string;
    data?: { name: string; description?: string }[];
    input_format?: string;
    output_format?: string;
  };
  quantitative_analysis: { performance_metrics: { type: string; value: number; slice?: string }[] };
  considerations: {
    users?: { description: string }[];
    use_cases?: { description: string }[];
    limitations?: { description: string }[];
    tradeoffs?: { description: string }[];
    ethical_considerations?: { name: string; mitigation_strategy?: string }[];
  };
}

const described = (items: readonly string[] | undefined) => items?.map((description) => ({ description }));
const signature = (tensors: readonly { name: string; dtype: string; shape: (number | string)[] }[]) =>
  tensors.map((t) => `${t.name}: ${t.dtype}[${t.shape.join(', ')}]`).join('; ');

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The same content as the Markdown card, as Model Card Toolkit JSON. Metrics are `<gate>.<metric>`. */
export function renderToolkitCard(data: CardData): ToolkitCard {
  const { model, createdAt, verdict } = data.evidence;
  const source = data.source;
  const license = source?.license;
  return {
    schema_version: '0.0.2',
    model_details: defined({
      name: model.name,
      overview: source?.overview,
      documentation: source?.description,
      owners: source?.owners?.map((owner) => defined({ name: owner.name, contact: owner.contact })),
      version: defined({
        name: model.version,
        date: createdAt.slice(0, 10),
        diff: `mlgate verdict ${verdict}; model sha256 ${model.sha256}`,
      }),
      licenses: license
        ? [/^[A-Za-z0-9.+-]+$/.test(license) ? { identifier: license } : { custom_text: license }]
        : undefined,
      references: source?.references?.map((reference) => ({ reference })),
      citations: source?.citation ? [{ citation: source.citation }] : undefined,
    }),
    model_parameters: defined({
      model_architecture: source?.['model-type'],
      data: data.evidence.datasets.map((dataset) => ({
        name: dataset.name,
        description: `${dataset.path} (sha256 ${dataset.sha256})`,
      })),
      input_format: signature(model.onnx.inputs),
      output_format: signature(model.onnx.outputs),
    }),
    quantitative_analysis: {
      performance_metrics: data.results.flatMap(({ result }) =>
        Object.entries(result.metrics)
          .filter(([, value]) => Number.isFinite(value))
          .map(([name, value]) => ({ type: `${result.gate}.${name}`, value })),
      ),
    },
    considerations: defined({
      users: described(source?.['intended-users']),
      use_cases: described(source?.['intended-use']),
      limitations: described([
        ...(source?.limitations ?? []),
        ...(source?.['out-of-scope-use'] ?? []).map((use) => `Out of scope: ${use}`),
      ]),
      tradeoffs: described(source?.tradeoffs),
      ethical_considerations: source?.['ethical-considerations']?.map((risk) =>
        defined({ name: risk.risk, mitigation_strategy: risk.mitigation }),
      ),
    }),
  };
}
