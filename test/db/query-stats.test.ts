import { sql } from 'drizzle-orm';
import type { Database, ObservedQuery } from '../../src/db/client.js';
import { createItemsRepository } from '../../src/items/repository.js';
import { createLineageRepository } from '../../src/lineage/repository.js';
import type { PendingScan } from '../../src/scans/buffer.js';
import { createScansRepository } from '../../src/scans/repository.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The statements `work` issues, as counted and as observed. */
async function statementsOf(database: Database, work: () => Promise<unknown>) {
  const observed: ObservedQuery[] = [];
  const stop = database.stats.observe((query) => observed.push(query));
  const before = { queries: database.stats.queries, waitMs: database.stats.waitMs };
  try {
    await work();
  } finally {
    stop();
  }
  return {
    queries: database.stats.queries - before.queries,
    waitMs: database.stats.waitMs - before.waitMs,
    observed,
    texts: observed.map((query) => query.text.replace(/\s+/g, ' ').trim().toLowerCase()),
  };
}

const scan = (id: string, itemCode: string | null): PendingScan => ({
  id,
  code: itemCode ?? 'UNKNOWN',
  itemCode,
  lotCode: null,
  partyCode: null,
  at: new Date('2026-01-01T00:00:00Z'),
  region: '500236',
  ipHash: '0'.repeat(32),
  clientHash: id.padEnd(32, '0'), // a client's second scan in the window would be dropped
  userAgent: null,
});

t.test('one statement, one count, and the time spent awaiting it', async (t) => {
  const database = await openTestDatabase(t);
  const seen = await statementsOf(database, () => database.db.execute(sql`select 1 as one`));
  t.equal(seen.queries, 1);
  t.ok(seen.waitMs > 0, 'time awaiting the database');
  t.strictSame(seen.texts, ['select 1 as one']);
  t.equal(seen.observed[0].rows, 1);
  t.ok(seen.observed[0].ms > 0);
});

t.test('concurrent statements each count (on PostgreSQL: several pooled connections)', async (t) => {
  const database = await openTestDatabase(t);
  const seen = await statementsOf(database, () =>
    Promise.all(Array.from({ length: 6 }, (_, i) => database.db.execute(sql`select ${i}::int as n, pg_sleep(0.01)`))),
  );
  t.equal(seen.queries, 6);
  t.strictSame(seen.observed.map((query) => query.params[0]).sort(), [0, 1, 2, 3, 4, 5]);
});

t.test('a transaction: BEGIN and COMMIT count as statements; ROLLBACK when the work fails', async (t) => {
  const database = await openTestDatabase(t);
  const committed = await statementsOf(database, () =>
    database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await tx.execute(sql`select 2`);
    }),
  );
  t.equal(committed.queries, 4);
  t.strictSame(committed.texts, ['begin', 'select 1', 'select 2', 'commit']);

  const failed = await statementsOf(database, () =>
    database.db
      .transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        throw new Error('work failed');
      })
      .catch((error: Error) => t.equal(error.message, 'work failed')),
  );
  t.strictSame(failed.texts, ['begin', 'select 1', 'rollback']);
  t.equal(failed.queries, 3);
});

t.test('a failing statement counts, with rows null', async (t) => {
  const database = await openTestDatabase(t);
  const seen = await statementsOf(database, () => t.rejects(database.db.execute(sql`select * from no_such_table`)));
  t.equal(seen.queries, 1);
  t.equal(seen.observed[0].rows, null);
});

t.test('the prepared statement find_items: one statement per lookup, one for lookups of the same turn', async (t) => {
  const database = await openTestDatabase(t);
  const items = createItemsRepository(database);
  const one = await statementsOf(database, () => items.findItem('A0000000001'));
  t.equal(one.queries, 1);
  t.strictSame(one.observed[0].params[0], ['A0000000001'], 'the codes travel as one array');
  t.equal(one.observed[0].rows, 0);
  const again = await statementsOf(database, () => items.findItem('A0000000002'));
  t.equal(again.queries, 1, 'each execution of the prepared statement counts');
  t.equal(again.observed[0].text, one.observed[0].text);
  const shared = await statementsOf(database, () => Promise.all([items.findItem('B0000000001'), items.findItem('B0000000002')]));
  t.equal(shared.queries, 1);
  t.strictSame(shared.observed[0].params[0], ['B0000000001', 'B0000000002']);
});

t.test('writeScans: one transaction of four statements, whether or not a scan names an item', async (t) => {
  const database = await openTestDatabase(t);
  const scans = createScansRepository(database.db);
  const known = await statementsOf(database, () => scans.writeScans([scan('s1', 'C0000000001'), scan('s2', 'C0000000001')]));
  t.equal(known.queries, 4);
  t.match(known.texts, [
    'begin',
    /^with v as \(.* insert into last_counted_scans .* insert into scans /s,
    /with forgotten as \( delete from last_counted_scans .* updated as \( update items /s,
    'commit',
  ]);
  t.strictSame(
    known.observed.map((query) => query.rows),
    [0, 2, 0, 0],
    'two scans logged; no such item to update',
  );
  const unknown = await statementsOf(database, () => scans.writeScans([scan('s3', null)]));
  t.equal(unknown.queries, 4, 'the last statement forgets old scans');
});

t.test('lineage.reachable: one statement, none without start lots', async (t) => {
  const database = await openTestDatabase(t);
  const lineage = createLineageRepository(database.db);
  t.equal((await statementsOf(database, () => lineage.reachable(['L1'], 'backward', 30))).queries, 1);
  t.equal((await statementsOf(database, () => lineage.reachable([], 'backward', 30))).queries, 0);
});

t.test('copyRows: one COPY on PostgreSQL, chunked INSERTs in a transaction on PGlite', async (t) => {
  const database = await openTestDatabase(t);
  const rows = [
    ['c1', 'raw1', 'h'],
    ['c2', 'raw2', 'h'],
  ];
  const seen = await statementsOf(database, () => database.copyRows('scans', ['id', 'raw_code', 'ip_hash'], rows));
  if (database.kind === 'postgres') {
    t.strictSame(seen.texts, ['copy scans (id, raw_code, ip_hash) from stdin']);
    t.equal(seen.observed[0].rows, 2);
  } else {
    t.match(seen.texts, ['begin', /^insert into scans /, 'commit']);
    t.equal(seen.observed[1].rows, 2);
  }
  t.equal(seen.queries, seen.observed.length);
});

t.test('an observer hears nothing once it stops; counting goes on', async (t) => {
  const database = await openTestDatabase(t);
  const heard: string[] = [];
  const stop = database.stats.observe((query) => heard.push(query.text));
  await database.db.execute(sql`select 1`);
  stop();
  const before = database.stats.queries;
  await database.db.execute(sql`select 2`);
  t.strictSame(heard, ['select 1']);
  t.equal(database.stats.queries, before + 1);
});
