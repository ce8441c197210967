// What a start tells the operator about the migrations it applies. drizzle's migrator applies every
// migration newer than the last it recorded, all in one transaction, and says nothing; an upgrade whose
// migration builds indexes (writes wait meanwhile) would look hung. So the pending ones are read
// first, as drizzle decides them, and each is logged as drizzle records it in its table (the insert of
// its row is the migration's last statement).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type SQL, sql } from 'drizzle-orm';
import type { Db, QueryStats } from './client.js';

/** Where the migrations of a start are told: the process's logger. */
export type MigrationLog = {
  info: (object: object, message: string) => void;
  warn: (object: object, message: string) => void;
};

/** A start without a logger (tests, operator scripts) says nothing. */
export const SILENT: MigrationLog = { info: () => {}, warn: () => {} };

/** A migration of the journal: its tag (the file's name) and `when`, what drizzle records as its `created_at`. */
type Migration = { tag: string; when: number };

function journal(migrationsFolder: string): Migration[] {
  return (JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: Migration[] }).entries;
}

/** The rows of a statement (client.ts's queryRows, which imports this module). */
async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** drizzle's own rule: every migration made after the newest one recorded (all of them on a new database). */
async function pendingMigrations(db: Db, migrations: Migration[]): Promise<Migration[]> {
  const [table] = await rowsOf<{ exists: boolean }>(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`);
  if (!table?.exists) return migrations;
  const [recorded] = await rowsOf<{ last: string | null }>(db, sql`select max(created_at)::text as last from drizzle.__drizzle_migrations`);
  return recorded?.last ? migrations.filter((migration) => migration.when > Number(recorded.last)) : migrations;
}

/**
 * Runs `apply` (drizzle's migrator) on `db`, logging the migrations it applies: their tags first, each
 * as it is done with the milliseconds it took, then the total; one line when none is pending. Call it
 * where no other process migrates meanwhile (PostgreSQL: under the migrations lock).
 */
export async function migrateLogged(
  database: { db: Db; stats: QueryStats },
  migrationsFolder: string,
  apply: () => Promise<void>,
  log: MigrationLog,
): Promise<void> {
  const migrations = journal(migrationsFolder);
  const pending = await pendingMigrations(database.db, migrations);
  if (pending.length === 0) {
    log.info({ migrations: migrations.length, last: migrations.at(-1)?.tag }, 'database schema is current');
    await apply();
    return;
  }
  log.info({ pending: pending.map((migration) => migration.tag) }, `applying ${pending.length} migrations`);
  const byWhen = new Map(pending.map((migration) => [String(migration.when), migration.tag]));
  const started = performance.now();
  let lastDone = started;
  let done = 0;
  const stopObserving = database.stats.observe(({ text, params, rows }) => {
    if (rows === null || !/^\s*insert into "drizzle"\."__drizzle_migrations"/i.test(text)) return;
    const tag = byWhen.get(String(params[1]));
    if (!tag) return;
    const now = performance.now();
    log.info({ migration: tag, ms: Math.round(now - lastDone) }, 'migration applied');
    lastDone = now;
    done++;
  });
  try {
    await apply();
  } catch (error) {
    // drizzle applies them in one transaction: the failure rolls back those logged before it too
    log.warn({ migration: pending[done]?.tag }, `migration failed: none of the ${pending.length} migrations applied`);
    throw error;
  } finally {
    stopObserving();
  }
  log.info({ migrations: pending.length, ms: Math.round(performance.now() - started) }, 'migrations applied');
}
