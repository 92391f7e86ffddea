/**
 * `npm run bench:fairness`: 1,000,000 rows, three sensitive features with all their intersections
 * (7 segments, 74 groups), the six standard disparities, 1,000 bootstrap resamples. Target: < 10 s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRandom } from '../../shared/stats/random.ts';
import { analyse } from './analysis.ts';
import { readDataFile } from './data.ts';
import { parseDisparity, STANDARD_DISPARITIES } from './disparities.ts';
import { encodeVariable, type SegmentSpec } from './segments.ts';
import { judge } from './verdicts.ts';

const ROWS = 1_000_000;
const random = createRandom(1);
const sexes = ['female', 'male'];
const bands = ['18-25', '26-40', '41-60', '61+'];
const regions = ['north', 'south', 'east', 'west'];
const sex: string[] = new Array(ROWS);
const band: string[] = new Array(ROWS);
const region: string[] = new Array(ROWS);
const labels = new Uint8Array(ROWS);
const predictions = new Uint8Array(ROWS);
for (let i = 0; i < ROWS; i += 1) {
  sex[i] = sexes[Math.floor(random.next() * 2)]!;
  const b = Math.floor(random.next() * 4);
  band[i] = bands[b]!;
  region[i] = regions[Math.floor(random.next() * 4)]!;
  labels[i] = random.next() < 0.25 ? 1 : 0;
  const score = Math.min(
    1,
    Math.max(0, 0.15 + 0.35 * labels[i]! + (b === 0 ? 0.1 : 0) + (random.next() - 0.5) * 0.5),
  );
  predictions[i] = score >= 0.5 ? 1 : 0;
}

const started = performance.now();
const variables = [
  encodeVariable('sex', sex, { missing: 'own-group' }),
  encodeVariable('age_band', band, { missing: 'own-group' }),
  encodeVariable('region', region, { missing: 'own-group' }),
];
const features = ['sex', 'age_band', 'region'];
const segments: SegmentSpec[] = [];
for (let mask = 1; mask < 8; mask += 1) {
  const chosen = features.filter((_, i) => mask & (1 << i));
  segments.push({ id: chosen.join('+'), features: chosen, control: [] });
}
const encoded = performance.now();
const analysis = analyse(
  { labels, predictions, variables, segments },
  {
    minSupport: 30,
    minDenominator: 10,
    confidence: 0.95,
    resamples: 1000,
    seed: 20240601,
    disparities: STANDARD_DISPARITIES.map((name) => ({
      spec: parseDisparity(name)!,
      comparison: () => ({ method: 'between_groups' as const }),
    })),
  },
);
const analysed = performance.now();
const judged = judge(
  analysis.segments.flatMap((segment) =>
    segment.disparities
      .filter((report) => report.name === 'equalized_odds_difference')
      .map((report) => ({ segment, report, rule: { name: report.name, threshold: 0.1 } })),
  ),
  [],
  { strict: false, correction: 'holm', confidence: 0.95, minSupport: 30, minDenominator: 10 },
);
const done = performance.now();

const groups = analysis.segments.reduce((sum, segment) => sum + segment.reports.length, 0);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `rows ${ROWS.toLocaleString('en-US')}, segments ${segments.length}, groups ${groups}, resamples 1,000`,
);
console.log(
  `encode features ${seconds(encoded - started)}; rates + bootstrap ${seconds(analysed - encoded)}; verdicts ${seconds(done - analysed)}`,
);
console.log(
  `total ${seconds(done - started)} (target < 10 s); verdicts: ${judged.disparities.map((j) => j.verdict).join(', ')}`,
);

// The same rows as a CSV read back through DuckDB (shared/data), the gate's own reading path.
const dir = await mkdtemp(join(tmpdir(), 'mlgate-bench-'));
try {
  const file = join(dir, 'rows.csv');
  const lines = ['sex,age_band,region,label,prediction'];
  for (let i = 0; i < ROWS; i += 1)
    lines.push(`${sex[i]},${band[i]},${region[i]},${labels[i]},${predictions[i]}`);
  await writeFile(file, `${lines.join('\n')}\n`);
  const reading = performance.now();
  const table = await readDataFile(file, 'rows.csv', { file: 'rows.csv' });
  console.log(
    `reading the same rows from CSV with DuckDB: ${seconds(performance.now() - reading)} (${table.rows.toLocaleString('en-US')} rows)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
