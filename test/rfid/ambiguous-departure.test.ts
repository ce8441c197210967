// A loose pack that fits two open shipments from the exit gate's location, no tag read in its pass
// saying which it leaves on, is flagged `ambiguous_departure` with the shipments it may have left in
// (listed by that outcome). At a receiver's entry gate it counts towards the one of them on its way to
// that receiver (the first shipped, should both be), never towards another shipment of its lot that
// merely was shipped first. Migration 0110 gives the packs flagged before (as unexpected_departure)
// the outcome and their shipments.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { exitAndEntryGates, SCHEMA_BEFORE_0110 } from '../fixtures/rfid-world.js';
import type { Actor } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a pack that may have left in one of two shipments', async (t) => {
  const { world, tag, drain, maker, store, makerReader, dock, storeReader, door, post, packedLot, outcomes, received } =
    await exitAndEntryGates(t);
  const other = await world.party('cold_storage');
  const elsewhere = await maker.location('warehouse');
  const ship = async (to: Actor, lotCode: string, quantity: number, fromLocationCode: string): Promise<string> =>
    (await world.ok(maker.event({ type: 'ship', toPartyCode: to.code, lines: [{ lotCode, quantity }], fromLocationCode }))).shipmentId;
  /**
   * Of one lot, shipped to the store first from another of the maker's sites (S0, not through this
   * gate), then two shipments from the dock (SA to the store, SB to `toB`): its packs `first`+2 and
   * `first`+3 read leaving at the dock fit SA and SB alike.
   */
  const twoShipments = async (first: number, toB: Actor) => {
    const lot = await packedLot(first, 6);
    const s0 = await ship(store, lot, 2, elsewhere);
    const sa = await ship(store, lot, 2, dock.locationCode);
    const sb = await ship(toB, lot, 2, dock.locationCode);
    return { lot, s0, sa, sb };
  };

  await t.test('flagged with an outcome of its own, naming both shipments; received in the one on its way to the receiver', async (t) => {
    const { lot, s0, sa, sb } = await twoShipments(100, other);
    await post(makerReader, [102, 103], 1);
    await drain();
    const detail = `may have left in shipment ${sa} or ${sb} of lot ${lot}: no tag read with it says which`;
    t.same(await outcomes(maker, dock.readPointId, [102, 103]), [[['ambiguous_departure', detail]], [['ambiguous_departure', detail]]]);
    const listed = (await maker.api.get('/rfid/reads?outcome=ambiguous_departure')).body.items as { tag: string; mayHaveLeftIn: unknown }[];
    t.same(listed.map((row) => row.tag).sort(), [tag(102), tag(103)], 'listed by their outcome');
    t.same(
      listed.map((row) => row.mayHaveLeftIn),
      [
        [sa, sb],
        [sa, sb],
      ],
      'with the shipments they may have left in',
    );
    const counted = (await maker.api.get('/rfid/activity')).body.items.filter(
      (row: { readPointId: string; outcome: string }) => row.readPointId === dock.readPointId && row.outcome === 'ambiguous_departure',
    );
    t.match(counted, [{ windows: 2 }], 'counted by their outcome');

    await post(storeReader, [102, 103], 10);
    await drain();
    t.same(await outcomes(store, door.readPointId, [102, 103]), [[['received', sa]], [['received', sa]]], 'SA: the one to the store');
    const atTheDoor = (await store.api.get(`/rfid/reads?readPointId=${door.readPointId}`)).body.items;
    t.strictSame(
      atTheDoor.map((row: { mayHaveLeftIn: unknown }) => row.mayHaveLeftIn),
      [null, null],
      'a read of another outcome names no shipments it may have left in',
    );
    t.same(await received(sa), [2], 'SA is received');
    t.same(await received(s0), [null], 'S0, shipped first, stays in transit');
  });

  await t.test('the exit and entry reads judged in one go count the same', async (t) => {
    const { s0, sa } = await twoShipments(200, other);
    await post(makerReader, [202, 203], 1);
    await post(storeReader, [202, 203], 10);
    await drain();
    t.same(await outcomes(store, door.readPointId, [202, 203]), [[['received', sa]], [['received', sa]]]);
    t.same(await received(s0), [null], 'S0 stays in transit');
  });

  await t.test('both on their way to the receiver: the first of them shipped, never another shipment of the lot', async (t) => {
    const { lot, s0, sa, sb } = await twoShipments(300, store);
    await post(makerReader, [302, 303], 1);
    await drain();
    t.same(
      (await outcomes(maker, dock.readPointId, [302, 303])).map((rows) => rows.map(([outcome]) => outcome)),
      [['ambiguous_departure'], ['ambiguous_departure']],
    );
    await post(storeReader, [302, 303], 10);
    await drain();
    t.same(await received(sa), [2], 'SA is received');
    t.same(await received(s0), [null], 'S0 stays in transit');
    t.same(await received(sb), [null], 'SB stays in transit');
    // SA's line closed by them, SB's packs then arrive and receive SB
    await post(makerReader, [304, 305], 20);
    await drain();
    t.same(await outcomes(maker, dock.readPointId, [304, 305]), [[['departed', sb]], [['departed', sb]]], 'SB alone has room left');
    await post(storeReader, [304, 305], 30);
    await drain();
    t.same(await received(sb), [2], `SB is received, lot ${lot}`);
    t.same(await received(s0), [null], 'S0 still in transit');
  });
});

t.test('migration 0110: packs flagged before get the outcome and their shipments', async (t) => {
  const { world, tag, drain, maker, store, makerReader, dock, storeReader, post } = await exitAndEntryGates(t);
  const db = world.database.db;
  const other = await world.party('cold_storage');
  const elsewhere = await maker.location('warehouse');
  const lot = await maker.commission(await maker.product('piece'), 9);
  const tags = Array.from({ length: 9 }, (_, n) => ({ epc: tag(500 + n), code: lot, unit: 'pack' }));
  await world.ok(maker.api.post('/rfid/tags', { tags }));
  const ship = async (to: Actor, quantity: number, fromLocationCode: string): Promise<string> =>
    (await world.ok(maker.event({ type: 'ship', toPartyCode: to.code, lines: [{ lotCode: lot, quantity }], fromLocationCode }))).shipmentId;
  const s0 = await ship(store, 2, elsewhere);
  const sa = await ship(other, 2, dock.locationCode);
  const sb = await ship(store, 2, dock.locationCode);
  const sc = await ship(other, 2, dock.locationCode);
  await post(makerReader, [500, 501], 1);
  await drain();
  const rows = () =>
    queryRows<{ tag: string; outcome: string; shipments: string[] | null; detail: string }>(
      db,
      sql`select tag, outcome, may_have_left_in as shipments, detail from rfid_reads where read_point_id = ${dock.readPointId} order by tag`,
    );
  const now = await rows();
  t.same(
    now.map((row) => [row.outcome, row.shipments]),
    [
      ['ambiguous_departure', [sa, sb, sc]],
      ['ambiguous_departure', [sa, sb, sc]],
    ],
    'as written now',
  );
  t.match(now[0].detail, `may have left in shipment ${sa}, ${sb} or ${sc} of lot ${lot}`);
  // one flagged as having left in no shipment of the party
  await queryRows(
    db,
    sql`update rfid_reads set outcome = 'unexpected_departure', detail = 'in no open shipment of the party' where tag = ${tag(501)}`,
  );

  // the schema before 0110, the packs flagged as it flagged them
  for (const statement of [
    ...SCHEMA_BEFORE_0110,
    `update "rfid_reads" set "outcome" = 'unexpected_departure' where "outcome" = 'ambiguous_departure'`,
  ])
    await queryRows(db, sql.raw(statement));
  await runStatements(db, migrationStatements('0110_rfid_reader_clock_ambiguous_departure.sql'));
  t.same(
    (await rows()).map((row) => [row.outcome, row.shipments]),
    [
      ['ambiguous_departure', [sa, sb, sc]],
      ['unexpected_departure', null],
    ],
    'the flagged one as written now; the other as it was',
  );

  // the store's gate then counts the flagged pack towards SB, the one of them on its way to it
  await post(storeReader, [500], 10);
  await drain();
  const [read] = (await store.api.get(`/rfid/reads?tag=${tag(500)}`)).body.items.filter(
    (row: { readPointId: string }) => row.readPointId !== dock.readPointId,
  );
  t.match(read, { outcome: 'observed', detail: `1 of the 2 packs of lot ${lot} shipped loose read` }, 'waits for the rest of SB');
  const waiting = await queryRows<{ shipment: string }>(
    db,
    sql`select awaits_shipment_id as shipment from rfid_reads where tag = ${tag(500)} and outcome = 'observed'`,
  );
  t.same(waiting, [{ shipment: sb }], `for SB, not S0 (${s0}) shipped first`);
});
