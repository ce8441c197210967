// An unpacking declared in error packs back what it took out. When a later unpacking took the same
// lot out of the same container again, the packing it ended would be in force again though that
// later unpacking emptied the container of the lot: the declaration is refused, naming it.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { EPCIS_CONTEXT, epcisRequests, palletEvents } from '../fixtures/epcis.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type World = Awaited<ReturnType<typeof createWorld>>;

/** The packings of the lot into the container in force, and the lot's quantity in it, as the ledger holds them. */
async function packedIn(world: World, lot: string, container: string) {
  const [row] = await queryRows<{ links: number; quantity: number }>(
    world.database.db,
    sql`select (select count(*)::int from lineage_edges where upstream_code = ${lot} and downstream_code = ${container}
        and kind = 'aggregate' and ended_by_event_id is null and retracted_by_event_id is null) as links,
      (select coalesce(sum(quantity), 0)::float from lot_movements where lot_code = ${lot} and container_code = ${container}) as quantity`,
  );
  return row;
}

/** A plant's 3 kg lot packed into a new pallet at 3 and unpacked at 5 (`first`); `event` posts another at an hour. */
async function unpackedAt5(t: Test) {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('kg'), 3);
  const event = (hour: number, body: Record<string, unknown>) =>
    world.ok(plant.api.post('/events', { ...body, eventTime: at(1000 + hour) }));
  const pallet = (await event(3, { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 3 }] }))
    .createdLotCodes[0] as string;
  const first = await event(5, { type: 'disaggregate', parentCode: pallet, children: [lot] });
  return { world, plant, lot, event, pallet, first };
}

t.test('an unpacking declared in error after a later unpacking of the lot from the container is refused, naming that one', async (t) => {
  const { world, plant, lot, event, pallet, first } = await unpackedAt5(t);
  const repacked = await event(7, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: lot, quantity: 3 }] });
  const second = await event(9, { type: 'disaggregate', parentCode: pallet, children: [lot] });

  const declare = (id: string) =>
    plant.api.post('/events', { type: 'correction', correctsEventId: id, reason: 'never opened', eventTime: at(1010) });
  const refused = expectStatus(t, await declare(first.event.id), 409, 'the first unpacking is not declared in error');
  t.match(refused.body.detail, second.event.id, 'the problem names the later unpacking');
  t.match(refused.body.detail, lot, 'and the lot it took out');
  t.same(
    refused.body.errors?.map((error: { pointer: string }) => error.pointer),
    ['/correctsEventId'],
  );
  t.same(await packedIn(world, lot, pallet), { links: 0, quantity: 0 }, 'the lot stays out of the pallet');
  expectStatus(
    t,
    await plant.api.post('/events', { type: 'disaggregate', parentCode: pallet, children: [lot], eventTime: at(1011) }),
    422,
    'nothing of the lot is left in the pallet to unpack',
  );

  // undone latest first, the ledger follows back to the packing at 3
  expectStatus(t, await declare(second.event.id), 201, 'the later unpacking declared in error');
  t.same(await packedIn(world, lot, pallet), { links: 1, quantity: 3 }, 'the repacking is in force again');
  expectStatus(t, await declare(repacked.event.id), 201, 'the repacking declared in error');
  t.same(await packedIn(world, lot, pallet), { links: 0, quantity: 0 });
  expectStatus(t, await declare(first.event.id), 201, 'then the first unpacking may be declared in error');
  t.same(await packedIn(world, lot, pallet), { links: 1, quantity: 3 }, 'the packing at 3 is in force, and the 3 kg are in the pallet');
});

t.test(
  'after several later unpackings of the lot from the container, the refusal names the last: it may be declared in error first',
  async (t) => {
    const { plant, lot, event, pallet, first } = await unpackedAt5(t);
    const cycle = async (hour: number) => {
      await event(hour, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: lot, quantity: 3 }] });
      return event(hour + 2, { type: 'disaggregate', parentCode: pallet, children: [lot] });
    };
    const second = await cycle(7);
    const last = await cycle(11);
    const refused = expectStatus(
      t,
      await plant.api.post('/events', { type: 'correction', correctsEventId: first.event.id, reason: 'never opened', eventTime: at(1014) }),
      409,
      'the first unpacking is not declared in error',
    );
    t.match(refused.body.detail, last.event.id, 'the last unpacking is named');
    t.notMatch(refused.body.detail, second.event.id);
    expectStatus(
      t,
      await plant.api.post('/events', { type: 'correction', correctsEventId: last.event.id, reason: 'never opened', eventTime: at(1014) }),
      201,
      'which is declared in error as named',
    );
  },
);

t.test('an unpacking captured through EPCIS is not declared in error after a later unpacking of the lot from the container', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('kg'), 3);
  const sscc = completeGs1('06901234000000024');
  const event = (hour: number, body: Record<string, unknown>) =>
    world.ok(plant.api.post('/events', { ...body, eventTime: at(1000 + hour) }));
  const pallet = (await event(3, { type: 'aggregate', parent: { sscc }, children: [{ lotCode: lot, quantity: 3 }] })).createdLotCodes[0];
  const unpacking = (eventID: string, hour: number) => ({
    type: 'AggregationEvent',
    eventID,
    eventTime: at(1000 + hour),
    eventTimeZoneOffset: '+08:00',
    action: 'DELETE',
    bizStep: 'unpacking',
    parentID: 'urn:epc:id:sscc:6901234.0000000024',
  });
  const post = (payload: object) => epcisRequests(world).post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...payload });
  const first = unpacking('urn:uuid:5b2e4c1a-7d3f-4e8b-9a6c-1f0d2e3b4a51', 5);
  t.equal((await post(first)).statusCode, 201, 'unpacked through EPCIS at 5');
  await event(7, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: lot, quantity: 3 }] });
  const second = unpacking('urn:uuid:5b2e4c1a-7d3f-4e8b-9a6c-1f0d2e3b4a52', 9);
  t.equal((await post(second)).statusCode, 201, 'unpacked again through EPCIS at 9');

  const declared = await post({ ...first, errorDeclaration: { declarationTime: at(1010), reason: 'incorrect_data' } });
  t.equal(declared.statusCode, 409, 'the first unpacking is not declared in error');
  t.match(declared.json().detail, '5b2e4c1a-7d3f-4e8b-9a6c-1f0d2e3b4a52', 'the problem names the later unpacking');
  t.same(await packedIn(world, lot, pallet), { links: 0, quantity: 0 }, 'the lot stays out of the pallet');
});

t.test('in one capture, the unpacking recorded after another of the lot from the pallet is the later one', async (t) => {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const { capture } = epcisRequests(world);
  const PALLET = 'urn:epc:id:sscc:6901234.0000000031';
  const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-3';
  const { packing, commissioning } = palletEvents(PALLET);
  const id = (n: number) => `urn:uuid:7c3d5e2f-8a4b-4c6d-9e1f-0a2b3c4d5e${60 + n}`;
  // packed at 3, unpacked at 5, packed again at 7 and unpacked at 9: one batch, one record time
  const events = [
    { ...packing(3, 'ADD', MEAT), eventID: id(3) },
    { ...packing(5, 'DELETE', MEAT), eventID: id(5) },
    { ...packing(7, 'ADD', MEAT), eventID: id(7) },
    { ...packing(9, 'DELETE', MEAT), eventID: id(9) },
  ];
  t.match(await capture(maker.key, [commissioning(MEAT), ...events], 'rollback'), { success: true });
  const declare = (event: object) =>
    world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: { '@context': EPCIS_CONTEXT, ...event, errorDeclaration: { declarationTime: at(10), reason: 'incorrect_data' } },
      headers: { authorization: `Bearer ${maker.key}` },
    });
  const refused = await declare(events[1]);
  t.equal(refused.statusCode, 409, 'the unpacking at 5 is not declared in error');
  t.match(refused.json().detail, id(9), 'the one at 9, recorded after it in the batch, is named');
  t.equal((await declare(events[3])).statusCode, 200, 'the unpacking at 9 is declared in error: the one at 5 came before it');
  t.equal((await declare(events[2])).statusCode, 200, 'then the packing at 7');
  t.equal((await declare(events[1])).statusCode, 200, 'then the unpacking at 5');
  const meat = (await world.regulator.get(`/trace/${encodeURIComponent(MEAT)}?depth=0`)).body.query.lotCodes[0];
  const pallet = (await world.regulator.get(`/trace/${encodeURIComponent(PALLET)}?depth=0`)).body.query.lotCodes[0];
  t.same(await packedIn(world, meat, pallet), { links: 1, quantity: 40 }, 'the packing at 3 is in force, with its 40 kg');
});

t.test('a later unpacking by the party the container was handed to refuses the declaration without naming its event', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  // 10 kg, so that what the pallet held is not all the plant had (the ledger's own check passes)
  const lot = await plant.commission(await plant.product('kg'), 10);
  const as = (actor: typeof plant, hour: number, body: Record<string, unknown>) =>
    world.ok(actor.api.post('/events', { ...body, eventTime: at(1000 + hour) }));
  const pallet = (await as(plant, 3, { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 3 }] })).createdLotCodes[0];
  const first = await as(plant, 5, { type: 'disaggregate', parentCode: pallet, children: [lot] });
  await as(plant, 7, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: lot, quantity: 3 }] });
  const shipped = await as(plant, 8, { type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: pallet }] });
  await as(shop, 9, { type: 'receive', shipmentId: shipped.shipmentId });
  const unpacked = await as(shop, 10, { type: 'disaggregate', parentCode: pallet, children: [lot] });

  const refused = expectStatus(
    t,
    await plant.api.post('/events', { type: 'correction', correctsEventId: first.event.id, reason: 'never opened', eventTime: at(1011) }),
    409,
    'the plant’s unpacking is not declared in error: the shop took the lot out again',
  );
  t.match(refused.body.detail, /another party’s unpacking took lot/);
  t.notMatch(JSON.stringify(refused.body), unpacked.event.id, 'the shop’s event, which the plant may not read, is not named');
  t.notMatch(refused.body.detail, /declare .* in error first/, 'nor is the plant told to declare it in error, which it may not');
});

/**
 * A plant's 100 kg lot, 10 kg packed into a new case at 08:30 and 30 kg more at 09:30, the case
 * unpacked at 10:00 (`unpacking`) and shipped empty to a market at 11:00 (`shipped`), received there
 * at 11:30 unless `received` is false: undone, or dated after 11:00, the unpacking would put the 40 kg
 * back into a case the plant no longer held.
 */
async function caseShippedAfterUnpacking(t: Test, received = true) {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const market = await world.party('retailer');
  const kg = await plant.product('kg');
  const as = (actor: typeof plant, time: string, body: Record<string, unknown>) =>
    world.ok(actor.api.post('/events', { ...body, eventTime: day(time) }));
  const lot = (await as(plant, '08:00', { type: 'commission', lots: [{ productCode: kg, quantity: 100 }] })).createdLotCodes[0] as string;
  const box = (await as(plant, '08:30', { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 10 }] }))
    .createdLotCodes[0] as string;
  await as(plant, '09:30', { type: 'aggregate', parent: { containerCode: box }, children: [{ lotCode: lot, quantity: 30 }] });
  const unpacking = await as(plant, '10:00', { type: 'disaggregate', parentCode: box });
  // a case with nothing packed in it is not shipped: it leaves holding 5 kg of another lot
  const other = (await as(plant, '08:00', { type: 'commission', lots: [{ productCode: kg, quantity: 5 }] })).createdLotCodes[0] as string;
  await as(plant, '10:45', { type: 'aggregate', parent: { containerCode: box }, children: [{ lotCode: other, quantity: 5 }] });
  const shipped = await as(plant, '11:00', { type: 'ship', toPartyCode: market.code, lines: [{ lotCode: box }] });
  if (received) await as(market, '11:30', { type: 'receive', shipmentId: shipped.shipmentId });
  const correct = (extra: Record<string, unknown> = {}) =>
    plant.api.post('/events', {
      type: 'correction',
      correctsEventId: unpacking.event.id,
      reason: 'case never opened',
      eventTime: day('14:00'),
      ...extra,
    });
  return { world, plant, market, as, lot, box, unpacking, shipped, correct };
}

/** A time on one day, UTC. */
const day = (time: string) => `2026-03-10T${time}:00Z`;

t.test('an unpacking is not declared in error once its container left the party’s hands after it', async (t) => {
  const { world, plant, market, as, lot, box, shipped, correct } = await caseShippedAfterUnpacking(t);
  const refused = expectStatus(t, await correct(), 409, 'the unpacking is not declared in error: the case was shipped since');
  t.match(refused.body.detail, box, 'the problem names the case');
  t.match(refused.body.detail, shipped.event.id, 'and the shipment that took it');
  t.match(refused.body.detail, /correct .* first/, 'and says to correct that first');
  t.same(
    refused.body.errors?.map((error: { pointer: string }) => error.pointer),
    ['/correctsEventId'],
  );
  t.same(await packedIn(world, lot, box), { links: 0, quantity: 0 }, 'nothing is booked back into the case');
  await as(plant, '15:00', { type: 'ship', toPartyCode: market.code, lines: [{ lotCode: lot, quantity: 100 }] });
  t.pass('the plant ships all 100 kg loose: none are stuck in a case it does not hold');
});

t.test('the correction of an unpacking may not date it after its container left', async (t) => {
  const { world, lot, box, shipped, correct } = await caseShippedAfterUnpacking(t);
  const later = expectStatus(
    t,
    await correct({ replacement: { type: 'disaggregate', parentCode: box, eventTime: day('11:15') } }),
    409,
    'a replacement unpacking dated after the shipment is refused',
  );
  t.match(later.body.detail, box);
  t.match(later.body.detail, shipped.event.id);
  t.same(
    later.body.errors?.map((error: { pointer: string }) => error.pointer),
    ['/correctsEventId'],
  );
  t.same(await packedIn(world, lot, box), { links: 0, quantity: 0 }, 'nothing is booked back into the case');
});

t.test('a container that came back to the party still refuses the declaration: what it held would have travelled with it', async (t) => {
  const { world, plant, market, as, lot, box, shipped, correct } = await caseShippedAfterUnpacking(t);
  const back = await as(market, '12:00', { type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: box }] });
  await as(plant, '12:30', { type: 'receive', shipmentId: back.shipmentId });
  const refused = expectStatus(t, await correct(), 409, 'the unpacking is not declared in error: the case was away between');
  t.match(refused.body.detail, shipped.event.id, 'the shipment that took the case is named');
  t.match(refused.body.detail, /came back/, 'and the case’s return is said not to help');
  expectStatus(
    t,
    await correct({ replacement: { type: 'disaggregate', parentCode: box, eventTime: day('13:00') } }),
    409,
    'nor is it dated after the case came back',
  );
  expectStatus(
    t,
    await correct({ replacement: { type: 'disaggregate', parentCode: box, eventTime: day('11:15') } }),
    409,
    'nor while it was away',
  );
  expectStatus(
    t,
    await correct({ replacement: { type: 'disaggregate', parentCode: box, children: [lot], eventTime: day('10:30') } }),
    201,
    'dated before the case left, the unpacking is corrected (the plant holds the case again)',
  );
  t.same(await packedIn(world, lot, box), { links: 0, quantity: 0 }, 'the case left without the lot, as recorded');
});

t.test('once the shipment that took the container is declared in error, the unpacking may be', async (t) => {
  const { world, plant, lot, box, shipped, correct } = await caseShippedAfterUnpacking(t, false);
  expectStatus(t, await correct(), 409, 'refused while the shipment stands');
  expectStatus(
    t,
    await plant.api.post('/events', { type: 'correction', correctsEventId: shipped.event.id, reason: 'not sent', eventTime: day('13:00') }),
    201,
    'the shipment declared in error',
  );
  expectStatus(t, await correct(), 201, 'then the unpacking');
  t.same(await packedIn(world, lot, box), { links: 2, quantity: 40 }, 'the 40 kg are in the case, which the plant holds');
});
