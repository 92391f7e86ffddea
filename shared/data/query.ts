import type { DuckDBConnection, DuckDBResultReader } from '@duckdb/node-api';

/**
 * Runs exactly one SQL statement and reads its whole result. Queries here embed user-written SQL conditions
 * (a schema's `fail-when`), so a text that would close the statement and start another is refused outright.
 * The prepared statement is destroyed at once: until then it keeps its readers' buffers (150 MiB for one
 * CSV scan), and waiting for the garbage collector ran 20 drift pairs out of memory.
 */
export async function querySingle(connection: DuckDBConnection, sql: string): Promise<DuckDBResultReader> {
  const statements = await connection.extractStatements(sql);
  if (statements.count !== 1) throw new Error(`expected one SQL statement, got ${statements.count}`);
  const prepared = await statements.prepare(0);
  try {
    return await prepared.runAndReadAll();
  } finally {
    prepared.destroySync();
  }
}

/** Streams the rows of one SQL statement, chunk by chunk, as JavaScript values. */
export async function* streamSingle(connection: DuckDBConnection, sql: string): AsyncGenerator<unknown[]> {
  const statements = await connection.extractStatements(sql);
  if (statements.count !== 1) throw new Error(`expected one SQL statement, got ${statements.count}`);
  const prepared = await statements.prepare(0);
  try {
    const result = await prepared.stream();
    for await (const rows of result.yieldRowsJs()) yield* rows;
  } finally {
    prepared.destroySync();
  }
}
