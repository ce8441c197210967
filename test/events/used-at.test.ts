// event_lots.used_at carries the event's time on the links by which it used its lot (what the
// chronology rule holds to the lot's beginning: moving, packing, unpacking, inspecting, selling,
// destroying or transforming it, not making it): the event writer reads a lot's first use from
// those links alone, so that nothing makes the lot after it. The writer marks them at every door,
// an EPCIS event by what it amounted to (a sighting uses nothing), migration 0029's backfill says
// the same, and a use declared in error counts no longer.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { createWorld } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const backfill = migrationStatement('0029_event_lots_used_at.sql', 1);

/** An EPCIS event time on a day of March 2026, China time. */
const day = (n: number) => ({ eventTime: `2026-03-0${n}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
const lotClass = (name: string) => `https://id.gs1.org/01/06901234000016/10/${name}`;
const objectEvent = (epcClass: string, n: number, fields: Record<string, unknown>) => ({
  type: 'ObjectEvent',
  ...day(n),
  action: 'OBSERVE',
  quantityList: [{ epcClass, quantity: 1, uom: 'KGM' }],
  ...fields,
});

t.test('the links by which events used their lot carry their time, natively and captured; the backfill agrees', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const kg = await plant.product('kg');
  const lot = await plant.commission(kg, 100);
  await world.ok(plant.event({ type: 'observe', lotCodes: [lot] }));
  await world.ok(plant.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } }));
  const [cured] = await plant.transform([{ lotCode: lot, quantity: 10 }], [{ productCode: kg, quantity: 8 }]);
  const pack = () => plant.pack([{ lotCode: cured, quantity: 4 }]);
  await world.ok(plant.event({ type: 'disaggregate', parentCode: await pack() }));
  await shop.receive(await plant.ship(shop, [{ lotCode: await pack() }]));
  await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }));
  await world.ok(plant.event({ type: 'destroy', reason: 'spoiled', lines: [{ lotCode: lot, quantity: 1 }] }));
  await world.ok(plant.api.post('/holds', { lotCodes: [lot], reason: 'tested' }));

  const meat = lotClass('USE-MEAT');
  const sscc = 'urn:epc:id:sscc:6901234.0000000048';
  const { capture } = epcisRequests(world);
  const store = `${TEST_BASE_URL}/parties/${shop.code}`;
  t.match(
    await capture(plant.key, [
      {
        ...objectEvent(meat, 1, { action: 'ADD', bizStep: 'commissioning' }),
        quantityList: [{ epcClass: meat, quantity: 50, uom: 'KGM' }],
      },
      objectEvent(meat, 2, {}),
      objectEvent(meat, 2, { bizStep: 'inspecting' }),
      objectEvent(meat, 2, { bizStep: 'shipping' }),
      objectEvent(meat, 2, { bizStep: 'receiving' }),
      {
        type: 'TransformationEvent',
        ...day(3),
        inputQuantityList: [{ epcClass: meat, quantity: 2, uom: 'KGM' }],
        outputQuantityList: [{ epcClass: lotClass('USE-CURED'), quantity: 1, uom: 'KGM' }],
      },
      { type: 'AggregationEvent', ...day(3), action: 'ADD', childQuantityList: [{ epcClass: meat, quantity: 1, uom: 'KGM' }] },
      {
        type: 'AggregationEvent',
        ...day(3),
        action: 'ADD',
        bizStep: 'packing',
        parentID: sscc,
        childQuantityList: [{ epcClass: meat, quantity: 3, uom: 'KGM' }],
      },
      objectEvent(meat, 4, { bizStep: 'retail_selling' }),
      objectEvent(meat, 4, { action: 'DELETE', bizStep: 'destroying' }),
      objectEvent(meat, 4, { bizStep: 'shipping', destinationList: [{ type: 'owning_party', destination: store }] }),
      // sightings, whatever type they are recorded as: a packing observed, an association made or ended
      {
        type: 'AggregationEvent',
        ...day(4),
        action: 'OBSERVE',
        parentID: sscc,
        childQuantityList: [{ epcClass: meat, quantity: 1, uom: 'KGM' }],
      },
      {
        type: 'AssociationEvent',
        ...day(4),
        action: 'ADD',
        parentID: 'urn:epc:id:giai:6901234.SENSOR1',
        childQuantityList: [{ epcClass: meat, quantity: 1, uom: 'KGM' }],
      },
      {
        type: 'AssociationEvent',
        ...day(4),
        action: 'DELETE',
        parentID: sscc,
        childQuantityList: [{ epcClass: meat, quantity: 1, uom: 'KGM' }],
      },
    ]),
    { success: true, captured: 14 },
  );
  t.match(await capture(plant.key, [{ type: 'AggregationEvent', ...day(5), action: 'DELETE', bizStep: 'unpacking', parentID: sscc }]), {
    success: true,
    captured: 1,
  });

  const marks = () =>
    queryRows<{ type: string; role: string; epcis: boolean; used: boolean; atItsTime: boolean }>(
      world.database.db,
      sql`select e.type, el.role, e.payload ? 'epcis' as epcis, el.used_at is not null as used,
          el.used_at is not distinct from e.event_time as "atItsTime"
        from event_lots el join events e on e.id = el.event_id order by e.record_time, e.id, el.lot_code, el.role`,
    );
  const written = await marks();
  const uses = new Set(['transform/input', 'aggregate/child', 'disaggregate/parent', 'disaggregate/child', 'ship/subject']);
  for (const type of ['inspect', 'sell', 'destroy']) uses.add(`${type}/subject`);
  const native = written.filter((row) => !row.epcis);
  t.same(
    native.map((row) => row.used),
    native.map((row) => uses.has(`${row.type}/${row.role}`)),
    'native: what its rule held to the lots’ beginning; makings, sightings, receipts and holds use nothing',
  );
  t.same(
    written
      .filter((row) => row.epcis && row.used)
      .map((row) => `${row.type}/${row.role}`)
      .sort(),
    ['aggregate/child', 'destroy/subject', 'disaggregate/parent', 'sell/subject', 'ship/subject', 'transform/input'],
    'captured: a packing’s contents, an unpacking, a sale, a destruction, a shipment to a party and a transformation’s inputs',
  );
  t.ok(
    written.every((row) => row.atItsTime === row.used),
    'a use carries its event’s time',
  );
  await queryRows(world.database.db, sql`update event_lots set used_at = null`);
  await queryRows(world.database.db, sql.raw(backfill));
  t.strictSame(await marks(), written, 'the backfill marks what the writer marked');
});

t.test('firstUsedAt: the earliest use not declared in error; a sighting is no use', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const writer = createEventWriterRepository();
  const firstUsedAt = async (code: string) => (await writer.lots(world.database.db, [code]))[0].firstUsedAt?.toISOString() ?? null;

  const lot = await plant.commission(kg, 10);
  t.equal(await firstUsedAt(lot), null, 'made, not used');
  await world.ok(plant.api.post('/events', { type: 'observe', eventTime: day(4).eventTime, lotCodes: [lot] }));
  t.equal(await firstUsedAt(lot), null, 'seen, not used');
  const sale = await world.ok(
    plant.api.post('/events', { type: 'sell', eventTime: day(6).eventTime, lines: [{ lotCode: lot, quantity: 1 }] }),
  );
  await world.ok(plant.api.post('/events', { type: 'sell', eventTime: day(7).eventTime, lines: [{ lotCode: lot, quantity: 1 }] }));
  t.equal(await firstUsedAt(lot), '2026-03-06T00:00:00.000Z', 'the first of two sales');
  await world.ok(
    plant.api.post('/events', { type: 'correction', eventTime: day(8).eventTime, correctsEventId: sale.event.id, reason: 'not sold' }),
  );
  t.equal(await firstUsedAt(lot), '2026-03-07T00:00:00.000Z', 'the sale declared in error counts no longer');
});
