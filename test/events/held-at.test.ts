// A party observes or inspects a lot it owns, or one it held at the event's time: by the ledger of
// the events dated up to that time, at every door (POST /events, EPCIS capture, RFID gates).

import type { Test } from 'tap';
import { epcisRequests } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A time on 2026-06-01 (UTC), after every event the world dates by its own counter. */
const utc = (hour: number, minute = 0) => `2026-06-01T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;

/** A processor's lot of 10 kg shipped to a cold store at 08:00 (`shipped`); `shipAt8` ships another so. */
async function shippedToStore(t: Test) {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const shipAt8 = async (lotCode: string) =>
    (await world.ok(processor.event({ type: 'ship', eventTime: utc(8), toPartyCode: store.code, lines: [{ lotCode }] })))
      .shipmentId as string;
  const lot = await processor.commission(await processor.product('kg'), 10);
  return { world, processor, store, lot, shipped: await shipAt8(lot), shipAt8 };
}

t.test('a party observes what it held when it saw it, and only that', async (t) => {
  const { world, processor, store, lot, shipped } = await shippedToStore(t);
  const stranger = await world.party('retailer');
  await world.ok(store.event({ type: 'receive', eventTime: utc(9), shipmentId: shipped }));
  const onward = (await world.ok(store.event({ type: 'ship', eventTime: utc(11), toPartyCode: processor.code, lines: [{ lotCode: lot }] })))
    .shipmentId as string;
  await world.ok(processor.event({ type: 'receive', eventTime: utc(12), shipmentId: onward }));
  const observe = (party: typeof store, eventTime: string) => party.event({ type: 'observe', eventTime, lotCodes: [lot] });

  expectStatus(t, await observe(store, utc(10)), 201, 'seen while it held the lot, recorded after it shipped it on');
  expectStatus(t, await observe(store, utc(9)), 201, 'seen at the very time of its receipt');
  expectStatus(t, await observe(store, utc(11)), 201, 'seen at the very time of its shipment');
  expectStatus(
    t,
    await store.event({ type: 'inspect', eventTime: utc(10), lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } }),
    201,
    'a self-test of the lot it held then',
  );
  for (const [eventTime, when] of [
    [utc(8, 30), 'before it came to the store'],
    [utc(11, 30), 'after the store shipped it on'],
  ]) {
    const refused = expectStatus(t, await observe(store, eventTime), 403, `seen ${when}`);
    t.match(refused.body, {
      detail: new RegExp(`neither owns nor holds lot ${lot}: it held none of it at ${new Date(eventTime).toISOString()}`),
      errors: [{ pointer: '/lotCodes/0', detail: `neither owned nor held by ${store.code} at ${new Date(eventTime).toISOString()}` }],
    });
  }
  expectStatus(
    t,
    await store.event({ type: 'inspect', eventTime: utc(8, 30), lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } }),
    403,
    'nor a self-test of it before it came',
  );
  expectStatus(t, await observe(stranger, utc(10)), 403, 'a party that never held the lot');
  expectStatus(t, await observe(processor, utc(10)), 201, 'its owner, whoever held it then');
});

t.test('a party that received a lot and shipped it all on at one instant held it at that instant', async (t) => {
  const { world, processor, store, lot, shipped, shipAt8 } = await shippedToStore(t);
  await world.ok(store.event({ type: 'receive', eventTime: utc(9), shipmentId: shipped }));
  await world.ok(store.event({ type: 'ship', eventTime: utc(9), toPartyCode: processor.code, lines: [{ lotCode: lot }] }));
  const observe = (eventTime: string) => store.event({ type: 'observe', eventTime, lotCodes: [lot] });
  expectStatus(t, await observe(utc(9)), 201, 'seen at that instant');
  expectStatus(t, await observe(utc(8, 59)), 403, 'not before it came');
  expectStatus(t, await observe(utc(9, 1)), 403, 'nor after it left');

  // the same within one EPCIS document: its own receipt and shipment at the instant of its observation
  const { capture } = epcisRequests(world);
  const other = await processor.commission(await processor.product('kg'), 10);
  const sent = await shipAt8(other);
  const event = (bizStep: string, extra: object = {}) => ({
    type: 'ObjectEvent',
    eventTime: utc(10),
    eventTimeZoneOffset: '+00:00',
    action: 'OBSERVE',
    bizStep,
    quantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${other}`, quantity: 10, uom: 'KGM' }],
    ...extra,
  });
  const document = await capture(store.key, [
    event('receiving'),
    event('shipping', { destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${processor.code}` }] }),
    event('storing'),
  ]);
  t.match(document, { captured: 3, errors: [] }, 'received, shipped on and seen at one instant');
  t.equal(
    (await store.api.get('/shipments?status=received')).body.items.some((s: { id: string }) => s.id === sent),
    true,
  );
});

t.test('a receipt declared in error held nothing: no observation rests on it', async (t) => {
  const { world, store, lot, shipped } = await shippedToStore(t);
  const receipt = await world.ok(store.event({ type: 'receive', eventTime: utc(9), shipmentId: shipped }));
  expectStatus(t, await store.event({ type: 'observe', eventTime: utc(10), lotCodes: [lot] }), 201, 'held after its receipt');
  await world.ok(store.event({ type: 'correction', correctsEventId: receipt.event.id, reason: '收错了' }));
  expectStatus(
    t,
    await store.event({ type: 'observe', eventTime: utc(10), lotCodes: [lot] }),
    403,
    'the receipt undone, it never held the lot',
  );
  await world.ok(store.event({ type: 'receive', eventTime: utc(12), shipmentId: shipped }));
  expectStatus(
    t,
    await store.event({ type: 'observe', eventTime: utc(10), lotCodes: [lot] }),
    403,
    'received again later: not before that',
  );
  expectStatus(t, await store.event({ type: 'observe', eventTime: utc(13), lotCodes: [lot] }), 201, 'held since');
});

t.test('EPCIS: an observation dated in the past is held to the same rule, the document’s own events included', async (t) => {
  const { world, processor, store, lot, shipped } = await shippedToStore(t);
  const { capture } = epcisRequests(world);
  const epcClass = `${TEST_BASE_URL}/lots/${lot}`;
  const event = (eventTime: string, bizStep: string, extra: object = {}) => ({
    type: 'ObjectEvent',
    eventTime,
    eventTimeZoneOffset: '+00:00',
    action: 'OBSERVE',
    bizStep,
    quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
    ...extra,
  });
  const document = await capture(store.key, [
    event(utc(8, 30), 'storing'),
    event(utc(9), 'receiving'),
    event(utc(10), 'storing'),
    event(utc(11), 'shipping', { destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${processor.code}` }] }),
    event(utc(11, 30), 'storing'),
  ]);
  t.match(
    document,
    { captured: 3, errors: [{ eventIndex: 0 }, { eventIndex: 4 }] },
    'seen before its receipt and after its shipment: refused',
  );
  t.match(document.errors[0].message, new RegExp(`neither owns nor holds .*: it held none of it at ${new Date(utc(8, 30)).toISOString()}`));
  t.equal((await store.api.get('/shipments?status=received')).body.items[0]?.id, shipped, 'the document received the shipment');
  const later = await capture(store.key, [event(utc(10, 30), 'storing')]);
  t.match(later, { captured: 1, errors: [] }, 'seen while it held the lot, captured after it shipped it on');
});
