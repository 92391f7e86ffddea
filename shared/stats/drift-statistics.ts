/**
 * Distribution-comparison statistics for drift, with one exact definition each (documented in
 * docs/validate-data.md). Logarithms are natural; "distance" and "divergence" are never mixed up:
 * a divergence is not a metric, its square root (for Jensen–Shannon) is.
 */

/** A discrete distribution as category -> weight (counts or proportions; normalised where needed). */
export type Weights = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

function entriesOf(weights: Weights): [string, number][] {
  return weights instanceof Map ? [...weights.entries()] : Object.entries(weights);
}

/** The two distributions over the union of their categories, each normalised to sum to 1. */
export function alignProportions(p: Weights, q: Weights): { categories: string[]; p: number[]; q: number[] } {
  const left = new Map(entriesOf(p));
  const right = new Map(entriesOf(q));
  const categories = [...new Set([...left.keys(), ...right.keys()])].sort();
  const normalise = (values: number[]) => {
    const total = values.reduce((sum, value) => sum + value, 0);
    return values.map((value) => (total === 0 ? 0 : value / total));
  };
  return {
    categories,
    p: normalise(categories.map((category) => left.get(category) ?? 0)),
    q: normalise(categories.map((category) => right.get(category) ?? 0)),
  };
}

/** L∞ distance: the largest absolute difference of proportions over all categories. */
export function lInfinityDistance(p: Weights, q: Weights): number {
  const aligned = alignProportions(p, q);
  return Math.max(0, ...aligned.p.map((value, index) => Math.abs(value - aligned.q[index]!)));
}

/** Kullback–Leibler divergence KL(p ‖ q) = Σ p ln(p/q), in nats; Infinity where q is 0 and p is not. */
export function klDivergence(p: readonly number[], q: readonly number[]): number {
  let total = 0;
  for (const [index, pi] of p.entries()) {
    const qi = q[index]!;
    if (pi === 0) continue;
    if (qi === 0) return Number.POSITIVE_INFINITY;
    total += pi * Math.log(pi / qi);
  }
  return total;
}

/**
 * Jensen–Shannon distance: √JSD with JSD(p, q) = ½KL(p ‖ m) + ½KL(q ‖ m), m = ½(p + q), natural log.
 * Ranges over [0, √ln 2]; disjoint distributions give √ln 2 ≈ 0.83255.
 */
export function jensenShannonDistance(p: Weights, q: Weights): number {
  const aligned = alignProportions(p, q);
  const m = aligned.p.map((value, index) => (value + aligned.q[index]!) / 2);
  const divergence = 0.5 * klDivergence(aligned.p, m) + 0.5 * klDivergence(aligned.q, m);
  return Math.sqrt(Math.max(0, divergence));
}

/** `jensenShannonDistance` of two count vectors over the same bins (no category names to align). */
export function jensenShannonOfCounts(a: readonly number[], b: readonly number[]): number {
  let totalA = 0;
  let totalB = 0;
  for (let i = 0; i < a.length; i++) {
    totalA += a[i]!;
    totalB += b[i]!;
  }
  if (totalA === 0 || totalB === 0) return totalA === totalB ? 0 : Math.sqrt(Math.LN2);
  let divergence = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]! / totalA;
    const q = b[i]! / totalB;
    const m = (p + q) / 2;
    if (p > 0) divergence += 0.5 * p * Math.log(p / m);
    if (q > 0) divergence += 0.5 * q * Math.log(q / m);
  }
  return Math.sqrt(Math.max(0, divergence));
}

/** Smallest proportion PSI uses for a bin, so that an empty bin gives a large but finite term. */
export const PSI_FLOOR = 1e-4;

/**
 * Population Stability Index: Σ (c − r) ln(c / r) over bins, with the reference proportions r and current
 * proportions c each floored at `PSI_FLOOR` (the floored values are not renormalised).
 */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number {
  const normalise = (values: readonly number[]) => {
    const total = values.reduce((sum, value) => sum + value, 0);
    return values.map((value) => Math.max(PSI_FLOOR, total === 0 ? 0 : value / total));
  };
  const r = normalise(reference);
  const c = normalise(current);
  return r.reduce((sum, ri, index) => sum + (c[index]! - ri) * Math.log(c[index]! / ri), 0);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits). */
export function logGamma(x: number): number {
  const g = 7;
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0]!;
  for (let index = 1; index < g + 2; index++) sum += coefficients[index]! / (shifted + index);
  const t = shifted + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a): series below a + 1, continued fraction above. */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Modified Lentz evaluation of the continued fraction, accurate even where Q is tiny (1e-53 and below).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < 10_000; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * h;
}

/** P(X ≥ x) for X ~ χ²(df). */
export function chiSquareSurvival(x: number, df: number): number {
  return regularizedGammaQ(df / 2, x / 2);
}

export interface TestResult {
  statistic: number;
  pValue: number;
  df?: number;
  method?: string;
}

/**
 * Pearson's χ² goodness-of-fit test of observed counts against expected proportions (uniform when
 * omitted): χ² = Σ (O − E)² / E, E = N·pᵢ, df = k − 1.
 */
export function chiSquareGoodnessOfFit(
  observed: readonly number[],
  expected?: readonly number[],
): TestResult {
  const total = observed.reduce((sum, value) => sum + value, 0);
  const proportions = expected ?? observed.map(() => 1 / observed.length);
  const statistic = observed.reduce((sum, value, index) => {
    const e = total * proportions[index]!;
    return sum + (value - e) ** 2 / e;
  }, 0);
  const df = observed.length - 1;
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/** Smallest expected count per cell that Pearson's χ² approximation is trusted with (Cochran 1954). */
export const CHI_SQUARE_MIN_EXPECTED = 5;

/**
 * Pearson's χ² test of homogeneity of two samples over the same categories (a 2×k contingency table):
 * E = row total × column total / N, df = k − 1. Categories empty in both samples are dropped, and the
 * categories whose expected count is below 5 in either row are pooled, rarest first, until every cell
 * expects 5 (Cochran's rule): without that, a thousand categories seen once or twice give p ≈ 0 on
 * identical distributions. Fewer than two cells left: p = 1 (nothing to test).
 */
export function chiSquareHomogeneity(a: readonly number[], b: readonly number[]): TestResult {
  const kept = a.map((value, index) => [value, b[index]!] as const).filter(([x, y]) => x + y > 0);
  const totalA = kept.reduce((sum, [x]) => sum + x, 0);
  const totalB = kept.reduce((sum, [, y]) => sum + y, 0);
  const total = totalA + totalB;
  // A column's smallest expected count is min(totalA, totalB) × column / N.
  const needed =
    total > 0 && Math.min(totalA, totalB) > 0
      ? (CHI_SQUARE_MIN_EXPECTED * total) / Math.min(totalA, totalB)
      : 0;
  const cells: (readonly [number, number])[] = [];
  const small = kept
    .filter(([x, y]) => x + y < needed)
    .sort((left, right) => left[0] + left[1] - (right[0] + right[1]));
  for (const column of kept) if (column[0] + column[1] >= needed) cells.push(column);
  let pooled: [number, number] = [0, 0];
  for (const [x, y] of small) {
    pooled = [pooled[0] + x, pooled[1] + y];
    if (pooled[0] + pooled[1] >= needed) {
      cells.push(pooled);
      pooled = [0, 0];
    }
  }
  if (pooled[0] + pooled[1] > 0) {
    // The rarest leftovers join the smallest cell there is, so no cell expects fewer than 5.
    if (cells.length === 0) cells.push(pooled);
    else {
      const smallest = cells.reduce(
        (best, cell, index) => (cell[0] + cell[1] < cells[best]![0] + cells[best]![1] ? index : best),
        0,
      );
      cells[smallest] = [cells[smallest]![0] + pooled[0], cells[smallest]![1] + pooled[1]];
    }
  }
  let statistic = 0;
  for (const [x, y] of cells) {
    const column = x + y;
    const expectedA = (totalA * column) / total;
    const expectedB = (totalB * column) / total;
    if (expectedA > 0) statistic += (x - expectedA) ** 2 / expectedA;
    if (expectedB > 0) statistic += (y - expectedB) ** 2 / expectedB;
  }
  const df = Math.max(1, cells.length - 1);
  return { statistic, df, pValue: cells.length < 2 ? 1 : chiSquareSurvival(statistic, df) };
}

/** Largest sample size for which the two-sample KS p-value is computed exactly (scipy's default). */
export const KS_EXACT_LIMIT = 10_000;

/**
 * Exact P(D ≥ d) for the two-sample KS statistic under H0 (no ties). A uniformly random lattice path
 * from (0, 0) to (n, m) is walked as a sequence of draws without replacement; the probability of the
 * paths that touch |i/n − j/m| ≥ d is summed where they first touch it. Summing the outside directly
 * (rather than 1 − inside) keeps p-values down to 1e-300 instead of bottoming out near 1e-13.
 */
export function ksExactPValue(d: number, n: number, m: number): number {
  // Work in integers: |i·m − j·n| ≥ d·n·m, where d·n·m is a whole number up to rounding.
  const limit = Math.round(d * n * m);
  if (limit <= 0) return 1;
  // Only a band of each row is inside, so the walk costs O(n · band) rather than O(n · m).
  const insideLow = (i: number) => Math.max(0, Math.floor((i * m - limit) / n) + 1);
  const insideHigh = (i: number) => Math.min(m, Math.ceil((i * m + limit) / n) - 1);
  let row = new Float64Array(m + 2);
  let next = new Float64Array(m + 2);
  row[0] = 1;
  let absorbed = 0;
  for (let i = 0; i <= n; i++) {
    const from = Math.max(0, (i > 0 ? insideLow(i - 1) : 0) - 1);
    const to = Math.min(m, insideHigh(i) + 1);
    for (let j = from; j <= to; j++) {
      const mass = row[j]!;
      if (mass === 0) continue;
      if (Math.abs(i * m - j * n) >= limit) {
        absorbed += mass;
        continue;
      }
      const left = n - i + (m - j);
      if (left === 0) continue;
      // Next step: one more from the first sample (next row), or from the second (same row).
      if (i < n) next[j] = next[j]! + (mass * (n - i)) / left;
      if (j < m) row[j + 1] = row[j + 1]! + (mass * (m - j)) / left;
    }
    row.fill(0, from, to + 2);
    [row, next] = [next, row];
  }
  return Math.min(1, Math.max(0, absorbed));
}

/**
 * Asymptotic P(D ≥ d): the Kolmogorov distribution Q(λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²) at
 * λ = (√e + 0.12 + 0.11/√e)·d with e = n·m/(n + m) (Stephens' small-sample correction).
 */
export function ksAsymptoticPValue(d: number, n: number, m: number): number {
  const effective = Math.sqrt((n * m) / (n + m));
  const lambda = (effective + 0.12 + 0.11 / effective) * d;
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** D = max |F₁(t) − F₂(t)| over the pooled sample points, F the empirical CDFs. */
export function ksStatistic(x: readonly number[], y: readonly number[]): number {
  const a = [...x].sort((left, right) => left - right);
  const b = [...y].sort((left, right) => left - right);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const t = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i] === t) i++;
    while (j < b.length && b[j] === t) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/** The KS p-value as scipy's `method="auto"` chooses it: exact when max(n, m) ≤ `KS_EXACT_LIMIT`. */
export function ksPValue(
  d: number,
  n: number,
  m: number,
): { pValue: number; method: 'exact' | 'asymptotic' } {
  const exact = Math.max(n, m) <= KS_EXACT_LIMIT;
  return exact
    ? { pValue: ksExactPValue(d, n, m), method: 'exact' }
    : { pValue: ksAsymptoticPValue(d, n, m), method: 'asymptotic' };
}

/** Two-sample Kolmogorov–Smirnov test, exact or asymptotic as scipy's default chooses. */
export function ksTwoSample(x: readonly number[], y: readonly number[]): TestResult {
  const statistic = ksStatistic(x, y);
  return { statistic, ...ksPValue(statistic, x.length, y.length) };
}

/** Wasserstein-1 distance ∫ |F₁ − F₂| dt between two samples' empirical distributions. */
export function wassersteinDistance(x: readonly number[], y: readonly number[]): number {
  const a = [...x].sort((left, right) => left - right);
  const b = [...y].sort((left, right) => left - right);
  const points = [...new Set([...a, ...b])].sort((left, right) => left - right);
  let i = 0;
  let j = 0;
  let total = 0;
  for (let k = 0; k < points.length - 1; k++) {
    const t = points[k]!;
    while (i < a.length && a[i]! <= t) i++;
    while (j < b.length && b[j]! <= t) j++;
    total += Math.abs(i / a.length - j / b.length) * (points[k + 1]! - t);
  }
  return total;
}

/**
 * Wasserstein-1 distance between two histograms over the same bins, each bin's mass spread uniformly over
 * it: `bounds` are the k + 1 finite bin limits, `a` and `b` the k bin counts. Both CDFs are then piecewise
 * linear on `bounds`, and the integral of |F₁ − F₂| is computed exactly segment by segment.
 */
export function binnedWassersteinDistance(
  bounds: readonly number[],
  a: readonly number[],
  b: readonly number[],
): number {
  const totalA = a.reduce((sum, value) => sum + value, 0);
  const totalB = b.reduce((sum, value) => sum + value, 0);
  if (totalA === 0 || totalB === 0) return 0;
  let cdfA = 0;
  let cdfB = 0;
  let total = 0;
  for (let k = 0; k < a.length; k++) {
    const width = bounds[k + 1]! - bounds[k]!;
    const start = cdfA - cdfB;
    cdfA += a[k]! / totalA;
    cdfB += b[k]! / totalB;
    const end = cdfA - cdfB;
    if (width <= 0) continue;
    // |linear function| integrated over the segment, splitting where it changes sign.
    total +=
      start * end >= 0
        ? (width * (Math.abs(start) + Math.abs(end))) / 2
        : (width * (start * start + end * end)) / (2 * (Math.abs(start) + Math.abs(end)));
  }
  return total;
}

/**
 * Benjamini–Hochberg adjusted p-values (step-up, monotone, capped at 1), in the input's order. A
 * hypothesis is rejected at false-discovery rate α when its adjusted p-value is ≤ α.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const order = pValues.map((p, index) => ({ p, index })).sort((left, right) => left.p - right.p);
  const adjusted = new Array<number>(pValues.length);
  let running = 1;
  for (let rank = order.length; rank >= 1; rank--) {
    const { p, index } = order[rank - 1]!;
    running = Math.min(running, (p * order.length) / rank);
    adjusted[index] = Math.min(1, running);
  }
  return adjusted;
}
