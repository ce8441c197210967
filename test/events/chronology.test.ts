// Events come after what they depend on: nothing uses, moves, packs, unpacks, inspects, sells,
// destroys or transforms a lot before the lot came into being, and nothing receives a shipment
// before it was shipped — through every door (POST /events, EPCIS capture and /epcis/events, RFID
// gates), with instants compared whatever their offsets, equal times allowed, and EPCIS events
// captured late or out of order held to the times they give.

import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { type Actor, createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A native event of the party at the given time. */
const eventAt = (party: Actor, eventTime: string, body: Record<string, unknown>) => party.api.post('/events', { ...body, eventTime });
/** The lot's (or container's) commission, or packing, made it at this time. */
const MADE = '2026-03-05T08:00:00+08:00';
const MADE_UTC = '2026-03-05T00:00:00.000Z';
const SECOND_BEFORE = '2026-03-05T07:59:59+08:00';

t.test('POST /events: no use of a lot dated before the lot came into being; the same instant in any offset is fine', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const kg = await plant.product('kg');
  const made = await world.ok(eventAt(plant, MADE, { type: 'commission', lots: [{ productCode: kg, quantity: 100 }] }));
  const lot: string = made.createdLotCodes[0];

  const uses: [string, Record<string, unknown>][] = [
    ['ship', { type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot, quantity: 1 }] }],
    ['sell', { type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }],
    ['destroy', { type: 'destroy', reason: 'spoiled', lines: [{ lotCode: lot, quantity: 1 }] }],
    ['transform', { type: 'transform', inputs: [{ lotCode: lot, quantity: 1 }], outputs: [{ productCode: kg, quantity: 1 }] }],
    ['aggregate', { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 1 }] }],
    ['inspect', { type: 'inspect', lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } }],
  ];
  for (const [what, body] of uses) {
    const early = expectStatus(t, await eventAt(plant, SECOND_BEFORE, body), 422, `${what} a second before the lot was commissioned`);
    t.match(
      early.body,
      {
        type: '/problems/event-time-before-lot',
        status: 422,
        errors: [{ in: 'body', pointer: '/eventTime', detail: `at the earliest ${MADE_UTC}` }],
      },
      `${what}: the event time is refused`,
    );
    t.match(early.body.detail, `lot ${lot} came into being at ${MADE_UTC}`, `${what}: the lot and the earliest allowed time are named`);
  }
  t.match((await plant.lot(lot)).massBalance, { produced: 100, onHand: 100 }, 'nothing was booked');
  const long = await eventAt(plant, '1999-01-01T00:00:00Z', {
    type: 'ship',
    toPartyCode: shop.code,
    lines: [{ lotCode: lot, quantity: 1 }],
  });
  expectStatus(t, long, 422, 'a ship in 1999 of a lot commissioned in 2026');
  t.same((await shop.api.get('/shipments')).body.items, [], 'the shop awaits nothing');

  // the same instant, written in UTC and at -08:00
  const packed = await world.ok(
    eventAt(plant, '2026-03-05T00:00:00Z', { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 10 }] }),
  );
  const container: string = packed.createdLotCodes[0];
  expectStatus(
    t,
    await eventAt(plant, '2026-03-04T16:00:00-08:00', {
      type: 'transform',
      inputs: [{ lotCode: lot, quantity: 5 }],
      outputs: [{ productCode: kg, quantity: 4 }],
    }),
    201,
    'a transformation at the instant of the commission, in another offset',
  );

  // a container came into being when it was packed, and its contents go along wherever it goes
  const later = '2026-03-06T08:00:00+08:00';
  const box = (await world.ok(eventAt(plant, later, { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 5 }] })))
    .createdLotCodes[0] as string;
  for (const [what, body] of [
    ['ship the container', { type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: box }] }],
    ['unpack it', { type: 'disaggregate', parentCode: box }],
    ['pack more into it', { type: 'aggregate', parent: { containerCode: box }, children: [{ lotCode: lot, quantity: 1 }] }],
  ] as const) {
    const early = expectStatus(t, await eventAt(plant, MADE, body), 422, `${what} before it was packed`);
    t.match(early.body, { type: '/problems/event-time-before-lot', errors: [{ pointer: '/eventTime' }] });
    t.match(early.body.detail, `container ${box} came into being at 2026-03-06T00:00:00.000Z`);
  }
  expectStatus(t, await eventAt(plant, later, { type: 'disaggregate', parentCode: container }), 201, 'an older container unpacked');
});

t.test('POST /events: a receipt is not dated before its shipment was shipped', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const lot = (
    await world.ok(eventAt(farm, MADE, { type: 'commission', lots: [{ productCode: await farm.product('head'), quantity: 5 }] }))
  ).createdLotCodes[0];
  const shippedAt = '2026-03-06T08:00:00+08:00';
  const shipped = await world.ok(eventAt(farm, shippedAt, { type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot }] }));
  const shipmentId: string = shipped.shipmentId;

  for (const eventTime of ['1999-01-01T00:00:00Z', '2026-03-06T07:59:59+08:00']) {
    const early = expectStatus(t, await eventAt(plant, eventTime, { type: 'receive', shipmentId }), 422, `a receipt at ${eventTime}`);
    t.match(early.body, {
      type: '/problems/event-time-before-shipment',
      errors: [{ pointer: '/eventTime', detail: 'at the earliest 2026-03-06T00:00:00.000Z' }],
    });
    t.match(early.body.detail, `shipment ${shipmentId} was shipped at 2026-03-06T00:00:00.000Z`);
  }
  t.equal((await plant.api.get('/shipments?status=open')).body.items.length, 1, 'still in transit');
  expectStatus(t, await eventAt(plant, '2026-03-06T00:00:00Z', { type: 'receive', shipmentId }), 201, 'received at the instant it left');
});

t.test('POST /events: a party does not ship a lot before it received it; the lot’s maker is held to its making', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const shop = await world.party('retailer');
  const lot = (
    await world.ok(eventAt(farm, MADE, { type: 'commission', lots: [{ productCode: await farm.product('head'), quantity: 5 }] }))
  ).createdLotCodes[0];
  const { shipmentId } = await world.ok(
    eventAt(farm, '2026-03-06T08:00:00+08:00', { type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot, quantity: 3 }] }),
  );
  await world.ok(eventAt(plant, '2026-03-07T08:00:00+08:00', { type: 'receive', shipmentId }));
  const onward = { type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot, quantity: 1 }] };

  for (const eventTime of ['2026-03-06T12:00:00+08:00', '2026-03-07T07:59:59+08:00']) {
    const early = expectStatus(t, await eventAt(plant, eventTime, onward), 422, `shipped on at ${eventTime}, before its receipt`);
    t.match(early.body, {
      type: '/problems/event-time-before-receipt',
      errors: [{ in: 'body', pointer: '/eventTime', detail: 'at the earliest 2026-03-07T00:00:00.000Z' }],
    });
    t.match(early.body.detail, `lot ${lot} was received by ${plant.code} at 2026-03-07T00:00:00.000Z; it cannot be shipped before that`);
  }
  t.same((await shop.api.get('/shipments')).body.items, [], 'the shop awaits nothing');
  expectStatus(t, await eventAt(plant, '2026-03-07T00:00:00Z', onward), 201, 'shipped on at the instant it was received');
  // the farm made the lot: what it kept, it ships from its making on, whenever the plant received the rest
  expectStatus(
    t,
    await eventAt(farm, '2026-03-06T09:00:00+08:00', { type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot, quantity: 1 }] }),
    201,
    "the maker's own stock",
  );
});

t.test('POST /events: a party uses, packs, sells or destroys a lot it received no earlier than it received it', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const head = await farm.product('head');
  const kg = await plant.product('kg');
  const lot = (await world.ok(eventAt(farm, MADE, { type: 'commission', lots: [{ productCode: head, quantity: 30 }] }))).createdLotCodes[0];
  const { shipmentId } = await world.ok(
    eventAt(farm, '2026-03-09T08:00:00+08:00', { type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot, quantity: 4 }] }),
  );
  const receivedUtc = '2026-03-09T04:00:00.000Z';
  await world.ok(eventAt(plant, '2026-03-09T12:00:00+08:00', { type: 'receive', shipmentId }));
  const uses: [string, string, Record<string, unknown>][] = [
    ['destroyed', '2026-03-09T10:00:00+08:00', { type: 'destroy', reason: 'injured', lines: [{ lotCode: lot, quantity: 1 }] }],
    ['sold', '2026-03-09T10:00:00+08:00', { type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }],
    ['packed', '2026-03-09T10:00:00+08:00', { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 1 }] }],
    // slaughtered days before the farm shipped the pigs
    [
      'used',
      '2026-03-06T08:00:00+08:00',
      { type: 'transform', inputs: [{ lotCode: lot, quantity: 1 }], outputs: [{ productCode: kg, quantity: 80 }] },
    ],
  ];
  for (const [verb, eventTime, body] of uses) {
    const early = expectStatus(t, await eventAt(plant, eventTime, body), 422, `${body.type} before the receipt`);
    t.match(early.body, {
      type: '/problems/event-time-before-receipt',
      errors: [{ in: 'body', pointer: '/eventTime', detail: `at the earliest ${receivedUtc}` }],
    });
    t.equal(
      early.body.detail,
      `lot ${lot} was received by ${plant.code} at ${receivedUtc}; it cannot be ${verb} before that (the event is dated ${new Date(eventTime).toISOString()})`,
      `${body.type}: the lot, the receipt's time and the event's`,
    );
  }
  t.match((await plant.lot(lot)).massBalance, { consumed: 0, destroyed: 0, sold: 0 }, 'nothing was booked');
  for (const [, , body] of uses) {
    expectStatus(t, await eventAt(plant, '2026-03-09T04:00:00Z', body), 201, `${body.type} at the instant of the receipt`);
  }
  t.match((await plant.lot(lot)).massBalance, { consumed: 1, destroyed: 1, sold: 1 }, 'each took its head');
});

t.test('POST /events: a party packs into or unpacks a container it received no earlier than it received it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const [meat, own] = [await plant.product('kg'), await store.product('kg')];
  const made = (party: Actor, productCode: string) =>
    world.ok(eventAt(party, MADE, { type: 'commission', lots: [{ productCode, quantity: 10 }] })).then((r) => r.createdLotCodes[0]);
  const lot = await made(plant, meat);
  const pallet = (await world.ok(eventAt(plant, MADE, { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 10 }] })))
    .createdLotCodes[0];
  const { shipmentId } = await world.ok(
    eventAt(plant, '2026-03-06T08:00:00+08:00', { type: 'ship', toPartyCode: store.code, lines: [{ lotCode: pallet }] }),
  );
  await world.ok(eventAt(store, '2026-03-06T12:00:00+08:00', { type: 'receive', shipmentId }));
  const extra = await made(store, own);
  const uses: [string, Record<string, unknown>][] = [
    ['packed into', { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: extra, quantity: 1 }] }],
    ['unpacked', { type: 'disaggregate', parentCode: pallet }],
  ];
  for (const [done, body] of uses) {
    const early = expectStatus(t, await eventAt(store, '2026-03-06T10:00:00+08:00', body), 422, `${done} before the receipt`);
    t.match(early.body, {
      type: '/problems/event-time-before-receipt',
      errors: [{ pointer: '/eventTime', detail: 'at the earliest 2026-03-06T04:00:00.000Z' }],
    });
    t.equal(
      early.body.detail,
      `container ${pallet} was received by ${store.code} at 2026-03-06T04:00:00.000Z; it cannot be ${done} before that (the event is dated 2026-03-06T02:00:00.000Z)`,
    );
  }
  for (const [done, body] of uses) {
    expectStatus(t, await eventAt(store, '2026-03-06T04:00:00Z', body), 201, `${done} at the instant of the receipt`);
  }
});

t.test('corrections: a replacement is held to the times too, and a replaced commission moves the lot’s beginning', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const kg = await plant.product('kg');
  const made = await world.ok(eventAt(plant, MADE, { type: 'commission', lots: [{ productCode: kg, quantity: 10 }] }));
  const lot: string = made.createdLotCodes[0];

  const sale = await world.ok(eventAt(plant, '2026-03-06T08:00:00+08:00', { type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }));
  const replaced = expectStatus(
    t,
    await eventAt(plant, '2026-03-07T08:00:00+08:00', {
      type: 'correction',
      correctsEventId: sale.event.id,
      reason: 'sold earlier than typed',
      replacement: { type: 'sell', eventTime: SECOND_BEFORE, lines: [{ lotCode: lot, quantity: 1 }] },
    }),
    422,
    'a replacement sale dated before the lot',
  );
  t.match(replaced.body, { type: '/problems/event-time-before-lot', errors: [{ pointer: '/replacement/eventTime' }] });
  t.equal((await plant.api.get(`/events/${sale.event.id}`)).body.declaredInErrorBy, null, 'the sale stands');

  const other = await world.ok(eventAt(plant, MADE, { type: 'commission', lots: [{ productCode: kg, quantity: 10 }] }));
  const second: string = other.createdLotCodes[0];
  await world.ok(
    eventAt(plant, '2026-03-07T08:00:00+08:00', {
      type: 'correction',
      correctsEventId: other.event.id,
      reason: 'commissioned a day later',
      replacement: { type: 'commission', eventTime: '2026-03-06T08:00:00+08:00', lots: [{ productCode: kg, quantity: 10 }] },
    }),
  );
  const ship = (eventTime: string) =>
    eventAt(plant, eventTime, { type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: second, quantity: 1 }] });
  const early = expectStatus(t, await ship('2026-03-05T12:00:00+08:00'), 422, 'a ship between the corrected and the replacing commission');
  t.match(early.body.detail, `lot ${second} came into being at 2026-03-06T00:00:00.000Z`);
  expectStatus(t, await ship('2026-03-06T08:00:00+08:00'), 201, 'a ship at the replacing commission');
});

t.test('corrections: a replacement does not begin a lot after an event already used it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const made = await world.ok(eventAt(plant, MADE, { type: 'commission', lots: [{ productCode: kg, quantity: 10 }] }));
  const lot: string = made.createdLotCodes[0];
  const inspected = '2026-03-05T09:00:00+08:00';
  await world.ok(eventAt(plant, inspected, { type: 'inspect', lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } }));
  const recorded = async () => (await plant.api.get(`/events?lotCode=${lot}`)).body.items.length;
  const events = await recorded();

  const replaced = (eventTime: string) =>
    eventAt(plant, '2026-03-06T08:00:00+08:00', {
      type: 'correction',
      correctsEventId: made.event.id,
      reason: 'commissioned later than typed',
      replacement: { type: 'commission', eventTime, lots: [{ productCode: kg, quantity: 10 }] },
    });
  const late = expectStatus(t, await replaced('2026-03-05T10:00:00+08:00'), 422, 'a replacement dated after the inspection');
  t.match(late.body, {
    type: '/problems/lot-begins-after-use',
    status: 422,
    errors: [{ in: 'body', pointer: '/replacement/eventTime', detail: 'at the latest 2026-03-05T01:00:00.000Z' }],
  });
  t.match(late.body.detail, `lot ${lot} was already used at 2026-03-05T01:00:00.000Z`, 'the lot and its first use are named');
  t.equal((await plant.api.get(`/events/${made.event.id}`)).body.declaredInErrorBy, null, 'the commission stands');
  t.equal(await recorded(), events, 'nothing was recorded');
  t.match(await plant.lot(lot), { quantity: 10, massBalance: { produced: 10, onHand: 10 } }, 'nor booked');

  const early = expectStatus(t, await replaced('2026-03-05T08:30:00+08:00'), 201, 'a replacement dated before the inspection');
  t.same(early.body.createdLotCodes, [lot], 'the lot keeps its code');
  expectStatus(t, await replaced('2026-03-05T08:30:00+08:00'), 409, 'and the commission is declared in error');

  // a use declared in error holds the lot to nothing
  const other = await world.ok(eventAt(plant, MADE, { type: 'commission', lots: [{ productCode: kg, quantity: 10 }] }));
  const inspection = await world.ok(
    eventAt(plant, inspected, { type: 'inspect', lotCodes: [other.createdLotCodes[0]], inspection: { kind: 'self', result: 'pass' } }),
  );
  await world.ok(
    eventAt(plant, '2026-03-06T08:00:00+08:00', { type: 'correction', correctsEventId: inspection.event.id, reason: 'wrong lot' }),
  );
  expectStatus(
    t,
    await eventAt(plant, '2026-03-06T08:00:00+08:00', {
      type: 'correction',
      correctsEventId: other.event.id,
      reason: 'commissioned later than typed',
      replacement: { type: 'commission', eventTime: '2026-03-05T10:00:00+08:00', lots: [{ productCode: kg, quantity: 10 }] },
    }),
    201,
    'a replacement after an inspection declared in error',
  );
});

/** An EPCIS class: lot `name` of one GTIN. */
/** An EPCIS event's time: day `d` of March 2026 at `hour` o'clock, China time. */
const day = (d: number, hour = 8) => ({
  eventTime: `2026-03-${String(d).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`,
  eventTimeZoneOffset: '+08:00',
});

const lotClass = (name: string) => `https://id.gs1.org/01/06901234000016/10/${name}`;
/** An EPCIS commissioning of 10 kg of a class. */
const commissioned = (epcClass: string, when: object) => ({
  type: 'ObjectEvent',
  ...when,
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
});
/** An EPCIS observation that ships 1 kg of a class to a party: a use of the lot. */
const shippedTo = (partyCode: string) => (epcClass: string, when: object) => ({
  type: 'ObjectEvent',
  ...when,
  action: 'OBSERVE',
  bizStep: 'shipping',
  quantityList: [{ epcClass, quantity: 1, uom: 'KGM' }],
  destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${partyCode}` }],
});

t.test('EPCIS capture and /epcis/events: event times are consistent however late or out of order they come', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { post, capture } = epcisRequests(world);
  const shipping = shippedTo(store.code);
  const transformed = (from: string, to: string, when: object) => ({
    type: 'TransformationEvent',
    ...when,
    inputQuantityList: [{ epcClass: from, quantity: 2, uom: 'KGM' }],
    outputQuantityList: [{ epcClass: to, quantity: 5, uom: 'KGM' }],
  });

  for (const behaviour of ['rollback', 'proceed'] as const) {
    const meat = lotClass(`MEAT-${behaviour}`);
    const job = await capture(plant.key, [commissioned(meat, day(5)), shipping(meat, day(4))], behaviour);
    t.match(
      job,
      {
        success: false,
        captured: behaviour === 'rollback' ? 0 : 1,
        errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' }],
      },
      `${behaviour}: a later event of the document may not use a lot before an earlier one made it`,
    );
    t.match(job.errors[0].message, `event 1: lot ${meat} came into being at 2026-03-05T00:00:00.000Z`, 'the lot as the document wrote it');
  }

  const cured = lotClass('CURED-1');
  const meat = lotClass('MEAT-1');
  t.match(
    await capture(plant.key, [commissioned(meat, day(5)), transformed(meat, cured, day(5)), shipping(cured, day(6))], 'rollback'),
    { success: true, captured: 3 },
    'a transformation at the instant of the commission, a ship after it',
  );
  // captured a week later, dated in between and before
  t.match(await capture(plant.key, [shipping(meat, day(5, 9))], 'rollback'), { success: true }, 'captured late, dated after the lot');
  const single = await post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...shipping(cured, day(5, 7)) });
  t.equal(single.statusCode, 422, '/epcis/events: a ship dated before the transformation made the lot');
  t.match(single.json(), { type: '/problems/event-time-before-lot', errors: [{ pointer: '/eventTime' }] });
  t.match(single.json().detail, 'came into being at 2026-03-05T00:00:00.000Z');

  // the receiving party's receipt is held to the shipment
  const received = (when: object) => ({
    type: 'ObjectEvent',
    ...when,
    action: 'OBSERVE',
    bizStep: 'receiving',
    quantityList: [{ epcClass: cured, quantity: 1, uom: 'KGM' }],
  });
  const early = await capture(store.key, [received(day(6, 7))], 'proceed');
  t.match(early, { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] }, 'a receipt before the ship');
  t.match(early.errors[0].message, /shipment \S+ was shipped at 2026-03-06T00:00:00\.000Z/);
  t.match(await capture(store.key, [received(day(6, 8))], 'proceed'), { success: true }, 'a receipt at the ship');

  // declared in error, commissioned again earlier by a corrective event: the lot began then
  const fish = lotClass('FISH-1');
  const wrong = { ...commissioned(fish, day(8)), eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000f001' };
  t.match(await capture(plant.key, [wrong], 'rollback'), { success: true });
  const beforeWrong = await post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...shipping(fish, day(7)) });
  t.equal(beforeWrong.statusCode, 422, 'a ship before the commission recorded');
  const corrective = { ...commissioned(fish, day(3)), eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000f002' };
  t.match(
    await capture(
      plant.key,
      [
        {
          ...wrong,
          errorDeclaration: { declarationTime: '2026-03-09T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: [corrective.eventID] },
        },
        corrective,
      ],
      'rollback',
    ),
    { success: true },
    'the commission is declared in error, the corrective one captured',
  );
  t.match(await capture(plant.key, [shipping(fish, day(7))], 'rollback'), { success: true }, 'dated after the corrective commission');
  const before = await capture(plant.key, [shipping(fish, day(2))], 'rollback');
  t.match(before, { success: false }, 'dated before the corrective commission');
  t.match(before.errors[0].message, /came into being at 2026-03-03T00:00:00\.000Z/);
});

t.test('EPCIS capture: a ship dated before the party received the lot is a per-event error, in its document or later', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const shop = await world.party('retailer');
  const { capture } = epcisRequests(world);
  const meat = lotClass('MEAT-RECEIVED');
  t.match(await capture(plant.key, [commissioned(meat, day(5)), shippedTo(store.code)(meat, day(6))], 'rollback'), { success: true });
  const received = {
    type: 'ObjectEvent',
    ...day(7),
    action: 'OBSERVE',
    bizStep: 'receiving',
    quantityList: [{ epcClass: meat, quantity: 1, uom: 'KGM' }],
  };
  const onward = shippedTo(shop.code);

  const inOneDocument = await capture(store.key, [received, onward(meat, day(6, 12))], 'rollback');
  t.match(
    inOneDocument,
    { success: false, captured: 0, errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' }] },
    'the document receives the lot, then ships it dated before the receipt',
  );
  t.match(inOneDocument.errors[0].message, `received by ${store.code} at 2026-03-07T00:00:00.000Z`);
  t.match(await capture(store.key, [received], 'rollback'), { success: true }, 'the receipt alone');
  const later = await capture(store.key, [onward(meat, day(7, 7))], 'proceed');
  t.match(later, { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] }, 'a later document too');
  t.match(later.errors[0].message, 'it cannot be shipped before that');
  t.match(await capture(store.key, [onward(meat, day(7, 9))], 'rollback'), { success: true }, 'shipped after its receipt');
  t.equal((await shop.api.get('/shipments?status=open')).body.items.length, 1, 'the shop awaits one shipment');
});

t.test('EPCIS capture: a use of a lot dated before the party received it is that event’s error', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);
  const meat = lotClass('MEAT-USED');
  const kilos = (epcClass: string, quantity = 1) => [{ epcClass, quantity, uom: 'KGM' }];
  t.match(
    await capture(plant.key, [commissioned(meat, day(5)), { ...shippedTo(store.code)(meat, day(6)), quantityList: kilos(meat, 4) }]),
    { success: true },
  );
  const received = { type: 'ObjectEvent', ...day(7), action: 'OBSERVE', bizStep: 'receiving', quantityList: kilos(meat, 4) };
  const transformed = (when: object) => ({
    type: 'TransformationEvent',
    ...when,
    inputQuantityList: kilos(meat),
    outputQuantityList: kilos(lotClass('MINCE-USED')),
  });
  const uses = (when: object) => [
    { type: 'ObjectEvent', ...when, action: 'DELETE', bizStep: 'destroying', quantityList: kilos(meat) },
    { type: 'ObjectEvent', ...when, action: 'OBSERVE', bizStep: 'retail_selling', quantityList: kilos(meat) },
    {
      type: 'AggregationEvent',
      ...when,
      action: 'ADD',
      bizStep: 'packing',
      parentID: 'urn:epc:id:sscc:6901234.0000000093',
      childQuantityList: kilos(meat),
    },
    transformed(when),
  ];

  const inOneDocument = await capture(store.key, [received, ...uses(day(6, 12))], 'proceed');
  t.match(
    inOneDocument,
    {
      success: false,
      captured: 1,
      errors: [1, 2, 3, 4].map((eventIndex) => ({ eventIndex, pointer: `/epcisBody/eventList/${eventIndex}/eventTime` })),
    },
    'the document receives the lot, then uses it dated before the receipt: each use is refused, the receipt stored',
  );
  for (const error of inOneDocument.errors) {
    t.match(error.message, `lot ${meat} was received by ${store.code} at 2026-03-07T00:00:00.000Z; it cannot be`);
  }
  const slaughtered = await capture(store.key, [transformed(day(5, 9))], 'rollback');
  t.match(
    slaughtered,
    { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] },
    'a later document: transformed before the lot was even shipped',
  );
  t.match(slaughtered.errors[0].message, '(the event is dated 2026-03-05T01:00:00.000Z)');
  t.match(await capture(store.key, uses(day(7)), 'rollback'), { success: true, captured: 4 }, 'each at the instant of the receipt');
});

t.test('EPCIS: a lot no event made has no beginning to hold its uses to, neither its first sighting nor its record', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);
  const meat = 'https://id.gs1.org/01/06901234000016/10/SEEN-ONLY';
  const when = (d: number) => ({ eventTime: `2026-03-0${d}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
  const seen = { type: 'ObjectEvent', ...when(5), action: 'OBSERVE', quantityList: [{ epcClass: meat, quantity: 10, uom: 'KGM' }] };
  t.match(await capture(plant.key, [seen]), { success: true }, 'first named by a sighting, which makes nothing');
  const shipped = {
    type: 'ObjectEvent',
    ...when(4),
    action: 'OBSERVE',
    bizStep: 'shipping',
    quantityList: [{ epcClass: meat, quantity: 1, uom: 'KGM' }],
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
  };
  t.match(
    await capture(plant.key, [shipped]),
    { success: true, captured: 1 },
    'a ship captured later, dated before the sighting and long before the lot was recorded',
  );
  t.equal((await store.api.get('/shipments?status=open')).body.items.length, 1, 'the store awaits it');
});

t.test('EPCIS: a lot that events used does not begin after the first of them', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { post, capture } = epcisRequests(world);
  const at = (hour: number) => ({ eventTime: `2026-03-05T${String(hour).padStart(2, '0')}:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
  // an observation that ships what it names: the first event naming the identifier, and a use of it
  const shipped = shippedTo(store.code);
  const sighted = (epcClass: string, when: object) => ({
    type: 'ObjectEvent',
    ...when,
    action: 'OBSERVE',
    quantityList: [{ epcClass, quantity: 1, uom: 'KGM' }],
  });
  const firstUse = '2026-03-05T00:00:00.000Z';

  for (const behaviour of ['rollback', 'proceed'] as const) {
    const meat = lotClass(`USED-${behaviour}`);
    t.match(await capture(plant.key, [shipped(meat, at(8))], behaviour), { success: true }, `${behaviour}: shipped first`);
    const late = await capture(plant.key, [commissioned(meat, at(9))], behaviour);
    t.match(
      late,
      { success: false, captured: 0, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] },
      `${behaviour}: commissioned an hour after it was shipped`,
    );
    // named as the client wrote it, as EPCIS refusals name what they refuse
    t.equal(
      late.errors?.[0]?.message,
      `event 0: lot ${meat} was already used at ${firstUse}; it cannot come into being after that`,
      `${behaviour}: the lot as sent and its first use are named`,
    );
    t.match(await capture(plant.key, [commissioned(meat, at(7))], behaviour), { success: true }, `${behaviour}: an hour before is fine`);
  }

  const meat = lotClass('USED-IN-ONE-DOCUMENT');
  t.match(
    await capture(plant.key, [shipped(meat, at(8)), commissioned(meat, at(9)), commissioned(meat, at(7))], 'proceed'),
    { success: false, captured: 2, errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' }] },
    'in one document: a commission after the ship the document recorded before it is refused, one before it taken',
  );

  const fish = lotClass('USED-SINGLE');
  t.match(await capture(plant.key, [shipped(fish, at(8))]), { success: true });
  const single = (when: object) => post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...commissioned(fish, when) });
  const refused = await single(at(9));
  t.equal(refused.statusCode, 422, '/epcis/events: commissioned after it was shipped');
  t.match(refused.json(), {
    type: '/problems/lot-begins-after-use',
    errors: [{ pointer: '/eventTime', detail: `at the latest ${firstUse}` }],
  });
  t.equal((await single(at(7))).statusCode, 201, '/epcis/events: commissioned before it was shipped');

  // a sighting uses nothing (nor holds a lot to its making): commissioning after it is fine
  const seen = lotClass('SEEN-THEN-MADE');
  t.match(await capture(plant.key, [sighted(seen, at(8)), commissioned(seen, at(9))]), { success: true, captured: 2 });

  // its making declared in error, the lot has no beginning: the corrective commission is held to the uses as any making is
  const declare = (event: object) => ({
    ...event,
    errorDeclaration: { declarationTime: '2026-03-06T00:00:00Z', reason: 'incorrect_data' },
  });
  const beef = lotClass('USED-THEN-DECLARED');
  const wrong = { ...commissioned(beef, at(6)), eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000f101' };
  t.match(await capture(plant.key, [wrong, shipped(beef, at(8))], 'rollback'), { success: true, captured: 2 });
  t.match(await capture(plant.key, [declare(wrong)], 'rollback'), { success: true }, 'the commission is declared in error');
  const corrective = (when: object, n: number) => ({
    ...commissioned(beef, when),
    eventID: `urn:uuid:0190c8a2-0000-7000-8000-00000000f1${n}`,
  });
  t.match(
    await capture(plant.key, [corrective(at(10), 10)], 'proceed'),
    { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] },
    'a corrective commission after the ship',
  );
  t.match(await capture(plant.key, [corrective(at(7), 11)], 'proceed'), { success: true }, 'one before it');

  // nor does declaring the first making in error leave the lot made only after it was used
  const pork = lotClass('USED-THEN-REMADE');
  const first = { ...commissioned(pork, at(6)), eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000f201' };
  t.match(await capture(plant.key, [first, shipped(pork, at(8))], 'rollback'), { success: true, captured: 2 });
  const remade = { ...commissioned(pork, at(10)), eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000f202' };
  // the remaking first, then the declaration: the declaration is judged with the remaking stored
  const kept = await capture(plant.key, [remade, declare(first)], 'proceed');
  t.match(
    kept,
    { success: false, captured: 1, errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventID' }] },
    'the commission made again after the ship is taken, the first one is not declared in error',
  );
  t.equal(kept.errors.length, 1, 'only the declaration is refused');
  t.match(
    kept.errors?.[0]?.message,
    /lot \w+ was used at 2026-03-05T00:00:00\.000Z and the next event making it is dated 2026-03-05T02:00:00\.000Z/,
  );
  const stored = await post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...first });
  t.match(stored.json(), { duplicate: true }, 'the first commission is stored');
  t.equal((await plant.api.get(`/events/${encodeURIComponent(first.eventID)}`)).body.declaredInErrorBy, null, 'and stands');

  // the declaration first: it takes effect at its place, and the remaking after it is refused, as two documents would have it
  const veal = lotClass('DECLARED-THEN-REMADE');
  const made = { ...commissioned(veal, at(6)), eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000f301' };
  t.match(await capture(plant.key, [made, shipped(veal, at(8))], 'rollback'), { success: true, captured: 2 });
  const late = { ...commissioned(veal, at(10)), eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000f302' };
  t.match(
    await capture(plant.key, [declare(made), late], 'proceed'),
    { success: false, duplicates: 1, captured: 0, errors: [{ eventIndex: 1, type: '/problems/lot-begins-after-use' }] },
    'the declaration applied, the remaking after the ship refused',
  );
  t.notSame((await plant.api.get(`/events/${encodeURIComponent(made.eventID)}`)).body.declaredInErrorBy, null, 'declared in error');
});

t.test('a container first seen in use is packed into after its receipt: packing into it does not bring it into being', async (t) => {
  const world = await createWorld(t);
  const supplier = await world.party('processor');
  const store = await world.party('cold_storage');
  const kg = await store.product('kg');
  const { capture } = epcisRequests(world);
  const at = (hour: number) => ({ eventTime: `2026-03-05T${String(hour).padStart(2, '0')}:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
  const sscc = 'urn:epc:id:sscc:6901234.0000000062';
  // the supplier's inspection at 06:00 is the first event to name the pallet, made by nothing; it packs
  // 2 kg into it at 07:00, its first use (an empty one is not shipped), and ships it at 08:00
  const supplied = lotClass('PACKED-BEFORE-SHIP');
  const inspected = { type: 'ObjectEvent', ...at(6), action: 'OBSERVE', bizStep: 'inspecting', epcList: [sscc] };
  const supplierPacking = {
    type: 'AggregationEvent',
    ...at(7),
    action: 'ADD',
    bizStep: 'packing',
    parentID: sscc,
    childQuantityList: [{ epcClass: supplied, quantity: 2, uom: 'KGM' }],
  };
  const shipping = {
    type: 'ObjectEvent',
    ...at(8),
    action: 'OBSERVE',
    bizStep: 'shipping',
    epcList: [sscc],
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
  };
  t.match(await capture(supplier.key, [commissioned(supplied, at(5)), inspected, supplierPacking, shipping]), {
    success: true,
    captured: 4,
  });
  const [shipment] = (await store.api.get('/shipments')).body.items;
  await world.ok(eventAt(store, '2026-03-05T09:00:00+08:00', { type: 'receive', shipmentId: shipment.id }));
  const pallet = (await world.regulator.get(`/trace/${encodeURIComponent(sscc)}?depth=0`)).body.query.lotCodes[0];

  const lot = await store.commission(kg, 10);
  expectStatus(
    t,
    await eventAt(store, '2026-03-05T10:00:00+08:00', {
      type: 'aggregate',
      parent: { containerCode: pallet },
      children: [{ lotCode: lot, quantity: 4 }],
    }),
    201,
    'POST /events: packed into it two hours after it was shipped',
  );
  const meat = lotClass('PACKED-AFTER-SHIPPED');
  const packing = (hour: number) => ({
    type: 'AggregationEvent',
    ...at(hour),
    action: 'ADD',
    bizStep: 'packing',
    parentID: sscc,
    childQuantityList: [{ epcClass: meat, quantity: 3, uom: 'KGM' }],
  });
  const early = await capture(store.key, [commissioned(meat, at(7)), packing(8)], 'proceed');
  t.match(
    early,
    { success: false, captured: 1, errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' }] },
    'EPCIS: packed into it when it was shipped, an hour before the receipt: that event’s error',
  );
  t.match(
    early.errors[0].message,
    `container ${sscc} was received by ${store.code} at 2026-03-05T01:00:00.000Z; it cannot be packed into before that`,
  );
  t.match(
    await capture(store.key, [packing(11)]),
    { success: true, captured: 1 },
    'EPCIS: packed into it three hours after it was shipped',
  );

  // no packing made it: it did not come into being at 07:00 nor 10:00, and its first use is still the supplier's packing
  expectStatus(
    t,
    await eventAt(store, '2026-03-05T09:30:00+08:00', {
      type: 'inspect',
      lotCodes: [pallet],
      inspection: { kind: 'self', result: 'pass' },
    }),
    201,
    'an inspection on arrival, recorded after the packings and dated before them',
  );
  const madeLate = await capture(supplier.key, [{ ...shipping, ...at(9), action: 'ADD', bizStep: 'commissioning', destinationList: [] }]);
  t.match(
    madeLate,
    { success: false, captured: 0, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] },
    'the supplier commissions the pallet an hour after it shipped it, and before the store packed it: refused',
  );
  t.equal(
    madeLate.errors?.[0]?.message,
    `event 0: container ${sscc} was already used at 2026-03-04T23:00:00.000Z; it cannot come into being after that`,
    'held to the supplier’s packing, its first use',
  );
});

t.test('RFID: a gate read dated before the shipment left is a rejected read, not a receipt', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }]);
  const lot = await processor.commission(await processor.product('piece'), 3);
  const box = await processor.pack([{ lotCode: lot, quantity: 3 }]);
  const tag = 'E28068940000000000000777';
  await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag, code: box }] }), 201);
  const shipmentId = await processor.ship(store, [{ lotCode: box }]);
  const read = (timestamp: string) =>
    reader.api.post('/rfid/zebra', [zebraEvent({ idHex: tag, antenna: 1, hostName: reader.hostName, timestamp })]);

  await read('2020-01-01T00:00:00.000Z');
  await world.app.services.gates.drain();
  const [rejected] = (await store.api.get(`/rfid/reads?tag=${tag}`)).body.items;
  t.match(rejected, { outcome: 'rejected', lotCode: box, eventId: null });
  // read after the ship event was recorded and dated before it: the reader's clock is named as the cause
  t.match(rejected.detail, `reader clock: reader`);
  t.match(rejected.detail, `before shipment ${shipmentId} was shipped`);
  t.equal((await store.api.get('/shipments?status=open')).body.items.length, 1, 'the shipment is still in transit');

  await read('2026-06-01T11:05:00.000+0800');
  await world.app.services.gates.drain();
  const reads = (await store.api.get(`/rfid/reads?tag=${tag}`)).body.items;
  t.ok(
    reads.some((row: { outcome: string }) => row.outcome === 'received'),
    'a read after it left receives it',
  );
});

t.test('POST /events: no unpacking dated before the packing it undoes', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const [lot, other] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
  const pallet = (await world.ok(eventAt(plant, MADE, { type: 'aggregate', parent: {}, children: [{ lotCode: other, quantity: 10 }] })))
    .createdLotCodes[0];
  const packedAt = '2026-03-05T10:00:00+08:00';
  const packedUtc = '2026-03-05T02:00:00.000Z';
  await world.ok(
    eventAt(plant, packedAt, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: lot, quantity: 10 }] }),
  );
  for (const children of [[lot], undefined]) {
    const early = expectStatus(
      t,
      await eventAt(plant, '2026-03-05T09:00:00+08:00', { type: 'disaggregate', parentCode: pallet, children }),
      422,
      `unpacking ${children ? 'the lot' : 'everything'} an hour before the lot was packed`,
    );
    t.match(early.body, {
      type: '/problems/event-time-before-packing',
      errors: [{ in: 'body', pointer: '/eventTime', detail: `at the earliest ${packedUtc}` }],
    });
    t.match(early.body.detail, `lot ${lot} was packed into container ${pallet} at ${packedUtc}`, 'the container and the packing’s time');
  }
  const links = async () =>
    (await world.regulator.get(`/trace/${lot}?direction=forward&depth=1`)).body.edges
      .filter((edge: { kind: string }) => edge.kind === 'aggregate')
      .map((edge: { status: string | null }) => edge.status);
  t.same(await links(), [null], 'the lot still lies on the pallet');
  await world.ok(eventAt(plant, '2026-03-05T02:00:00Z', { type: 'disaggregate', parentCode: pallet, children: [lot] }));
  t.same(await links(), ['unpacked'], 'an unpacking at the packing’s instant, in any offset, is fine');
});

t.test('EPCIS capture: an unpacking dated before the packing it undoes is that event’s error', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const { capture } = epcisRequests(world);
  const PALLET = 'urn:epc:id:sscc:6901234.0000000031';
  const at = (hour: number) => ({ eventTime: `2026-03-05T${String(hour).padStart(2, '0')}:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
  const packing = (hour: number, action: 'ADD' | 'DELETE', epcClass: string) => ({
    type: 'AggregationEvent',
    ...at(hour),
    action,
    bizStep: action === 'ADD' ? 'packing' : 'unpacking',
    parentID: PALLET,
    childQuantityList: [{ epcClass, quantity: 4, uom: 'KGM' }],
  });
  const [meat, fish] = [lotClass('MEAT-PALLET'), lotClass('FISH-PALLET')];
  t.match(await capture(plant.key, [commissioned(meat, at(1)), commissioned(fish, at(1)), packing(2, 'ADD', fish)], 'rollback'), {
    success: true,
  });
  const links = async () =>
    (await world.regulator.get(`/trace/${encodeURIComponent(meat)}?direction=forward&depth=1`)).body.edges
      .filter((edge: { kind: string }) => edge.kind === 'aggregate')
      .map((edge: { status: string | null }) => edge.status);
  for (const behaviour of ['rollback', 'proceed'] as const) {
    const job = await capture(plant.key, [packing(12, 'ADD', meat), packing(11, 'DELETE', meat)], behaviour);
    t.match(
      job,
      {
        success: false,
        captured: behaviour === 'rollback' ? 0 : 1,
        errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' }],
      },
      `${behaviour}: the unpacking is refused`,
    );
    t.match(job.errors[0].message, `lot ${meat} was packed into container ${PALLET} at 2026-03-05T04:00:00.000Z`);
    t.same(await links(), behaviour === 'rollback' ? [] : [null], `${behaviour}: the packing stands as the capture left it`);
  }
  t.match(await capture(plant.key, [packing(13, 'DELETE', meat)], 'rollback'), { success: true }, 'an unpacking after the packing');
  t.same(await links(), ['unpacked']);
});
