import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import initSqlJs, { type SqlJsStatic } from 'sql.js';

/**
 * The WebAssembly half of sql.js. `actions/build.ts` copies it beside every bundle that reaches this
 * module, because an action is checked out without node_modules.
 */
export const SQL_WASM_FILE = 'sql-wasm.wasm';

let engine: Promise<SqlJsStatic> | undefined;

function wasmPath(): string {
  const beside = fileURLToPath(new URL(SQL_WASM_FILE, import.meta.url));
  if (existsSync(beside)) return beside;
  return createRequire(import.meta.url).resolve(`sql.js/dist/${SQL_WASM_FILE}`);
}

/**
 * SQLite compiled to WebAssembly (sql.js), loaded once per process. It needs no native build and runs
 * on every Node version mlgate supports; a database is opened from its bytes, so reading never takes
 * a lock on, or writes to, the file. (`node:sqlite` is no alternative yet: Node 20 lacks it, and Node
 * 22 and 24 before 24.15 mark it experimental with a warning on stderr.)
 */
export function sqlJs(): Promise<SqlJsStatic> {
  engine ??= readFile(wasmPath()).then((wasm) =>
    initSqlJs({
      wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer,
    }),
  );
  return engine;
}
