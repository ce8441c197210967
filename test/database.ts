// Migrated test databases, made once per test run and copied per test: creating and migrating
// an embedded PGlite costs seconds, loading a dump of one well under a second; on PostgreSQL a
// migrated template database is copied by CREATE DATABASE … TEMPLATE.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
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
export const postgresTemplateName = `trace_template_${migrationsHash}`;
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
  return PGlite.create({ dataDir, loadDataDir: new Blob([new Uint8Array(bytes)]) });
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
  const url = new URL(postgresBaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdminClient((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
