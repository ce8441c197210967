// A party ships, uses, packs, sells or destroys only what it held at the event's time, by the ledger
// of the events dated up to it, besides what it holds now: a lot it sent all of away and later got
// back is not used in between; nor does a backdated one leave a later stored event taking what the
// party no longer held then, at every door (POST /events, EPCIS capture).

import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { newContainerCode } from '../../src/codes/service-codes.js';
import { BatchRejected, type WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { holdLocked, waitBlockedBy } from '../fixtures/locks.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/** A time on 2026-06-01 (UTC), after every event the world dates by its own counter (9.5: half past nine). */
const utc = (hour: number) => new Date(Date.UTC(2026, 5, 1) + hour * 3_600_000).toISOString();
/** An EPCIS ObjectEvent at the hour (UTC on 2026-06-01), recorded in China time. */
const ev = (hour: number, fields: object) => ({ type: 'ObjectEvent', eventTime: utc(hour), eventTimeZoneOffset: '+08:00', ...fields });
/** An EPCIS receipt of the kilograms of `meat`, or with `to` a shipment of them to that party. */
const movingOf = (meat: string) => (hour: number, quantity: number, to?: { code: string }) =>
  ev(hour, {
    action: 'OBSERVE',
    bizStep: to ? 'shipping' : 'receiving',
    quantityList: [{ epcClass: meat, quantity, uom: 'KGM' }],
    ...(to ? { destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${to.code}` }] } : {}),
  });

/**
 * 100 kg of a processor's lot come to a cold store at 09:00, which ships all of it to a shop at
 * 10:00; the shop sends it back at 12:00 and the store receives it again at 13:00.
 */
async function sentAwayAndBack(t: Test) {
  const world = await createWorld(t);
  const [processor, store, shop] = [await world.party('processor'), await world.party('cold_storage'), await world.party('retailer')];
  const kg = await store.product('kg');
  const lot = await processor.commission(await processor.product('kg'), 100);
  const hand = async (from: typeof store, to: typeof store, shippedAt: number) => {
    const { shipmentId } = await world.ok(
      from.event({ type: 'ship', eventTime: utc(shippedAt), toPartyCode: to.code, lines: [{ lotCode: lot }] }),
    );
    await world.ok(to.event({ type: 'receive', eventTime: utc(shippedAt + 1), shipmentId }));
  };
  await hand(processor, store, 8);
  await hand(store, shop, 10);
  await hand(shop, store, 12);
  return { world, maker: processor, store, shop, lot, kg, hand };
}

t.test('POST /events: no outflow dated while the party held none of the lot, though it holds it now', async (t) => {
  const { store, shop, lot, kg } = await sentAwayAndBack(t);
  const outflows: [string, Record<string, unknown>][] = [
    ['shipped', { type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot, quantity: 10 }] }],
    ['used', { type: 'transform', inputs: [{ lotCode: lot, quantity: 10 }], outputs: [{ productCode: kg, quantity: 8 }] }],
    ['packed', { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 10 }] }],
    ['sold', { type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] }],
    ['destroyed', { type: 'destroy', reason: 'thawed', lines: [{ lotCode: lot, quantity: 10 }] }],
  ];
  for (const [done, body] of outflows) {
    const gap = expectStatus(t, await store.event({ ...body, eventTime: utc(11) }), 422, `${done} while the shop had the lot`);
    t.match(gap.body, {
      type: '/problems/not-held-at-event-time',
      errors: [{ in: 'body', pointer: '/eventTime', detail: `0 kg of lot ${lot} held loose at ${utc(11)}` }],
    });
    t.equal(
      gap.body.detail,
      `party ${store.code} held 0 kg of lot ${lot} loose at ${utc(11)}, by the events dated up to then: 10 kg cannot be ${done} at that time`,
      `${done}: the lot, the time and what was held then`,
    );
  }
  t.match((await store.lot(lot)).massBalance, { onHand: 100, consumed: 0, destroyed: 0, sold: 0 }, 'nothing was booked');
  const before = expectStatus(
    t,
    await store.event({ type: 'sell', eventTime: utc(9), lines: [{ lotCode: lot, quantity: 101 }] }),
    409,
    'more than it holds now',
  );
  t.match(before.body.detail, 'only 100 kg', 'the current balance is judged first');
  for (const [done, body] of outflows) {
    expectStatus(t, await store.event({ ...body, eventTime: utc(13) }), 201, `${done} at the instant it came back`);
  }
});

t.test('POST /events: the lot’s maker is held to what it held then too', async (t) => {
  const { world, store, lot, maker } = await sentAwayAndBack(t);
  const sell = (hour: number) => maker.event({ type: 'sell', eventTime: utc(hour), lines: [{ lotCode: lot, quantity: 10 }] });
  const { shipmentId } = await world.ok(
    store.event({ type: 'ship', eventTime: utc(14), toPartyCode: maker.code, lines: [{ lotCode: lot }] }),
  );
  await world.ok(maker.event({ type: 'receive', eventTime: utc(15), shipmentId }));
  const gap = expectStatus(t, await sell(9), 422, 'sold while the others had it');
  t.match(gap.body, { type: '/problems/not-held-at-event-time', detail: `party ${maker.code} held 0 kg of lot ${lot} loose at ${utc(9)}` });
  expectStatus(t, await sell(15), 201, 'sold once it came back');
});

t.test('POST /events: no backdated outflow leaves a later stored event taking what the party no longer held', async (t) => {
  const { world, store, shop, lot, hand } = await sentAwayAndBack(t);
  const sell = (hour: number, quantity: number) => store.event({ type: 'sell', eventTime: utc(hour), lines: [{ lotCode: lot, quantity }] });
  const short = expectStatus(t, await sell(9.5, 10), 422, 'sold while it held the lot, before the shipment of all of it');
  t.match(short.body, {
    type: '/problems/not-held-at-event-time',
    errors: [{ in: 'body', pointer: '/eventTime', detail: `0 kg of lot ${lot} held loose from ${utc(10)} on` }],
  });
  t.equal(
    short.body.detail,
    `party ${store.code} holds 0 kg of lot ${lot} loose from ${utc(10)} on, by the events dated from ${utc(9.5)} on: 10 kg cannot be sold at that time`,
    'the lot, the time the ledger would go short from and what is held from then on',
  );
  // 40 kg go to the shop at 15:00 and come back at 18:00: the store holds 100 kg now, but only 60 kg in between
  const { shipmentId } = await world.ok(
    store.event({ type: 'ship', eventTime: utc(15), toPartyCode: shop.code, lines: [{ lotCode: lot, quantity: 40 }] }),
  );
  await world.ok(shop.event({ type: 'receive', eventTime: utc(16), shipmentId }));
  await hand(shop, store, 17);
  const less = expectStatus(t, await sell(14, 61), 422, 'more than is left once the later shipment is booked');
  t.match(less.body.detail, `holds 60 kg of lot ${lot} loose from ${utc(15)} on`);
  expectStatus(t, await sell(14, 60), 201, 'what is left from then on');
  t.match((await store.lot(lot)).massBalance, { onHand: 40, sold: 60 }, 'only the accepted sale was booked');
});

t.test(
  'EPCIS capture: an outflow dated while the party held none of the lot is that event’s error, in its document or later',
  async (t) => {
    const world = await createWorld(t);
    const [processor, store, shop] = [await world.party('processor'), await world.party('cold_storage'), await world.party('retailer')];
    const { capture } = epcisRequests(world);
    const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-AWAY-AND-BACK';
    const kilos = (quantity: number) => [{ epcClass: meat, quantity, uom: 'KGM' }];
    const shipping = (to: { code: string }, hour: number, quantity: number) =>
      ev(hour, {
        action: 'OBSERVE',
        bizStep: 'shipping',
        quantityList: kilos(quantity),
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${to.code}` }],
      });
    const receiving = (hour: number) => ev(hour, { action: 'OBSERVE', bizStep: 'receiving', quantityList: kilos(100) });
    const commissioning = ev(7, { action: 'ADD', bizStep: 'commissioning', quantityList: kilos(100) });
    t.match(await capture(processor.key, [commissioning, shipping(store, 8, 100)], 'rollback'), { success: true });
    t.match(await capture(store.key, [receiving(9), shipping(shop, 10, 100)], 'rollback'), { success: true });
    t.match(await capture(shop.key, [receiving(11), shipping(store, 12, 100)], 'rollback'), { success: true });

    const inOneDocument = await capture(store.key, [receiving(13), shipping(shop, 11, 10)], 'rollback');
    t.match(
      inOneDocument,
      { success: false, captured: 0, errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' }] },
      'the document receives the lot back, then ships some dated while the shop had it',
    );
    t.match(inOneDocument.errors[0].message, `party ${store.code} held 0 KGM of lot ${meat} loose at ${utc(11)}`);
    t.match(await capture(store.key, [receiving(13)], 'rollback'), { success: true }, 'the return alone');
    const later = await capture(store.key, [shipping(shop, 11, 10)], 'proceed');
    t.match(later, { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] }, 'a later document too');
    t.match(later.errors[0].message, '10 KGM cannot be shipped at that time');
    t.match(await capture(store.key, [shipping(shop, 13, 10)], 'rollback'), { success: true }, 'shipped once it came back');

    const leavesShort = await capture(store.key, [shipping(shop, 13.5, 10), shipping(shop, 9.5, 10)], 'rollback');
    t.match(
      leavesShort,
      { success: false, captured: 0, errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' }] },
      'shipped while it held the lot, though the stored shipment of all of it at 10:00 then takes from nothing',
    );
    t.match(leavesShort.errors[0].message, `party ${store.code} holds 0 KGM of lot ${meat} loose from ${utc(10)} on`);
    t.match(
      await capture(store.key, [shipping(shop, 15, 40), shipping(shop, 14, 50)], 'rollback'),
      { success: true },
      'what is left once a later shipment of the same document is booked',
    );
  },
);

t.test('EPCIS capture: a backdated outflow is judged with what the same document brings in later', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const [store, shop, market] = [
    await world.party('cold_storage'),
    await world.party('retailer'),
    await world.party('retailer', '山城超市'),
  ];
  const { capture } = epcisRequests(world);
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-IN-LATER';
  const moving = movingOf(meat);
  const commissioning = ev(7, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: meat, quantity: 120, uom: 'KGM' }] });
  t.match(await capture(processor.key, [commissioning, moving(8, 100, store), moving(8, 20, shop)], 'rollback'), { success: true });
  t.match(await capture(store.key, [moving(9, 100), moving(14, 100, market)], 'rollback'), { success: true }, 'all of it out at 14:00');
  t.match(await capture(shop.key, [moving(9, 20), moving(11, 20, store)], 'rollback'), { success: true });
  // 100 at 10:00, 10 shipped → 90; 20 received at 12:00 → 110; 100 shipped at 14:00 → 10: never short
  t.match(
    await capture(store.key, [moving(12, 20), moving(10, 10, market)], 'rollback'),
    { success: true },
    'the shipment of 14:00 is covered by what the document receives at 12:00',
  );
});

t.test('EPCIS capture under proceed: a document is judged in its order, a receipt counting for the events after it', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const [store, shop, market] = [
    await world.party('cold_storage'),
    await world.party('retailer'),
    await world.party('retailer', '山城超市'),
  ];
  const { capture } = epcisRequests(world);
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-IN-TIME';
  const moving = movingOf(meat);
  const commissioning = ev(7, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: meat, quantity: 140, uom: 'KGM' }] });
  t.match(await capture(processor.key, [commissioning, moving(8, 100, store), moving(8, 40, shop)], 'rollback'), { success: true });
  t.match(await capture(store.key, [moving(9, 100), moving(16, 100, market)], 'rollback'), { success: true }, 'all of it out at 16:00');
  t.match(await capture(market.key, [moving(16.5, 100), moving(17, 100, store)], 'rollback'), { success: true });
  t.match(await capture(store.key, [moving(17.5, 100)], 'rollback'), { success: true }, 'and back at 17:30');
  t.match(await capture(shop.key, [moving(9, 40), moving(11, 40, store)], 'rollback'), { success: true });
  // 100 held from 09:00, none from 16:00: 10 shipped at 10:00 leave −10 from 16:00, unless the receipt of
  // 13:00 counts for it, which it does once the document is applied whole, but not as the events come
  const inTime = await capture(store.key, [moving(10, 10, market), moving(13, 40), moving(14, 20, market)], 'proceed');
  t.match(
    inTime,
    { success: false, captured: 2, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] },
    'the shipment at 10:00 is refused: the receipt at 13:00 placed after it does not count for it',
  );
  t.match(inTime.errors[0].message, `holds 0 KGM of lot ${meat} loose from ${utc(16)} on`);
  t.equal(inTime.errors.length, 1, 'the receipt at 13:00 and the shipment at 14:00 are captured');
  // 40 received at 13:00 → 140; 20 shipped at 14:00 → 120; 100 at 16:00 → 20: 30 more at 10:30 leave
  // −10 from 16:00; 5 at 18:00 leave 115 from then on
  const short = await capture(store.key, [moving(10.5, 30, market), moving(18, 5, market)], 'proceed');
  t.match(short, { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] }, 'the one at 10:30 is lost');
  t.match(short.errors[0].message, `holds 20 KGM of lot ${meat} loose from ${utc(16)} on`);
  t.equal(short.errors.length, 1, 'the shipment at 18:00 is captured');
});

t.test('EPCIS capture under proceed: an event refused only for one before it that is refused is captured', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const [store, market] = [await world.party('cold_storage'), await world.party('retailer')];
  const { capture } = epcisRequests(world);
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-IN-TURN';
  const moving = movingOf(meat);
  const commissioning = ev(7, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: meat, quantity: 200, uom: 'KGM' }] });
  t.match(await capture(processor.key, [commissioning, moving(8, 100, store)], 'rollback'), { success: true });
  t.match(await capture(store.key, [moving(9, 100)], 'rollback'), { success: true });
  t.match(await capture(processor.key, [moving(15, 100, store)], 'rollback'), { success: true });
  t.match(await capture(store.key, [moving(14, 50, market), moving(16, 100)], 'rollback'), { success: true });
  // the store holds 100 from 09:00, 50 from 14:00 and 150 from 16:00: 60 shipped at 10:00 leave −10
  // from 14:00 (refused alone); 40 shipped at 15:00 are covered by the 50, unless the 60 are shipped too
  const document = [moving(10, 60, market), moving(15, 40, market)];
  const rolledBack = await capture(store.key, document, 'rollback');
  t.match(rolledBack, { success: false, captured: 0 }, 'under rollback the document is refused whole');
  t.same(
    rolledBack.errors.map((error: { eventIndex: number }) => error.eventIndex),
    [0, 1],
    'both shipments named',
  );
  const proceeded = await capture(store.key, document, 'proceed');
  t.match(proceeded, { success: false, captured: 1, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] });
  t.equal(proceeded.errors.length, 1, 'the shipment of 15:00 is judged without the refused one and captured');
  t.match(proceeded.errors[0].message, `holds 50 KGM of lot ${meat} loose from ${utc(14)} on, by the events dated from ${utc(10)} on`);
  // 10 from 15:00 on now: of twelve shipments of 10 from 10:00, a minute apart, one after the other the first is stored
  const twelve = await capture(
    store.key,
    Array.from({ length: 12 }, (_, minute) => moving(10 + minute / 60, 10, market)),
    'proceed',
  );
  t.match(twelve, { success: false, captured: 1 }, 'the first shipment captured');
  t.same(
    twelve.errors.map((error: { eventIndex: number }) => error.eventIndex),
    Array.from({ length: 11 }, (_, index) => index + 1),
    'the eleven after it refused',
  );
  t.match(twelve.errors[10].message, `holds 0 KGM of lot ${meat} loose from ${utc(15)} on`);
});

t.test('EPCIS capture: a backdated outflow the document’s later inflow does not cover enough is refused', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const [store, shop, market] = [
    await world.party('cold_storage'),
    await world.party('retailer'),
    await world.party('retailer', '山城超市'),
  ];
  const { capture } = epcisRequests(world);
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-IN-TOO-LITTLE';
  const moving = movingOf(meat);
  const commissioning = ev(7, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: meat, quantity: 120, uom: 'KGM' }] });
  t.match(await capture(processor.key, [commissioning, moving(8, 100, store), moving(8, 20, shop)], 'rollback'), { success: true });
  t.match(await capture(store.key, [moving(9, 100), moving(14, 100, market)], 'rollback'), { success: true }, 'all of it out at 14:00');
  t.match(await capture(market.key, [moving(14.5, 100), moving(15, 50, store)], 'rollback'), { success: true }, 'half back at 15:00');
  t.match(await capture(store.key, [moving(16, 50)], 'rollback'), { success: true }, 'the store holds 50 from 16:00');
  t.match(await capture(shop.key, [moving(9, 20), moving(11, 20, store)], 'rollback'), { success: true });
  // 100 at 10:00, 30 shipped → 70; 20 received at 12:00 → 90; 100 shipped at 14:00 → −10 (though 70 now)
  const short = await capture(store.key, [moving(12, 20), moving(10, 30, market)], 'rollback');
  t.match(
    short,
    { success: false, captured: 0, errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' }] },
    'the 20 kg the document receives at 12:00 leave the shipment of 14:00 10 kg short',
  );
  t.match(
    short.errors[0].message,
    `party ${store.code} holds 20 KGM of lot ${meat} loose from ${utc(14)} on, by the events dated from ${utc(10)} on: 30 KGM cannot be shipped at that time`,
  );
  t.match(
    await capture(store.key, [moving(12, 20), moving(10, 20, market)], 'rollback'),
    { success: true },
    'as much as the shipment of 14:00 leaves once the receipt of 12:00 is booked',
  );
});

/**
 * A processor's 150 kg: 100 to a cold store at 09:00, 50 to a shop. The store ships some on to a
 * market (`shipped`: hour and kilos each), which receives each half an hour later and sends some
 * back (`back`), received an hour later; the shop sends some to the store (`returned`), not yet
 * received. `write` runs native requests of the store as one writer batch (rolled back at a refusal).
 */
async function returnOnTheWay(t: Test, shipped: [number, number][], back: [number, number], returned: [number, number]) {
  const world = await createWorld(t);
  const [processor, store, shop, market] = [
    await world.party('processor'),
    await world.party('cold_storage'),
    await world.party('retailer'),
    await world.party('retailer', '山城超市'),
  ];
  const lot = await processor.commission(await processor.product('kg'), 150);
  const ship = async (from: typeof store, to: typeof store, hour: number, quantity: number) =>
    (await world.ok(from.event({ type: 'ship', eventTime: utc(hour), toPartyCode: to.code, lines: [{ lotCode: lot, quantity }] })))
      .shipmentId as string;
  await world.ok(store.event({ type: 'receive', eventTime: utc(9), shipmentId: await ship(processor, store, 8, 100) }));
  await world.ok(shop.event({ type: 'receive', eventTime: utc(9), shipmentId: await ship(processor, shop, 8, 50) }));
  for (const [hour, quantity] of shipped) {
    await world.ok(market.event({ type: 'receive', eventTime: utc(hour + 0.5), shipmentId: await ship(store, market, hour, quantity) }));
  }
  await world.ok(store.event({ type: 'receive', eventTime: utc(back[0] + 1), shipmentId: await ship(market, store, ...back) }));
  const shipmentId = await ship(shop, store, ...returned);
  const writer = eventWriterOn(world.database);
  const receipt = (hour: number): WriteRequest => ({
    actor: store.code,
    action: { type: 'receive', shipmentId },
    context: { eventTime: utc(hour) },
  });
  const sale = (hour: number, quantity: number): WriteRequest => ({
    actor: store.code,
    action: { type: 'sell', lines: [{ lotCode: lot, quantity }] },
    context: { eventTime: utc(hour) },
  });
  /** The batch's first refusal (its index and problem), or undefined when every event was stored. */
  const write = async (requests: WriteRequest[]) => {
    try {
      await world.database.db.transaction((tx) => writer.write(tx as never, requests, 'rollback'));
      return undefined;
    } catch (error) {
      if (error instanceof BatchRejected)
        return { index: error.index, problem: error.problem, rejected: error.rejections.map(({ index }) => index) };
      throw error;
    }
  };
  /** The outcomes of the requests written as one writer batch under proceed (`objectsPerStatement`: stored in parts that small). */
  const proceed = (requests: WriteRequest[], objectsPerStatement?: number) =>
    world.database.db.transaction((tx) => eventWriterOn(world.database, { objectsPerStatement }).write(tx as never, requests, 'proceed'));
  return { store, lot, receipt, sale, write, proceed };
}

t.test('a native batch: a backdated sale the batch’s later receipt does not cover enough is refused', async (t) => {
  // the store holds 100 from 09:00, none from 14:00 and 50 from 16:00; the shop's 20 kg come at 12:00
  const { store, lot, receipt, sale, write } = await returnOnTheWay(t, [[14, 100]], [15, 50], [11, 20]);
  // 100 at 10:00, 30 sold → 70; 20 received at 12:00 → 90; 100 shipped at 14:00 → −10 (though 40 now)
  const short = await write([receipt(12), sale(10, 30)]);
  t.match(short, { index: 1, problem: { status: 422, slug: 'not-held-at-event-time' } }, 'the shipment of 14:00 would go short');
  t.same(short?.problem.errors, [{ in: 'body', pointer: '/eventTime', detail: `20 kg of lot ${lot} held loose from ${utc(14)} on` }]);
  t.equal(
    short?.problem.detail,
    `party ${store.code} holds 20 kg of lot ${lot} loose from ${utc(14)} on, by the events dated from ${utc(10)} on: 30 kg cannot be sold at that time`,
  );
  t.equal(await write([receipt(12), sale(10, 20)]), undefined, 'what the shipment of 14:00 leaves once the receipt is booked');
  t.match((await store.lot(lot)).massBalance, { sold: 20 }, 'stored');
});

/** The store ships 70 kg at 11:00 and 10 at 16:00. */
const STORE_LOWS: [number, number][] = [
  [11, 70],
  [16, 10],
];

t.test('a native batch: an inflow and outflows around it, stored movements in between, judged exactly', async (t) => {
  // the store holds 100 from 09:00, 30 from 11:00, 20 from 16:00 and 50 from 18:00; the shop's 40 kg come at 12:00
  const { store, lot, receipt, sale, write } = await returnOnTheWay(t, STORE_LOWS, [17, 30], [12, 40]);
  // received at 13:00 and 40 sold at 14:00: from 10:00 on 100, 30 from 11:00, 70 from 13:00, 30 from
  // 14:00 and 20 from 16:00 (the stored least from 11:00 on, 20, lies past the receipt)
  const late = await write([receipt(13), sale(14, 40), sale(10, 21)]);
  // 79 from 10:00, 9 from 11:00, 49 from 13:00, 9 from 14:00, −1 from 16:00: both sales take from it
  t.match(late, { index: 1, problem: { slug: 'not-held-at-event-time' } }, 'the sales leave the shipment of 16:00 short');
  t.same(late?.rejected, [1, 2], 'each sale whose time on the ledger goes short from is named');
  t.match(late?.problem.detail, `holds 39 kg of lot ${lot} loose from ${utc(16)} on`);
  // 20 sold at 14:00 leave 40 from 16:00: the least, 30, lies before the receipt
  const early = await write([receipt(13), sale(14, 20), sale(10, 31)]);
  t.match(early, { index: 2, problem: { slug: 'not-held-at-event-time' } }, 'the sale at 10:00 leaves the shipment of 11:00 short');
  t.match(early?.problem.detail, `holds 30 kg of lot ${lot} loose from ${utc(11)} on`);
  t.equal(await write([receipt(13), sale(14, 20), sale(10, 30)]), undefined, 'as much as the shipment of 11:00 leaves');
  t.match((await store.lot(lot)).massBalance, { sold: 50 }, 'stored');
});

t.test('a native batch: its outflows are judged once all its events are applied, whatever their order', async (t) => {
  // the store holds 100 from 09:00, 30 from 11:00, 20 from 16:00 and 50 from 18:00; the shop's 40 kg come at 12:00
  const { store, lot, receipt, sale, write } = await returnOnTheWay(t, STORE_LOWS, [17, 30], [12, 40]);
  const inEitherOrder = async (requests: WriteRequest[]) => [await write(requests), await write([...requests].reverse())];
  // 35 sold at 10:00 leave −5 from 11:00 to the receipt at 13:00: the sale at 10:00 alone is short
  const [inTime, reversed] = await inEitherOrder([sale(10, 35), receipt(13), sale(14, 1)]);
  t.match(inTime, { index: 0, rejected: [0], problem: { slug: 'not-held-at-event-time' } }, 'in the order of time');
  t.match(inTime?.problem.detail, `holds 30 kg of lot ${lot} loose from ${utc(11)} on, by the events dated from ${utc(10)} on: 35 kg`);
  t.match(reversed, { index: 2, rejected: [2], problem: { slug: 'not-held-at-event-time' } }, 'in reverse: the same sale');
  t.equal(reversed?.problem.detail, inTime?.problem.detail, 'judged alike');
  // 20 sold at 10:00, 40 received at 13:00, 41 sold at 14:00: −1 from 16:00, which both sales take from
  const [bothInTime, bothReversed] = await inEitherOrder([sale(10, 20), receipt(13), sale(14, 41)]);
  t.match(bothInTime, { index: 0, rejected: [0, 2] }, 'both sales, in the order of time');
  t.match(bothReversed, { index: 0, rejected: [0, 2] }, 'both sales, in reverse');
  // 21 sold at 10:00 and 1 at 14:00: 9 from 11:00, 48 from 14:00, 38 from 16:00: never short
  const passes = [sale(10, 21), receipt(13), sale(14, 1)];
  t.equal(await write([...passes].reverse()), undefined, 'in reverse: stored');
  t.match((await store.lot(lot)).massBalance, { sold: 22 }, 'stored once');
  const inTimeWorld = await returnOnTheWay(t, STORE_LOWS, [17, 30], [12, 40]);
  const inTimeOrder = [inTimeWorld.sale(10, 21), inTimeWorld.receipt(13), inTimeWorld.sale(14, 1)];
  t.equal(await inTimeWorld.write(inTimeOrder), undefined, 'in the order of time: stored too');
  t.match((await inTimeWorld.store.lot(inTimeWorld.lot)).massBalance, { sold: 22 });
});

t.test('a native batch under proceed: its events are judged one after the other, the refused ones dropped', async (t) => {
  const { store, lot, receipt, sale, proceed } = await returnOnTheWay(t, STORE_LOWS, [17, 30], [12, 40]);
  // judged one after the other, the sale of 14:00 is stored, then the one of 10:00 leaves −25 from
  // 16:00 (the receipt placed after it does not count for it) and is refused, and the receipt is stored
  const outcomes = await proceed([sale(14, 10), sale(10, 35), receipt(13)]);
  t.same(
    outcomes.map((outcome) => outcome.ok),
    [true, false, true],
    'the sale at 10:00 alone is rejected',
  );
  const [, refused] = outcomes;
  t.match(!refused.ok && refused.problem, {
    slug: 'not-held-at-event-time',
    detail: `holds 10 kg of lot ${lot} loose from ${utc(16)} on`,
  });
  t.match((await store.lot(lot)).massBalance, { sold: 10 }, 'the others are stored');
  // both sales take from the −1 kg of 16:00 once all are applied: judged one after the other in the
  // batch's order, the sale of 14:00 comes before the receipt of 13:00 that would cover it, and the sale of 10:00 after it
  const again = await returnOnTheWay(t, STORE_LOWS, [17, 30], [12, 40]);
  // stored an event a part: a refused event leaves the parts stored before it
  const both = await again.proceed([again.sale(14, 41), again.receipt(13), again.sale(10, 20)], 1);
  t.same(
    both.map((outcome) => outcome.ok),
    [false, true, true],
    'the sale placed first is rejected: the receipt placed after it does not count for it',
  );
  const [first] = both;
  t.match(!first.ok && first.problem, {
    slug: 'not-held-at-event-time',
    detail: `party ${again.store.code} held 30 kg of lot ${again.lot} loose at ${utc(14)}, by the events dated up to then`,
  });
  t.match((await again.store.lot(again.lot)).massBalance, { sold: 20, onHand: 70 }, 'the receipt and the sale of 10:00 are stored');
  const history = await again.store.api.get(`/events?lotCode=${again.lot}`);
  t.equal(history.body.items.filter((event: { type: string }) => event.type === 'sell').length, 1, 'one sale is stored');
});

/**
 * A processor's 200 kg: 100 to a cold store at 08:00 (received at 09:00) and 100 at 15:00
 * (received at 16:00); the store ships 50 to a market at 14:00. It holds 100 kg from 09:00, 50
 * from 14:00 and 150 from 16:00. `sale`: a native request of the store selling 40 kg.
 */
async function secondDelivery(t: Test, kind?: 'pglite' | 'postgres') {
  const world = await createWorld(t, kind);
  const [processor, store, market] = [await world.party('processor'), await world.party('cold_storage'), await world.party('retailer')];
  const lot = await processor.commission(await processor.product('kg'), 200);
  const ship = async (from: typeof store, to: typeof store, hour: number, quantity: number) =>
    (await world.ok(from.event({ type: 'ship', eventTime: utc(hour), toPartyCode: to.code, lines: [{ lotCode: lot, quantity }] })))
      .shipmentId as string;
  const first = await ship(processor, store, 8, 100);
  const second = await ship(processor, store, 15, 100);
  await world.ok(store.event({ type: 'receive', eventTime: utc(9), shipmentId: first }));
  await ship(store, market, 14, 50);
  await world.ok(store.event({ type: 'receive', eventTime: utc(16), shipmentId: second }));
  const sale = (hour: number): WriteRequest => ({
    actor: store.code,
    action: { type: 'sell', lines: [{ lotCode: lot, quantity: 40 }] },
    context: { eventTime: utc(hour) },
  });
  return { world, store, lot, sale };
}

t.test('a native batch under proceed keeps what its events would have kept one after the other', async (t) => {
  // 40 kg sold at 10:00 and 40 at 11:00 leave −30 kg from 14:00, which both take from
  for (const hours of [
    [10, 11],
    [11, 10],
  ]) {
    const { world, store, lot, sale } = await secondDelivery(t);
    const outcomes = await world.database.db.transaction((tx) =>
      eventWriterOn(world.database).write(tx as never, hours.map(sale), 'proceed'),
    );
    t.same(
      outcomes.map((outcome) => outcome.ok),
      [true, false],
      `sold at ${hours.join(':00 and ')}:00: the first in the batch is stored, the second refused`,
    );
    const [, refused] = outcomes;
    t.match(!refused.ok && refused.problem, {
      slug: 'not-held-at-event-time',
      detail: `party ${store.code} holds 10 kg of lot ${lot} loose from ${utc(14)} on, by the events dated from ${utc(hours[1])} on`,
    });
    t.match((await store.lot(lot)).massBalance, { sold: 40, onHand: 110 }, 'one sale is stored');
  }
  const { world, sale } = await secondDelivery(t);
  const writer = eventWriterOn(world.database);
  const rolledBack = await world.database.db
    .transaction((tx) => writer.write(tx as never, [sale(10), sale(11)], 'rollback'))
    .catch((error: unknown) => error);
  t.match(
    rolledBack,
    { index: 0, rejections: [{ index: 0 }, { index: 1 }] },
    'under rollback the first refused is named, the other with it',
  );
});

t.test('a native batch under proceed refused on many events of one lot keeps what one after the other would', async (t) => {
  // twelve 40 kg sales from 10:00, a minute apart: one after the other, the first is stored (50 kg
  // from 14:00 on cover it) and each later one refused (10 kg from 14:00 on)
  const { world, lot, store, sale } = await secondDelivery(t);
  const sales = Array.from({ length: 12 }, (_, minute) => sale(10 + minute / 60));
  const outcomes = await world.database.db.transaction((tx) => eventWriterOn(world.database).write(tx as never, sales, 'proceed'));
  t.same(
    outcomes.map((outcome) => outcome.ok),
    [true, ...Array(11).fill(false)],
    'the first sale stored, the eleven after it refused',
  );
  t.ok(
    outcomes
      .slice(1)
      .every((outcome) => !outcome.ok && outcome.problem.detail?.includes(`holds 10 kg of lot ${lot} loose from ${utc(14)} on`)),
    'each for what its party holds once the first is stored',
  );
  t.match((await store.lot(lot)).massBalance, { sold: 40, onHand: 110 }, 'the first sale stored');
});

t.test('a native batch under proceed: an event refused only for one before it that is refused is stored', async (t) => {
  // the store holds 100 kg from 09:00, 50 from 14:00 and 150 from 16:00: 60 kg sold at 10:00 leave
  // −10 from 14:00 (refused alone); 40 sold at 15:00 are covered by the 50, unless the 60 are sold too
  const { world, lot, store } = await secondDelivery(t);
  const selling = (hour: number, quantity: number): WriteRequest => ({
    actor: store.code,
    action: { type: 'sell', lines: [{ lotCode: lot, quantity }] },
    context: { eventTime: utc(hour) },
  });
  const writer = eventWriterOn(world.database);
  const rolledBack = await world.database.db
    .transaction((tx) => writer.write(tx as never, [selling(10, 60), selling(15, 40)], 'rollback'))
    .catch((error: unknown) => error);
  t.match(rolledBack, { index: 0, rejections: [{ index: 0 }, { index: 1 }] }, 'under rollback both are named, nothing stored');
  t.match((await store.lot(lot)).massBalance, { sold: 0 });
  const outcomes = await world.database.db.transaction((tx) => writer.write(tx as never, [selling(10, 60), selling(15, 40)], 'proceed'));
  t.same(
    outcomes.map((outcome) => outcome.ok),
    [false, true],
    'the sale of 10:00 refused, the one of 15:00 judged without it and stored',
  );
  const [refused] = outcomes;
  t.match(!refused.ok && refused.problem, {
    slug: 'not-held-at-event-time',
    detail: `party ${store.code} holds 50 kg of lot ${lot} loose from ${utc(14)} on, by the events dated from ${utc(10)} on: 60 kg`,
  });
  t.match((await store.lot(lot)).massBalance, { sold: 40, onHand: 110 }, 'the sale of 15:00 is stored');
});

t.test('a native batch under proceed is judged in its order: a sale placed before the receipt covering it is refused', async (t) => {
  /**
   * 60 kg of a processor's lot shipped to a cold store at 08:00 and 40 at 08:30; the store received
   * the 60 at 12:00. The batch: 10 kg sold at 11:00, the 40 received at 09:00 placed after it and,
   * `withShort`, 45 kg sold at 09:30, more than the store held before 12:00, refused whatever its place.
   */
  const receivedLate = async (withShort: boolean, onError: 'rollback' | 'proceed' = 'proceed') => {
    const world = await createWorld(t);
    const [processor, store] = [await world.party('processor'), await world.party('cold_storage')];
    const lot = await processor.commission(await processor.product('kg'), 100);
    const ship = async (hour: number, quantity: number) =>
      (
        await world.ok(
          processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: store.code, lines: [{ lotCode: lot, quantity }] }),
        )
      ).shipmentId as string;
    const first = await ship(8, 60);
    const second = await ship(8.5, 40);
    await world.ok(store.event({ type: 'receive', eventTime: utc(12), shipmentId: first }));
    const sale = (hour: number, quantity: number): WriteRequest => ({
      actor: store.code,
      action: { type: 'sell', lines: [{ lotCode: lot, quantity }] },
      context: { eventTime: utc(hour) },
    });
    const requests: WriteRequest[] = [
      sale(11, 10),
      { actor: store.code, action: { type: 'receive', shipmentId: second }, context: { eventTime: utc(9) } },
    ];
    const outcomes = await world.database.db.transaction((tx) =>
      eventWriterOn(world.database).write(tx as never, withShort ? [...requests, sale(9.5, 45)] : requests, onError),
    );
    return { outcomes, balance: (await store.lot(lot)).massBalance };
  };
  const rolledBack = await receivedLate(false, 'rollback');
  t.same(
    rolledBack.outcomes.map((outcome) => outcome.ok),
    [true, true],
    'under rollback, judged once all are applied: the sale of 11:00 stored with the receipt placed after it',
  );
  t.match(rolledBack.balance, { sold: 10, onHand: 90 });
  const inOrder = await receivedLate(false);
  t.same(
    inOrder.outcomes.map((outcome) => outcome.ok),
    [false, true],
    'under proceed, in arrival order: the receipt placed after the sale of 11:00 does not count for it',
  );
  t.match(inOrder.outcomes[0], { problem: { slug: 'event-time-before-receipt' } });
  t.match(inOrder.balance, { sold: 0, onHand: 100 }, 'the receipt alone is stored');
  const short = await receivedLate(true);
  t.same(
    short.outcomes.map((outcome) => outcome.ok),
    [false, true, false],
    'with a sale refused whatever its place, the same: each is judged by the events before it',
  );
  t.match(short.outcomes[0], { problem: { slug: 'event-time-before-receipt' } });
  t.match(short.outcomes[2], { problem: { slug: 'not-held-at-event-time' } });
  t.match(short.balance, { sold: 0, onHand: 100 }, 'the receipt alone is stored');
});

t.test('a native batch under proceed: whether an event is stored does not depend on an unrelated refused one', async (t) => {
  /**
   * A processor makes 100 kg at 08:00 and ships 50 to a retailer at 09:00 (received at 14:00) and 50 at
   * 09:30; `withOther`: also a second lot, 100 kg shipped whole to the retailer at 09:00 and received at
   * 15:00. The retailer's batch: 50 kg sold at 12:00, the second 50 received at 11:00 placed after it
   * and, `withOther`, 10 kg of the second lot sold at 13:00, before its receipt.
   */
  const batch = async (withOther: boolean) => {
    const world = await createWorld(t);
    const [processor, retailer] = [await world.party('processor'), await world.party('retailer')];
    const product = await processor.product('kg');
    const ship = async (lot: string, hour: number, quantity: number) =>
      (
        await world.ok(
          processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: retailer.code, lines: [{ lotCode: lot, quantity }] }),
        )
      ).shipmentId as string;
    const receive = (hour: number, shipmentId: string): WriteRequest => ({
      actor: retailer.code,
      action: { type: 'receive', shipmentId },
      context: { eventTime: utc(hour) },
    });
    const sale = (hour: number, lot: string, quantity: number): WriteRequest => ({
      actor: retailer.code,
      action: { type: 'sell', lines: [{ lotCode: lot, quantity }] },
      context: { eventTime: utc(hour) },
    });
    const lot = await processor.commission(product, 100);
    const first = await ship(lot, 9, 50);
    const second = await ship(lot, 9.5, 50);
    await world.ok(retailer.event({ type: 'receive', eventTime: utc(14), shipmentId: first }));
    const requests = [sale(12, lot, 50), receive(11, second)];
    if (withOther) {
      const other = await processor.commission(product, 100);
      await world.ok(retailer.event({ type: 'receive', eventTime: utc(15), shipmentId: await ship(other, 9, 100) }));
      requests.push(sale(13, other, 10));
    }
    const outcomes = await world.database.db.transaction((tx) => eventWriterOn(world.database).write(tx as never, requests, 'proceed'));
    return { outcomes, balance: (await retailer.lot(lot)).massBalance };
  };
  const alone = await batch(false);
  const withOther = await batch(true);
  t.same(
    alone.outcomes.map((outcome) => outcome.ok),
    [false, true],
    'the sale of 12:00 is refused: the receipt of 11:00 placed after it does not count for it',
  );
  t.same(
    withOther.outcomes.map((outcome) => outcome.ok),
    [false, true, false],
    'the same, beside a refused sale of another lot',
  );
  for (const { outcomes } of [alone, withOther]) {
    t.match(
      outcomes[0],
      { problem: { slug: 'event-time-before-receipt', detail: `at ${utc(14)}; it cannot be sold before that` } },
      'for the receipt stored at 14:00',
    );
  }
  t.match(withOther.outcomes[2], { problem: { slug: 'event-time-before-receipt' } });
  t.same(withOther.balance, alone.balance, 'the same stored of the first lot');
  t.match(alone.balance, { sold: 0, onHand: 100 });
});

/**
 * A cold store receives 100 kg of a processor's lot at 09:00 and packs 30 kg of it into a new case
 * at 09:30 (under `sscc`, when given); it ships 60 kg loose to a market at 12:00 (received at
 * 12:30), which sends them back at 13:00, received at 13:30: the store holds 70 kg loose and 30
 * packed, and from 10:00 on never less than 10 kg loose. `write` runs native requests of the
 * store as one writer batch (rolled back at a refusal).
 */
async function packedAndBack(t: Test, sscc?: string) {
  const world = await createWorld(t);
  const [processor, store, market] = [await world.party('processor'), await world.party('cold_storage'), await world.party('retailer')];
  const lot = await processor.commission(await processor.product('kg'), 100);
  const ship = async (from: typeof store, to: typeof store, hour: number, lines: object[]) => {
    const { shipmentId } = await world.ok(from.event({ type: 'ship', eventTime: utc(hour), toPartyCode: to.code, lines }));
    await world.ok(to.event({ type: 'receive', eventTime: utc(hour + 0.5), shipmentId }));
  };
  await ship(processor, store, 8.5, [{ lotCode: lot }]);
  const packed = await world.ok(
    store.event({ type: 'aggregate', eventTime: utc(9.5), parent: sscc ? { sscc } : {}, children: [{ lotCode: lot, quantity: 30 }] }),
  );
  const box = packed.createdLotCodes[0] as string;
  await ship(store, market, 12, [{ lotCode: lot, quantity: 60 }]);
  await ship(market, store, 13, [{ lotCode: lot, quantity: 60 }]);
  const writer = eventWriterOn(world.database);
  const request = (hour: number, action: WriteRequest['action']): WriteRequest => ({
    actor: store.code,
    action,
    context: { eventTime: utc(hour) },
  });
  const write = async (requests: WriteRequest[]) => {
    try {
      await world.database.db.transaction((tx) => writer.write(tx as never, requests, 'rollback'));
      return undefined;
    } catch (error) {
      if (error instanceof BatchRejected)
        return { index: error.index, problem: error.problem, rejected: error.rejections.map(({ index }) => index) };
      throw error;
    }
  };
  return { world, store, market, lot, box, request, write };
}

t.test('POST /events: a shipped case takes what is packed in it only as far as the party held it then', async (t) => {
  const { store, market, lot, box } = await packedAndBack(t);
  const shipAt = (hour: number, loose: number) =>
    store.event({
      type: 'ship',
      eventTime: utc(hour),
      toPartyCode: market.code,
      lines: [{ lotCode: lot, quantity: loose }, { lotCode: box }],
    });
  // 40 loose and the case's 30 at 10:00: the stored shipment of 60 loose at 12:00 would take from −30 kg loose
  const short = expectStatus(t, await shipAt(10, 40), 422, 'more loose than is loose from 12:00 on, the case’s kilos aside');
  t.match(short.body, {
    type: '/problems/not-held-at-event-time',
    errors: [{ in: 'body', pointer: '/eventTime', detail: `10 kg of lot ${lot} held loose from ${utc(12)} on` }],
  });
  t.equal(
    short.body.detail,
    `party ${store.code} holds 10 kg of lot ${lot} loose from ${utc(12)} on, by the events dated from ${utc(10)} on: 40 kg cannot be shipped at that time`,
    'the loose kilos are judged by the loose stock, the packed ones by what the case held',
  );
  const kg = await store.product('kg');
  const taking: [string, Record<string, unknown>][] = [
    [
      'used',
      {
        type: 'transform',
        inputs: [
          { lotCode: lot, quantity: 40 },
          { lotCode: box, quantity: 1 },
        ],
        outputs: [{ productCode: kg, quantity: 60 }],
      },
    ],
    ['sold', { type: 'sell', lines: [{ lotCode: lot, quantity: 40 }, { lotCode: box }] }],
    ['destroyed', { type: 'destroy', reason: 'thawed', lines: [{ lotCode: lot, quantity: 40 }, { lotCode: box }] }],
  ];
  for (const [done, body] of taking) {
    const refused = expectStatus(t, await store.event({ ...body, eventTime: utc(10) }), 422, `the case and 40 kg loose ${done}`);
    t.match(
      refused.body.detail,
      `holds 10 kg of lot ${lot} loose from ${utc(12)} on, by the events dated from ${utc(10)} on: 40 kg cannot be ${done}`,
    );
  }
  const valid = expectStatus(t, await shipAt(10, 10), 201, 'as much as the lot held from then on covers');
  t.match(valid.body.event.details.lines, [
    { lotCode: lot, quantity: 10 },
    { lotCode: box, quantity: 1 },
    { lotCode: lot, quantity: 30, containerCode: box },
  ]);
});

t.test('a native batch: a backdated case shipment takes from the case, a sale from the loose stock, in either order', async (t) => {
  const { lot, box, market, request, write } = await packedAndBack(t);
  const sale = request(10.5, { type: 'sell', lines: [{ lotCode: lot, quantity: 40 }] });
  const shipBox = request(10, { type: 'ship', toPartyCode: market.code, lines: [{ lotCode: box }] });
  // 70 loose, 40 sold at 10:30: −30 loose from 12:00; the case's 30 were packed from 09:30 on
  const caseLast = await write([sale, shipBox]);
  t.match(caseLast, { index: 0, rejected: [0], problem: { status: 422, slug: 'not-held-at-event-time' } }, 'the sale alone, first');
  t.match(caseLast?.problem.detail, `holds 10 kg of lot ${lot} loose from ${utc(12)} on`);
  const saleLast = await write([shipBox, sale]);
  t.match(saleLast, { index: 1, rejected: [1], problem: { status: 422, slug: 'not-held-at-event-time' } }, 'the sale alone, last');
  t.match(saleLast?.problem.detail, `holds 10 kg of lot ${lot} loose from ${utc(12)} on`);
  t.equal(await write([shipBox, request(10.5, { type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] })]), undefined, 'what is left');
});

t.test('a case packed on a pallet: shipping the pallet judges the lot in the case', async (t) => {
  const { world, store, market, lot, box } = await packedAndBack(t);
  const pallet = (await world.ok(store.event({ type: 'aggregate', eventTime: utc(9.75), parent: {}, children: [{ lotCode: box }] })))
    .createdLotCodes[0] as string;
  const ship = (lines: object[]) => store.event({ type: 'ship', eventTime: utc(10), toPartyCode: market.code, lines });
  const short = expectStatus(t, await ship([{ lotCode: lot, quantity: 20 }, { lotCode: pallet }]), 422, 'the pallet and 20 loose');
  t.match(short.body, {
    type: '/problems/not-held-at-event-time',
    errors: [{ pointer: '/eventTime', detail: `10 kg of lot ${lot} held loose from ${utc(12)} on` }],
  });
  t.match(short.body.detail, '20 kg cannot be shipped at that time');
  expectStatus(t, await ship([{ lotCode: lot, quantity: 10 }, { lotCode: pallet }]), 201, 'the pallet and 10 loose');
});

t.test('EPCIS capture: a backdated shipment of a case by its SSCC is judged by what is packed in it', async (t) => {
  const sscc = completeGs1('06901234500000234');
  const { world, store, market, lot, box, request, write } = await packedAndBack(t, sscc);
  // 20 kg more packed into the case at 14:00: it held 30 kg before
  t.equal(
    await write([request(14, { type: 'aggregate', parent: { containerCode: box }, children: [{ lotCode: lot, quantity: 20 }] })]),
    undefined,
  );
  const { capture } = epcisRequests(world);
  const shipping = (hour: number) => ({
    type: 'ObjectEvent',
    eventTime: utc(hour),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'shipping',
    epcList: [`https://id.gs1.org/00/${sscc}`],
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${market.code}` }],
  });
  const short = await capture(store.key, [shipping(11)], 'rollback');
  t.match(short, { success: false, captured: 0, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] });
  t.match(
    short.errors[0].message,
    `party ${store.code} held 30 kg of lot ${lot} packed in container https://id.gs1.org/00/${sscc} at ${utc(11)}, by the events dated up to then: 50 kg cannot be shipped`,
  );
  t.match(await capture(store.key, [shipping(14)], 'rollback'), { success: true }, 'shipped once the case was filled');
});

t.test('a native batch: what the batch packs into a case goes with it, judged by what was held then', async (t) => {
  const { world, store, market, lot, request, write } = await packedAndBack(t);
  // a case of the store's own lot, shipped at 10:00 with what the batch packs into it
  const own = (
    await world.ok(
      store.event({ type: 'commission', eventTime: utc(9.25), lots: [{ productCode: await store.product('kg'), quantity: 10 }] }),
    )
  ).createdLotCodes[0] as string;
  const crate = (await world.ok(store.event({ type: 'aggregate', eventTime: utc(9.5), parent: {}, children: [{ lotCode: own }] })))
    .createdLotCodes[0] as string;
  const packThenShip = (packedAt: number) => [
    request(packedAt, { type: 'aggregate', parent: { containerCode: crate }, children: [{ lotCode: lot, quantity: 10 }] }),
    request(10, { type: 'ship', toPartyCode: market.code, lines: [{ lotCode: crate }] }),
  ];
  const short = await write(packThenShip(10.25));
  t.match(
    short,
    { index: 1, problem: { status: 422, slug: 'not-held-at-event-time' } },
    '10 kg packed by the batch at 10:15, in the crate shipped at 10:00',
  );
  t.match(
    short?.problem.detail,
    `held 0 kg of lot ${lot} packed in container ${crate} at ${utc(10)}, by the events dated up to then: 10 kg`,
  );
  t.equal(await write(packThenShip(9.75)), undefined, 'packed at 09:45, before the crate was shipped');
});

t.test('POST /events: a case shipped before the packing that filled it is refused by when its lots were received', async (t) => {
  const world = await createWorld(t);
  const [processor, store, market] = [await world.party('processor'), await world.party('cold_storage'), await world.party('retailer')];
  const kg = await processor.product('kg');
  const [first, later] = [await processor.commission(kg, 50), await processor.commission(kg, 20)];
  const box = (await world.ok(processor.event({ type: 'aggregate', eventTime: utc(8), parent: {}, children: [{ lotCode: first }] })))
    .createdLotCodes[0] as string;
  const hand = async (lines: object[], hour: number) => {
    const { shipmentId } = await world.ok(processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: store.code, lines }));
    await world.ok(store.event({ type: 'receive', eventTime: utc(hour + 0.5), shipmentId }));
  };
  await hand([{ lotCode: box }], 8.5);
  await hand([{ lotCode: later }], 11);
  await world.ok(store.event({ type: 'aggregate', eventTime: utc(12), parent: { containerCode: box }, children: [{ lotCode: later }] }));
  const ship = (hour: number) => store.event({ type: 'ship', eventTime: utc(hour), toPartyCode: market.code, lines: [{ lotCode: box }] });
  const early = expectStatus(t, await ship(10), 422, 'shipped at 10:00, the lot packed in it at 12:00 received at 11:30');
  t.match(early.body, {
    type: '/problems/event-time-before-receipt',
    errors: [{ in: 'body', pointer: '/eventTime', detail: `at the earliest ${utc(11.5)}` }],
  });
  t.match(early.body.detail, `lot ${later} was received by ${store.code} at ${utc(11.5)}; it cannot be shipped before that`);
  expectStatus(t, await ship(12), 201, 'shipped once filled');
});

t.test('a case made and shipped in one batch, natively and through EPCIS', async (t) => {
  const { world, store, market, lot, request, write } = await packedAndBack(t);
  const crate = newContainerCode();
  t.equal(
    await write([
      request(13.75, { type: 'aggregate', parent: { newCode: crate }, children: [{ lotCode: lot, quantity: 20 }] }),
      request(14, { type: 'ship', toPartyCode: market.code, lines: [{ lotCode: crate }] }),
    ]),
    undefined,
    'a native batch packs a new crate and ships it',
  );
  t.match((await store.lot(lot)).massBalance, { onHand: 80 }, 'what the crate held went with it');
  const { capture } = epcisRequests(world);
  const sscc = completeGs1('06901234500000241');
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-CASED';
  const document = [
    ev(14, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: meat, quantity: 30, uom: 'KGM' }] }),
    ev(14.5, {
      type: 'AggregationEvent',
      action: 'ADD',
      bizStep: 'packing',
      parentID: `https://id.gs1.org/00/${sscc}`,
      childQuantityList: [{ epcClass: meat, quantity: 30, uom: 'KGM' }],
    }),
    ev(15, {
      action: 'OBSERVE',
      bizStep: 'shipping',
      epcList: [`https://id.gs1.org/00/${sscc}`],
      destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${market.code}` }],
    }),
  ];
  t.match(
    await capture(store.key, document, 'rollback'),
    { success: true, captured: 3 },
    'an EPCIS document packs a new case and ships it',
  );
});

t.test('POST /events: two sales sent together are answered as one after the other (PostgreSQL)', onPostgres, async (t) => {
  const { world, store, lot } = await secondDelivery(t, 'postgres');
  // another party's request, held on its lot's row, keeps the events' group commit busy while both
  // sales line up behind it: they then make the next group, one writer batch
  const other = await world.party('processor', '二厂');
  const own = await other.commission(await other.product('kg'), 10);
  const hold = await holdLocked(world, sql`select 1 from lots where code = ${own} for update`);
  const busy = other.event({ type: 'sell', eventTime: utc(10), lines: [{ lotCode: own, quantity: 1 }] });
  await waitBlockedBy(world, hold.pid, busy);
  const sell = (hour: number) => store.event({ type: 'sell', eventTime: utc(hour), lines: [{ lotCode: lot, quantity: 40 }] });
  const sales = [sell(10), sell(11)];
  // in-process requests reach the queue within milliseconds; nothing of the database tells when
  await new Promise((resolve) => setTimeout(resolve, 1000));
  hold.release();
  expectStatus(t, await busy, 201, 'the request holding the group up');
  const [first, second] = await Promise.all(sales);
  expectStatus(t, first, 201, 'the sale sent first is stored');
  const refused = expectStatus(t, second, 422, 'the second, which the ledger no longer covers, is refused');
  t.match(refused.body.detail, `holds 10 kg of lot ${lot} loose from ${utc(14)} on, by the events dated from ${utc(11)} on`);
  t.match((await store.lot(lot)).massBalance, { sold: 40 }, 'one sale is stored');
});

t.test('EPCIS capture: a receipt placed after an outflow in its document counts by its time, in either order', async (t) => {
  /** A processor's 100 kg shipped to a cold store, 60 at 08:00 and 40 at 08:30; the store receives the 60 at 12:00. */
  const receivedLate = async () => {
    const world = await createWorld(t);
    const [processor, store, market] = [await world.party('processor'), await world.party('cold_storage'), await world.party('retailer')];
    const { capture } = epcisRequests(world);
    const meat = 'https://id.gs1.org/01/06901234000016/10/REV-A';
    const moving = movingOf(meat);
    const commissioning = ev(7, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: meat, quantity: 100, uom: 'KGM' }] });
    t.match(await capture(processor.key, [commissioning, moving(8, 60, store), moving(8.5, 40, store)], 'rollback'), { success: true });
    t.match(await capture(store.key, [moving(12, 60)], 'rollback'), { success: true });
    return { store, meat, moving, capture, market };
  };
  for (const order of ['shipment first', 'receipt first']) {
    const { store, moving, capture, market } = await receivedLate();
    const document = [moving(11, 10, market), moving(9, 40)];
    t.match(
      await capture(store.key, order === 'shipment first' ? document : [...document].reverse(), 'rollback'),
      { success: true, captured: 2 },
      `${order}: shipped at 11:00 what the same document received at 09:00`,
    );
  }
  const { store, meat, moving, capture, market } = await receivedLate();
  const early = await capture(store.key, [moving(11, 10, market), moving(11.5, 40)], 'rollback');
  t.match(early, { success: false, captured: 0, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] });
  t.match(
    early.errors[0].message,
    `lot ${meat} was received by ${store.code} at ${utc(11.5)}; it cannot be shipped before that`,
    'the earliest receipt, the document’s own, is named',
  );
});

t.test('a native batch under proceed: an event dated before the batch’s receipt is dropped, the receipt stored', async (t) => {
  // 50 kg shipped to a cold store at 08:00, which the batch receives at 10:00 and sells 10 of at 09:30
  const world = await createWorld(t);
  const [processor, store] = [await world.party('processor'), await world.party('cold_storage')];
  const lot = await processor.commission(await processor.product('kg'), 50);
  const { shipmentId } = await world.ok(
    processor.event({ type: 'ship', eventTime: utc(8), toPartyCode: store.code, lines: [{ lotCode: lot }] }),
  );
  const requests: WriteRequest[] = [
    { actor: store.code, action: { type: 'receive', shipmentId }, context: { eventTime: utc(10) } },
    { actor: store.code, action: { type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] }, context: { eventTime: utc(9.5) } },
  ];
  const outcomes = await world.database.db.transaction((tx) => eventWriterOn(world.database).write(tx as never, requests, 'proceed'));
  t.same(
    outcomes.map((outcome) => outcome.ok),
    [true, false],
    'the sale is refused, the receipt stored',
  );
  const [, refused] = outcomes;
  t.match(!refused.ok && refused.problem, {
    slug: 'event-time-before-receipt',
    detail: `lot ${lot} was received by ${store.code} at ${utc(10)}; it cannot be sold before that`,
  });
  t.match((await store.lot(lot)).massBalance, { sold: 0, onHand: 50 }, 'the receipt alone is stored');
});
