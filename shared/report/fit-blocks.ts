/**
 * Joins Markdown blocks in order while they fit in `limit` characters, keeping every block whole (so no
 * code fence or `<details>` is left open). The first block is always kept, cut if it alone is too long.
 * When blocks are left out, `overflow(leftOut)` is appended; its length is reserved up front.
 */
export function fitBlocks(
  blocks: readonly string[],
  limit: number,
  overflow: (leftOut: number) => string,
  separator = '\n\n',
): { text: string; leftOut: number } {
  const full = blocks.join(separator);
  if (full.length <= limit) return { text: full, leftOut: 0 };
  const notice = overflow(blocks.length);
  const room = limit - notice.length - separator.length;
  const kept: string[] = [];
  let length = 0;
  for (const [index, block] of blocks.entries()) {
    const added = (kept.length > 0 ? separator.length : 0) + block.length;
    if (length + added > room) {
      if (index === 0) {
        kept.push(block.slice(0, Math.max(0, room)));
        length = room;
      }
      continue;
    }
    kept.push(block);
    length += added;
  }
  const leftOut = blocks.length - kept.length;
  return { text: [...kept, overflow(leftOut)].join(separator), leftOut };
}
