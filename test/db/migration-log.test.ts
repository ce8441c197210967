// What a start says about the migrations it applies: which ones, each as it finishes with the time it
// took, and in all; a database already migrated gets one line saying so. An upgrade that applies
// migration 0105 (whose indexes make writes wait) names it before it starts and once it is done.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Test } from 'tap';
import { type Database, migrationsFolder, openPglite, openPostgres, queryRows } from '../../src/db/client.js';
import { createEmptyPostgresDatabase } from '../database.js';
import { usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
t.setTimeout(300_000);

type Line = { level: 'info' | 'warn'; object: Record<string, unknown>; message: string };
function recordingLog() {
  const lines: Line[] = [];
  return {
    lines,
    log: {
      info: (object: object, message: string) => lines.push({ level: 'info', object: object as Line['object'], message }),
      warn: (object: object, message: string) => lines.push({ level: 'warn', object: object as Line['object'], message }),
    },
  };
}

const journal = (JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] })
  .entries;
const tags = journal.map((entry) => entry.tag);

/** A fresh empty database, and how to apply the journal's migrations but the last `left` the way an older version did. */
async function emptyDatabase(t: Test): Promise<{ database: Database; applyAllBut: (left: number) => Promise<void> }> {
  // an older version's migrations folder: the journal without its last entries
  const olderFolder = (left: number) => {
    const folder = mkdtempSync(join(tmpdir(), 'county-trace-older-migrations-'));
    t.teardown(() => rmSync(folder, { recursive: true, force: true }));
    cpSync(migrationsFolder, folder, { recursive: true });
    const file = join(folder, 'meta', '_journal.json');
    const older = JSON.parse(readFileSync(file, 'utf8'));
    older.entries = older.entries.slice(0, -left);
    writeFileSync(file, JSON.stringify(older));
    return folder;
  };
  if (usingPostgres()) {
    const { url, drop } = await createEmptyPostgresDatabase(`migration_log_${process.pid}`);
    const database = await openPostgres(url);
    t.teardown(async () => {
      await database.close();
      await drop();
    });
    return {
      database,
      applyAllBut: async (left) => {
        const pool = new pg.Pool({ connectionString: url });
        try {
          await migratePg(drizzlePg(pool), { migrationsFolder: olderFolder(left) });
        } finally {
          await pool.end();
        }
      },
    };
  }
  const pglite = await PGlite.create();
  const database = await openPglite(undefined, pglite);
  t.teardown(() => database.close());
  return {
    database,
    applyAllBut: (left) => migratePglite(drizzlePglite({ client: pglite }), { migrationsFolder: olderFolder(left) }),
  };
}

t.test('a new database: every migration named as it is applied, then the total; a second run says the schema is current', async (t) => {
  const { database } = await emptyDatabase(t);
  const first = recordingLog();
  await database.migrate(first.log);
  const [announced, ...rest] = first.lines;
  t.match(
    announced,
    { level: 'info', object: { pending: tags }, message: `applying ${tags.length} migrations` },
    'all of them named first',
  );
  const each = rest.slice(0, -1);
  t.strictSame(
    each.map((line) => line.object.migration),
    tags,
    'one line per migration, in order',
  );
  t.ok(
    each.every((line) => line.message === 'migration applied' && typeof line.object.ms === 'number' && line.object.ms >= 0),
    'each with the milliseconds it took',
  );
  t.match(rest.at(-1), { level: 'info', object: { migrations: tags.length, ms: Number }, message: 'migrations applied' }, 'and the total');

  const second = recordingLog();
  await database.migrate(second.log);
  t.strictSame(
    second.lines,
    [{ level: 'info', object: { migrations: tags.length, last: tags.at(-1) }, message: 'database schema is current' }],
    'one line and no migration when none is pending',
  );
});

t.test('an upgrade names only the migrations it applies (0105 among them); one that fails is named and none kept', async (t) => {
  const { database, applyAllBut } = await emptyDatabase(t);
  // 0105 and every migration after it: an upgrade from 0104
  const newest = tags.slice(tags.indexOf('0105_list_paging_indexes'));
  t.ok(newest.length >= 2, '0105 and the migrations after it');
  await applyAllBut(newest.length);

  // an index of the name 0105 gives one of its own is in the way
  await database.db.execute(sql`create index "shipments_shipped_idx" on "shipments" ("id")`);
  const failed = recordingLog();
  await t.rejects(database.migrate(failed.log), /shipments_shipped_idx/, 'the start fails on it');
  t.strictSame(
    failed.lines,
    [
      { level: 'info', object: { pending: newest }, message: `applying ${newest.length} migrations` },
      {
        level: 'warn',
        object: { migration: '0105_list_paging_indexes' },
        message: `migration failed: none of the ${newest.length} migrations applied`,
      },
    ],
    'names the one that failed',
  );
  const [recorded] = await queryRows<{ count: number }>(database.db, sql`select count(*)::int as count from drizzle.__drizzle_migrations`);
  t.equal(recorded?.count, tags.length - newest.length, 'the database as it was');

  await database.db.execute(sql`drop index "shipments_shipped_idx"`);
  const { lines, log } = recordingLog();
  await database.migrate(log);
  t.strictSame(lines[0], { level: 'info', object: { pending: newest }, message: `applying ${newest.length} migrations` });
  t.strictSame(
    lines.slice(1, -1).map((line) => line.object.migration),
    newest,
    `${newest.join(', ')} each logged as applied`,
  );
  t.match(lines.at(-1), { object: { migrations: newest.length }, message: 'migrations applied' });
});
