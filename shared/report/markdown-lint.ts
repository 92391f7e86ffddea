/**
 * Fast checks of rendered Markdown by character budget, without a browser: what `npm run check:render`
 * measures in Chromium, estimated, so unit tests catch a report that will not fit or render.
 */

/** GitHub's comment column, in CSS pixels. */
export const COLUMN_PX = 850;
/** Average advance of GitHub's 14 px system font and of its 85% monospace, and a cell's padding and border. */
const TEXT_PX = 7.4;
const CODE_PX = 7.2;
const EMOJI_PX = 20;
const CELL_PX = 27;

/** The width of the widest unbreakable run of a cell: tables cannot be narrower than that. */
function minContentPx(cell: string): number {
  const lines = cell.split(/<br\s*\/?>/i);
  let widest = 0;
  for (const line of lines) {
    const plain = line.replace(/<\/?(sub|sup|b|i|code)>/g, '').replace(/&[a-z]+;/g, '_');
    for (const token of plain.split(/\s+/)) {
      const code = /^`.*`$/.test(token);
      const emoji = (token.match(/\p{Extended_Pictographic}/gu) ?? []).length;
      const width = (token.length - emoji) * (code ? CODE_PX : TEXT_PX) + emoji * EMOJI_PX;
      widest = Math.max(widest, width);
    }
  }
  return widest;
}

const splitRow = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

export interface TableWidth {
  /** First line of the table in the document (1-based). */
  line: number;
  header: string;
  minPx: number;
}

/** Every GFM table in `markdown` with its narrowest possible width (the sum of its columns' minimum). */
export function tableWidths(markdown: string): TableWidth[] {
  const lines = markdown.split('\n');
  const found: TableWidth[] = [];
  let fenced = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced || !line.trimStart().startsWith('|')) continue;
    const delimiter = lines[index + 1];
    if (!delimiter || !/^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(delimiter)) continue;
    const rows = [splitRow(line)];
    let end = index + 2;
    while (end < lines.length && lines[end]!.trimStart().startsWith('|')) rows.push(splitRow(lines[end++]!));
    const columns = rows[0]!.length;
    let minPx = 0;
    for (let column = 0; column < columns; column += 1) {
      minPx += CELL_PX + Math.max(...rows.map((row) => minContentPx(row[column] ?? '')));
    }
    found.push({ line: index + 1, header: line.trim().slice(0, 80), minPx: Math.round(minPx) });
    index = end - 1;
  }
  return found;
}

/** Tables that cannot fit the column however their cells wrap. */
export function overflowingTables(markdown: string, widthPx = COLUMN_PX): TableWidth[] {
  return tableWidths(markdown).filter((entry) => entry.minPx > widthPx);
}

/**
 * Places where Markdown would show as literal text on GitHub: a block right after an HTML block line
 * (`</details>`, `<summary>`) without a blank line, an unclosed code fence, unbalanced `<details>`.
 */
export function literalMarkdown(markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split('\n');
  let fenced = false;
  for (const [index, line] of lines.entries()) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const next = lines[index + 1];
    if (
      /^\s*<\/?(details|summary)\b.*>\s*$/.test(line) &&
      next !== undefined &&
      /^\s*(#{1,6} |\||[-*] |```|>)/.test(next)
    ) {
      problems.push(
        `line ${index + 2}: Markdown right after an HTML line shows literally: ${next.slice(0, 60)}`,
      );
    }
  }
  if (fenced) problems.push('a code fence is never closed');
  const opened = (markdown.match(/<details[\s>]/g) ?? []).length;
  const closed = (markdown.match(/<\/details>/g) ?? []).length;
  if (opened !== closed) problems.push(`${opened} <details> opened, ${closed} closed`);
  return problems;
}

/** The 1-based line of the first line containing one of `words`, ignoring HTML comments; 0 when absent. */
export function lineOf(markdown: string, words: readonly string[]): number {
  const lines = markdown.split('\n');
  let seen = 0;
  for (const line of lines) {
    if (/^\s*<!--.*-->\s*$/.test(line)) continue;
    seen += 1;
    if (words.some((word) => line.includes(word))) return seen;
  }
  return 0;
}
