// Migrations 0096 and 0097: reads stored one row per spelling of a tag in a window (hex, pure-identity
// URN, Digital Link) are folded into one row per tag key and window — reads summed, the earliest read's
// time, spelling, batch, reader and antenna, the greatest last time and peak RSSI, the decided row's
// outcome —, reads stored without a key are keyed, and the table is keyed by (read point, tag key, window).
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { gs1Tag } from '../fixtures/rfid-payloads.js';
import { keyReadsAsBefore, readPoint, registerReader, tagKeyFunctionsLeft } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const at = (minute: number, second = 0) =>
  new Date(`2026-06-01T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000+08:00`);
const windowOf = (minute: number) => at(minute, 0);

t.test('stored duplicates of one tag in one window are folded into one row; the table is keyed by tag key', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const db = world.database.db;
  const store = await world.party('cold_storage');
  const zebra = await registerReader(world, store);
  const generic = await registerReader(world, store);
  const gate = await readPoint(world, store, 'observe', [
    { readerId: zebra.id, antenna: 1 },
    { readerId: generic.id, antenna: 2 },
  ]);
  const post = (reader: typeof zebra, antenna: number, epc: string, time: Date) =>
    reader.api.post('/rfid/reads', { reads: [{ reader: reader.hostName, antenna, epc, time: time.toISOString() }] });
  // two batches, one per reader, for the rows below to name
  expectStatus(t, await post(zebra, 1, 'E28068940000000000000B01', at(1)), 202, 'a batch of the Zebra');
  expectStatus(t, await post(generic, 2, 'E28068940000000000000B02', at(1)), 202, 'a batch of the generic reader');
  const batches = await queryRows<{ id: string; readerId: string; receivedAt: string }>(
    db,
    sql`select id, reader_id as "readerId", received_at::text as "receivedAt" from rfid_batches order by received_at, id`,
  );
  const batchOf = (readerId: string) => batches.find((batch) => batch.readerId === readerId) as (typeof batches)[number];
  await queryRows(db, sql`delete from rfid_reads`);

  // the table as it was: one row per spelling, tag_key not yet required
  await keyReadsAsBefore(db);
  type Row = {
    tag: string;
    keyed?: boolean;
    minute: number;
    first: number;
    last: number;
    count: number;
    rssi: number | null;
    reader: string;
    tid?: string;
    processedAt?: Date;
    outcome?: string;
    eventId?: string;
    lotCode?: string;
    detail?: string;
    attempts?: number;
    /** A batch no row of rfid_batches holds (rfid_reads.batch_id had no foreign key before 0101). */
    batchMissing?: boolean;
  };
  const storeRow = async (row: Row) => {
    const batch = row.batchMissing ? { id: 'batch-missing', receivedAt: null } : batchOf(row.reader);
    await queryRows(
      db,
      sql`insert into rfid_reads (party_code, read_point_id, tag, tag_key, window_start, window_end, reader_id, antenna, tid, first_seen,
        first_seen_raw, batch_position, last_seen, read_count, peak_rssi, batch_id, first_received_at, processed_at, outcome, lot_code,
        event_id, detail, attempts)
      values (${store.code}, ${gate.readPointId}, ${row.tag}, ${row.keyed === false ? null : tagKeyOf(row.tag)}, ${windowOf(row.minute).toISOString()},
        ${new Date(windowOf(row.minute).getTime() + 30_000).toISOString()}, ${row.reader}, ${row.reader === zebra.id ? '1' : '2'}, ${row.tid ?? null},
        ${at(row.minute, row.first).toISOString()}, ${`raw ${row.tag} ${row.first}`}, 0, ${at(row.minute, row.last).toISOString()}, ${row.count},
        ${row.rssi}, ${batch.id}, ${batch.receivedAt}, ${row.processedAt?.toISOString() ?? null}, ${row.outcome ?? null},
        ${row.lotCode ?? null}, ${row.eventId ?? null}, ${row.detail ?? null}, ${row.attempts ?? 0})`,
    );
  };
  const sgtin = gs1Tag('urn:epc:id:sgtin:0614141.812345.6789', 'sgtin-96', 1);
  const sscc = gs1Tag('urn:epc:id:sscc:0614141.1234567890', 'sscc-96', 2);
  const grai = gs1Tag('urn:epc:id:grai:0614141.12345.400', 'grai-96', 0);
  const keys = new Map(
    [sgtin, sscc, grai].flatMap((tag) => [tag.hex, tag.pureIdentity, tag.digitalLink].map((spelling) => [spelling, tag.digitalLink])),
  );
  const tagKeyOf = (spelling: string) => keys.get(spelling) ?? spelling;

  // not yet turned into events, in three spellings, the URN stored before reads were keyed
  await storeRow({ tag: sgtin.hex, minute: 10, first: 5, last: 9, count: 2, rssi: -50, reader: zebra.id });
  await storeRow({
    tag: sgtin.pureIdentity,
    keyed: false,
    minute: 10,
    first: 1,
    last: 25,
    count: 3,
    rssi: -61,
    reader: generic.id,
    tid: 'E2003412',
  });
  await storeRow({ tag: sgtin.digitalLink, minute: 10, first: 12, last: 14, count: 2_147_483_646, rssi: -40, reader: generic.id });
  // the same tag's next window, one spelling: left as it is
  await storeRow({ tag: sgtin.hex, minute: 11, first: 0, last: 0, count: 1, rssi: null, reader: zebra.id });
  // one processed, one not: the processed row's outcome, the earliest read
  await storeRow({
    tag: sscc.hex,
    minute: 12,
    first: 8,
    last: 8,
    count: 1,
    rssi: null,
    reader: zebra.id,
    processedAt: at(13),
    outcome: 'observed',
    eventId: 'event-observed',
    lotCode: 'LOT-A',
  });
  await storeRow({ tag: sscc.digitalLink, minute: 12, first: 3, last: 20, count: 4, rssi: -70, reader: generic.id });
  // two processed with different outcomes: the one that did not fail, then the one processed first
  await storeRow({
    tag: grai.pureIdentity,
    minute: 14,
    first: 9,
    last: 9,
    count: 1,
    rssi: null,
    reader: generic.id,
    processedAt: at(15, 10),
    outcome: 'already_received',
    eventId: 'event-received',
    lotCode: 'LOT-B',
  });
  await storeRow({
    tag: grai.hex,
    minute: 14,
    first: 2,
    last: 4,
    count: 2,
    rssi: -55,
    reader: zebra.id,
    processedAt: at(15, 5),
    outcome: 'failed',
    detail: 'the service failed while turning these reads into events; the cause is logged',
    attempts: 8,
  });
  await storeRow({
    tag: grai.digitalLink,
    minute: 14,
    first: 6,
    last: 6,
    count: 3,
    rssi: null,
    reader: generic.id,
    processedAt: at(15, 0),
    outcome: 'received',
    eventId: 'event-received',
    lotCode: 'LOT-B',
  });
  // the earliest read's batch missing: folded all the same, the processed row's outcome kept
  await storeRow({ tag: sgtin.pureIdentity, minute: 18, first: 5, last: 6, count: 3, rssi: null, reader: zebra.id, batchMissing: true });
  await storeRow({
    tag: sgtin.hex,
    minute: 18,
    first: 10,
    last: 20,
    count: 5,
    rssi: null,
    reader: generic.id,
    processedAt: at(19),
    outcome: 'observed',
    eventId: 'event-observed-18',
    lotCode: 'LOT-C',
  });
  // a factory tag stored before reads were keyed: keyed by its spelling
  await storeRow({ tag: 'E28068940000000000000B09', keyed: false, minute: 16, first: 0, last: 0, count: 1, rssi: null, reader: zebra.id });

  await runStatements(db, [
    ...migrationStatements('0096_rfid_reads_fold_tag_keys.sql'),
    ...migrationStatements('0097_rfid_reads_by_tag_key.sql'),
  ]);

  // times as ISO strings, whichever database answers
  const time = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
  const stored = await queryRows<Record<string, unknown>>(
    db,
    sql`select tag, tag_key as "tagKey", ${time('window_start')} as "windowStart", reader_id as "readerId", antenna, tid,
      ${time('first_seen')} as "firstSeen", first_seen_raw as "firstSeenRaw", ${time('last_seen')} as "lastSeen", read_count as "readCount",
      peak_rssi as "peakRssi", batch_id as "batchId", ${time('processed_at')} as "processedAt", outcome, event_id as "eventId",
      lot_code as "lotCode", detail, attempts
    from rfid_reads order by window_start, tag_key`,
  );
  t.equal(stored.length, 6, 'one row per tag key and window');
  t.match(stored[0], {
    tag: sgtin.pureIdentity,
    tagKey: sgtin.digitalLink,
    readerId: generic.id,
    antenna: '2',
    tid: 'E2003412',
    firstSeen: at(10, 1).toISOString(),
    firstSeenRaw: `raw ${sgtin.pureIdentity} 1`,
    lastSeen: at(10, 25).toISOString(),
    // summed past the int4 maximum: stops there, as the service stops it
    readCount: 2_147_483_647,
    peakRssi: -40,
    batchId: batchOf(generic.id).id,
    processedAt: null,
    outcome: null,
  });
  t.match(
    stored[1],
    { tag: sgtin.hex, tagKey: sgtin.digitalLink, windowStart: windowOf(11).toISOString(), readCount: 1 },
    'the next window stays',
  );
  t.match(stored[2], {
    tag: sscc.digitalLink,
    tagKey: sscc.digitalLink,
    readerId: generic.id,
    firstSeen: at(12, 3).toISOString(),
    lastSeen: at(12, 20).toISOString(),
    readCount: 5,
    peakRssi: -70,
    processedAt: at(13).toISOString(),
    outcome: 'observed',
    eventId: 'event-observed',
    lotCode: 'LOT-A',
  });
  t.match(stored[3], {
    tag: grai.hex,
    tagKey: grai.digitalLink,
    readerId: zebra.id,
    firstSeen: at(14, 2).toISOString(),
    readCount: 6,
    processedAt: at(15, 0).toISOString(),
    outcome: 'received',
    eventId: 'event-received',
    detail: null,
    attempts: 0,
  });
  t.match(stored[4], { tag: 'E28068940000000000000B09', tagKey: 'E28068940000000000000B09' }, 'keyed by its spelling');
  t.match(
    stored[5],
    {
      tag: sgtin.pureIdentity,
      batchId: 'batch-missing',
      readCount: 8,
      outcome: 'observed',
      eventId: 'event-observed-18',
      lotCode: 'LOT-C',
    },
    'a row whose batch is missing is folded, not deleted unfolded',
  );

  // the service stores into the table as keyed now: a read in another spelling joins its window's row
  expectStatus(t, await post(zebra, 1, sgtin.hex, at(10, 29)), 202, 'a late read as hex');
  const [{ count, readCount }] = await queryRows<{ count: number; readCount: number }>(
    db,
    sql`select count(*)::int as count, max(read_count) as "readCount" from rfid_reads where tag_key = ${sgtin.digitalLink} and window_start = ${windowOf(10).toISOString()}`,
  );
  t.same({ count, readCount }, { count: 1, readCount: 2_147_483_647 });
  t.equal(await tagKeyFunctionsLeft(db), 0, 'the migration leaves no function behind');
});
