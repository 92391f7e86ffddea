import { availableParallelism } from 'node:os';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** Resource limits for one analytical engine. */
export interface EngineOptions {
  /** DuckDB memory limit, e.g. `2GB`; past it DuckDB spills to a temporary folder. */
  memoryLimit?: string | undefined;
  /** Worker threads; defaults to the machine's available parallelism. */
  threads?: number | undefined;
}

/** An in-memory DuckDB with one connection. Call `close()` when done (also on error). */
export interface Engine {
  connection: DuckDBConnection;
  close(): void;
}

/**
 * Starts an in-memory DuckDB. Insertion order is kept (the default, set explicitly because row numbers of
 * failing rows depend on scans producing rows in file order).
 */
export async function openEngine(options: EngineOptions = {}): Promise<Engine> {
  const settings: Record<string, string> = {
    threads: String(options.threads ?? availableParallelism()),
    preserve_insertion_order: 'true',
  };
  if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
  const instance = await DuckDBInstance.create(':memory:', settings);
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs `work` with a fresh engine and closes it afterwards. */
export async function withEngine<T>(
  options: EngineOptions,
  work: (engine: Engine) => Promise<T>,
): Promise<T> {
  const engine = await openEngine(options);
  try {
    return await work(engine);
  } finally {
    engine.close();
  }
}
