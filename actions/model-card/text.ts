import type { Chart } from '../../shared/result/gate-result.ts';

/**
 * Gate-written text as inert Markdown: results may come from another job or a fork, so no HTML, no
 * mentions that would notify people, and one line.
 */
export function plain(text: string, maxLength = 500): string {
  const line = text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=\w)/g, '@\u200b');
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

const chartText = (text: string) => text.replace(/[\r\n`]/g, ' ').slice(0, 200);

/** A chart whose strings cannot close the Mermaid code fence or break a line of it. */
export function safeChart(chart: Chart): Chart {
  return {
    ...chart,
    title: chartText(chart.title),
    yLabel: chartText(chart.yLabel),
    labels: chart.labels.map(chartText),
    series: chart.series.map((series) => ({ ...series, name: chartText(series.name) })),
  };
}

/** The first 12 characters of a sha256 or a commit, enough to recognise it. */
export const shortHash = (hash: string) => hash.slice(0, 12);
