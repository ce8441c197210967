import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { type Column, type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pino } from 'pino';
import { SetupError } from '../errors/setup.js';
import { acquireDataDirLock } from './lock.js';
import { type MigrationLog, migrateLogged, SILENT } from './migrations.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The drizzle surface both drivers share; repositories only see this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** Runs work in one transaction (services take it so a test can give them any database). */
export type Transact = <T>(work: (tx: Db) => Promise<T>) => Promise<T>;

export type Database = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** What has been asked of the database, for benchmarks and tests. */
  stats: QueryStats;
  /**
   * Bulk load: COPY on PostgreSQL, chunked multi-row INSERT on PGlite. All rows or none. With
   * `onlyIf`, a statement run first in the same transaction: when it returns no row, nothing is
   * loaded and the answer is false (a job that no longer holds its lease, see leases.ts); its row
   * goes to `admit`, which may throw to load nothing, the load failing with its error.
   */
  copyRows(
    table: string,
    columns: string[],
    rows: (string | number | null)[][],
    onlyIf?: SQL,
    admit?: (row: Record<string, unknown>) => void,
  ): Promise<boolean>;
  /** Applies the pending migrations, telling `log` which (see migrateLogged). */
  migrate(log?: MigrationLog): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
};

/**
 * Statements counted where they reach the driver (pooled connections on PostgreSQL, the engine
 * on PGlite): every round trip, prepared-statement executions, BEGIN and COMMIT included. Costs
 * a counter and two clock reads per statement while nobody observes.
 */
export type QueryStats = {
  /** Statements finished (or failed) since the database was opened. */
  readonly queries: number;
  /** Milliseconds from sending each statement to its result, summed: concurrent statements overlap. */
  readonly waitMs: number;
  /** Calls `observer` as each statement finishes, until the returned function is called. */
  observe(observer: (query: ObservedQuery) => void): () => void;
};

export type ObservedQuery = {
  text: string;
  params: readonly unknown[];
  /** On PGlite this includes waiting for the engine, which runs one statement at a time. */
  ms: number;
  /** Rows returned, or written by a statement without RETURNING; null when the statement failed. */
  rows: number | null;
};

type RecordQuery = (text: string, params: readonly unknown[], started: number, rows: number | null) => void;

function createQueryStats(): { stats: QueryStats; record: RecordQuery } {
  const observers = new Set<(query: ObservedQuery) => void>();
  let queries = 0;
  let waitMs = 0;
  return {
    stats: {
      get queries() {
        return queries;
      },
      get waitMs() {
        return waitMs;
      },
      observe(observer) {
        observers.add(observer);
        return () => void observers.delete(observer);
      },
    },
    record(text, params, started, rows) {
      const ms = performance.now() - started;
      queries++;
      waitMs += ms;
      if (observers.size === 0) return;
      const query: ObservedQuery = { text, params, ms, rows };
      for (const observer of observers) observer(query);
    },
  };
}

/** pg and PGlite both report `rowCount` where it applies; pg answers a multi-statement string with an array. */
function rowsOf(result: unknown): number {
  if (Array.isArray(result)) return result.reduce((sum: number, one) => sum + rowsOf(one), 0);
  const { rowCount, rows } = result as { rowCount?: number | null; rows?: unknown[] };
  return rowCount ?? rows?.length ?? 0;
}

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Renders a guard statement for the drivers' own query calls. */
const dialect = new PgDialect();

/** How the service's connections name themselves to PostgreSQL (pg_stat_activity.application_name). */
export const SERVICE_NAME = 'county-trace';

/** A PostgreSQL the service cannot reach or log in to: its message is for the user, in one line. */
class DatabaseUnreachableError extends SetupError {
  override name = 'DatabaseUnreachableError';
}

/** PostgreSQL's code for a statement the role may not run. */
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * A migration PostgreSQL refused (a role without CREATE, say) as one line for the operator, naming
 * the role and the database but never the password; any other error as it is.
 */
function migrationRefused(url: string, error: unknown): unknown {
  const refusal = (error as { cause?: unknown }).cause ?? error;
  if (!(refusal instanceof pg.DatabaseError)) return error;
  const { username, host, pathname } = new URL(url);
  const needs =
    refusal.code === INSUFFICIENT_PRIVILEGE ? '; the role must own the database, or hold CREATE on it and on its schema public' : '';
  return new SetupError(
    `DATABASE_URL: the role ${decodeURIComponent(username) || '(default)'} cannot apply the migrations at ${host || 'localhost'}${pathname}: ${refusal.message}${needs}`,
  );
}

/** Where a pool tells what happens to its connections between statements: the process's logger. */
type ConnectionLog = { warn: (object: object, message: string) => void };

export async function openPostgres(url: string, log: ConnectionLog = pino()): Promise<Database> {
  // Trace follow-up lookups pass thousands of codes; with the default random_page_cost (4) the
  // planner prefers sequential scans over the indexes that serve them 5–10× faster.
  // TimeZone: sessions in UTC whatever the server's or the database's zone (a county's set to Asia/Shanghai): times read
  // as text or JSON then carry offsets Date parses (before 1901 Shanghai's is "+08:05:43"), and days are cut as PGlite's.
  // application_name: stream subscriptions and GET /events sync pages wait on this service's write transactions, not on other clients' (see settledBefore in src/db/settled.ts)
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    options: '-c random_page_cost=1.1 -c TimeZone=UTC',
    application_name: SERVICE_NAME,
  });
  // A client whose connection the server ends (a restart, a terminated server process, its database
  // dropped with force) must not crash the process, idle or checked out. The pool listens for errors
  // of idle clients only (and passes them on here, told below); one checked out, a transaction
  // between its statements, would end the process with an unhandled 'error' event: its transaction's
  // next statement fails instead (saying only that the client is not queryable, so the cause is told
  // here), and the pool drops it when it is released.
  pool.on('error', () => {});
  const { stats, record } = createQueryStats();
  pool.on('connect', (client) => {
    // every statement, pool.query or a transaction's, runs on a pooled client: count it there
    recordStatements(client, record);
    client.on('error', (error) => log.warn({ err: error }, 'PostgreSQL connection lost'));
  });
  // Surface a bad URL at start-up rather than on the first request.
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    // where it looked, never the URL's password
    const { host, pathname } = new URL(url);
    // a host name with several addresses fails with one error per address
    const reasons: (Error & { code?: string })[] = error instanceof AggregateError ? error.errors : [error as Error];
    const reason = reasons.map((one) => one.message || one.code).join('; ');
    throw new DatabaseUnreachableError(`DATABASE_URL: cannot connect to PostgreSQL at ${host || 'localhost'}${pathname}: ${reason}`);
  }
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    stats,
    copyRows: async (table, columns, rows, onlyIf, admit) => {
      const client = await pool.connect();
      const text = `copy ${table} (${columns.join(', ')}) from stdin`;
      try {
        if (onlyIf) {
          await client.query('begin');
          const guard = dialect.sqlToQuery(onlyIf);
          const [row] = (await client.query(guard.sql, guard.params)).rows;
          if (!row) {
            await client.query('rollback');
            return false;
          }
          admit?.(row);
        }
        const started = performance.now();
        try {
          const stream = client.query(copyFrom(text));
          const done = new Promise<void>((resolve, reject) => {
            stream.on('finish', resolve);
            stream.on('error', reject);
          });
          stream.end(`${rows.map((row) => row.map(copyValue).join('\t')).join('\n')}\n`);
          await done;
          record(text, [], started, rows.length);
        } catch (error) {
          record(text, [], started, null);
          throw error;
        }
        if (onlyIf) await client.query('commit');
        return true;
      } catch (error) {
        if (onlyIf) await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    migrate: async (log = SILENT) => {
      // processes starting together on one database take turns: the second finds the migrations
      // applied instead of failing on a column or index the first has just made
      const turn = await pool.connect();
      try {
        await turn.query(`select pg_advisory_lock(hashtext('migrations'))`);
        await migrateLogged({ db, stats }, migrationsFolder, () => migratePg(drizzlePg(pool), { migrationsFolder }), log);
      } catch (error) {
        throw migrationRefused(url, error);
      } finally {
        await turn.query(`select pg_advisory_unlock(hashtext('migrations'))`).catch(() => {});
        turn.release();
      }
    },
    ping: () => ping(db),
    close: once(() => pool.end()),
  };
}

/** Rolls back a bulk load on PGlite whose guard returned no row (see copyRows). */
class GuardReturnedNothing extends Error {}

/** Embedded PostgreSQL; `dataDir` undefined means in memory. */
export async function openPglite(dataDir?: string, client?: PGlite): Promise<Database> {
  const release = dataDir ? await acquireDataDirLock(dataDir) : () => {};
  let pglite: PGlite;
  try {
    pglite = client ?? (await PGlite.create(dataDir));
  } catch (error) {
    release();
    throw error;
  }
  const { stats, record } = createQueryStats();
  const statements = recordStatementsOf(pglite, record);
  // drizzle's PGlite session calls nothing but these two
  const recorded = statements as PGlite;
  const db = drizzlePglite({ client: recorded, schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    stats,
    copyRows: async (table, columns, rows, onlyIf, admit) => {
      const perStatement = Math.max(1, Math.floor(60_000 / columns.length));
      try {
        return await statements.transaction(async (tx) => {
          if (onlyIf) {
            const guard = dialect.sqlToQuery(onlyIf);
            const [row] = (await tx.query<Record<string, unknown>>(guard.sql, guard.params)).rows;
            if (!row) throw new GuardReturnedNothing();
            admit?.(row);
          }
          for (let i = 0; i < rows.length; i += perStatement) {
            const slice = rows.slice(i, i + perStatement);
            const placeholders = slice.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
            await tx.query(`insert into ${table} (${columns.join(', ')}) values ${placeholders.join(', ')}`, slice.flat());
          }
          return true;
        });
      } catch (error) {
        if (error instanceof GuardReturnedNothing) return false;
        throw error;
      }
    },
    migrate: (log = SILENT) =>
      migrateLogged({ db, stats }, migrationsFolder, () => migratePglite(drizzlePglite({ client: recorded }), { migrationsFolder }), log),
    ping: () => ping(db),
    close: once(async () => {
      if (dataDir) await pglite.query('checkpoint');
      await pglite.close();
      release();
    }),
  };
}

/**
 * Records each statement of a pooled connection, in the callback form pg-pool calls and the
 * promise form a transaction's statements use. COPY streams are recorded by copyRows.
 */
function recordStatements(client: pg.PoolClient, record: RecordQuery): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [config, values] = args as [string | (pg.QueryConfig & { submit?: unknown }), unknown];
    if (typeof config === 'object' && typeof config.submit === 'function') return query(...args);
    const text = typeof config === 'string' ? config : config.text;
    const params = Array.isArray(values) ? values : typeof config === 'object' ? (config.values ?? []) : [];
    const started = performance.now();
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: Error | null, result: unknown) => {
        record(text, params, started, error ? null : rowsOf(result));
        callback(error, result);
      };
      return query(...args);
    }
    const pending = query(...args) as Promise<unknown>;
    pending.then(
      (result) => record(text, params, started, rowsOf(result)),
      () => record(text, params, started, null),
    );
    return pending;
  }) as typeof client.query;
}

/** What drizzle and copyRows use of a PGlite, each statement recorded. */
type PgliteStatements = {
  query: PGlite['query'];
  transaction<T>(work: (tx: Pick<Transaction, 'query'>) => Promise<T>): Promise<T>;
};

function recordStatementsOf(pglite: PGlite, record: RecordQuery): PgliteStatements {
  const timed = async <T>(text: string, params: readonly unknown[], run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await run();
      record(text, params, started, rowsOf(result));
      return result;
    } catch (error) {
      record(text, params, started, null);
      throw error;
    }
  };
  return {
    query: (text, params, options) => timed(text, params ?? [], () => pglite.query(text, params, options)),
    // PGlite sends BEGIN before calling back and COMMIT (ROLLBACK when the work fails) after: each is timed to the edge of the work
    async transaction(work) {
      let mark = performance.now();
      let ending: 'COMMIT' | 'ROLLBACK' | undefined;
      try {
        const result = await pglite.transaction(async (tx) => {
          record('BEGIN', [], mark, 0);
          ending = 'ROLLBACK';
          try {
            const value = await work({
              query: (text, params, options) => timed(text, params ?? [], () => tx.query(text, params, options)),
            });
            ending = 'COMMIT';
            return value;
          } finally {
            mark = performance.now();
          }
        });
        if (ending) record(ending, [], mark, 0);
        return result;
      } catch (error) {
        // a failed COMMIT rejects; after failed work the ROLLBACK itself succeeded
        if (ending) record(ending, [], mark, ending === 'COMMIT' ? null : 0);
        throw error;
      }
    },
  };
}

/** COPY text format: tab-separated, \N for null, backslash escapes. */
function copyValue(value: string | number | null): string {
  if (value === null) return '\\N';
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Shutdown paths (signal handler, test teardown) may both close the database. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

async function ping(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs reads in a transaction whose statements each may run at most `ms` milliseconds, so that a
 * query a caller composed cannot keep a server process busy for long: past it PostgreSQL cancels
 * the statement (57014, see isStatementCancelled). The setting is LOCAL, ending with the transaction:
 * the pooled connection's next user has the server's own. PGlite runs each statement to its end
 * (in-process, it has no timer to cancel one by), so there the work runs as it is, unbounded.
 */
export function boundedReads(database: Pick<Database, 'db' | 'kind'>, ms: number): Transact {
  if (database.kind === 'pglite') return (work) => work(database.db);
  return (work) =>
    database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('statement_timeout', ${String(Math.max(1, Math.round(ms)))}, true)`);
      return work(tx as unknown as Db);
    });
}

/** A timestamp as Date#toISOString writes it: what a value the service wrote from memory compares with as text. */
export const isoMs = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** A timestamptz as text to the microsecond, as MicroInstant writes it (a Date would cut it to the millisecond). */
export const isoMicros = (column: SQL | Column) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
/** The day in China (UTC+8, no daylight saving) an instant falls on, as chinaDay reads it. */
export const chinaDayOf = (instant: SQL) => sql`((${instant} at time zone 'UTC') + interval '8 hours')::date`;

/** Raw SQL for what the query builder cannot say (recursive CTEs); both drivers return `{ rows }`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
