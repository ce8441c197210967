// Migrated test databases, made once per test run and copied per test: creating and migrating
// an embedded PGlite costs seconds, loading a dump of one well under a second; on PostgreSQL a
// migrated template database is copied by CREATE DATABASE … TEMPLATE.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import tap from 'tap';
import { migrationsFolder, openPglite, openPostgres } from '../src/db/client.js';

/** Changes whenever a migration (or the PGlite release) does, so a stale template is never used. */
const migrationsHash = (() => {
  const hash = createHash('sha256');
  hash.update(readFileSync(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url)));
  for (const name of readdirSync(migrationsFolder).sort()) {
    if (name.endsWith('.sql')) hash.update(name).update(readFileSync(join(migrationsFolder, name)));
  }
  return hash.digest('hex').slice(0, 12);
})();

const dumpPath = join(tmpdir(), 'county-trace-tests', `pglite-${migrationsHash}.tar`);
const postgresTemplateName = `trace_template_${migrationsHash}`;
export const postgresBaseUrl = () => process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Creates and migrates a PGlite and writes its data directory as a tarball (atomically: parallel files may race). */
async function writePgliteDump(): Promise<void> {
  const pglite = await PGlite.create();
  await (await openPglite(undefined, pglite)).migrate();
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  mkdirSync(join(tmpdir(), 'county-trace-tests'), { recursive: true });
  const partial = `${dumpPath}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, dumpPath);
}

/** The dump for the current migrations, made unless an earlier run left it. */
export async function ensurePgliteDump(): Promise<void> {
  if (!existsSync(dumpPath)) await writePgliteDump();
}

let dumpBytes: Buffer | undefined;

/** The run's dump, read once per process. */
async function migratedDump(): Promise<Buffer> {
  if (dumpBytes) return dumpBytes;
  try {
    dumpBytes = readFileSync(dumpPath);
  } catch {
    // a test file run on its own, without the suite's before step
    await writePgliteDump();
    dumpBytes = readFileSync(dumpPath);
  }
  return dumpBytes;
}

/**
 * A fresh PGlite holding the migrated schema, loaded from the dump (cheaper than cloning a loaded
 * one): in memory, or in `dataDir` (which must be empty) for a service process to open.
 */
export async function loadMigratedPglite(dataDir?: string): Promise<PGlite> {
  const bytes = await migratedDump();
  return PGlite.create({
    dataDir,
    loadDataDir: new Blob([new Uint8Array(bytes)]),
    // Its 10-second timer, armed while the loaded directory starts, would keep an idle database's
    // process alive (test/helper.ts keeps emptied databases for the next test).
    startParams: [...PGlite.defaultStartParams, '-c', 'log_startup_progress_interval=0'],
  });
}

/**
 * What a migrated database's schema is, outside its rows: relations, their columns (type, null,
 * default), constraints and indexes, functions and their bodies, triggers and whether they fire
 * (foreign keys' included), roles, schemas, stored settings and the migration journal. A test
 * that changed any of these leaves a database that is not handed to another. (The schemas of a
 * session's temporary tables stay once made, empty after `discard all`: they do not count.)
 */
const SCHEMA_FINGERPRINT = `
  with own_namespaces as (
    select oid, nspname from pg_namespace
     where nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
       and nspname not like 'pg\\_temp\\_%' and nspname not like 'pg\\_toast\\_temp\\_%'
  ),
  own_relations as (
    select c.oid, n.nspname || '.' || c.relname as name, c.relkind from pg_class c join own_namespaces n on n.oid = c.relnamespace
  )
  select md5(string_agg(item, ',' order by item)) as fingerprint from (
    select 'relation ' || name || ' ' || relkind::text as item from own_relations
    union all select 'column ' || r.name || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text
        || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      from pg_attribute a join own_relations r on r.oid = a.attrelid
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     where a.attnum > 0 and not a.attisdropped
    union all select 'constraint ' || r.name || '.' || c.conname || ' ' || pg_get_constraintdef(c.oid)
      from pg_constraint c join own_relations r on r.oid = c.conrelid
    union all select 'index ' || pg_get_indexdef(i.indexrelid) from pg_index i join own_relations r on r.oid = i.indrelid
    union all select 'function ' || n.nspname || '.' || p.proname || ' ' || md5(p.prosrc)
      from pg_proc p join own_namespaces n on n.oid = p.pronamespace
    union all select 'trigger ' || r.name || '.' || t.tgname || ' ' || t.tgenabled::text
      from pg_trigger t join own_relations r on r.oid = t.tgrelid
    union all select 'role ' || rolname from pg_roles
    union all select 'schema ' || nspname from own_namespaces
    union all select 'setting ' || array_to_string(setconfig, ' ') from pg_db_role_setting
    union all select 'migrations ' || count(*) from drizzle.__drizzle_migrations
  ) as items`;

/** Empties every table; planner statistics go too, so no plan depends on an earlier test's data. */
const EMPTY_TABLES = `
  do $$ begin
    execute (select 'truncate ' || string_agg(format('%I.%I', schemaname, tablename), ', ') || ' restart identity cascade'
               from pg_tables where schemaname = 'public');
  end $$;
  delete from pg_statistic;`;

let pristineFingerprint: string | undefined;
/** Emptied in-memory databases handed back by finished tests, ready for the next. */
const idle: PGlite[] = [];
const MAX_IDLE = 2;
let closingIdleAtEnd = false;

const fingerprintOf = async (pglite: PGlite) => (await pglite.query<{ fingerprint: string }>(SCHEMA_FINGERPRINT)).rows[0].fingerprint;

/**
 * An in-memory PGlite holding the migrated schema and no rows: one a finished test handed back and
 * that was emptied, or else one loaded from the dump. Loading costs half a second of CPU and a
 * test run opens about 150 of them; emptying one costs a fraction of that.
 */
export async function takeMigratedPglite(): Promise<PGlite> {
  const reused = idle.pop();
  if (reused) return reused;
  const pglite = await loadMigratedPglite();
  pristineFingerprint ??= await fingerprintOf(pglite);
  return pglite;
}

/**
 * Hands a test's database back: emptied for the next test if the test passed and the database's
 * schema and session are as loaded, else closed. A test that timed out or failed may still have
 * code running on its database after its teardowns (tap ends a timed-out test, it cannot stop its
 * code): emptied and handed on, the database would be shared with the next test, which would fail
 * in ways of the earlier test's making, and the next after it too.
 */
export async function handBackPglite(pglite: PGlite, { passed }: { passed: boolean }): Promise<void> {
  if (pglite.closed) return;
  if (passed) {
    try {
      // ends whatever the session still holds: temporary tables, prepared statements, settings, locks
      await pglite.exec('discard all');
      if (idle.length < MAX_IDLE && (await fingerprintOf(pglite)) === pristineFingerprint) {
        await pglite.exec(EMPTY_TABLES);
        // an open PGlite keeps the process alive: the last ones close when the process's tests end
        if (idle.length === 0 && !closingIdleAtEnd) {
          closingIdleAtEnd = true;
          tap.teardown(() => Promise.all(idle.splice(0).map((left) => left.close())));
        }
        idle.push(pglite);
        return;
      }
    } catch {
      // a database a test left unusable is not reused
    }
  }
  await closePglite(pglite);
}

/**
 * How long a test database is given to close. Closing waits for what is under way: a test that
 * failed or timed out may leave a transaction that never ends (its code still running, or a
 * request waiting behind a lock that is never let go), and its process would then stay up for as
 * long as its time limit allows (a worker's, half an hour) with nothing more said.
 */
export const CLOSE_LIMIT_MS = 10_000;

/** Whether the close ended within ms; past them it is left to go on (or not) in the background. */
export async function closedWithin(closing: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return (await Promise.race([closing, late])) !== 'late';
  } finally {
    clearTimeout(timer);
  }
}

async function closePglite(pglite: PGlite): Promise<void> {
  const closing = pglite.close().catch((error: Error) => console.warn(`closing a test's PGlite failed: ${error.message}`));
  if (!(await closedWithin(closing, CLOSE_LIMIT_MS))) {
    console.warn(`a test's PGlite did not close within ${CLOSE_LIMIT_MS} ms (a transaction still open): left as it is`);
  }
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresBaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The migrated template database that every PostgreSQL test database is copied from. */
export async function ensurePostgresTemplate(): Promise<void> {
  const exists = await withAdminClient(async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [postgresTemplateName]);
    return found.rowCount === 1;
  });
  if (exists) return;
  const building = `${postgresTemplateName}_${process.pid}`;
  await withAdminClient((client) => client.query(`create database ${building} template template0`));
  const url = new URL(postgresBaseUrl());
  url.pathname = `/${building}`;
  const database = await openPostgres(url.toString());
  await database.migrate();
  await database.close();
  await withAdminClient(async (client) => {
    try {
      await client.query(`alter database ${building} rename to ${postgresTemplateName}`);
    } catch {
      // another process finished first
      await client.query(`drop database if exists ${building}`);
    }
  });
}

/** A new database copied from the template; returns its URL and how to drop it. */
export async function createPostgresDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  await ensurePostgresTemplate();
  await withAdminClient((client) => client.query(`create database ${name} template ${postgresTemplateName}`));
  return { url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/**
 * A new empty database (from template0, no migrations applied), dropped first if a run before left it,
 * with `settings` set on it (`ALTER DATABASE … SET`, e.g. "timezone = 'Asia/Shanghai'"); its URL and
 * how to drop it.
 */
export async function createEmptyPostgresDatabase(
  name: string,
  settings: string[] = [],
): Promise<{ url: string; drop: () => Promise<void> }> {
  await withAdminClient(async (client) => {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name} template template0`);
    for (const setting of settings) await client.query(`alter database ${name} set ${setting}`);
  });
  return { url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/** The URL of a database of the test server. */
function databaseUrl(name: string): string {
  const url = new URL(postgresBaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Drops a test database, ending its sessions. PostgreSQL waits five seconds for the sessions it ended
 * to exit, then refuses (55006, in use): on a loaded machine one may take longer, so it is asked again.
 */
async function dropDatabase(name: string, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdminClient((client) => client.query(`drop database if exists ${name} with (force)`));
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt === attempts) throw error;
    }
  }
}
