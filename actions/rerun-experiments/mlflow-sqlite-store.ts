import { open, readFile } from 'node:fs/promises';
import type { Database, SqlValue } from 'sql.js';
import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { sqlJs } from '../../shared/sqlite/sql-js.ts';
import type { MlflowExperiment, MlflowRun, MlflowStore } from './mlflow-run.ts';
import { MLFLOW_SCHEMA_REVISIONS, MLFLOW_SCHEMA_TOO_OLD } from './mlflow-schema.ts';

const SQLITE_HEADER = 'SQLite format 3\0';
/** The first 8 bytes of a rollback journal that still has to be played back (sqlite.org/fileformat.html). */
const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
/** A WAL file holds frames after its 32-byte header only when some writes are not checkpointed yet. */
const WAL_HEADER_BYTES = 32;

const Experiment = z.object({
  experiment_id: z.union([z.number().int(), z.string().min(1)]).transform(String),
  name: z.string(),
  lifecycle_stage: z
    .string()
    .nullable()
    .transform((stage) => stage ?? 'active'),
});

const Run = z.object({
  run_uuid: z.string().min(1),
  experiment_id: z.union([z.number().int(), z.string().min(1)]).transform(String),
  name: z.string().nullable(),
  status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']),
  lifecycle_stage: z
    .string()
    .nullable()
    .transform((stage) => stage ?? 'active'),
  start_time: z.number().int().nonnegative(),
  end_time: z.number().int().nonnegative().nullable(),
});

const KeyValue = z.object({ run_uuid: z.string(), key: z.string(), value: z.string().nullable() });

const LatestMetric = z.object({
  run_uuid: z.string(),
  key: z.string(),
  value: z.number(),
  is_nan: z.union([z.literal(0), z.literal(1)]),
});

const RUN_COLUMNS = 'run_uuid, experiment_id, name, status, lifecycle_stage, start_time, end_time';

/** The first bytes of a file, or nothing when it does not exist. */
async function head(path: string, bytes: number): Promise<{ size: number; start: Buffer } | undefined> {
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const start = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(start, 0, bytes, 0);
    return { size: (await handle.stat()).size, start: start.subarray(0, bytesRead) };
  } finally {
    await handle.close();
  }
}

/**
 * A writer that is still running (or crashed) leaves its changes half in the database file: SQLite
 * itself would roll the journal back, or read the WAL, before answering. The bytes alone are not a
 * consistent database then, so the store refuses them instead of judging against a torn run.
 */
async function refuseUnfinishedWrites(file: string, shown: string): Promise<void> {
  const journal = await head(`${file}-journal`, JOURNAL_MAGIC.length);
  if (journal?.start.equals(JOURNAL_MAGIC)) {
    throw new InputError(
      `is locked: ${shown}-journal holds a write that has not finished; rerun once MLflow is done (or after any sqlite3 client has opened the database to roll it back)`,
      { file: shown },
    );
  }
  const wal = await head(`${file}-wal`, 0);
  if (wal && wal.size > WAL_HEADER_BYTES) {
    throw new InputError(
      `is locked: ${shown}-wal holds writes not yet checkpointed into it; rerun once MLflow is done (or run \`sqlite3 ${shown} "PRAGMA wal_checkpoint"\`)`,
      { file: shown },
    );
  }
}

function rows(db: Database, sql: string, params: SqlValue[] = []): Record<string, SqlValue>[] {
  const statement = db.prepare(sql, params);
  try {
    const found: Record<string, SqlValue>[] = [];
    while (statement.step()) found.push(statement.getAsObject());
    return found;
  } finally {
    statement.free();
  }
}

function checkSchema(db: Database, shown: string): void {
  const tables = new Set(
    rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'").map((row) => String(row.name)),
  );
  if (tables.size === 0) {
    throw new InputError('is an empty SQLite database: MLflow has not created its tables in it', {
      file: shown,
    });
  }
  if (!tables.has('alembic_version')) {
    throw new InputError(
      'is a SQLite database without an alembic_version table: not an MLflow tracking database',
      { file: shown },
    );
  }
  const versions = rows(db, 'SELECT version_num FROM alembic_version').map((row) => String(row.version_num));
  if (versions.length !== 1) {
    throw new InputError(
      `has ${versions.length} rows in alembic_version (${versions.join(', ') || 'none'}); an MLflow database has exactly one`,
      { file: shown },
    );
  }
  const version = versions[0]!;
  if ((MLFLOW_SCHEMA_TOO_OLD as readonly string[]).includes(version)) {
    throw new InputError(
      `has MLflow schema revision ${version}, older than mlgate reads; upgrade it with \`mlflow db upgrade sqlite:///${shown}\``,
      { file: shown },
    );
  }
  if (!(MLFLOW_SCHEMA_REVISIONS as readonly string[]).includes(version)) {
    throw new InputError(
      `has MLflow schema revision ${version}, which mlgate does not know (it reads ${MLFLOW_SCHEMA_REVISIONS[0]}, MLflow 1.4, to ${MLFLOW_SCHEMA_REVISIONS.at(-1)}, December 2025)`,
      { file: shown },
    );
  }
}

/** Opens the database from its bytes and checks that it is whole and an MLflow schema mlgate knows. */
async function openDatabase(file: string, shown: string): Promise<Database> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InputError('not found: no MLflow database there', { file: shown });
    throw error;
  }
  if (bytes.length === 0) {
    throw new InputError('is empty (0 bytes): MLflow has not created its tables in it', { file: shown });
  }
  if (bytes.subarray(0, SQLITE_HEADER.length).toString('latin1') !== SQLITE_HEADER) {
    throw new InputError('is not a SQLite database (its header is not "SQLite format 3")', { file: shown });
  }
  await refuseUnfinishedWrites(file, shown);
  const SQL = await sqlJs();
  let db: Database;
  try {
    db = new SQL.Database(bytes);
  } catch (error) {
    // WebAssembly memory is bounded: a database of gigabytes does not fit.
    throw new InputError(`cannot be loaded (${bytes.length} bytes): ${(error as Error).message}`, {
      file: shown,
    });
  }
  try {
    const check = rows(db, 'PRAGMA quick_check').map((row) => String(Object.values(row)[0]));
    if (check.join() !== 'ok') {
      throw new InputError(`is corrupted: ${check[0]}`, { file: shown });
    }
    checkSchema(db, shown);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof InputError) throw error;
    throw new InputError(`is corrupted: ${(error as Error).message}`, { file: shown });
  }
}

function parseRows<S extends z.ZodType>(
  schema: S,
  found: Record<string, SqlValue>[],
  table: string,
  shown: string,
): z.output<S>[] {
  return found.map((row) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(
        `${table}.${issue.path.join('.')}: ${issue.message} in the row ${JSON.stringify(row)}`,
        { file: shown },
      );
    }
    return parsed.data;
  });
}

const byKey = <T extends { key: string }>(a: T, b: T) => a.key.localeCompare(b.key);

/**
 * Reads MLflow's SQLite tracking database (`sqlite:///mlflow.db`, the default store since MLflow 3.7)
 * with MLflow's own schema, without MLflow installed. The file is read whole and never written.
 */
export function createSqliteStore(file: string, display: (path: string) => string): MlflowStore {
  const shown = display(file);
  let opened: Promise<Database> | undefined;
  const query = async <S extends z.ZodType>(
    schema: S,
    table: string,
    sql: string,
    params: SqlValue[] = [],
  ): Promise<z.output<S>[]> => {
    opened ??= openDatabase(file, shown);
    const db = await opened;
    let found: Record<string, SqlValue>[];
    try {
      found = rows(db, sql, params);
    } catch (error) {
      throw new InputError(`cannot read ${table}: ${(error as Error).message}`, { file: shown });
    }
    return parseRows(schema, found, table, shown);
  };
  /** Runs with their params, tags and latest metrics; `where` picks runs by `run_uuid`. */
  const runsWhere = async (where: string, params: SqlValue[]): Promise<MlflowRun[]> => {
    const runs = await query(
      Run,
      'runs',
      `SELECT ${RUN_COLUMNS} FROM runs WHERE ${where} ORDER BY run_uuid`,
      params,
    );
    if (runs.length === 0) return [];
    const [values, tags, metrics] = await Promise.all([
      query(KeyValue, 'params', `SELECT run_uuid, key, value FROM params WHERE ${where}`, params),
      query(KeyValue, 'tags', `SELECT run_uuid, key, value FROM tags WHERE ${where}`, params),
      // MLflow keeps each metric's latest value (highest step, then timestamp, then value) in
      // latest_metrics as it logs; its API answers from there, and so does this reader.
      query(
        LatestMetric,
        'latest_metrics',
        `SELECT run_uuid, key, value, is_nan FROM latest_metrics WHERE ${where}`,
        params,
      ),
    ]);
    return runs.map((run) => {
      const own = <T extends { run_uuid: string; key: string }>(all: T[]) =>
        all.filter((row) => row.run_uuid === run.run_uuid).sort(byKey);
      const runTags = Object.fromEntries(own(tags).map((tag) => [tag.key, tag.value ?? '']));
      return {
        runId: run.run_uuid,
        experimentId: run.experiment_id,
        runName: run.name || runTags['mlflow.runName'] || run.run_uuid,
        status: run.status,
        lifecycleStage: run.lifecycle_stage,
        startTime: run.start_time,
        ...(run.end_time != null ? { endTime: run.end_time } : {}),
        params: Object.fromEntries(own(values).map((param) => [param.key, param.value ?? ''])),
        // SQL has no NaN: MLflow stores 0 with is_nan = 1 and reads it back as NaN.
        metrics: Object.fromEntries(
          own(metrics).map((metric) => [metric.key, metric.is_nan ? Number.NaN : metric.value]),
        ),
        tags: runTags,
        location: { file: shown },
      };
    });
  };
  return {
    description: shown,
    async experiments(): Promise<MlflowExperiment[]> {
      const found = await query(
        Experiment,
        'experiments',
        'SELECT experiment_id, name, lifecycle_stage FROM experiments ORDER BY experiment_id',
      );
      return found.map((experiment) => ({
        id: experiment.experiment_id,
        name: experiment.name,
        lifecycleStage: experiment.lifecycle_stage,
      }));
    },
    async runs(experimentId) {
      return runsWhere('run_uuid IN (SELECT run_uuid FROM runs WHERE experiment_id = ?)', [experimentId]);
    },
    async run(runId) {
      const [found] = await runsWhere('run_uuid = ?', [runId]);
      if (!found) throw new InputError(`run ${runId} not found`, { file: shown });
      return found;
    },
  };
}
