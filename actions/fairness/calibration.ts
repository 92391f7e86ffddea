/**
 * Calibration of the fairness gate's decisions (issue #13): simulated groups whose true rates are known go
 * through the gate's own `analyse` and `judge`, exactly as `mlgate fairness` calls them.
 */

import type { Random } from '../../shared/stats/random.ts';
import {
  bernoulli,
  EFFECT_FACTORS,
  effectLabel,
  type Scenario,
  type Verdict,
} from '../../shared/testing/calibration.ts';
import { analyse } from './analysis.ts';
import { type Comparison, parseDisparity } from './disparities.ts';
import { pairedComparison } from './paired.ts';
import { judge } from './verdicts.ts';

/** The gate's defaults (actions/fairness/settings.ts). */
const OPTIONS = {
  strict: false,
  correction: 'holm',
  confidence: 0.95,
  minSupport: 30,
  minDenominator: 10,
} as const;
const RESAMPLES = 1000;

/** A group's true rates: predictions are Bernoulli(tpr) on positives and Bernoulli(fpr) on negatives. */
interface GroupTruth {
  rows: number;
  tpr: number;
  fpr: number;
}

function simulate(random: Random, groups: readonly GroupTruth[], baseRate = 0.5) {
  const rows = groups.reduce((sum, group) => sum + group.rows, 0);
  const labels = new Uint8Array(rows);
  const predictions = new Uint8Array(rows);
  const codes = new Int32Array(rows);
  let row = 0;
  groups.forEach((group, code) => {
    for (let i = 0; i < group.rows; i += 1, row += 1) {
      const label = bernoulli(random, baseRate) ? 1 : 0;
      labels[row] = label;
      predictions[row] = bernoulli(random, label ? group.tpr : group.fpr) ? 1 : 0;
      codes[row] = code;
    }
  });
  const variable = { name: 'g', labels: groups.map((_, index) => `g${index + 1}`), codes };
  return { labels, predictions, variables: [variable] };
}

/** One gate run on simulated groups: the verdict of the policy line `name <= threshold` (or `>=` for ratios). */
function disparityVerdict(
  random: Random,
  groups: readonly GroupTruth[],
  name: string,
  threshold: number,
  comparison: Comparison,
): Verdict {
  const spec = parseDisparity(name)!;
  const data = simulate(random, groups);
  const analysis = analyse(
    { ...data, segments: [{ id: 'g', features: ['g'], control: [] }] },
    {
      ...OPTIONS,
      resamples: RESAMPLES,
      seed: Math.floor(random.next() * 2 ** 31),
      disparities: [{ spec, comparison: () => comparison }],
    },
  );
  const segment = analysis.segments[0]!;
  const [judged] = judge(
    [{ segment, report: segment.disparities[0]!, rule: { name, threshold } }],
    [],
    OPTIONS,
  ).disparities;
  return asVerdict(judged!.verdict);
}

function asVerdict(verdict: 'pass' | 'fail' | 'inconclusive' | 'not-judged'): Verdict {
  return verdict === 'not-judged' ? 'inconclusive' : verdict;
}

/** Selection rates: every group at 0.5 except the last, which is `effect` higher (between groups / reference). */
function selectionGroups(count: number, rows: number, effect: number): GroupTruth[] {
  return Array.from({ length: count }, (_, index) => {
    const rate = index === count - 1 ? 0.4 + effect : 0.4;
    return { rows, tpr: rate, fpr: rate };
  });
}

/** The last group's selection rate sits `effect` above the overall rate of all rows (to_overall). */
function overallGroups(count: number, rows: number, effect: number): GroupTruth[] {
  // overall = 0.4 + (x − 0.4)/count with x the last group's rate, so x − overall = (x − 0.4)(1 − 1/count).
  return selectionGroups(count, rows, effect / (1 - 1 / count));
}

/** TPR and FPR both at 0.7 / 0.2, except the last group's FPR, `effect` higher. */
function oddsGroups(count: number, rows: number, effect: number): GroupTruth[] {
  return Array.from({ length: count }, (_, index) => ({
    rows,
    tpr: 0.7,
    fpr: index === count - 1 ? 0.2 + effect : 0.2,
  }));
}

/** Selection rate 0.5 everywhere except the last group, whose ratio to the others is 1 − `gap`. */
function ratioGroups(count: number, rows: number, gap: number): GroupTruth[] {
  return Array.from({ length: count }, (_, index) => {
    const rate = index === count - 1 ? 0.5 * (1 - gap) : 0.5;
    return { rows, tpr: rate, fpr: rate };
  });
}

interface Family {
  decision: string;
  threshold: number;
  comparison: Comparison;
  build(count: number, rows: number, effect: number): GroupTruth[];
  /** [groups, rows per group, factors, powered at 2×]. */
  sizes: readonly [number, number, readonly number[], boolean][];
  /** The effect (a difference, or 1 − ratio) at 1× the threshold. */
  unit: number;
}

const ALL = [0, 1, 1.5, 2];
const NULL_ONLY = [0];

const FAMILIES: Family[] = [
  {
    decision: 'fairness.demographic_parity_difference (between_groups)',
    threshold: 0.1,
    comparison: { method: 'between_groups' },
    build: selectionGroups,
    unit: 0.1,
    sizes: [
      [2, 1000, ALL, true],
      [2, 30, [0, 1], false],
      [10, 30, NULL_ONLY, false],
      [12, 50, NULL_ONLY, false],
      [12, 100, [0, 1], false],
      [12, 2000, [0, 1, 2], true],
      [20, 30, NULL_ONLY, false],
      [20, 10000, [0, 1, 2], true],
    ],
  },
  {
    decision: 'fairness.demographic_parity_difference (to_overall)',
    threshold: 0.1,
    comparison: { method: 'to_overall' },
    build: overallGroups,
    unit: 0.1,
    sizes: [
      [12, 100, [0, 1], false],
      [5, 2000, ALL, true],
    ],
  },
  {
    decision: 'fairness.demographic_parity_difference (reference)',
    threshold: 0.1,
    comparison: { method: 'reference', group: 'g1' },
    build: selectionGroups,
    unit: 0.1,
    sizes: [
      [12, 100, [0, 1], false],
      [5, 2000, ALL, true],
    ],
  },
  {
    decision: 'fairness.equalized_odds_difference (between_groups)',
    threshold: 0.1,
    comparison: { method: 'between_groups' },
    build: oddsGroups,
    unit: 0.1,
    sizes: [
      [10, 100, NULL_ONLY, false],
      [12, 60, NULL_ONLY, false],
      [4, 3000, ALL, true],
    ],
  },
  {
    decision: 'fairness.demographic_parity_ratio (between_groups)',
    threshold: 0.8,
    comparison: { method: 'between_groups' },
    build: ratioGroups,
    unit: 0.2,
    sizes: [
      [12, 100, NULL_ONLY, false],
      [3, 2000, ALL, true],
    ],
  },
];

function disparityScenarios(): Scenario[] {
  return FAMILIES.flatMap((family) =>
    family.sizes.flatMap(([count, rows, factors, powered]) =>
      EFFECT_FACTORS.filter(([, factor]) => factors.includes(factor)).map(([truth, factor]) => {
        const groups = family.build(count, rows, factor * family.unit);
        const name = family.decision.split(' ')[0]!.replace('fairness.', '');
        return {
          decision: family.decision,
          setting: `${count} groups × ${rows} rows${effectLabel(truth, factor)}`,
          truth,
          powered: powered && factor === 2,
          run: (random: Random) =>
            disparityVerdict(random, groups, name, family.threshold, family.comparison),
        };
      }),
    ),
  );
}

const TOLERANCE = 0.05;

/**
 * One vs-baseline judgement of TPR: `positives` positive rows (plus negatives up to min-support), the
 * baseline finds a positive with probability 0.8; the candidate newly misses a share `better + regression`
 * of positives and newly finds a share `better`.
 */
function baselineVerdict(random: Random, positives: number, regression: number, better: number): Verdict {
  const rows = Math.max(positives, OPTIONS.minSupport);
  const labels = new Uint8Array(rows);
  const candidate = new Uint8Array(rows);
  const baseline = new Uint8Array(rows);
  const worse = better + regression;
  for (let row = 0; row < positives; row += 1) {
    labels[row] = 1;
    const found = bernoulli(random, 0.8);
    baseline[row] = found ? 1 : 0;
    const flip = found ? bernoulli(random, worse / 0.8) : bernoulli(random, better / 0.2);
    candidate[row] = (found ? 1 : 0) ^ (flip ? 1 : 0);
  }
  const codes = new Int32Array(rows);
  const analysis = analyse(
    { labels, predictions: candidate, variables: [{ name: 'g', labels: ['all'], codes }], segments: [] },
    { ...OPTIONS, resamples: 100, seed: 1, disparities: [] },
  );
  const comparison = pairedComparison(
    'true_positive_rate',
    labels,
    candidate,
    baseline,
    Array.from({ length: rows }, (_, index) => index),
    OPTIONS.confidence,
  );
  const [judged] = judge(
    [],
    [{ segment: 'all', group: analysis.overall, comparison, tolerance: TOLERANCE }],
    OPTIONS,
  ).baselines;
  return asVerdict(judged!.verdict);
}

function baselineScenarios(): Scenario[] {
  const sizes: [number, number, readonly number[], boolean][] = [
    // [positives, share the candidate fixes, factors, powered at 2×]
    [10, 0.05, [0, 1], false],
    [10, 0, [0, 1, 2], false],
    [30, 0.05, [0, 1], false],
    [100, 0.05, ALL, false],
    [100, 0, [0, 1, 2], false],
    [1000, 0.05, ALL, false],
    [3000, 0.05, [0, 1, 2], true],
  ];
  return sizes.flatMap(([positives, better, factors, powered]) =>
    EFFECT_FACTORS.filter(([, factor]) => factors.includes(factor)).map(([truth, factor]) => ({
      decision: 'fairness.vs-baseline (TPR regression ≤ 0.05, paired)',
      setting: `${positives} positives, ${better === 0 ? 'changes one way' : '5% fixed'}${effectLabel(truth, factor)}`,
      truth,
      powered: powered && factor === 2,
      run: (random: Random) => baselineVerdict(random, positives, factor * TOLERANCE, better),
    })),
  );
}

export function scenarios(): Scenario[] {
  return [...disparityScenarios(), ...baselineScenarios()];
}
