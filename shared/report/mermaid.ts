import type { Chart } from '../result/gate-result.ts';

const quote = (text: string) => `"${text.replace(/"/g, "'")}"`;

/**
 * A Mermaid `xychart-beta` block, which GitHub renders in Markdown. xychart has no legend, so the series
 * are named in a line under the chart, in drawing order.
 */
export function renderChart(chart: Chart): string {
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title ${quote(chart.title)}`,
    `  x-axis [${chart.labels.map(quote).join(', ')}]`,
    `  y-axis ${quote(chart.yLabel)}`,
    ...chart.series.map(
      (series) =>
        `  ${chart.kind} [${series.values.map((value) => Number(value.toPrecision(6))).join(', ')}]`,
    ),
    '```',
  ];
  if (chart.series.length > 1) {
    lines.push(`Series, in order: ${chart.series.map((series) => series.name).join(', ')}.`);
  }
  return lines.join('\n');
}
