// Runs inside the rendered page (headless Chromium), loaded by check-render.ts: plain browser JavaScript,
// kept apart so the Node-side code is type-checked without the DOM library.
window.mlgateCheck = {
  /** Where the first element naming a verdict starts, in page pixels. */
  verdictTop(phrases) {
    for (const element of document.querySelectorAll('h1, h2, h3, p, strong, li')) {
      if (phrases.some((phrase) => element.textContent?.includes(phrase))) {
        return element.getBoundingClientRect().top + window.scrollY;
      }
    }
    return null;
  },

  /** Opens every collapsed block (a hidden table overflows once opened) and marks Mermaid code for drawing. */
  openAll() {
    for (const block of document.querySelectorAll('details')) block.open = true;
    for (const code of document.querySelectorAll('pre > code.language-mermaid')) {
      const chart = document.createElement('pre');
      chart.className = 'mermaid';
      chart.textContent = code.textContent;
      code.parentElement.replaceWith(chart);
    }
  },

  /** Draws each chart on its own, so one that Mermaid rejects is named and the others still drawn. */
  async drawCharts() {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    const errors = [];
    for (const node of document.querySelectorAll('pre.mermaid')) {
      try {
        await window.mermaid.run({ nodes: [node] });
      } catch (error) {
        errors.push(String(error).slice(0, 200));
      }
    }
    return errors;
  },

  /** Tables wider than their column, text that is Markdown shown literally, charts left as text. */
  measure() {
    const overflowing = [...document.querySelectorAll('table')]
      .filter((table) => table.scrollWidth > table.clientWidth + 1)
      .map(
        (table) =>
          `${table.scrollWidth}px > ${table.clientWidth}px: ${table.querySelector('tr')?.textContent?.trim().replace(/\s+/g, ' ').slice(0, 80)}`,
      );
    const literal = [];
    const walker = document.createTreeWalker(document.querySelector('.markdown-body'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement?.closest('code, pre, svg')) continue;
      const text = node.textContent ?? '';
      if (/(^|\n)\s*#{1,6}\s|\*\*\S|```|\|\s*-+\s*\||<\/?(details|summary)|&(lt|gt|amp);/.test(text)) {
        literal.push(text.trim().slice(0, 100));
      }
    }
    const unrendered = [...document.querySelectorAll('pre.mermaid')].filter(
      (chart) => !chart.querySelector('svg'),
    );
    return { overflowing, literal, unrendered: unrendered.length };
  },
};
