import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadMlgateConfig } from '../../actions/gates.ts';
import { runGate } from '../../shared/run-gate.ts';
import { createLocalRuntime } from '../../shared/runtime/local-runtime.ts';
import type { RawInputs } from '../../shared/runtime/runtime.ts';
import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { rerunExperimentsGate } from './gate.ts';

/**
 * A tiny "training" script for tests: metrics are a pure function of --seed and --lr, so reruns agree,
 * unless --noise adds Math.random(); --fail exits 3 after printing, --sleep waits (for timeouts),
 * --mlflow logs the metrics to the MLflow file store of MLFLOW_TRACKING_URI, --skip leaves a metric out, --data must name an existing file (to prove stage order), --model-out writes a model file whose bytes depend on --model-bytes.
 */
export const TOY_TRAIN = `
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const argv = process.argv.slice(2);
const arg = (name, fallback) => { const i = argv.indexOf('--' + name); return i === -1 ? fallback : argv[i + 1]; };
const seed = Number(arg('seed', '0'));
const lr = Number(arg('lr', '0.1'));
const noise = Number(arg('noise', '0'));
console.log('training with seed ' + seed + ' and lr ' + lr);
if (arg('data')) readFileSync(arg('data'));
if (arg('fail')) { console.error('loss diverged: NaN at epoch 3'); process.exit(3); }
if (arg('sleep')) await new Promise((done) => setTimeout(done, Number(arg('sleep'))));
const metrics = { accuracy: 0.5 + seed / 1000 + lr + noise * Math.random(), log_loss: 1 - lr };
if (arg('skip')) delete metrics[arg('skip')];
const out = arg('out', 'metrics.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(metrics, null, 2));
if (arg('mlflow')) {
  // What mlflow.log_metric would leave in the file store MLFLOW_TRACKING_URI names.
  const run = join(fileURLToPath(process.env.MLFLOW_TRACKING_URI), '0', 'r1');
  mkdirSync(join(run, 'metrics'), { recursive: true });
  writeFileSync(join(run, '..', 'meta.yaml'), 'experiment_id: "0"\\nname: Default\\n');
  writeFileSync(join(run, 'meta.yaml'), 'run_id: r1\\nexperiment_id: "0"\\nstatus: 3\\nstart_time: 1\\n');
  for (const [key, value] of Object.entries(metrics)) writeFileSync(join(run, 'metrics', key), '1 ' + value + ' 0\\n');
}
if (arg('model-out')) { mkdirSync(dirname(arg('model-out')), { recursive: true }); writeFileSync(arg('model-out'), 'model ' + arg('model-bytes', String(seed))); }
`;

/** What TOY_TRAIN reports for a seed and learning rate, computed the same way. */
export function toyMetrics(seed: number, lr: number): { accuracy: number; log_loss: number } {
  return { accuracy: 0.5 + seed / 1000 + lr, log_loss: 1 - lr };
}

/** Writes files (path -> content) under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** Runs the gate on `<dir>/mlgate.yml` with a local runtime; returns the result, exit code and log. */
export async function runRerunGate(dir: string, inputs: RawInputs = {}, env?: Record<string, string>) {
  const config = await loadMlgateConfig(join(dir, 'mlgate.yml'));
  const stream = memoryStream();
  const runtime = await createLocalRuntime({ out: join(dir, 'out'), stream, cwd: dir });
  const saved = { ...process.env };
  Object.assign(process.env, env ?? {});
  try {
    const outcome = await runGate(rerunExperimentsGate, { config, runtime, out: join(dir, 'out'), inputs });
    return { ...outcome, log: stream.text() };
  } finally {
    for (const key of Object.keys(env ?? {})) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}
