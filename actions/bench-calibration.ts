/**
 * `npm run bench:calibration`: every statistical decision of the gates, run on simulated data whose truth
 * is known, with the fail rate, inconclusive rate and power printed beside the target each must meet
 * (shared/testing/calibration.ts). `--runs N` sets runs per scenario (default 400); `--only TEXT` keeps
 * the decisions whose name contains TEXT. Exits 1 when a target is missed.
 */
import { markdownTable } from 'markdown-table';
import { formatRates, measure, RATE_COLUMNS, type Scenario } from '../shared/testing/calibration.ts';

type Section = () => Scenario[];

// Each gate's scenarios live beside its decision code; add a section here when a gate gains one.
const SECTIONS: Record<string, () => Promise<Section>> = {
  benchmark: async () => (await import('./benchmark/calibration.ts')).scenarios,
  fairness: async () => (await import('./fairness/calibration.ts')).scenarios,
  'validate-data': async () => (await import('./validate-data/calibration.ts')).scenarios,
  'rerun-experiments': async () => (await import('./rerun-experiments/calibration.ts')).scenarios,
};

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const runs = Number(argument('--runs') ?? 400);
const only = argument('--only');
const rows: string[][] = [];
let missed = 0;
for (const [name, load] of Object.entries(SECTIONS)) {
  const scenarios = (await load())().filter((s) => !only || s.decision.includes(only));
  for (const scenario of scenarios) {
    const rates = await measure(scenario, runs);
    if (!rates.met) missed += 1;
    rows.push(formatRates(rates));
    // Each row as it is measured, so that a long run stopped half way keeps what it measured.
    process.stderr.write(`${name}: | ${formatRates(rates).join(' | ')} |\n`);
  }
}
console.log(markdownTable([RATE_COLUMNS, ...rows]));
console.log(
  missed === 0 ? `\nAll ${rows.length} targets met.` : `\n${missed} of ${rows.length} targets missed.`,
);
process.exitCode = missed === 0 ? 0 : 1;
