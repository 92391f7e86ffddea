/**
 * Text that mlgate did not write (data values, column names, config strings, results from another job or a
 * fork) cannot be allowed to act in GitHub Markdown: notify people, link out, or inject HTML. These helpers
 * keep the characters a reader sees and take away what they would do.
 */

/**
 * Stops @mentions (users and teams), GitHub's URL and `www.` autolinks, and inline links and images:
 * a zero-width space after "@" (not inside an e-mail address) and inside "://" or "www.", and an escaped
 * "]" before "(" or "[". Safe inside code spans too, where it changes nothing a reader sees.
 */
export function withoutLinksOrMentions(text: string): string {
  return text
    .replace(/(^|[^\w.+-])@(?=[\w-])/g, '$1@\u200b')
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}\u200b.`)
    .replace(/\](?=[([])/g, '\\]');
}

/**
 * Foreign text as inert Markdown on one line: no HTML, no mention, no link, no code span or bold it could
 * open, no table cell it could split. Use it wherever such text enters a summary, comment or card
 * outside a table (`table` cells are escaped by `escapeCell`).
 */
export function inertText(text: string): string {
  return withoutLinksOrMentions(
    text
      .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
      .replace(/\\/g, '\\\\')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[|`*]/g, '\\$&'),
  );
}
