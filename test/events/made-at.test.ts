// event_lots.makes marks the links by which an event made its lot (a commission's subject, a
// transformation's output, a packing's container): the event writer reads when a lot came into
// being from those links alone, so a lot with thousands of other events costs no more to load.
// The writer marks them at every door (native events, EPCIS capture), migration 0027's backfill
// says the same, and a making declared in error counts no longer.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { migrationStatement } from '../fixtures/migrations.js';
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
  const box = (await world.ok(plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: cured, quantity: 8 }] })))
    .createdLotCodes[0] as string;
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
  for (const n of [7, 7, 8]) await world.ok(plant.api.post('/events', { type: 'sell', ...day(n), lines: [{ lotCode: lot, quantity: 1 }] }));
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
