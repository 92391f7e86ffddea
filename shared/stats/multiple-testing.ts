/**
 * Corrections for many simultaneous tests. Both take raw p-values in any order and return adjusted
 * p-values in the same order; reject a hypothesis when its adjusted p-value is below the level.
 */

function order(pValues: readonly number[]): number[] {
  return pValues.map((_, index) => index).sort((a, b) => pValues[a]! - pValues[b]! || a - b);
}

/** Holm's step-down adjustment: controls the family-wise error rate under any dependence. */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 0;
  order(pValues).forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Benjamini–Hochberg step-up adjustment: controls the false discovery rate (independent or PRDS tests). */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  const sorted = order(pValues);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank -= 1) {
    const index = sorted[rank]!;
    running = Math.min(running, (m / (rank + 1)) * pValues[index]!);
    adjusted[index] = Math.min(1, running);
  }
  return adjusted;
}

export type Correction = 'holm' | 'benjamini-hochberg' | 'none';

/** Applies the named correction. */
export function adjustPValues(pValues: readonly number[], correction: Correction): number[] {
  if (correction === 'holm') return holm(pValues);
  if (correction === 'benjamini-hochberg') return benjaminiHochberg(pValues);
  return [...pValues];
}
