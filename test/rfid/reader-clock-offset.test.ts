// GET /rfid/readers shows each reader's clock offset: of its last batch that brought reads, the latest
// time the reader gave a read minus when the service received the batch (negative: the reader's clock
// runs behind), so a cold store's operator sees a reader running behind before its reads get rejected.
// A batch stored before migration 0110 kept no reader's time: its reader's offset is null, never a guess.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { readPoint, registerReader, SCHEMA_BEFORE_0110 } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28068942000${String(n).padStart(12, '0')}`;
const SECOND = 1000;
const HOUR = 3_600_000;

t.test('each reader’s clock offset, by its last batch that brought reads', async (t) => {
  let clock = new Date('2026-06-01T02:00:00.000Z');
  const world = await createWorld(t, undefined, { rfidTickMs: 0, now: () => clock });
  const store = await world.party('cold_storage');
  const behind = await registerReader(world, store, 'FX9600-BEHIND');
  const ahead = await registerReader(world, store, 'FX9600-AHEAD');
  const idle = await registerReader(world, store, 'FX9600-IDLE');
  await readPoint(world, store, 'observe', [
    { readerId: behind.id, antenna: '*' },
    { readerId: ahead.id, antenna: '*' },
  ]);
  type Listed = { id: string; clockOffsetSeconds: number | null; lastReadAt: string | null };
  const offsetOf = async (id: string) =>
    ((await store.api.get('/rfid/readers')).body.items as Listed[]).find((reader) => reader.id === id)?.clockOffsetSeconds;
  /** Posts reads dated `offsets` (ms) from now by the service's clock, received at `at`. */
  const post = async (reader: typeof behind, at: Date, offsets: number[]) => {
    clock = at;
    const reply = await reader.api.post('/rfid/reads', {
      reads: offsets.map((offset, n) => ({
        reader: reader.hostName,
        antenna: 1,
        epc: tag(n + 1),
        time: new Date(at.getTime() + offset).toISOString(),
      })),
    });
    return expectStatus(t, reply, 202, `reads of ${reader.hostName}`).body.batchId as string;
  };

  t.equal(await offsetOf(behind.id), null, 'no reads yet: no offset');
  // read 3 h behind, the latest of the batch's reads 2 h 59 min 50 s behind
  await post(behind, new Date('2026-06-01T02:00:00.000Z'), [-3 * HOUR, -3 * HOUR + 10 * SECOND, -3 * HOUR + 5 * SECOND]);
  t.equal(await offsetOf(behind.id), -(3 * HOUR - 10 * SECOND) / SECOND, 'behind: negative, in seconds, by the latest read');
  // a batch read 90.25 s ahead (within the 2 minutes a reader may run ahead)
  await post(ahead, new Date('2026-06-01T02:01:00.000Z'), [90_250, 30_000]);
  t.equal(await offsetOf(ahead.id), 90.25, 'ahead: positive, to the millisecond');
  t.equal(await offsetOf(behind.id), -(3 * HOUR - 10 * SECOND) / SECOND, 'each reader by its own batches');
  t.equal(await offsetOf(idle.id), null, 'a reader never heard from');

  // set right: the next batch says so
  await post(behind, new Date('2026-06-01T02:10:00.000Z'), [-2 * SECOND]);
  t.equal(await offsetOf(behind.id), -2, 'the last batch with reads counts');

  // a batch of no reads (a heartbeat) says nothing of the reader's clock
  clock = new Date('2026-06-01T02:20:00.000Z');
  const heartbeat = await behind.api.post('/rfid/zebra', { type: 'heartbeat', timestamp: '2026-06-01T09:20:00.000+0800', data: {} });
  expectStatus(t, heartbeat, 202, 'a heartbeat');
  t.equal(await offsetOf(behind.id), -2, 'a heartbeat moves it not');

  // the last batch with reads stored before 0110: unknown, not a wrong number from an older batch
  const db = world.database.db;
  for (const statement of SCHEMA_BEFORE_0110) await queryRows(db, sql.raw(statement));
  await runStatements(db, migrationStatements('0110_rfid_reader_clock_ambiguous_departure.sql'));
  t.equal(await offsetOf(behind.id), null, 'a batch stored before: null');
  t.equal(await offsetOf(ahead.id), null, 'for every reader');
  await post(ahead, new Date('2026-06-01T02:30:00.000Z'), [-1500]);
  t.equal(await offsetOf(ahead.id), -1.5, 'known again from its next batch');
  t.equal(await offsetOf(behind.id), null, 'the other still unknown');
  const [index] = await queryRows<{ count: number }>(
    db,
    sql`select count(*)::int as count from pg_indexes where tablename = 'rfid_reads' and indexname = 'rfid_reads_batch_idx'`,
  );
  t.equal(index.count, 1, 'rfid_reads.batch_id is indexed');
});

// A middleware forwards several readers' reads in one post under the party's reader key: each reader's
// clock is its own, and the post is each reader's last batch with reads.
t.test('a post of several readers’ reads gives each reader its own clock offset', async (t) => {
  let clock = new Date('2026-06-01T02:00:00.000Z');
  const world = await createWorld(t, undefined, { rfidTickMs: 0, now: () => clock });
  const store = await world.party('cold_storage');
  const behind = await registerReader(world, store, 'FX9600-MW-BEHIND');
  const ahead = await registerReader(world, store, 'FX9600-MW-AHEAD');
  const fresh = await registerReader(world, store, 'FX9600-MW-FRESH');
  await readPoint(world, store, 'observe', [
    { readerId: behind.id, antenna: '*' },
    { readerId: ahead.id, antenna: '*' },
    { readerId: fresh.id, antenna: '*' },
  ]);
  type Listed = { id: string; clockOffsetSeconds: number | null; lastReadAt: string | null; lastHeardAt: string | null };
  const listed = async (id: string) => ((await store.api.get('/rfid/readers')).body.items as Listed[]).find((reader) => reader.id === id);
  const at = (offset: number) => new Date(clock.getTime() + offset).toISOString();

  // the ahead reader posted once on its own, its clock right then
  expectStatus(
    t,
    await ahead.api.post('/rfid/reads', { reads: [{ reader: ahead.hostName, antenna: 1, epc: tag(1), time: at(-2 * SECOND) }] }),
    202,
    'a batch of its own',
  );
  t.equal((await listed(ahead.id))?.clockOffsetSeconds, -2);

  const issued = await world.ok(world.admin.post('/api-keys', { role: 'reader', partyCode: store.code }));
  const middleware = client(world.app, issued.key);
  clock = new Date('2026-06-01T02:10:00.000Z');
  const forwarded = await middleware.post('/rfid/reads', {
    reads: [
      { reader: behind.hostName, antenna: 1, epc: tag(2), time: at(-3 * HOUR) },
      { reader: ahead.hostName, antenna: 1, epc: tag(3), time: at(90_250) },
      { reader: behind.hostName, antenna: 1, epc: tag(4), time: at(-3 * HOUR + 10 * SECOND) },
      { reader: fresh.hostName, antenna: 1, epc: tag(5), time: at(-1500) },
      { reader: ahead.hostName, antenna: 1, epc: tag(6), time: at(30 * SECOND) },
    ],
  });
  t.match(expectStatus(t, forwarded, 202, 'three readers’ reads in one post').body, { reads: 5, observations: 5, unplaced: 0 });
  const [first, second, third] = await Promise.all([listed(behind.id), listed(ahead.id), listed(fresh.id)]);
  t.equal(first?.clockOffsetSeconds, -(3 * HOUR - 10 * SECOND) / SECOND, 'the reader named first: by its own latest read');
  t.equal(second?.clockOffsetSeconds, 90.25, 'another reader of the post: by its own reads, not its earlier batch');
  t.equal(third?.clockOffsetSeconds, -1.5, 'a reader first heard of in the post');
  for (const [name, reader] of Object.entries({ first, second, third })) {
    t.equal(reader?.lastReadAt, clock.toISOString(), `${name}: its last reads are the post's`);
    t.equal(reader?.lastHeardAt, clock.toISOString(), `${name}: last heard of then`);
  }
  const stored = await queryRows<{ reads: number; batches: number }>(
    world.database.db,
    sql`select coalesce(sum(reads), 0)::int as reads, count(*)::int as batches from rfid_batches where received_at = ${clock.toISOString()}::timestamptz`,
  );
  t.same(stored, [{ reads: 5, batches: 3 }], 'the post stored as one batch of each reader, its reads counted once');
});
