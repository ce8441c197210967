// The repeat window is a sliding one: a client's scan of a code counts unless that client's scan of the
// code was counted in the ten minutes before it, whichever instance on one database counted either,
// also when both were still held in two instances' memory, and across any clock-aligned edge.
import { sql } from 'drizzle-orm';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import type { Database } from '../../src/db/client.js';
import { openPostgres, queryRows } from '../../src/db/client.js';
import type { PendingScan } from '../../src/scans/buffer.js';
import { FORGOTTEN_AFTER_MS, PRUNED_PER_BATCH } from '../../src/scans/repository.js';
import { REPEAT_WINDOW_MS } from '../../src/scans/service.js';
import { postgresBaseUrl } from '../database.js';
import { createChain } from '../fixtures/chain.js';
import { holdLocked, waitersReach } from '../fixtures/locks.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { openTestDatabase, postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

// ten seconds before a ten-minute edge of the clock (10:00:00)
const EDGE = Date.parse('2026-11-01T10:00:00Z');

/** A pack of a lot of its own, on `database`. */
async function onePack(database: Database) {
  const chain = createChain(database);
  const processor = await chain.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const [code] = await processor.items(lot, 1);
  return { code, lot };
}

/** Stored counts of a pack: its counter, and the scans logged for it. */
async function storedScans(database: Database, code: string) {
  const [row] = await queryRows<{ count: number; logged: number }>(
    database.db,
    sql`select scan_count as count, (select count(*)::int from scans where item_code = ${code}) as logged from items where code = ${code}`,
  );
  return { count: Number(row.count), logged: Number(row.logged) };
}

/** The pending scan of `code` by the phone at `at`: a pack's, (`lot`) a lot's or case's own, or (`unknown`) of a code naming nothing. */
const pendingScan = (id: string, code: string, at: number, kind: 'item' | 'lot' | 'unknown' = 'item'): PendingScan => ({
  id,
  code,
  itemCode: kind === 'item' ? code : null,
  lotCode: kind === 'lot' ? code : null,
  partyCode: null,
  at: new Date(at),
  region: null,
  ipHash: 'ip',
  userAgent: 'phone',
  clientHash: 'the phone',
});

type Logged = { object: object; message: string };

/** A service instance on `database` with a clock of its own; what it logs at info goes to `logged`. */
function instance(database: Database, logged: Logged[] = []) {
  const clock = { at: EDGE };
  const log = { error: () => {}, warn: () => {}, info: (object: object, message: string) => logged.push({ object, message }) };
  const chain = createChain(database, { now: () => new Date(clock.at), ipSalt: 'one salt for every instance', log });
  return {
    chain,
    /** A scan of `code` by the phone at `at`, as the consumer page records it. */
    scan: (code: string, at: number, userAgent = 'phone') => {
      clock.at = at;
      return chain.services.resolver.resolveCode(code, { record: true, region: null, ip: '203.0.113.7', userAgent });
    },
  };
}

type Instance = ReturnType<typeof instance>;

/** Another pool on `database`'s PostgreSQL database, for watching its locks while its own pool's connections are all taken: close it. */
async function watching(database: Database): Promise<Database> {
  const [{ name }] = await queryRows<{ name: string }>(database.db, sql`select current_database() as name`);
  const url = new URL(postgresBaseUrl());
  url.pathname = `/${name}`;
  return openPostgres(url.toString());
}

/**
 * `code` scanned through one instance and then through another, each at its time, each scan still held in its
 * instance's memory when the other looks (neither sees the other's); then both batches stored, the one scanned
 * first unless `storedFirst` names the other. The answers to the two scans.
 */
async function heldByBoth(code: string, [one, oneAt]: [Instance, number], [other, otherAt]: [Instance, number], storedFirst = one) {
  const answers = [await one.scan(code, oneAt), await other.scan(code, otherAt)];
  for (const instance of storedFirst === one ? [one, other] : [other, one]) await instance.chain.services.scans.flush();
  return answers;
}

t.test('two scans either side of a ten-minute edge of the clock, through two instances, count once', async (t) => {
  const database = await openTestDatabase(t);
  const { code } = await onePack(database);
  const [first, second] = [instance(database), instance(database)];

  const [answer] = await heldByBoth(code, [first, EDGE - 1000], [second, EDGE + 1000]);
  t.equal(answer.pack.scans.count, 1, '09:59:59 through the first');
  t.strictSame(await storedScans(database, code), { count: 1, logged: 1 }, '10:00:01 through the second is the same scan');

  // the other way round: the later one stored first
  const other = await onePack(database);
  await heldByBoth(other.code, [first, EDGE - 1000], [second, EDGE + 1000], second);
  t.strictSame(await storedScans(database, other.code), { count: 1, logged: 1 }, 'stored in the other order: one scan too');
});

t.test('a scan counts once ten minutes have passed since the last counted one, not since an edge of the clock', async (t) => {
  const database = await openTestDatabase(t);
  const { code } = await onePack(database);
  const [first, second] = [instance(database), instance(database)];

  await first.scan(code, EDGE - 1000);
  await first.chain.services.scans.flush();
  // stored: seen by the other instance whatever the edge
  t.equal((await second.scan(code, EDGE + 1000)).pack.scans.count, 1, 'two seconds later through the other: not counted');
  t.equal((await second.scan(code, EDGE - 1000 + REPEAT_WINDOW_MS - 1)).pack.scans.count, 1, 'just under ten minutes later');
  await second.chain.services.scans.flush();
  t.equal((await second.scan(code, EDGE - 1000 + REPEAT_WINDOW_MS)).pack.scans.count, 2, 'ten minutes after the counted one');
  await second.chain.services.scans.flush();
  t.strictSame(await storedScans(database, code), { count: 2, logged: 2 });
});

t.test('while one instance holds a counted scan, another’s within ten minutes of it is dropped when stored', async (t) => {
  const database = await openTestDatabase(t);
  const { code } = await onePack(database);
  const { scans } = createChain(database).repositories;
  let serial = 0;
  const scanAt = (at: number) => pendingScan(`${code}-${++serial}`, code, at);
  await scans.writeScans([scanAt(EDGE)]);
  await scans.writeScans([scanAt(EDGE + REPEAT_WINDOW_MS - 1)]);
  t.strictSame(await storedScans(database, code), { count: 1, logged: 1 }, 'one millisecond short of ten minutes: dropped');
  await scans.writeScans([scanAt(EDGE - 5 * 60_000)]);
  t.strictSame(await storedScans(database, code), { count: 1, logged: 1 }, 'an earlier one stored late, within ten minutes: dropped');
  await scans.writeScans([scanAt(EDGE + REPEAT_WINDOW_MS)]);
  t.strictSame(await storedScans(database, code), { count: 2, logged: 2 }, 'ten minutes after the counted one: counted');
  // one batch holding several of the client's scans: each measured against the last counted before it
  const base = EDGE + 3 * REPEAT_WINDOW_MS;
  await scans.writeScans([scanAt(base + REPEAT_WINDOW_MS), scanAt(base), scanAt(base + 6 * 60_000), scanAt(base + 12 * 60_000)]);
  t.strictSame(await storedScans(database, code), { count: 4, logged: 4 }, 'in one batch: the first, and the one ten minutes after it');
});

t.test('a scan dropped when stored, as another instance counted the client’s later scan first, is logged with why', async (t) => {
  const database = await openTestDatabase(t);
  const { code } = await onePack(database);
  const logged: Logged[] = [];
  const [first, second] = [instance(database), instance(database, logged)];
  await heldByBoth(code, [first, EDGE + 1000], [second, EDGE - 1000]);
  t.strictSame(await storedScans(database, code), { count: 1, logged: 1 }, 'the later one, stored first, counted');
  t.equal(logged.length, 1, 'one line');
  t.match(logged[0], {
    object: { scan: { code, kind: 'item', at: new Date(EDGE - 1000) } },
    message: /dropped.*counted/,
  });
});

t.test('a pack’s scan and a lot’s scan of one text do not make each other repeats', async (t) => {
  const database = await openTestDatabase(t);
  const { scans } = createChain(database).repositories;
  const logged = async () =>
    (await queryRows<{ id: string }>(database.db, sql`select id from scans where raw_code = 'SAMETEXT001' order by id`)).map(
      (row) => row.id,
    );
  t.strictSame(await scans.writeScans([pendingScan('a-pack', 'SAMETEXT001', EDGE)]), [], 'nothing dropped');
  t.strictSame(await scans.writeScans([pendingScan('b-lot', 'SAMETEXT001', EDGE + 60_000, 'lot')]), [], 'nothing dropped');
  t.strictSame(await logged(), ['a-pack', 'b-lot'], 'both counted');
  const dropped = await scans.writeScans([pendingScan('c-lot', 'SAMETEXT001', EDGE + 120_000, 'lot')]);
  t.strictSame(
    dropped.map((scan) => scan.id),
    ['c-lot'],
    'the lot’s own repeat is one',
  );
  t.strictSame(await logged(), ['a-pack', 'b-lot']);
});

t.test('a client’s scans of a code that names nothing count once within ten minutes, apart from a pack’s of that text', async (t) => {
  const database = await openTestDatabase(t);
  const { scans } = createChain(database).repositories;
  const logged = async () =>
    (await queryRows<{ id: string }>(database.db, sql`select id from scans where raw_code = 'NOTHING0001' order by id`)).map(
      (row) => row.id,
    );
  t.strictSame(await scans.writeScans([pendingScan('a-pack', 'NOTHING0001', EDGE)]), [], 'nothing dropped');
  t.strictSame(await scans.writeScans([pendingScan('b-unknown', 'NOTHING0001', EDGE + 1000, 'unknown')]), [], 'not a repeat of the pack’s');
  const dropped = await scans.writeScans([pendingScan('c-unknown', 'NOTHING0001', EDGE + 60_000, 'unknown')]);
  t.strictSame(
    dropped.map((scan) => scan.id),
    ['c-unknown'],
    'a minute later: a repeat, held by another instance when it looked',
  );
  t.strictSame(await scans.writeScans([pendingScan('d-unknown', 'NOTHING0001', EDGE + 1000 + REPEAT_WINDOW_MS, 'unknown')]), []);
  t.strictSame(await logged(), ['a-pack', 'b-unknown', 'd-unknown'], 'ten minutes after the counted one: counted');
});

t.test('a code that names nothing, scanned through two instances while each holds its scan, is stored once', async (t) => {
  const database = await openTestDatabase(t);
  const [first, second] = [instance(database), instance(database)];
  const body = '0000000555';
  const code = body + mod31CheckChar(body);
  for (const [one, at] of [
    [first, EDGE - 1000],
    [second, EDGE + 1000],
  ] as const) {
    await t.rejects(one.scan(code, at), { name: 'NotGenuineError' });
  }
  for (const one of [first, second]) await one.chain.services.scans.flush();
  const [{ logged }] = await queryRows<{ logged: number }>(
    database.db,
    sql`select count(*)::int as logged from scans where raw_code = ${code}`,
  );
  t.equal(Number(logged), 1, 'the second instance’s is dropped when stored');
});

t.test('a client’s last counted scan of a code is forgotten once it can make no repeat, a bounded number per batch', async (t) => {
  const database = await openTestDatabase(t);
  const { scans } = createChain(database).repositories;
  const remembered = async () =>
    (await queryRows<{ code: string }>(database.db, sql`select code from last_counted_scans where code not like 'OLD%' order by code`)).map(
      (row) => row.code,
    );
  const old = async () =>
    Number(
      (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from last_counted_scans where code like 'OLD%'`))[0].n,
    );
  // more forgotten scans than one batch forgets
  await queryRows(
    database.db,
    sql`insert into last_counted_scans (kind, code, client_hash, counted_at)
        select 'item', 'OLD' || i, 'phone', ${new Date(EDGE - 1).toISOString()}::timestamptz from generate_series(1, ${PRUNED_PER_BATCH + 5}) i`,
  );
  await scans.writeScans([pendingScan('kept', 'KEPT', EDGE)]);
  await scans.writeScans([pendingScan('later', 'LATER', EDGE + FORGOTTEN_AFTER_MS)]);
  t.equal(await old(), 5, 'the scans counted more than twenty minutes before the batch’s: as many as a batch forgets');
  t.strictSame(await remembered(), ['KEPT', 'LATER'], 'twenty minutes before: kept');
  await scans.writeScans([pendingScan('later still', 'STILL', EDGE + FORGOTTEN_AFTER_MS + 1)]);
  t.equal(await old(), 0, 'the rest with the next batch');
  t.strictSame(await remembered(), ['LATER', 'STILL'], 'and the one counted twenty minutes and a millisecond before');
  // a repeat is still judged against the scan the client made within ten minutes
  t.strictSame(
    (await scans.writeScans([pendingScan('repeat', 'STILL', EDGE + FORGOTTEN_AFTER_MS + REPEAT_WINDOW_MS)])).map((scan) => scan.id),
    ['repeat'],
  );
});

// A batch's scans carry its instance's clock: one far ahead must not forget the scans that instances whose clocks
// agree with the database's still measure their repeats against.
t.test(
  'a batch stamped by an instance whose clock is far ahead forgets no scan counted within the hour by the database’s clock',
  async (t) => {
    const database = await openTestDatabase(t);
    const { scans } = createChain(database).repositories;
    const [{ now }] = await queryRows<{ now: Date | string }>(database.db, sql`select now() as now`);
    const databaseNow = new Date(now).getTime();
    await queryRows(
      database.db,
      sql`insert into last_counted_scans (kind, code, client_hash, counted_at) values
        ('item', 'RECENT', 'the phone', ${new Date(databaseNow - 5 * 60_000).toISOString()}::timestamptz),
        ('item', 'ANCIENT', 'the phone', ${new Date(databaseNow - FORGOTTEN_AFTER_MS - 60_000).toISOString()}::timestamptz)`,
    );
    await scans.writeScans([pendingScan('ahead', 'AHEAD', databaseNow + 2 * FORGOTTEN_AFTER_MS)]);
    const remembered = await queryRows<{ code: string }>(database.db, sql`select code from last_counted_scans order by code`);
    t.strictSame(
      remembered.map((row) => row.code),
      ['AHEAD', 'RECENT'],
      'the one counted five minutes ago kept; the one counted more than an hour ago forgotten',
    );
    t.strictSame(
      (await scans.writeScans([pendingScan('reload', 'RECENT', databaseNow)])).map((scan) => scan.id),
      ['reload'],
      'a reload five minutes after the counted scan, through an instance on the database’s time: still a repeat',
    );
  },
);

t.test('the same scan sent at once through many instances counts once (PostgreSQL)', onPostgres, async (t) => {
  const database = await openTestDatabase(t, 'postgres');
  const { code } = await onePack(database);
  const instances = Array.from({ length: 8 }, () => instance(database));
  // the batches watched from a pool of their own: the hold and the eight flushes take nine of the ten
  // connections of the instances' pool, and a look waiting for the last one would hold the test up
  const watcher = await watching(database);
  t.teardown(() => watcher.close());
  // the pack's row held: no batch can commit, so every instance's batch is in its transaction at once
  const hold = await holdLocked({ t, database }, sql`select 1 from items where code = ${code} for update`);
  // each instance's scan, a tenth of a second apart, across the ten-minute edge: each held in memory
  const scanned = await Promise.all(instances.map((one, i) => one.scan(code, EDGE - 400 + 100 * i)));
  t.strictSame(
    scanned.map((resolved) => resolved.pack.scans.count),
    instances.map(() => 1),
    'each instance counted its own',
  );
  const stored = Promise.all(instances.map((one) => one.chain.services.scans.flush()));
  await waitersReach({ database: watcher }, instances.length, stored);
  hold.release();
  await hold.done;
  await stored;
  t.strictSame(await storedScans(database, code), { count: 1, logged: 1 }, 'one scan stored and counted');
  for (const one of instances) {
    t.equal((await one.scan(code, EDGE + 60_000)).pack.scans.count, 1, 'a reload a minute later, through any: the same scan');
  }
});

// Migration 0050: the last counted scan of each client's code is taken from the scans log, so that a scan
// stored just before the upgrade still makes a repeat within ten minutes of it count nothing.
t.test('each client’s last counted scan of a code is backfilled from the scans log', async (t) => {
  const database = await openTestDatabase(t);
  const { code, lot } = await onePack(database);
  const { db } = database;
  const logged = (id: string, itemCode: string | null, lotCode: string | null, at: number, client: string | null) =>
    queryRows(
      db,
      sql`insert into scans (id, item_code, raw_code, lot_code, scanned_at, ip_hash, client_hash)
          values (${id}, ${itemCode}, ${itemCode ?? lotCode ?? 'UNKNOWN'}, ${lotCode}, ${new Date(at).toISOString()}::timestamptz, 'ip', ${client})`,
    );
  await logged(`${code}-1`, code, lot, EDGE - 3_600_000, 'phone');
  await logged(`${code}-2`, code, lot, EDGE, 'phone');
  await logged(`${code}-3`, null, lot, EDGE - 60_000, 'phone');
  await logged(`${code}-4`, code, lot, EDGE, null);
  await logged(`${code}-5`, null, null, EDGE, 'phone');
  await queryRows(db, sql`delete from scan_repeats`);
  await queryRows(db, sql.raw(migrationStatement('0050_scan_repeats.sql', 1)));

  const rows = await queryRows<{ code: string; client_hash: string; counted_at: Date | string }>(
    db,
    sql`select code, client_hash, counted_at from scan_repeats order by code`,
  );
  t.strictSame(
    rows.map((row) => ({ ...row, counted_at: new Date(row.counted_at).toISOString() })).sort((a, b) => a.code.localeCompare(b.code)),
    [
      { code, client_hash: 'phone', counted_at: new Date(EDGE).toISOString() },
      { code: lot, client_hash: 'phone', counted_at: new Date(EDGE - 60_000).toISOString() },
    ].sort((a, b) => a.code.localeCompare(b.code)),
    'the latest of the pack’s, the lot’s own; none for a scan of no code or of no known client',
  );
});

// Migration 0052: the rows of scan_repeats (keyed without the kind) of the last hour move to last_counted_scans with
// the kind of the scan that took their place, so that a scan stored just before the upgrade still makes a repeat count
// nothing; older ones, which pruning would forget, are dropped.
t.test('each client’s last counted scan of the last hour moves to last_counted_scans with its kind', async (t) => {
  const recent = Date.now() - 60_000;
  const database = await openTestDatabase(t);
  const { code, lot } = await onePack(database);
  const { db } = database;
  await queryRows(
    db,
    sql`insert into scans (id, item_code, raw_code, lot_code, scanned_at, ip_hash, client_hash) values
        (${`${code}-1`}, ${code}, ${code}, ${lot}, ${new Date(recent).toISOString()}::timestamptz, 'ip', 'phone'),
        (${`${code}-2`}, null, ${lot}, ${lot}, ${new Date(recent + 1000).toISOString()}::timestamptz, 'ip', 'phone')`,
  );
  await queryRows(
    db,
    sql`insert into scan_repeats (code, client_hash, counted_at) values
        (${code}, 'phone', ${new Date(recent).toISOString()}::timestamptz), (${lot}, 'phone', ${new Date(recent + 1000).toISOString()}::timestamptz),
        ('OLD', 'phone', ${new Date(EDGE).toISOString()}::timestamptz)`,
  );
  await queryRows(db, sql`delete from last_counted_scans`);
  await queryRows(db, sql.raw(migrationStatement('0052_last_counted_scans.sql', 2)));

  const rows = await queryRows<{ kind: string; code: string; counted_at: Date | string }>(
    db,
    sql`select kind, code, counted_at from last_counted_scans where client_hash = 'phone' order by kind`,
  );
  t.strictSame(
    rows.map((row) => ({ ...row, counted_at: new Date(row.counted_at).toISOString() })),
    [
      { kind: 'item', code, counted_at: new Date(recent).toISOString() },
      { kind: 'lot', code: lot, counted_at: new Date(recent + 1000).toISOString() },
    ],
    'the pack’s and the lot’s own, each of its kind; not the one of a month ago',
  );
  t.strictSame(await queryRows(db, sql`select * from scan_repeats`), [], 'moved, not copied');
});

t.test(
  'instances of the version before scan_repeats still drop their own repeats by the clock-aligned key (rolling restart)',
  async (t) => {
    const database = await openTestDatabase(t);
    const { code, lot } = await onePack(database);
    // the scan insert of that version: a counted scan carries its ten-minute window, a repeat is skipped on the key
    const oldInsert = (id: string) =>
      queryRows(
        database.db,
        sql`insert into scans (id, item_code, raw_code, lot_code, scanned_at, ip_hash, client_hash, repeat_window)
          values (${id}, ${code}, ${code}, ${lot}, ${new Date(EDGE).toISOString()}::timestamptz, 'ip', 'phone', ${Math.floor(EDGE / 600_000)})
          on conflict do nothing`,
      );
    await oldInsert(`${code}-old-1`);
    await oldInsert(`${code}-old-2`);
    const [{ count }] = await queryRows<{ count: number }>(
      database.db,
      sql`select count(*)::int as count from scans where id like ${`${code}-old-%`}`,
    );
    t.equal(count, 1, 'the repeat in the same window is not stored');
  },
);
