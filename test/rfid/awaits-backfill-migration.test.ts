// Migration 0059: packs an entry gate kept waiting before 0058 recorded no shipment, and a gate
// counts a waiting pack towards the line it waits for only. The database is taken back to the
// schema before 0058 (the column and its index gone) with packs waiting as that schema held them,
// and 0058 and 0059 run again: each pack gets the shipment it would have
// counted towards (the earliest open one carrying its lot loose, or its case), none where no open
// line applies, and a gate read completes the line part-way through its packs.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { issuePacks, readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;
const readTime = (hour: number, minute: number) =>
  `2026-06-01T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:05.000+0800`;

t.test('packs left waiting before 0058 wait for the shipment they counted towards, and a gate read completes its line', async (t) => {
  let clock = new Date('2026-06-01T02:00:00Z');
  const world = await createWorld(t, undefined, { rfidTickMs: 0, now: () => clock });
  const at = (time: string) => {
    clock = new Date(time);
  };
  const db = world.database.db;
  const drain = () => world.app.services.gates.drain();
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const product = await processor.product('piece');
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }], { name: '冷库 1 号门' });
  const zebra = (idHex: string, hour: number, minute: number) =>
    world.ok(
      reader.api.post('/rfid/zebra', [zebraEvent({ idHex, antenna: 1, hostName: reader.hostName, timestamp: readTime(hour, minute) })]),
      202,
    );
  const lotOf = async (quantity: number, first: number, cased = 0) => {
    const lot = await processor.commission(product, quantity);
    const packs = await issuePacks(world, processor, lot, quantity);
    for (const [index, pack] of packs.entries())
      await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag(first + index), code: pack }] }), 201);
    if (cased === 0) return { lot, box: '' };
    const sscc = completeGs1('06901234500000001');
    const packed = await world.ok(processor.event({ type: 'aggregate', parent: { sscc }, itemCodes: packs.slice(0, cased) }));
    return { lot, box: packed.createdLotCodes[0] as string };
  };
  const ship = async (lotCode: string, quantity?: number) =>
    (
      await world.ok(
        processor.event({ type: 'ship', eventTime: clock.toISOString(), toPartyCode: store.code, lines: [{ lotCode, quantity }] }),
      )
    ).shipmentId as string;
  const shipment = async (id: string) =>
    (await store.api.get('/shipments?status=open')).body.items.find((s: { id: string }) => s.id === id) ??
    (await store.api.get('/shipments?status=received')).body.items.find((s: { id: string }) => s.id === id);
  const awaits = async () =>
    Object.fromEntries(
      (
        await queryRows<{ tag: string; awaits: string | null }>(
          db,
          sql`select tag, awaits_shipment_id as awaits from rfid_reads where outcome = 'observed' and event_id is null order by tag`,
        )
      ).map((row) => [row.tag, row.awaits]),
    );

  // two shipments of one lot, two packs each: a pack of the first read; one pack of another lot
  // read for a shipment the store then received by hand
  const { lot } = await lotOf(4, 100);
  const first = await ship(lot, 2);
  at('2026-06-01T02:05:00Z');
  const second = await ship(lot, 2);
  const { lot: closedLot } = await lotOf(2, 200);
  const closed = await ship(closedLot, 2);
  // a lot of four packs, two of them in a case: two shipped loose, then the case in a later shipment;
  // a pack of each read
  const { lot: casedLot, box } = await lotOf(4, 300, 2);
  const loose = await ship(casedLot, 2);
  at('2026-06-01T02:10:00Z');
  const cased = await ship(box);
  at('2026-06-01T03:11:00Z');
  await zebra(tag(100), 11, 10);
  await zebra(tag(200), 11, 10);
  await zebra(tag(300), 11, 10);
  await zebra(tag(302), 11, 10);
  await drain();
  at('2026-06-01T03:30:00Z');
  await world.ok(
    store.event({ type: 'receive', eventTime: clock.toISOString(), shipmentId: closed, lines: [{ lotCode: closedLot, quantity: 1 }] }),
  );
  const waitingNow = { [tag(100)]: first, [tag(200)]: closed, [tag(300)]: cased, [tag(302)]: loose };
  t.same(await awaits(), waitingNow, 'the packs wait, as written now');

  // the schema before 0058 (what later migrations added stays: 0058 and 0059 touch none of it), the
  // packs waiting as it held them; then 0058 and 0059 as the migrator runs them, each in a transaction
  for (const statement of [
    `drop index "rfid_reads_waiting_idx"`,
    `drop index "rfid_reads_passed_idx"`,
    `alter table "rfid_reads" drop column "awaits_shipment_id"`,
    `create index "rfid_reads_waiting_idx" on "rfid_reads" using btree ("read_point_id","lot_code") where "rfid_reads"."outcome" = 'observed' and "rfid_reads"."event_id" is null`,
  ])
    await queryRows(db, sql.raw(statement));
  for (const file of ['0058_rfid_reads_awaits.sql', '0059_rfid_reads_awaits_backfill.sql']) {
    await db.transaction(async (tx) => {
      for (const statement of migrationStatements(file)) await queryRows(tx, sql.raw(statement));
    });
  }

  t.same(
    await awaits(),
    { ...waitingNow, [tag(200)]: null },
    'each pack waits for the earliest open shipment of its lot, or of its case (before a loose line of its lot); the one whose line was closed by hand for none',
  );
  at('2026-06-01T04:11:00Z');
  await zebra(tag(101), 12, 10);
  await zebra(tag(301), 12, 10);
  await drain();
  t.equal((await shipment(first)).status, 'received', 'the second pack read completes the first shipment’s line');
  t.equal((await shipment(second)).status, 'open', 'the second shipment is still on its way');
  t.equal((await shipment(cased)).status, 'received', 'the case’s other pack read receives the case');
  t.equal((await shipment(loose)).status, 'open', 'the loose line waits for its second pack');
});
