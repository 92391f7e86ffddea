import type { Chart } from '../result/gate-result.ts';

const quote = (text: string) => `"${text.replace(/"/g, "'")}"`;
const number = (value: number) => Number(value.toPrecision(6));

/**
 * A Mermaid `xychart-beta` block, which GitHub renders in Markdown. xychart has no legend, so the series
 * are named in a line under the chart. Bar series after the first are drawn as lines: xychart puts every
 * bar series at the same x, so a second one would hide the first (mermaid-js/mermaid#7392).
 */
export function renderChart(chart: Chart): string {
  let bars = 0;
  const series = chart.series.map((entry) => {
    const wanted = entry.kind ?? chart.kind;
    const kind = wanted === 'bar' && bars++ > 0 ? 'line' : wanted;
    return { ...entry, kind };
  });
  const range =
    chart.yMin !== undefined && chart.yMax !== undefined
      ? ` ${number(chart.yMin)} --> ${number(chart.yMax)}`
      : '';
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title ${quote(chart.title)}`,
    `  x-axis [${chart.labels.map(quote).join(', ')}]`,
    `  y-axis ${quote(chart.yLabel)}${range}`,
    ...series.map((entry) => `  ${entry.kind} [${entry.values.map(number).join(', ')}]`),
    '```',
  ];
  if (series.length > 1) {
    const named = (kind: 'bar' | 'line') =>
      series.filter((entry) => entry.kind === kind).map((entry) => entry.name);
    const parts = [
      named('bar').length > 0 ? `bars: ${named('bar').join(', ')}` : '',
      named('line').length > 0 ? `lines, in order: ${named('line').join(', ')}` : '',
    ].filter(Boolean);
    lines.push('', `<sub>${parts.join('; ')}.</sub>`);
  }
  return lines.join('\n');
}
