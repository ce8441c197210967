// event_lots.makes marks the links by which an event made its lot (a commission's subject, a
// transformation's output, the container a packing created): the event writer reads when a lot
// came into being from those links alone, so a lot with thousands of other events costs no more to
// load. The writer marks them at every door (native events, EPCIS capture), migration 0027's
// backfill says the same (0030 unmarks packings into containers already there), and a making
// declared in error counts no longer.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { migrationStatement, migrationStatements } from '../fixtures/migrations.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const backfill = migrationStatement('0027_event_lots_makes.sql', 1);

/** An EPCIS event time on a day of March 2026, China time. */
const day = (n: number) => ({ eventTime: `2026-03-0${n}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
const lotClass = (name: string) => `https://id.gs1.org/01/06901234000016/10/${name}`;
const commissioned = (epcClass: string, n: number) => ({
  type: 'ObjectEvent',
  ...day(n),
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
});
const seen = (epcClass: string, n: number) => ({
  type: 'ObjectEvent',
  ...day(n),
  action: 'OBSERVE',
  quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
});

t.test('the links that made their lot are marked, natively and captured; the backfill agrees', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const kg = await plant.product('kg');
  const lot = await plant.commission(kg, 100);
  const [cured] = await plant.transform([{ lotCode: lot, quantity: 10 }], [{ productCode: kg, quantity: 8 }]);
  const box = await plant.pack([{ lotCode: cured, quantity: 8 }]);
  await plant.ship(shop, [{ lotCode: box }]);
  await world.ok(plant.event({ type: 'observe', lotCodes: [lot] }));

  const meat = lotClass('MARK-MEAT');
  const { capture } = epcisRequests(world);
  const job = await capture(plant.key, [
    commissioned(meat, 1),
    {
      type: 'TransformationEvent',
      ...day(2),
      inputQuantityList: [{ epcClass: meat, quantity: 2, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: lotClass('MARK-CURED'), quantity: 1, uom: 'KGM' }],
    },
    {
      type: 'AggregationEvent',
      ...day(3),
      action: 'ADD',
      bizStep: 'packing',
      parentID: 'urn:epc:id:sscc:6901234.0000000031',
      childQuantityList: [{ epcClass: meat, quantity: 3, uom: 'KGM' }],
    },
    seen(meat, 4),
  ]);
  t.match(job, { success: true, captured: 4 });

  const marks = () =>
    queryRows<{ type: string; role: string; makes: boolean }>(
      world.database.db,
      sql`select e.type, el.role, el.makes
        from event_lots el join events e on e.id = el.event_id order by e.record_time, e.id, el.lot_code, el.role`,
    );
  const written = await marks();
  const making = new Set(['commission/subject', 'transform/output', 'aggregate/parent']);
  t.same(
    written.map((row) => row.makes),
    written.map((row) => making.has(`${row.type}/${row.role}`)),
    'marked: a commission’s subjects, a transformation’s outputs, a packing’s container',
  );
  t.equal(written.filter((row) => row.makes).length, 6, 'three of each door');
  t.ok(
    written.some((row) => !row.makes && ['input', 'child'].includes(row.role)),
    'what a transformation or a packing used is not marked',
  );
  await queryRows(world.database.db, sql`update event_lots set makes = false`);
  await queryRows(world.database.db, sql.raw(backfill));
  t.strictSame(await marks(), written, 'the backfill marks what the writer marked');
});

t.test('only a packing that creates its container makes it; packing into one already there uses it; migration 0030 agrees', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const lot = await plant.commission(kg, 100);
  const packInto = (parent: Record<string, unknown>, eventTime: string) =>
    world.ok(plant.api.post('/events', { type: 'aggregate', eventTime, parent, children: [{ lotCode: lot, quantity: 1 }] }));
  const box: string = (await packInto({}, day(2).eventTime)).createdLotCodes[0];
  await packInto({ containerCode: box }, day(3).eventTime);

  const meat = lotClass('PACKED-INTO');
  const sscc = (serial: number) => `urn:epc:id:sscc:6901234.00000001${serial}`;
  const packing = (parentID: string, n: number, fields: Record<string, unknown> = {}) => ({
    type: 'AggregationEvent',
    ...day(n),
    action: 'ADD',
    bizStep: 'packing',
    parentID,
    childQuantityList: [{ epcClass: meat, quantity: 1, uom: 'KGM' }],
    ...fields,
  });
  const { capture } = epcisRequests(world);
  t.match(
    await capture(plant.key, [
      commissioned(meat, 1),
      packing(sscc(11), 2),
      packing(sscc(11), 3),
      // a pallet first seen, then packed into
      { type: 'ObjectEvent', ...day(2), action: 'OBSERVE', epcList: [sscc(12)] },
      packing(sscc(12), 3),
      // sightings recorded as packings, of a pallet never seen before and of one made
      packing(sscc(13), 4, { action: 'OBSERVE' }),
      packing(sscc(11), 4, { action: 'OBSERVE' }),
      { ...packing('urn:epc:id:giai:6901234.SENSOR7', 4), type: 'AssociationEvent' },
    ]),
    { success: true, captured: 8 },
  );

  const parents = () =>
    queryRows<{ event: string; makes: boolean; usedAt: string | null }>(
      world.database.db,
      sql`select coalesce(e.payload->'epcis'->>'type' || ' ' || (e.payload->'epcis'->>'action'), e.type) as event, el.makes,
          to_char(el.used_at at time zone 'UTC', 'DD HH24') as "usedAt"
        from event_lots el join events e on e.id = el.event_id where e.type = 'aggregate' and el.role = 'parent'
        order by e.record_time, e.event_time, e.payload->'epcis'->>'parentID', e.payload->'epcis'->>'action'`,
    );
  const written = await parents();
  t.same(
    written,
    [
      { event: 'aggregate', makes: true, usedAt: null },
      { event: 'aggregate', makes: false, usedAt: '03 00' },
      { event: 'AggregationEvent ADD', makes: true, usedAt: null },
      { event: 'AggregationEvent ADD', makes: false, usedAt: '03 00' },
      { event: 'AggregationEvent ADD', makes: false, usedAt: '03 00' },
      { event: 'AssociationEvent ADD', makes: false, usedAt: null },
      { event: 'AggregationEvent OBSERVE', makes: false, usedAt: null },
      { event: 'AggregationEvent OBSERVE', makes: false, usedAt: null },
    ],
    'a container is made by the packing that creates it; packing into it later uses it; a sighting neither makes nor uses it',
  );
  const writer = createEventWriterRepository();
  const seenFirst: string = (await world.regulator.get(`/trace/${encodeURIComponent(sscc(12))}?depth=0`)).body.query.lotCodes[0];
  const [boxView, seenView] = await writer.lots(world.database.db, [box, seenFirst]);
  t.match(boxView, { madeAt: new Date('2026-03-02T00:00:00.000Z'), firstUsedAt: new Date('2026-03-03T00:00:00.000Z') });
  t.match(
    seenView,
    { madeAt: null, firstUsedAt: new Date('2026-03-03T00:00:00.000Z') },
    'a pallet seen first is not made by a packing into it',
  );

  // the marks as the writer before 0030 left them (every packing's container made, so never used), then 0030
  await queryRows(world.database.db, sql`update event_lots set makes = false, used_at = null`);
  await queryRows(world.database.db, sql.raw(backfill));
  await queryRows(world.database.db, sql.raw(migrationStatement('0029_event_lots_used_at.sql', 1)));
  t.ok(
    (await parents()).every((row) => row.makes && row.usedAt === null),
    'before: every packing made its container',
  );
  for (const statement of migrationStatements('0030_event_lots_packed_into.sql')) await queryRows(world.database.db, sql.raw(statement));
  t.strictSame(await parents(), written, 'the migration marks what the writer marks now');
});

t.test('madeAt: a making declared in error gives way to the valid one; a sighting is no making', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const writer = createEventWriterRepository();
  const madeAt = async (code: string) => (await writer.lots(world.database.db, [code]))[0].madeAt?.toISOString() ?? null;

  const made = await world.ok(
    plant.api.post('/events', { type: 'commission', eventTime: day(5).eventTime, lots: [{ productCode: kg, quantity: 10 }] }),
  );
  const lot: string = made.createdLotCodes[0];
  t.equal(await madeAt(lot), '2026-03-05T00:00:00.000Z', 'made by its commission');
  await world.ok(
    plant.api.post('/events', {
      type: 'correction',
      eventTime: day(8).eventTime,
      correctsEventId: made.event.id,
      reason: 'commissioned a day later',
      replacement: { type: 'commission', eventTime: day(6).eventTime, lots: [{ productCode: kg, quantity: 10 }] },
    }),
  );
  for (const n of [7, 7, 8])
    await world.ok(plant.api.post('/events', { type: 'sell', eventTime: day(n).eventTime, lines: [{ lotCode: lot, quantity: 1 }] }));
  const [links] = await queryRows<{ marked: number; all: number }>(
    world.database.db,
    sql`select count(*) filter (where makes)::int as marked, count(*)::int as "all" from event_lots where lot_code = ${lot}`,
  );
  t.strictSame(links, { marked: 2, all: 5 }, 'the corrected commission and its replacement both made it');
  t.equal(await madeAt(lot), '2026-03-06T00:00:00.000Z', 'the replacement, not the commission declared in error');

  // EPCIS sees an identifier before it commissions it: the lot began when it was commissioned
  const meat = lotClass('SEEN-FIRST');
  const { capture } = epcisRequests(world);
  t.match(await capture(plant.key, [seen(meat, 2)]), { success: true });
  const [{ code: seenLot }] = await queryRows<{ code: string }>(
    world.database.db,
    sql`select lot_code as code from lot_identifiers where value = ${meat}`,
  );
  t.equal(await madeAt(seenLot), null, 'seen only: nothing made it');
  t.match(await capture(plant.key, [commissioned(meat, 4)]), { success: true });
  t.equal(await madeAt(seenLot), '2026-03-04T00:00:00.000Z', 'commissioned after it was seen: made then');
});
