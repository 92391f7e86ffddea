import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['actions/**/*.test.ts', 'shared/**/*.test.ts', 'fixtures/**/*.test.ts'],
    // Two cores: forks keep native addons (onnxruntime, DuckDB) in separate processes.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests print through injected streams; anything else on the console shows only on failure.
    silent: 'passed-only',
    reporters: ['default', './shared/testing/closing-line-reporter.ts'],
    restoreMocks: true,
    unstubEnvs: true,
  },
});
