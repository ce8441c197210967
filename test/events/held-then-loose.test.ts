// The held-then rule judges a loose take by the party's loose stock over time, and a take of what
// is packed in a container by that container's contents over time: kilos packed into a case at
// 09:30 and unpacked at 15:00 were not loose at 10:00, at every door (POST /events, EPCIS capture,
// a batch), and a correction does not leave the loose stock below nothing at some time either.

import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { newContainerCode } from '../../src/codes/service-codes.js';
import { BatchRejected, type WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A time on 2026-06-01 (UTC), after every event the world dates by its own counter (9.5: half past nine). */
const utc = (hour: number) => new Date(Date.UTC(2026, 5, 1) + hour * 3_600_000).toISOString();

/** A processor makes 100 kg at 08:00, packs 30 kg of them into a case at 09:30 and unpacks it at 15:00. */
async function packedForAWhile(t: Test) {
  const world = await createWorld(t);
  const [processor, market] = [await world.party('processor'), await world.party('retailer')];
  const made = await world.ok(
    processor.event({ type: 'commission', eventTime: utc(8), lots: [{ productCode: await processor.product('kg'), quantity: 100 }] }),
  );
  const lot = made.createdLotCodes[0] as string;
  const packed = await world.ok(
    processor.event({ type: 'aggregate', eventTime: utc(9.5), parent: {}, children: [{ lotCode: lot, quantity: 30 }] }),
  );
  const box = packed.createdLotCodes[0] as string;
  await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(15), parentCode: box }));
  return { world, processor, market, lot, box };
}

t.test('POST /events: a loose take is judged by the loose stock, not by what lay packed then', async (t) => {
  const { processor, market, lot } = await packedForAWhile(t);
  const sell = (hour: number, quantity: number) =>
    processor.event({ type: 'sell', eventTime: utc(hour), lines: [{ lotCode: lot, quantity }] });
  const ship = (hour: number, quantity: number) =>
    processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: market.code, lines: [{ lotCode: lot, quantity }] });
  const short = expectStatus(t, await sell(10, 90), 422, '90 kg sold at 10:00, when 30 of the 100 lay in the case');
  t.match(short.body, {
    type: '/problems/not-held-at-event-time',
    errors: [{ in: 'body', pointer: '/eventTime', detail: `70 kg of lot ${lot} held loose at ${utc(10)}` }],
  });
  t.equal(
    short.body.detail,
    `party ${processor.code} held 70 kg of lot ${lot} loose at ${utc(10)}, by the events dated up to then: 90 kg cannot be sold at that time`,
  );
  expectStatus(t, await sell(10, 70), 201, 'all that was loose at 10:00');
  const after = expectStatus(t, await ship(10, 10), 422, 'nothing was left loose at 10:00');
  t.match(after.body.detail, `held 0 kg of lot ${lot} loose at ${utc(10)}`);
  const before = expectStatus(t, await ship(9, 10), 422, 'at 09:00: the sale of 10:00 takes all that is loose');
  t.match(before.body.detail, `holds 0 kg of lot ${lot} loose from ${utc(10)} on, by the events dated from ${utc(9)} on`);
  expectStatus(t, await ship(15, 10), 201, 'once the case is unpacked');
  t.match((await processor.lot(lot)).massBalance, { onHand: 20, sold: 70 }, 'only the accepted events were booked');
});

t.test('POST /events: a case shipped is judged by what was packed in it then', async (t) => {
  const world = await createWorld(t);
  const [processor, market] = [await world.party('processor'), await world.party('retailer')];
  const made = await world.ok(
    processor.event({ type: 'commission', eventTime: utc(8), lots: [{ productCode: await processor.product('kg'), quantity: 100 }] }),
  );
  const lot = made.createdLotCodes[0] as string;
  const box = (
    await world.ok(processor.event({ type: 'aggregate', eventTime: utc(8.5), parent: {}, children: [{ lotCode: lot, quantity: 10 }] }))
  ).createdLotCodes[0] as string;
  await world.ok(
    processor.event({ type: 'aggregate', eventTime: utc(9.5), parent: { containerCode: box }, children: [{ lotCode: lot, quantity: 30 }] }),
  );
  const ship = (hour: number) =>
    processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: market.code, lines: [{ lotCode: box }] });
  const early = expectStatus(t, await ship(9), 422, 'the case held 10 kg at 09:00, not the 40 it holds now');
  t.match(early.body, {
    type: '/problems/not-held-at-event-time',
    errors: [{ in: 'body', pointer: '/eventTime', detail: `10 kg of lot ${lot} held packed in container ${box} at ${utc(9)}` }],
  });
  t.match(early.body.detail, `held 10 kg of lot ${lot} packed in container ${box} at ${utc(9)}`);
  expectStatus(t, await ship(9.5), 201, 'shipped once filled');
});

t.test('a native batch: the packing and unpacking of the batch count at their times', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const made = await world.ok(
    processor.event({ type: 'commission', eventTime: utc(8), lots: [{ productCode: await processor.product('kg'), quantity: 100 }] }),
  );
  const lot = made.createdLotCodes[0] as string;
  const box = newContainerCode();
  const request = (hour: number, action: WriteRequest['action']): WriteRequest => ({
    actor: processor.code,
    action,
    context: { eventTime: utc(hour) },
  });
  const batch = (sold: number) => [
    request(9.5, { type: 'aggregate', parent: { newCode: box }, children: [{ lotCode: lot, quantity: 30 }] }),
    request(15, { type: 'disaggregate', parentCode: box }),
    request(10, { type: 'sell', lines: [{ lotCode: lot, quantity: sold }] }),
  ];
  const writer = eventWriterOn(world.database);
  const write = async (requests: WriteRequest[]) => {
    try {
      await world.database.db.transaction((tx) => writer.write(tx as never, requests, 'rollback'));
      return undefined;
    } catch (error) {
      if (error instanceof BatchRejected) return error.rejections;
      throw error;
    }
  };
  const short = await write(batch(90));
  // the packing held its 30 kg at 09:30, and the sale leaves the loose stock short from 10:00 on
  t.match(
    short,
    [
      { index: 0, problem: { status: 422, detail: `holds 10 kg of lot ${lot} loose from ${utc(10)} on` } },
      { index: 2, problem: { status: 422, slug: 'not-held-at-event-time', detail: `held 70 kg of lot ${lot} loose at ${utc(10)}` } },
    ],
    'the sale of 90 kg at 10:00 and the packing it leaves short',
  );
  t.equal(await write(batch(70)), undefined, 'all that was loose at 10:00');
});

t.test('a native batch: a case packed and unpacked in it is judged by what was packed there, not all the lot', async (t) => {
  // 100 kg made at 08:00, all packed into a new case at 09:00 and unpacked at 10:00
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const made = await world.ok(
    processor.event({ type: 'commission', eventTime: utc(8), lots: [{ productCode: await processor.product('kg'), quantity: 100 }] }),
  );
  const lot = made.createdLotCodes[0] as string;
  const box = newContainerCode();
  const requests: WriteRequest[] = [
    {
      actor: processor.code,
      action: { type: 'aggregate', parent: { newCode: box }, children: [{ lotCode: lot, quantity: 100 }] },
      context: { eventTime: utc(9) },
    },
    { actor: processor.code, action: { type: 'disaggregate', parentCode: box }, context: { eventTime: utc(10) } },
  ];
  const outcomes = await world.database.db.transaction((tx) => eventWriterOn(world.database).write(tx as never, requests, 'rollback'));
  t.same(
    outcomes.map((outcome) => outcome.ok),
    [true, true],
    'both stored',
  );
  t.match((await processor.lot(lot)).massBalance, { onHand: 100 }, 'all of it loose again');
});

t.test('EPCIS capture: a loose sale is judged by the loose stock, in the packing’s document or later', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const { capture } = epcisRequests(world);
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-LOOSE';
  const sscc = `https://id.gs1.org/00/${completeGs1('06901234500000265')}`;
  const kilos = (quantity: number) => [{ epcClass: meat, quantity, uom: 'KGM' }];
  const at = (hour: number) => ({ eventTime: utc(hour), eventTimeZoneOffset: '+08:00' });
  const commissioning = { type: 'ObjectEvent', ...at(8), action: 'ADD', bizStep: 'commissioning', quantityList: kilos(100) };
  const packing = { type: 'AggregationEvent', ...at(9.5), action: 'ADD', bizStep: 'packing', parentID: sscc, childQuantityList: kilos(30) };
  const unpacking = { type: 'AggregationEvent', ...at(15), action: 'DELETE', bizStep: 'unpacking', parentID: sscc };
  const selling = (quantity: number) => ({
    type: 'ObjectEvent',
    ...at(10),
    action: 'OBSERVE',
    bizStep: 'retail_selling',
    quantityList: kilos(quantity),
  });

  const inOneDocument = await capture(processor.key, [commissioning, packing, unpacking, selling(90)], 'rollback');
  t.match(
    inOneDocument,
    {
      success: false,
      captured: 0,
      errors: [
        { eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime' },
        { eventIndex: 3, pointer: '/epcisBody/eventList/3/eventTime' },
      ],
    },
    'the document packs 30 kg at 09:30, unpacks them at 15:00 and sells 90 kg at 10:00: the packing is left short by the sale',
  );
  t.match(inOneDocument.errors[1].message, `party ${processor.code} held 70 KGM of lot ${meat} loose at ${utc(10)}`);
  t.match(await capture(processor.key, [commissioning, packing, unpacking], 'rollback'), { success: true }, 'the packing alone');
  const later = await capture(processor.key, [selling(90)], 'rollback');
  t.match(later, { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] }, 'a later document too');
  t.match(later.errors[0].message, `held 70 KGM of lot ${meat} loose at ${utc(10)}, by the events dated up to then: 90 KGM cannot be sold`);
  t.match(await capture(processor.key, [selling(70)], 'rollback'), { success: true }, 'all that was loose at 10:00');
  const shipping = {
    type: 'ObjectEvent',
    ...at(10),
    action: 'OBSERVE',
    bizStep: 'shipping',
    quantityList: kilos(10),
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${(await world.party('retailer')).code}` }],
  };
  const shipped = await capture(processor.key, [shipping], 'rollback');
  t.match(shipped, { success: false, errors: [{ eventIndex: 0 }] }, '10 kg more shipped loose at 10:00');
  t.match(shipped.errors[0].message, `held 0 KGM of lot ${meat} loose at ${utc(10)}`);
});

t.test('a correction dating a receipt later leaves the loose stock no lower than nothing', async (t) => {
  // a store receives 50 kg at 09:00, packs 30 into a case at 09:30, receives 50 more at 11:00, sells
  // 40 loose at 12:00 and unpacks the case at 15:00: dated 12:30, the second receipt leaves 20 loose
  // to the sale, though the case's 30 make the store's whole holding enough, and 60 are loose now
  const world = await createWorld(t);
  const [processor, store] = [await world.party('processor'), await world.party('retailer')];
  const lot = await processor.commission(await processor.product('kg'), 100);
  const ship = async (hour: number) =>
    (
      await world.ok(
        processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 50 }] }),
      )
    ).shipmentId as string;
  const [a, b] = [await ship(8), await ship(8.5)];
  await world.ok(store.event({ type: 'receive', eventTime: utc(9), shipmentId: a }));
  const packed = await world.ok(
    store.event({ type: 'aggregate', eventTime: utc(9.5), parent: {}, children: [{ lotCode: lot, quantity: 30 }] }),
  );
  const receiptB = await world.ok(store.event({ type: 'receive', eventTime: utc(11), shipmentId: b }));
  await world.ok(store.event({ type: 'sell', eventTime: utc(12), lines: [{ lotCode: lot, quantity: 40 }] }));
  await world.ok(store.event({ type: 'disaggregate', eventTime: utc(15), parentCode: packed.createdLotCodes[0] }));
  const redate = (hour: number) =>
    store.event({
      type: 'correction',
      eventTime: utc(13),
      correctsEventId: receiptB.event.id,
      reason: 'received later than typed',
      replacement: { type: 'receive', eventTime: utc(hour), shipmentId: b },
    });
  const refused = expectStatus(t, await redate(12.5), 409, 'the sale at 12:00 would take 20 kg more than was loose');
  t.match(refused.body.errors, [{ pointer: '/replacement/eventTime', detail: `lot ${lot} loose 20 kg short at ${utc(12)}` }]);
  t.match(refused.body.detail, `${store.code} would hold lot ${lot} loose 20 kg short at ${utc(12)}`);
  t.match((await store.lot(lot)).massBalance, { sold: 40, onHand: 60 }, 'the ledger is as it was');
  expectStatus(t, await redate(11.5), 201, 'dated later, still before the sale');
});

t.test('POST /events: an unpacking dated while the case was away is refused, though the case is back', async (t) => {
  // 30 kg packed at 09:30; the case goes to a market at 12:00 and comes back at 13:30
  const world = await createWorld(t);
  const [processor, market] = [await world.party('processor'), await world.party('retailer')];
  const made = await world.ok(
    processor.event({ type: 'commission', eventTime: utc(8), lots: [{ productCode: await processor.product('kg'), quantity: 100 }] }),
  );
  const lot = made.createdLotCodes[0] as string;
  const box = (
    await world.ok(processor.event({ type: 'aggregate', eventTime: utc(9.5), parent: {}, children: [{ lotCode: lot, quantity: 30 }] }))
  ).createdLotCodes[0] as string;
  const hand = async (from: typeof processor, to: typeof processor, hour: number) => {
    const { shipmentId } = await world.ok(
      from.event({ type: 'ship', eventTime: utc(hour), toPartyCode: to.code, lines: [{ lotCode: box }] }),
    );
    await world.ok(to.event({ type: 'receive', eventTime: utc(hour + 0.5), shipmentId }));
  };
  await hand(processor, market, 12);
  await hand(market, processor, 13);
  const unpack = (hour: number) => processor.event({ type: 'disaggregate', eventTime: utc(hour), parentCode: box });
  const away = expectStatus(t, await unpack(12.75), 422, 'unpacked at 12:45, while the market had the case');
  t.match(away.body, {
    type: '/problems/not-held-at-event-time',
    errors: [{ in: 'body', pointer: '/eventTime', detail: `0 kg of lot ${lot} held packed in container ${box} at ${utc(12.75)}` }],
  });
  t.match(away.body.detail, '30 kg cannot be unpacked at that time');
  t.match((await processor.lot(lot)).massBalance, { onHand: 100 }, 'nothing was booked');
  expectStatus(t, await unpack(13.5), 201, 'unpacked once it came back');
});

t.test('a native batch: packs packed into a case by their codes count in the case from their time only', async (t) => {
  // 10 pieces and 100 kg made at 08:00, 10 kg packed into a case at 08:30; the batch packs a coded
  // pack into the case at 10:00 and ships the case at 09:00, before the pack was in it
  const world = await createWorld(t);
  const [processor, market] = [await world.party('processor'), await world.party('retailer')];
  const made = await world.ok(
    processor.event({ type: 'commission', eventTime: utc(8), lots: [{ productCode: await processor.product('piece'), quantity: 10 }] }),
  );
  const lot = made.createdLotCodes[0] as string;
  const kilos = await processor.commission(await processor.product('kg'), 100);
  const packed = await world.ok(
    processor.event({ type: 'aggregate', eventTime: utc(8.5), parent: {}, children: [{ lotCode: kilos, quantity: 10 }] }),
  );
  const box = packed.createdLotCodes[0] as string;
  const [pack] = await issuePacks(world, processor, lot, 1);
  const requests: WriteRequest[] = [
    {
      actor: processor.code,
      action: { type: 'aggregate', parent: { containerCode: box }, children: [], itemCodes: [pack] },
      context: { eventTime: utc(10) },
    },
    {
      actor: processor.code,
      action: { type: 'ship', toPartyCode: market.code, lines: [{ lotCode: box }] },
      context: { eventTime: utc(9) },
    },
  ];
  const writer = eventWriterOn(world.database);
  const rolledBack = await world.database.db
    .transaction((tx) => writer.write(tx as never, requests, 'rollback'))
    .catch((error: unknown) => error);
  t.match(
    rolledBack,
    { index: 1, problem: { status: 422, detail: `held 0 piece of lot ${lot} packed in container` } },
    'under rollback the shipment is refused: the pack was not in the case at 09:00',
  );
  const outcomes = await world.database.db.transaction((tx) => writer.write(tx as never, requests, 'proceed'));
  t.same(
    outcomes.map((outcome) => outcome.ok),
    [true, false],
    'under proceed the packing is stored and the shipment refused',
  );
  t.match((await processor.lot(lot)).massBalance, { onHand: 10 }, 'the pieces stay with the processor');
});
