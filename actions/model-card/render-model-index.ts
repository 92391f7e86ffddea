import { stringify } from 'yaml';
import type { CardData } from './card-data.ts';
import { renderModelCard } from './render-card.ts';

/**
 * Hugging Face model card: YAML front matter with `model-index` (the metrics every gate reported, on the
 * configured datasets) followed by the Markdown card. The task is the card source's `task`, else `other`.
 */
export function renderHuggingFaceCard(data: CardData): string {
  const { model, datasets } = data.evidence;
  const metrics = data.results.flatMap(({ result }) =>
    Object.entries(result.metrics)
      .filter(([, value]) => Number.isFinite(value))
      .map(([name, value]) => ({ type: name, value, name: `${result.gate}: ${name}` })),
  );
  const dataset = datasets[0];
  const frontMatter = {
    ...(data.source?.license ? { license: data.source.license.toLowerCase() } : {}),
    library_name: 'onnx',
    tags: ['onnx', 'mlgate'],
    'model-index': [
      {
        name: model.name,
        results: [
          {
            task: { type: data.source?.task ?? 'other' },
            dataset: dataset
              ? { name: dataset.name, type: dataset.name }
              : { name: 'unspecified', type: 'unspecified' },
            metrics,
            ...(data.runUrl ? { source: { name: 'mlgate', url: data.runUrl } } : {}),
          },
        ],
      },
    ],
  };
  return `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n\n${renderModelCard(data)}`;
}
