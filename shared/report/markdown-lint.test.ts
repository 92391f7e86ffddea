import { describe, expect, it } from 'vitest';
import { details, table } from './markdown.ts';
import { lineOf, literalMarkdown, overflowingTables, tableWidths } from './markdown-lint.ts';

describe('markdown checks by character budget', () => {
  it('measures a table by its widest unbreakable runs, not its total text', () => {
    const narrow = table(['figure', 'value'], [['a long label that wraps at its spaces', '0.5']]);
    const wide = table(['id'], [['sex+age_band.female+18-25.false_positive_rate.vs-baseline'.repeat(3)]]);
    expect(overflowingTables(narrow)).toEqual([]);
    expect(overflowingTables(wide)).toHaveLength(1);
    expect(tableWidths(`text\n\n${narrow}\n\n${wide}`).map((entry) => entry.line)).toEqual([3, 7]);
  });

  it('splits cells at <br> and ignores tables inside code fences', () => {
    const cells = table(['change'], [[`${'x'.repeat(60)}<br>${'y'.repeat(60)}`]]).replace(
      /&lt;br&gt;/g,
      '<br>',
    );
    expect(tableWidths(cells)[0]!.minPx).toBeLessThan(60 * 8 + 30);
    expect(tableWidths('```\n| a |\n| - |\n```')).toEqual([]);
  });

  it('finds a heading glued to </details>, an open fence and unbalanced blocks', () => {
    expect(literalMarkdown(`${details('x', 'y')}\n### next`)).toEqual([
      'line 6: Markdown right after an HTML line shows literally: ### next',
    ]);
    expect(literalMarkdown(`${details('x', 'y')}\n\n### next`)).toEqual([]);
    expect(literalMarkdown('```mermaid\nxychart-beta')).toEqual(['a code fence is never closed']);
    expect(literalMarkdown('<details><summary>a</summary>\n\nb')).toEqual(['1 <details> opened, 0 closed']);
  });

  it('counts lines to a phrase, skipping hidden comments', () => {
    expect(lineOf('<!-- marker -->\n<!-- state -->\n## ❌ Blocks the merge', ['Blocks the merge'])).toBe(1);
    expect(lineOf('nothing here', ['Blocks the merge'])).toBe(0);
  });
});
