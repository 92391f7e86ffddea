/**
 * `npm run check:render`: renders the pull-request comment, the job summary and the model card of the
 * fixtures and of a failing variant as GitHub would (GFM, github-markdown-css at the comment column's
 * width, Mermaid) in headless Chromium, screenshots them into out/render/, and fails on a table wider than
 * the column, a chart Mermaid could not draw, Markdown shown as literal text, or a verdict below the first
 * screen. Needs Debian's `chromium` (CHROMIUM_PATH overrides); `--reuse` keeps gate results already there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { marked } from 'marked';
import puppeteer, { type Page } from 'puppeteer-core';
import { COLUMN_PX } from '../../shared/report/markdown-lint.ts';
import { VERDICT_WORDS } from './render-headline.ts';

const OUT = resolve('out/render');
/** What a reviewer sees without scrolling, below GitHub's own headers. */
const FIRST_SCREEN_PX = 1000;
const PADDING_PX = 16;
const VARIANTS = [
  { name: 'fixtures', config: 'fixtures/mlgate.yml' },
  { name: 'failing', config: 'fixtures/mlgate.failing.yml' },
] as const;
const DOCUMENTS = [
  { name: 'comment', file: 'model-card.comment.md' },
  { name: 'summary', file: 'summary.md' },
  { name: 'card', file: 'model-card.md' },
] as const;

const require = createRequire(import.meta.url);
const VERDICT_PHRASES = Object.values(VERDICT_WORDS).map(
  (words) => words.replace(/^\S+ /, '').split(':')[0]!,
);

function runGates(config: string, out: string): void {
  const run = spawnSync(process.execPath, ['actions/mlgate.mjs', 'run', '--config', config, '--out', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  // 0 and 1 are verdicts (the failing variant fails on purpose); anything else means no report to check.
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`mlgate run --config ${config} exited ${run.status}: ${run.stderr.slice(-2000)}`);
  }
}

async function page(markdown: string, css: string): Promise<string> {
  const html = await marked.parse(markdown, { gfm: true });
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: content-box; width: ${COLUMN_PX}px; padding: ${PADDING_PX}px; }
</style></head><body><article class="markdown-body">${html}</article></body></html>`;
}

interface Findings {
  overflowing: string[];
  charts: { drawn: number; failed: string[] };
  literal: string[];
  verdictTop: number | undefined;
}

interface Measured {
  overflowing: string[];
  literal: string[];
  unrendered: number;
}

async function inspect(tab: Page, shots: string): Promise<Findings> {
  await tab.addScriptTag({ path: resolve(import.meta.dirname, 'check-render-page.js') });
  await tab.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
  const top = (await tab.evaluate(`window.mlgateCheck.verdictTop(${JSON.stringify(VERDICT_PHRASES)})`)) as
    | number
    | null;
  const width = COLUMN_PX + 2 * PADDING_PX;
  await tab.screenshot({
    path: `${shots}.first-screen.png`,
    clip: { x: 0, y: 0, width, height: FIRST_SCREEN_PX },
  });
  await tab.screenshot({ path: `${shots}.png`, fullPage: true });
  await tab.evaluate('window.mlgateCheck.openAll()');
  const failed = (await tab.evaluate('window.mlgateCheck.drawCharts()')) as string[];
  const charts = await tab.$$('pre.mermaid svg');
  for (const [index, chart] of charts.entries())
    await chart.screenshot({ path: `${shots}.chart-${index + 1}.png` });
  const measured = (await tab.evaluate('window.mlgateCheck.measure()')) as Measured;
  return {
    overflowing: measured.overflowing,
    charts: {
      drawn: charts.length,
      failed: [...failed, ...(measured.unrendered > 0 ? [`${measured.unrendered} left as text`] : [])],
    },
    literal: measured.literal,
    verdictTop: top ?? undefined,
  };
}

async function main(): Promise<void> {
  const reuse = process.argv.includes('--reuse');
  if (!reuse) await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const css = await readFile(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
  const executablePath =
    process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  if (!executablePath) throw new Error('no Chromium: apt-get install -y chromium, or set CHROMIUM_PATH');
  const browser = await puppeteer.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
  });
  const problems: string[] = [];
  try {
    for (const variant of VARIANTS) {
      const results = join(OUT, variant.name);
      if (!(reuse && existsSync(join(results, 'model-card.md')))) runGates(variant.config, results);
      for (const document of DOCUMENTS) {
        const markdown = await readFile(join(results, document.file), 'utf8');
        const tab = await browser.newPage();
        await tab.setViewport({ width: COLUMN_PX + 2 * PADDING_PX, height: FIRST_SCREEN_PX });
        const file = join(OUT, `${variant.name}-${document.name}.html`);
        await writeFile(file, await page(markdown, css));
        await tab.goto(`file://${file}`, { waitUntil: 'load' });
        const found = await inspect(tab, join(OUT, `${variant.name}-${document.name}`));
        await tab.close();
        const where = `${variant.name} ${document.name}`;
        for (const table of found.overflowing)
          problems.push(`${where}: table wider than the column (${table})`);
        for (const chart of found.charts.failed) problems.push(`${where}: chart not drawn (${chart})`);
        for (const text of found.literal) problems.push(`${where}: literal Markdown: ${text}`);
        if (found.verdictTop === undefined) problems.push(`${where}: no verdict`);
        else if (found.verdictTop > FIRST_SCREEN_PX)
          problems.push(
            `${where}: the verdict is ${Math.round(found.verdictTop)} px down, below the first screen`,
          );
        console.log(
          `${where.padEnd(18)} verdict at ${found.verdictTop === undefined ? '–' : `${Math.round(found.verdictTop)} px`}, ${found.charts.drawn} charts drawn, ${found.overflowing.length} tables overflow, ${found.literal.length} literal`,
        );
      }
    }
  } finally {
    await browser.close();
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(`✗ ${problem}`);
    process.exitCode = 1;
  } else {
    console.log(`✓ every report renders and fits; screenshots in ${OUT}`);
  }
}

await main();
