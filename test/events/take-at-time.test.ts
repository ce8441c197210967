// A container taken (shipped, sold, used, destroyed) goes with what lay packed in it at the event's
// time: one dated before a stored unpacking of it is refused, naming the unpacking, rather than
// leave the unpacked lot with the party while the ledger says it lay in the container that left.
// At every door (POST /events, a native batch, EPCIS capture) and at every level of nesting.

import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { BatchRejected, type WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A time on 2026-06-01 (UTC), after every event the world dates by its own counter. */
const utc = (hour: number) => new Date(Date.UTC(2026, 5, 1) + hour * 3_600_000).toISOString();

/**
 * A processor packs 30 kg of its lot into a new case at 09:00 (under `sscc`, when given) and
 * unpacks the lot from it at 11:00; `write` runs its native requests as one writer batch (rolled
 * back at a refusal).
 */
async function packedThenUnpacked(t: Test, sscc?: string) {
  const world = await createWorld(t);
  const [processor, market] = [await world.party('processor'), await world.party('retailer')];
  const kg = await processor.product('kg');
  const lot = await processor.commission(kg, 100);
  const packed = await world.ok(
    processor.event({ type: 'aggregate', eventTime: utc(9), parent: sscc ? { sscc } : {}, children: [{ lotCode: lot, quantity: 30 }] }),
  );
  const box = packed.createdLotCodes[0] as string;
  const request = (hour: number, action: WriteRequest['action']): WriteRequest => ({
    actor: processor.code,
    action,
    context: { eventTime: utc(hour) },
  });
  const writer = eventWriterOn(world.database);
  const write = async (requests: WriteRequest[]) => {
    try {
      await world.database.db.transaction((tx) => writer.write(tx as never, requests, 'rollback'));
      return undefined;
    } catch (error) {
      if (error instanceof BatchRejected) return { index: error.index, problem: error.problem };
      throw error;
    }
  };
  /** Unpacks the lot from the case at 11:00 and packs 5 kg of a second lot into it at 11:30: the second lot. */
  const unpackedAndRefilled = async () => {
    await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(11), parentCode: box }));
    const second = await processor.commission(kg, 10);
    await world.ok(
      processor.event({
        type: 'aggregate',
        eventTime: utc(11.5),
        parent: { containerCode: box },
        children: [{ lotCode: second, quantity: 5 }],
      }),
    );
    return second;
  };
  return { world, processor, market, kg, lot, box, request, write, unpackedAndRefilled };
}

t.test('POST /events: a case taken before a stored unpacking of it is refused, naming the lot and the unpacking', async (t) => {
  const { world, processor, market, kg, lot, box } = await packedThenUnpacked(t);
  await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(11), parentCode: box }));
  const takes: [string, Record<string, unknown>, string][] = [
    ['shipped', { type: 'ship', toPartyCode: market.code, lines: [{ lotCode: box }] }, '/lines/0'],
    ['sold', { type: 'sell', lines: [{ lotCode: box }] }, '/lines/0'],
    ['destroyed', { type: 'destroy', reason: 'dropped', lines: [{ lotCode: box }] }, '/lines/0'],
    ['used', { type: 'transform', inputs: [{ lotCode: box, quantity: 1 }], outputs: [{ productCode: kg, quantity: 20 }] }, '/inputs/0'],
  ];
  for (const [done, body, pointer] of takes) {
    const refused = expectStatus(t, await processor.event({ ...body, eventTime: utc(10) }), 409, `the case ${done} at 10:00`);
    t.match(refused.body, { status: 409, errors: [{ in: 'body', pointer, detail: `lot ${lot} unpacked from it later, at ${utc(11)}` }] });
    t.match(
      refused.body.detail,
      `lot ${lot} was packed in container ${box} at ${utc(10)} and unpacked from it later, at ${utc(11)} (event `,
      `${done}: the lot, the container and the unpacking's time`,
    );
    t.match(refused.body.detail, /\(event [\w-]+\): correct the unpackings after \S+ first, the latest first$/, 'and its event');
  }
  t.match((await processor.lot(lot)).massBalance, { onHand: 100, shipped: 0, sold: 0, destroyed: 0, consumed: 0 }, 'nothing was booked');
  expectStatus(t, await processor.event({ type: 'sell', eventTime: utc(11), lines: [{ lotCode: box }] }), 201, 'at the unpacking’s time');
  t.match((await processor.lot(lot)).massBalance, { onHand: 100, sold: 0 }, 'the case goes without the lot unpacked then');
});

t.test('POST /events: a case taken after the unpacking goes without the lot, one untouched since as before', async (t) => {
  const { world, processor, market, lot, box, unpackedAndRefilled } = await packedThenUnpacked(t);
  const ship = (hour: number, code: string) =>
    processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: market.code, lines: [{ lotCode: code }] });
  const other = (
    await world.ok(processor.event({ type: 'aggregate', eventTime: utc(9), parent: {}, children: [{ lotCode: lot, quantity: 20 }] }))
  ).createdLotCodes[0] as string;
  const untouched = expectStatus(t, await ship(10, other), 201, 'a case whose contents did not change since 10:00');
  t.match(untouched.body.event.details.lines, [
    { lotCode: other, quantity: 1 },
    { lotCode: lot, quantity: 20, containerCode: other },
  ]);
  // an empty case is not shipped: another lot packed into it at 11:30 leaves with it
  const second = await unpackedAndRefilled();
  const after = expectStatus(t, await ship(12, box), 201, 'the case shipped at 12:00, after the unpacking');
  t.same(
    after.body.event.details.lines,
    [
      { lotCode: box, quantity: 1 },
      { lotCode: second, quantity: 5, containerCode: box },
    ],
    'with the lot packed since, without the lot unpacked',
  );
  t.match((await processor.lot(lot)).massBalance, { onHand: 80, shipped: 20 });
  t.match((await processor.lot(second)).massBalance, { onHand: 5, shipped: 5 });
});

t.test('a case in a pallet: each level is judged by what lay in it at the event’s time', async (t) => {
  const { world, processor, market, lot, box } = await packedThenUnpacked(t);
  const pallet = (await world.ok(processor.event({ type: 'aggregate', eventTime: utc(9.5), parent: {}, children: [{ lotCode: box }] })))
    .createdLotCodes[0] as string;
  const ship = (hour: number) =>
    processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: market.code, lines: [{ lotCode: pallet }] });
  // the lot taken out of the case on the pallet at 11:00
  await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(11), parentCode: box }));
  const inner = expectStatus(t, await ship(10), 409, 'the pallet shipped at 10:00, its case emptied at 11:00');
  t.match(inner.body.detail, `lot ${lot} was packed in container ${box} at ${utc(10)} and unpacked from it later, at ${utc(11)} (event `);
  t.match(inner.body.errors, [{ pointer: '/lines/0' }]);
  // the case taken off the pallet at 12:00
  await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(12), parentCode: pallet }));
  const outer = expectStatus(t, await ship(11.5), 409, 'the pallet shipped at 11:30, the case taken off at 12:00');
  t.match(
    outer.body.detail,
    `container ${box} was packed in container ${pallet} at ${utc(11.5)} and unpacked from it later, at ${utc(12)} (event `,
  );
  t.match((await processor.lot(box)).massBalance, { onHand: 1, shipped: 0 }, 'the case stays');
  // after both, nothing lies in the pallet: an empty container is not shipped
  const emptied = expectStatus(t, await ship(12.5), 422, 'the emptied pallet, after both');
  t.match(emptied.body, { type: '/problems/empty-container', errors: [{ pointer: '/lines/0/lotCode' }] });
  t.match((await processor.lot(pallet)).massBalance, { onHand: 1, shipped: 0 }, 'the pallet stays');
});

t.test('a case taken before a packing stored into it is refused, the later lot not taken along', async (t) => {
  const { world, processor, market, lot, box } = await packedThenUnpacked(t);
  const later = await processor.commission(await processor.product('kg'), 20);
  await world.ok(
    processor.event({ type: 'aggregate', eventTime: utc(12), parent: { containerCode: box }, children: [{ lotCode: later }] }),
  );
  const refused = expectStatus(
    t,
    await processor.event({ type: 'ship', eventTime: utc(10), toPartyCode: market.code, lines: [{ lotCode: box }] }),
    422,
    'shipped at 10:00, a lot packed into it at 12:00',
  );
  t.match(refused.body, { type: '/problems/not-held-at-event-time' });
  t.match(refused.body.detail, `held 0 kg of lot ${later} packed in container ${box} at ${utc(10)}`);
  t.match((await processor.lot(later)).massBalance, { shipped: 0 }, 'the later lot stays');
  t.match((await processor.lot(lot)).massBalance, { shipped: 0 });
});

t.test('a native batch: an unpacking and an earlier take of its case, in either order', async (t) => {
  const { processor, market, lot, box, request, write } = await packedThenUnpacked(t);
  const unpack = request(11, { type: 'disaggregate', parentCode: box });
  const shipBox = request(10, { type: 'ship', toPartyCode: market.code, lines: [{ lotCode: box }] });
  const unpackFirst = await write([unpack, shipBox]);
  t.match(unpackFirst, { index: 1, problem: { status: 409 } }, 'the shipment, after the batch’s unpacking');
  t.match(unpackFirst?.problem.detail, `lot ${lot} was packed in container ${box} at ${utc(10)} and unpacked from it later, at ${utc(11)}`);
  const shipFirst = await write([shipBox, unpack]);
  t.match(shipFirst, { index: 1 }, 'the unpacking of a case already shipped');
  t.match((await processor.lot(lot)).massBalance, { onHand: 100, shipped: 0 }, 'neither batch was stored');
});

t.test('EPCIS capture: a case shipped by its SSCC before its unpacking is that event’s error', async (t) => {
  const sscc = completeGs1('06901234500000258');
  const { world, processor, market, lot, unpackedAndRefilled } = await packedThenUnpacked(t, sscc);
  // another lot packed into the case at 11:30, so that it is not empty when shipped at 12:00
  const second = await unpackedAndRefilled();
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
  const message = `lot ${lot} was packed in container https://id.gs1.org/00/${sscc} at ${utc(10)} and unpacked from it later, at ${utc(11)} (event `;
  const rolledBack = await capture(processor.key, [shipping(10)], 'rollback');
  t.match(rolledBack, { success: false, captured: 0, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/epcList/0' }] });
  t.match(rolledBack.errors[0].message, message);
  const proceeded = await capture(processor.key, [shipping(10), shipping(12)], 'proceed');
  t.match(proceeded, { success: false, captured: 1, errors: [{ eventIndex: 0 }] }, 'the shipment after the unpacking is captured');
  t.match(proceeded.errors[0].message, message);
  t.match((await processor.lot(lot)).massBalance, { onHand: 100, shipped: 0 }, 'the case left without the lot');
  t.match((await processor.lot(second)).massBalance, { onHand: 5, shipped: 5 }, 'but with the lot packed since');
});

t.test('the latest later unpacking is named; a case packed onto the pallet after the event is the held-then rule’s', async (t) => {
  const { world, processor, market, lot, box } = await packedThenUnpacked(t);
  await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(11), parentCode: box }));
  await world.ok(
    processor.event({ type: 'aggregate', eventTime: utc(12), parent: { containerCode: box }, children: [{ lotCode: lot, quantity: 10 }] }),
  );
  const latest = await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(13), parentCode: box }));
  const sold = expectStatus(
    t,
    await processor.event({ type: 'sell', eventTime: utc(10), lines: [{ lotCode: box }] }),
    409,
    'sold at 10:00',
  );
  t.equal(
    sold.body.detail,
    `lot ${lot} was packed into container ${box} at ${utc(12)} and unpacked from it at ${utc(13)} (event ${latest.event.id}), after ${utc(10)}: correct that packing and unpacking first`,
    'the latest: its repacking and unpacking',
  );

  // a pallet made at 09:30; the case goes onto it only at 14:00, after the pallet's shipment at 10:00
  const other = await processor.commission(await processor.product('kg'), 5);
  const pallet = (
    await world.ok(processor.event({ type: 'aggregate', eventTime: utc(9.5), parent: {}, children: [{ lotCode: other, quantity: 5 }] }))
  ).createdLotCodes[0] as string;
  await world.ok(
    processor.event({ type: 'aggregate', eventTime: utc(14), parent: { containerCode: pallet }, children: [{ lotCode: box }] }),
  );
  const shipped = await processor.event({ type: 'ship', eventTime: utc(10), toPartyCode: market.code, lines: [{ lotCode: pallet }] });
  expectStatus(t, shipped, 422, 'refused as the case did not lie on the pallet then, not for its unpackings');
  t.notMatch(shipped.body.detail, /correct the unpackings/);
});
