import { readFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';
import { z } from 'zod';
import { onnxruntimeVersion } from './session.ts';
import type { SessionSettings } from './settings.ts';

/** What the figures depend on besides the models: two runs are comparable only if these agree. */
export const Fingerprint = z.object({
  cpuModel: z.string(),
  /** CPU feature flags (Linux `/proc/cpuinfo`), sorted; empty where the OS does not say. */
  cpuFlags: z.array(z.string()),
  cores: z.number(),
  memoryBytes: z.number(),
  platform: z.string(),
  arch: z.string(),
  node: z.string(),
  onnxruntime: z.string(),
  executionProviders: z.array(z.string()),
  intraOpThreads: z.number(),
  interOpThreads: z.number(),
  graphOptimizationLevel: z.string(),
  executionMode: z.string(),
  models: z.object({ candidate: z.string(), baseline: z.string().optional() }),
});
export type Fingerprint = z.infer<typeof Fingerprint>;

async function cpuFlags(): Promise<string[]> {
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(info)?.[1] ?? '';
    return line.split(/\s+/).filter(Boolean).sort();
  } catch {
    return [];
  }
}

/** The environment of this run: hardware, runtime and session settings, and the models' sha256. */
export async function environmentFingerprint(
  settings: SessionSettings,
  models: { candidate: string; baseline?: string | undefined },
): Promise<Fingerprint> {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpuFlags: await cpuFlags(),
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    platform: platform(),
    arch: arch(),
    node: process.version,
    onnxruntime: onnxruntimeVersion(),
    executionProviders: settings['execution-providers'],
    intraOpThreads: settings['intra-op-threads'],
    interOpThreads: settings['inter-op-threads'],
    graphOptimizationLevel: settings['graph-optimization-level'],
    executionMode: settings['execution-mode'],
    models: models.baseline
      ? { candidate: models.candidate, baseline: models.baseline }
      : { candidate: models.candidate },
  };
}

/**
 * The environment fields in which two fingerprints differ (model digests excluded: comparing models is
 * the point). Memory size is left out too: it rarely moves latency and varies between identical runners.
 */
export function fingerprintDifferences(a: Fingerprint, b: Fingerprint): string[] {
  const fields = [
    'cpuModel',
    'cpuFlags',
    'cores',
    'platform',
    'arch',
    'node',
    'onnxruntime',
    'executionProviders',
    'intraOpThreads',
    'interOpThreads',
    'graphOptimizationLevel',
    'executionMode',
  ] as const;
  return fields.filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]));
}
