// Service processes started together on one new PostgreSQL database migrate it together: each
// waits its turn, so the second finds the migrations applied instead of failing on a column or an
// index the first has just made (a process that cannot migrate refuses to start).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrationsFolder, openPostgres, queryRows } from '../../src/db/client.js';
import { createEmptyPostgresDatabase } from '../database.js';
import { usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test(
  'two databases opened on one new PostgreSQL database migrate it at once, both without error',
  { skip: !usingPostgres() && 'PGlite: a data directory is opened by one process only' },
  async (t) => {
    const name = `migrate_together_${process.pid}`;
    const { url, drop } = await createEmptyPostgresDatabase(name);
    t.teardown(drop);
    const [first, second] = [await openPostgres(url), await openPostgres(url)];
    t.teardown(() => Promise.all([first.close(), second.close()]));

    const results = await Promise.allSettled([first.migrate(), second.migrate(), first.migrate(), second.migrate()]);
    t.same(
      results.map((result) => (result.status === 'rejected' ? String(result.reason) : 'migrated')),
      ['migrated', 'migrated', 'migrated', 'migrated'],
      'every migration run ends without error',
    );
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8'));
    const [applied] = await queryRows<{ count: number }>(first.db, sql`select count(*)::int as count from drizzle.__drizzle_migrations`);
    t.equal(applied?.count, journal.entries.length, 'each migration recorded once');
  },
);
