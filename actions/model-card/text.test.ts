import { describe, expect, it } from 'vitest';
import { renderChart } from '../../shared/report/mermaid.ts';
import { plain, safeChart } from './text.ts';

describe('text from results, which may be untrusted', () => {
  it('cannot inject HTML, mention people or span lines', () => {
    expect(plain('<img src=x onerror=alert(1)> cc @octocat\nnext & more')).toBe(
      '&lt;img src=x onerror=alert(1)&gt; cc @\u200boctocat next &amp; more',
    );
    expect(plain('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('cannot close the Mermaid fence from a chart label', () => {
    const chart = safeChart({
      title: 'ok\n```\n<script>',
      kind: 'bar',
      labels: ['a```b'],
      yLabel: 'y',
      series: [{ name: 's', values: [1] }],
    });
    expect(renderChart(chart).match(/```/g)).toHaveLength(2);
  });
});
