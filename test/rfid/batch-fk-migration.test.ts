// Migrations 0100 and 0101: rfid_reads.batch_id references rfid_batches. Windows whose batch row is
// missing (a database restored in part or edited by hand; 0096 folded such windows) keep every read:
// their batch gets a row rebuilt from them before the foreign key is added.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const statements = [...migrationStatements('0100_rfid_reads_missing_batches.sql'), ...migrationStatements('0101_rfid_reads_batch_fk.sql')];
const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;
const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

t.test('windows whose batch row is missing keep every read: their batch is rebuilt from them, then the key holds', async (t) => {
  let clock = new Date('2026-06-01T02:10:00.000Z');
  const world = await createWorld(t, undefined, { rfidTickMs: 0, now: () => clock });
  const db = world.database.db;
  const store = await world.party('cold_storage');
  const zebra = await registerReader(world, store);
  const generic = await registerReader(world, store);
  const gate = await readPoint(world, store, 'observe', [
    { readerId: zebra.id, antenna: 1 },
    { readerId: generic.id, antenna: 2 },
  ]);
  /** Posts reads (tag number, second of 10:0x) received at `received`; returns the batch's id. */
  const post = async (reader: typeof zebra, antenna: number, received: string, reads: [number, string][]) => {
    clock = new Date(received);
    const reply = await reader.api.post('/rfid/reads', {
      reads: reads.map(([n, time]) => ({ reader: reader.hostName, antenna, epc: tag(n), time })),
    });
    return expectStatus(t, reply, 202, `reads of ${reads.map(([n]) => n)}`).body.batchId as string;
  };
  const opened = await post(zebra, 1, '2026-06-01T02:10:00.000Z', [
    [1, '2026-06-01T02:01:05.000Z'],
    [2, '2026-06-01T02:01:06.000Z'],
  ]);
  // brings an earlier read of tag 1's window (which it takes over, keeping when the service first had a read
  // of it) and opens tag 3's
  const tookOver = await post(generic, 2, '2026-06-01T02:12:00.000Z', [
    [1, '2026-06-01T02:01:01.000Z'],
    [3, '2026-06-01T02:01:20.000Z'],
  ]);
  // only takes over tag 2's window
  const onlyTookOver = await post(generic, 2, '2026-06-01T02:13:00.000Z', [[2, '2026-06-01T02:01:02.000Z']]);
  // stored before 0069: no time the service first had a read
  const beforeReceivedTimes = await post(zebra, 1, '2026-06-01T02:14:00.000Z', [
    [4, '2026-06-01T02:05:07.000Z'],
    [5, '2026-06-01T02:05:03.000Z'],
  ]);
  const kept = await post(zebra, 1, '2026-06-01T02:15:00.000Z', [[6, '2026-06-01T02:06:00.000Z']]);

  // the database as it was before 0101, some batch rows missing
  await queryRows(db, sql`alter table rfid_reads drop constraint rfid_reads_batch_id_rfid_batches_id_fk`);
  await queryRows(db, sql`update rfid_reads set first_received_at = null where batch_id = ${beforeReceivedTimes}`);
  const missing = [opened, tookOver, onlyTookOver, beforeReceivedTimes];
  await queryRows(db, sql`delete from rfid_batches where id = any(${sql.param(missing)}::text[])`);
  const reads = () => queryRows<Record<string, unknown>>(db, sql`select * from rfid_reads order by tag_key, window_start`);
  const readsBefore = await reads();
  t.same(
    readsBefore.map((read) => read.batch_id),
    [tookOver, onlyTookOver, tookOver, beforeReceivedTimes, beforeReceivedTimes, kept],
    'windows name the batch that brought their first read',
  );

  await runStatements(db, statements);

  t.same(await reads(), readsBefore, 'every read kept as it was');
  const batches = await queryRows<Record<string, unknown>>(
    db,
    sql`select id, party_code as "partyCode", reader_id as "readerId", format, ${iso('received_at')} as "receivedAt", reads,
      other_events as "otherEvents" from rfid_batches order by received_at, id`,
  );
  const restored = { partyCode: store.code, format: 'restored', otherEvents: 0 };
  t.same(batches, [
    // its windows without the time the service first had a read of them: their latest first read (the reader's clock)
    { id: beforeReceivedTimes, ...restored, readerId: zebra.id, receivedAt: '2026-06-01T02:05:07.000Z', reads: 2 },
    // it only took over tag 2's window, which keeps when the batch that opened it came: the latest time known
    { id: onlyTookOver, ...restored, readerId: generic.id, receivedAt: '2026-06-01T02:10:00.000Z', reads: 1 },
    // tag 3's window it opened took its time
    { id: tookOver, ...restored, readerId: generic.id, receivedAt: '2026-06-01T02:12:00.000Z', reads: 2 },
    {
      id: kept,
      partyCode: store.code,
      readerId: zebra.id,
      format: 'generic',
      receivedAt: '2026-06-01T02:15:00.000Z',
      reads: 1,
      otherEvents: 0,
    },
  ]);

  // the key holds from now on, and the service stores a batch and its reads in one statement under it
  await t.rejects(
    queryRows(db, sql`update rfid_reads set batch_id = 'no-such-batch' where read_point_id = ${gate.readPointId} and tag_key = ${tag(6)}`),
    'a read names no batch',
  );
  const later = await post(zebra, 1, '2026-06-01T02:20:00.000Z', [[7, '2026-06-01T02:19:00.000Z']]);
  const stored = await queryRows<{ batchId: string; format: string }>(
    db,
    sql`select r.batch_id as "batchId", b.format from rfid_reads r join rfid_batches b on b.id = r.batch_id where r.tag_key = ${tag(7)}`,
  );
  t.same(stored, [{ batchId: later, format: 'generic' }], 'a batch stored with its read');
});
