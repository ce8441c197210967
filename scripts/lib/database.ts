// Databases for the scripts: a scratch one per benchmark run, or the service's own.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type SQL, sql, TransactionRollbackError } from 'drizzle-orm';
import { customAlphabet } from 'nanoid';
import pg from 'pg';
import { ConfigError, loadConfig, loadEnvFile } from '../../src/config.js';
import { type Database, type Db, type ObservedQuery, openPglite, openPostgres, queryRows } from '../../src/db/client.js';
import { SetupError } from '../../src/errors/setup.js';

export type Scratch = { database: Database; label: string; migrateMs: number };

const suffix = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 10);

/**
 * Runs `work` on a fresh, migrated database: in memory (PGlite), or when DATABASE_URL is set a new
 * database bench_<name>_<random> on that server, with the given `settings` (ALTER DATABASE … SET).
 * The database is dropped afterwards, also when `work` fails or the run is interrupted.
 */
export async function withScratchDatabase<T>(
  name: string,
  work: (scratch: Scratch) => Promise<T>,
  settings: Record<string, string> = {},
): Promise<T> {
  const baseUrl = process.env.DATABASE_URL;
  const scratch = baseUrl ? await createPostgres(baseUrl, `bench_${name}_${suffix()}`, settings) : await createPglite();
  try {
    const started = performance.now();
    await scratch.database.migrate();
    return await work({ database: scratch.database, label: scratch.label, migrateMs: performance.now() - started });
  } finally {
    await scratch.remove();
  }
}

type Created = { database: Database; label: string; remove: () => Promise<void> };

async function createPglite(): Promise<Created> {
  const database = await openPglite();
  return { database, label: 'PGlite (in memory)', remove: () => database.close() };
}

async function createPostgres(baseUrl: string, name: string, settings: Record<string, string>): Promise<Created> {
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name} template template0`);
  const watcher = dropWhenGone(baseUrl, name);
  let database: Database | undefined;
  const remove = async () => {
    try {
      await database?.close();
    } finally {
      await admin(`drop database if exists ${name} with (force)`);
      watcher.kill();
    }
  };
  try {
    for (const [setting, value] of Object.entries(settings)) await admin(`alter database ${name} set ${setting} = ${value}`);
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    database = await openPostgres(url.toString());
    const [{ version }] = await queryRows<{ version: string }>(
      database.db,
      sql`select split_part(current_setting('server_version'), ' ', 1) as version`,
    );
    const set = Object.entries(settings).map(([setting, value]) => `, ${setting} = ${value}`);
    return { database, label: `PostgreSQL ${version} (${url.host}/${name}${set.join('')})`, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

const WATCHER = `
const pg = require(process.argv[1]);
const [url, name] = process.argv.slice(2);
process.once('disconnect', async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('drop database if exists ' + name + ' with (force)');
  await client.end();
  console.error('scratch database ' + name + ' dropped');
});`;

/**
 * A process that drops the database once this one is gone, however it ended: on Ctrl-C, tsx kills
 * a script that is busy (a build loop, a long statement) before any handler of its own could run.
 * Detached, so that Ctrl-C does not reach it; unreferenced, so that it does not keep this one alive.
 */
function dropWhenGone(baseUrl: string, name: string) {
  const pgPath = createRequire(import.meta.url).resolve('pg');
  const watcher = spawn(process.execPath, ['-e', WATCHER, pgPath, baseUrl, name], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  watcher.unref();
  watcher.channel?.unref();
  return watcher;
}

/** The service's own database (DATABASE_URL, else PGlite in DATA_DIR), migrated, closed afterwards. */
export async function withConfiguredDatabase<T>(
  work: (database: Database) => Promise<T>,
  options: { mustExist?: boolean } = {},
): Promise<T> {
  let database: Database;
  try {
    loadEnvFile();
    const config = loadConfig();
    if (!config.DATABASE_URL && options.mustExist && !existsSync(join(config.DATA_DIR, 'PG_VERSION'))) {
      throw new ConfigError(
        `no database in ${config.DATA_DIR}: start the service once (npm start), or set DATA_DIR or DATABASE_URL to the service's database`,
      );
    }
    database = config.DATABASE_URL ? await openPostgres(config.DATABASE_URL) : await openPglite(config.DATA_DIR);
  } catch (error) {
    // a setting, a locked data directory or an unreachable database is a message for the user, not a stack trace
    if (error instanceof SetupError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  try {
    await database.migrate();
    return await work(database);
  } finally {
    await database.close();
  }
}

/** The statements `work` sends to the database, as the driver saw them. */
export async function statementsOf<T>(database: Database, work: () => Promise<T>): Promise<{ value: T; statements: ObservedQuery[] }> {
  const statements: ObservedQuery[] = [];
  const stop = database.stats.observe((query) => statements.push(query));
  try {
    return { value: await work(), statements };
  } finally {
    stop();
  }
}

/**
 * EXPLAIN of a statement observed while production code ran, in a transaction that is rolled
 * back, after the statements it needs (`before`: a SET LOCAL, a temporary table it reads). Run
 * twice: the first run on a new connection also pays for its catalog cache.
 */
export async function explain(
  database: Database,
  statement: ObservedQuery,
  options = 'analyze, buffers',
  before: ObservedQuery[] = [],
): Promise<string[]> {
  let plan: string[] = [];
  for (let run = 0; run < 2; run++) {
    try {
      await database.db.transaction(async (tx) => {
        for (const setup of before) await queryRows(tx as unknown as Db, withParams(setup.text, setup.params));
        const rows = await queryRows<{ 'QUERY PLAN': string }>(
          tx as unknown as Db,
          sql`explain (${sql.raw(options)}) ${withParams(statement.text, statement.params)}`,
        );
        plan = rows.map((row) => row['QUERY PLAN']);
        tx.rollback();
      });
    } catch (error) {
      if (!(error instanceof TransactionRollbackError)) throw error;
    }
  }
  return plan;
}

/** Statement text with `$n` placeholders and its parameters as one drizzle SQL object. */
function withParams(text: string, params: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  return sql.join(parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql.param(params[Number(part) - 1]))));
}
