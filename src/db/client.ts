import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { acquireDataDirLock } from './lock.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The drizzle surface both drivers share; repositories only see this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type Database = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Bulk load: COPY on PostgreSQL, chunked multi-row INSERT on PGlite. All rows or none. */
  copyRows(table: string, columns: string[], rows: (string | number | null)[][]): Promise<void>;
  migrate(): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
};

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

export async function openPostgres(url: string): Promise<Database> {
  // Trace follow-up lookups pass thousands of codes; with the default random_page_cost (4) the
  // planner prefers sequential scans over the indexes that serve them 5–10× faster.
  const pool = new pg.Pool({ connectionString: url, max: 10, options: '-c random_page_cost=1.1' });
  // An idle client dropped by the server (restart, terminated backend) must not crash the process.
  pool.on('error', (error) => console.warn(`PostgreSQL connection lost: ${error.message}`));
  // Surface a bad URL at start-up rather than on the first request.
  await pool.query('select 1');
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    copyRows: async (table, columns, rows) => {
      const client = await pool.connect();
      try {
        const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
        const done = new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
        });
        stream.end(`${rows.map((row) => row.map(copyValue).join('\t')).join('\n')}\n`);
        await done;
      } finally {
        client.release();
      }
    },
    migrate: () => migratePg(drizzlePg(pool), { migrationsFolder }),
    ping: () => ping(db),
    close: once(() => pool.end()),
  };
}

/** Embedded PostgreSQL; `dataDir` undefined means in memory. */
export async function openPglite(dataDir?: string, client?: PGlite): Promise<Database> {
  const release = dataDir ? acquireDataDirLock(dataDir) : () => {};
  let pglite: PGlite;
  try {
    pglite = client ?? (await PGlite.create(dataDir));
  } catch (error) {
    release();
    throw error;
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    copyRows: async (table, columns, rows) => {
      const perStatement = Math.max(1, Math.floor(60_000 / columns.length));
      await pglite.transaction(async (tx) => {
        for (let i = 0; i < rows.length; i += perStatement) {
          const slice = rows.slice(i, i + perStatement);
          const placeholders = slice.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
          await tx.query(`insert into ${table} (${columns.join(', ')}) values ${placeholders.join(', ')}`, slice.flat());
        }
      });
    },
    migrate: () => migratePglite(drizzlePglite(pglite), { migrationsFolder }),
    ping: () => ping(db),
    close: once(async () => {
      if (dataDir) await pglite.query('checkpoint');
      await pglite.close();
      release();
    }),
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

/** Raw SQL for what the query builder cannot say (recursive CTEs); both drivers return `{ rows }`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
