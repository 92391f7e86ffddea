/** The two models of a comparison. */
export type Arm = 'baseline' | 'candidate';

/**
 * One block: both models measured over the same stretch of time, so whatever slowed the machine then
 * hit both.
 */
export interface Block<M> {
  baseline: M;
  candidate: M;
}

/**
 * Which model goes first in turn `index` (a block, or a request within one): baseline first in even
 * turns, candidate first in odd ones (ABBAAB...), so neither model systematically enjoys the warmer
 * caches or the quieter moment.
 */
export function blockOrder(index: number): readonly [Arm, Arm] {
  return index % 2 === 0 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
}

export type StopReason = 'precision' | 'budget' | 'max-blocks';

export interface InterleaveOptions<M> {
  /** Measures both models for block `index`. */
  measureBlock(index: number): Promise<Block<M>>;
  minBlocks: number;
  maxBlocks: number;
  /** Milliseconds from the start after which no new block begins (checked after each block). */
  budgetMs: number;
  /** Whether the blocks so far pin every compared statistic down tightly enough to stop. */
  precise(blocks: readonly Block<M>[]): boolean;
  now?: () => number;
}

export interface InterleaveResult<M> {
  blocks: Block<M>[];
  stoppedBy: StopReason;
  elapsedMs: number;
}

/**
 * Measures baseline and candidate block after block until, after at least `minBlocks`, the estimate
 * is precise enough, or the budget or `maxBlocks` ends the run. The minimum is honoured even past the
 * budget: fewer blocks give no interval worth reporting.
 */
export async function runInterleaved<M>(options: InterleaveOptions<M>): Promise<InterleaveResult<M>> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const blocks: Block<M>[] = [];
  for (;;) {
    blocks.push(await options.measureBlock(blocks.length));
    if (blocks.length < options.minBlocks) continue;
    if (options.precise(blocks)) return { blocks, stoppedBy: 'precision', elapsedMs: now() - started };
    if (blocks.length >= options.maxBlocks)
      return { blocks, stoppedBy: 'max-blocks', elapsedMs: now() - started };
    if (now() - started >= options.budgetMs)
      return { blocks, stoppedBy: 'budget', elapsedMs: now() - started };
  }
}

/** Measures the two models one after the other in the order `blockOrder(index)` gives. */
export async function measureInTurn<M>(index: number, measure: (arm: Arm) => Promise<M>): Promise<Block<M>> {
  const measured: Partial<Block<M>> = {};
  for (const arm of blockOrder(index)) measured[arm] = await measure(arm);
  return measured as Block<M>;
}
