// What a recall counts recovered of a holder's lines: a container its holder reported returned or
// destroyed takes with it, line by line, what the report's own events moved out packed in it, and
// nothing else; a report counts for another recall of its lot only if it took the stock after that
// recall recorded it, whatever the clock read.
import type { Test } from 'tap';
import { epcisDocument, epcisRequests } from '../fixtures/epcis.js';
import { endedLot } from '../fixtures/recalls.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Line = { lotCode: string; affected: number; returned: number; destroyed: number };
type Recall = { id: string; holderDetails: { partyCode: string; lines: Line[] }[]; progress: { share: number } };

/** A farm's lot, 12 of it with a dealer who packs some of it for a shop. */
async function packedWorld(t: Test) {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const dealer = await world.party('distributor');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 20);
  await world.handOver(farm, dealer, lot, 12);
  const pack = async (children: { lotCode: string; quantity?: number }[]) =>
    (await world.ok(dealer.event({ type: 'aggregate', parent: {}, children }))).createdLotCodes[0] as string;
  // `also`: lots beside it, for a second recall of the lot to open (see endedLot)
  const recallOf = async (also: string[] = []) =>
    (await world.ok(farm.api.post('/recalls', { lotCodes: [lot, ...also], level: 2, reason: '农残超标', hazard: '毒死蜱' }))) as Recall;
  return { world, farm, dealer, shop, lot, pack, recallOf };
}

const linesOf = (recall: Recall, party: Actor) => recall.holderDetails.find((holder) => holder.partyCode === party.code)?.lines ?? [];
/** Has the party recovered every line the recall asked of it, exactly? */
const recoveredAll = (recall: Recall, party: Actor) =>
  linesOf(recall, party).every((line) => line.returned + line.destroyed === line.affected);

async function report(t: Test, world: World, holder: Actor, recall: Recall, lines: object[], what: string): Promise<Recall> {
  expectStatus(t, await holder.api.post(`/recalls/${recall.id}/reports`, { lines }), 201, what);
  return world.ok(world.regulator.get(`/recalls/${recall.id}`), 200);
}

t.test('a case returned by report takes the recalled lot in it off the holder’s line', async (t) => {
  const { world, dealer, shop, lot, pack, recallOf } = await packedWorld(t);
  const box = await pack([{ lotCode: lot, quantity: 3 }]);
  await world.handOver(dealer, shop, box);
  const recall = await recallOf();
  t.match(
    linesOf(recall, shop).find((line) => line.lotCode === lot),
    { affected: 3 },
    'the shop owes the 3 in the case',
  );
  t.match(
    linesOf(recall, shop).find((line) => line.lotCode === box),
    { affected: 1 },
    'and the case',
  );

  const after = await report(t, world, shop, recall, [{ lotCode: box, returned: 1 }], 'the shop returns the case');
  t.match(
    linesOf(after, shop).find((line) => line.lotCode === lot),
    { affected: 3, returned: 3, destroyed: 0 },
    'the 3 in it are returned with it',
  );
  t.ok(recoveredAll(after, shop), 'every line of the shop is recovered');
  const again = expectStatus(
    t,
    await shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, destroyed: 1 }] }),
    422,
    'the lot is not owed any more',
  );
  t.match(again.body, { detail: /0 left to recover$/ });
});

t.test('a lot the holder unpacked and reported itself is counted once', async (t) => {
  const { world, dealer, shop, lot, pack, recallOf } = await packedWorld(t);
  const box = await pack([{ lotCode: lot, quantity: 3 }]);
  await world.handOver(dealer, shop, box);
  const recall = await recallOf();
  expectStatus(t, await shop.event({ type: 'disaggregate', parentCode: box }), 201, 'the shop unpacks the case');
  const emptied = await report(t, world, shop, recall, [{ lotCode: box, destroyed: 1 }], 'destroys the empty case');
  t.match(
    linesOf(emptied, shop).find((line) => line.lotCode === lot),
    { affected: 3, returned: 0, destroyed: 0 },
    'the lot out of it is still owed: it is on the shop’s shelf',
  );
  const after = await report(t, world, shop, recall, [{ lotCode: lot, returned: 3 }], 'and returns the lot');
  t.same(
    linesOf(after, shop).find((line) => line.lotCode === lot),
    { lotCode: lot, unit: 'piece', affected: 3, returned: 3, destroyed: 0 },
    'the lot: 3 returned loose, nothing with the case',
  );
  t.ok(recoveredAll(after, shop), 'the shop recovered all the recall asked of it');
});

t.test('a report of nothing counts nothing of what the case holds', async (t) => {
  const { world, dealer, shop, lot, pack, recallOf } = await packedWorld(t);
  const box = await pack([{ lotCode: lot, quantity: 3 }]);
  await world.handOver(dealer, shop, box);
  const recall = await recallOf();
  const after = await report(t, world, shop, recall, [{ lotCode: box, returned: 0, destroyed: 0 }], 'the shop reports the case, 0 of it');
  t.match(
    linesOf(after, shop),
    [
      { returned: 0, destroyed: 0 },
      { returned: 0, destroyed: 0 },
    ],
    'neither the case nor the lot in it',
  );
  const later = await report(t, world, shop, recall, [{ lotCode: box, returned: 1 }], 'then returns it');
  t.match(
    linesOf(later, shop).find((line) => line.lotCode === lot),
    { affected: 3, returned: 3 },
    'the lot goes with it',
  );
});

t.test('a pallet returned takes the lot in its case, destroyed takes it destroyed', async (t) => {
  const { world, dealer, shop, lot, pack, recallOf } = await packedWorld(t);
  const returnedPallet = await pack([{ lotCode: await pack([{ lotCode: lot, quantity: 3 }]) }]);
  const destroyedPallet = await pack([{ lotCode: await pack([{ lotCode: lot, quantity: 4 }]) }]);
  await world.handOver(dealer, shop, returnedPallet);
  await world.handOver(dealer, shop, destroyedPallet);
  const recall = await recallOf();
  await report(t, world, shop, recall, [{ lotCode: returnedPallet, returned: 1 }], 'the shop returns one pallet');
  const after = await report(t, world, shop, recall, [{ lotCode: destroyedPallet, destroyed: 1 }], 'and destroys the other');
  t.match(
    linesOf(after, shop).find((line) => line.lotCode === lot),
    { affected: 7, returned: 3, destroyed: 4 },
    '3 returned in the one pallet’s case, 4 destroyed in the other’s',
  );
  t.ok(recoveredAll(after, shop), 'the cases are recovered with their pallets');
});

t.test('a case holding a recalled and an unrecalled lot: only the recalled lot’s line counts', async (t) => {
  const { world, farm, dealer, shop, lot, pack, recallOf } = await packedWorld(t);
  const other = await farm.commission(await farm.product('piece'), 10);
  await world.handOver(farm, dealer, other, 5);
  await world.handOver(farm, shop, lot, 2);
  const box = await pack([
    { lotCode: lot, quantity: 3 },
    { lotCode: other, quantity: 5 },
  ]);
  await world.handOver(dealer, shop, box);
  const recall = await recallOf();
  const after = await report(t, world, shop, recall, [{ lotCode: box, returned: 1 }], 'the shop returns the case');
  const lines = linesOf(after, shop);
  t.notOk(
    lines.some((line) => line.lotCode === other),
    'the unrecalled lot is no line of the recall',
  );
  t.match(
    lines.find((line) => line.lotCode === lot),
    { affected: 5, returned: 3, destroyed: 0 },
    'the 3 in the case, not the 2 loose nor the other lot’s 5',
  );
  t.ok(
    lines.every((line) => line.returned + line.destroyed <= line.affected),
    'nothing over what was asked',
  );
  t.notOk(recoveredAll(after, shop), 'the 2 loose are still owed');
  const rest = await report(t, world, shop, recall, [{ lotCode: lot, destroyed: 2 }], 'the shop destroys the 2 loose');
  t.ok(recoveredAll(rest, shop), 'then the shop recovered all the recall asked of it');
});

t.test('a report counts for another recall of its lot only if made after it opened, in the same instant too', async (t) => {
  // one clock reading for every act: the order the acts were made in is all that tells them apart
  const instant = new Date('2026-06-01T02:00:00Z');
  const world = await createWorld(t, undefined, { now: () => instant });
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 20);
  await world.handOver(farm, shop, lot, 10);
  const open = async (reason: string, also: string[] = []) =>
    (await world.ok(farm.api.post('/recalls', { lotCodes: [lot, ...also], level: 2, reason, hazard: 'h' }))) as Recall;
  const first = await open('标签错误');
  await report(t, world, shop, first, [{ lotCode: lot, destroyed: 4 }], 'the shop destroys 4 under the first recall');
  const second = await open('农残超标', [await endedLot(world, farm)]);
  t.match(
    linesOf(second, shop),
    [{ lotCode: lot, affected: 6, returned: 0, destroyed: 0 }],
    'the second asks for the 6 left, none of them recovered: the 4 were gone before it opened',
  );
  const afterSecond = await report(t, world, shop, second, [{ lotCode: lot, destroyed: 6 }], 'the shop destroys the 6 under the second');
  t.match(linesOf(afterSecond, shop), [{ affected: 6, destroyed: 6 }]);
  const firstView = (await world.ok(world.regulator.get(`/recalls/${first.id}`), 200)) as Recall;
  t.match(
    linesOf(firstView, shop),
    [{ lotCode: lot, affected: 10, returned: 0, destroyed: 10 }],
    'the first, open before, counts both reports',
  );
});

t.test('a case another holder returned counts for the farm under a recall only if it recorded the farm holding it', async (t) => {
  const { world, farm, dealer, shop, lot, pack, recallOf } = await packedWorld(t);
  const box = await pack([{ lotCode: lot, quantity: 3 }]);
  await world.handOver(dealer, shop, box);
  const first = await recallOf();
  t.match(
    linesOf(first, farm).find((line) => line.lotCode === lot),
    { affected: 8 },
    'the farm holds 8 loose',
  );
  await report(t, world, shop, first, [{ lotCode: box, returned: 1 }], 'the shop returns the case to the farm');
  const [returned] = (await world.ok(farm.api.get('/shipments'), 200)).items.filter(
    (shipment: { fromPartyCode: string }) => shipment.fromPartyCode === shop.code,
  );
  await world.ok(farm.event({ type: 'receive', shipmentId: returned.id, eventTime: returned.shippedAt }));
  const second = await recallOf([await endedLot(world, farm)]);
  await report(t, world, farm, second, [{ lotCode: box, destroyed: 1 }], 'the farm destroys the case under the second recall');
  const after = (await world.ok(world.regulator.get(`/recalls/${first.id}`), 200)) as Recall;
  t.match(
    linesOf(after, farm).find((line) => line.lotCode === lot),
    { affected: 8, returned: 0, destroyed: 0 },
    'the farm’s 8 loose are untouched: the first recall never recorded it holding the case',
  );
  t.match(
    linesOf(after, shop).find((line) => line.lotCode === lot),
    { affected: 3, returned: 3 },
    'the shop keeps its credit',
  );
});

t.test('progress weighs a case by the lots packed in it, once: a container is no unit of its own', async (t) => {
  const world = await createWorld(t);
  const [plant, dealer] = [await world.party('processor'), await world.party('distributor')];
  const regulator = await world.partyRegulator();
  const lot = await plant.commission(await plant.product('piece'), 100);
  const box = await plant.pack([{ lotCode: lot, quantity: 5 }]);
  await world.handOver(plant, dealer, box);
  await world.handOver(plant, dealer, lot);
  const recall = (await world.ok(
    regulator.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }),
  )) as Recall;
  t.match(
    linesOf(recall, dealer).find((line) => line.lotCode === box),
    { unit: 'container', affected: 1 },
    'the dealer’s lines name the case, which it reports',
  );
  type Progress = { share: number; byUnit: { unit: string; affected: number; recovered: number }[] };
  /** The recall's progress in its view and in the list of recalls, which sums it apart. */
  const progress = async (): Promise<Progress> => {
    const viewed = (await world.ok(regulator.get(`/recalls/${recall.id}`), 200)).progress;
    const listed = (await world.ok(regulator.get('/recalls'), 200)).items.find((item: { id: string }) => item.id === recall.id).progress;
    t.same(listed, viewed, 'the list sums it as the view does');
    return viewed;
  };
  t.same(await progress(), { share: 0, byUnit: [{ unit: 'piece', affected: 100, recovered: 0, share: 0 }] }, 'the product only');

  await report(t, world, dealer, recall, [{ lotCode: box, returned: 1 }], 'the dealer returns the case');
  t.same(
    await progress(),
    { share: 0.05, byUnit: [{ unit: 'piece', affected: 100, recovered: 5, share: 0.05 }] },
    'the 5 pieces in it are back, 95 are still out',
  );
  const twice = expectStatus(
    t,
    await dealer.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, returned: 100 }] }),
    422,
    'the pieces that went back in the case are not reported again loose',
  );
  t.match(twice.body, { detail: /95 left to recover$/ });
  await report(t, world, dealer, recall, [{ lotCode: lot, destroyed: 95 }], 'the dealer destroys the 95 loose');
  t.same(await progress(), { share: 1, byUnit: [{ unit: 'piece', affected: 100, recovered: 100, share: 1 }] }, 'all of it, counted once');
});

t.test('a recall of an empty container alone counts the container: 0 % until it is reported back', async (t) => {
  const world = await createWorld(t);
  const [plant, dealer] = [await world.party('processor'), await world.party('distributor')];
  const regulator = await world.partyRegulator();
  const lot = await plant.commission(await plant.product('piece'), 100);
  const box = await plant.pack([{ lotCode: lot, quantity: 5 }]);
  // an empty box is not shipped: the dealer receives it full and empties it
  await world.handOver(plant, dealer, box);
  await world.ok(dealer.event({ type: 'disaggregate', parentCode: box }));
  const recall = (await world.ok(regulator.post('/recalls', { lotCodes: [box], level: 2, reason: '包装污染', hazard: '油墨' }))) as Recall;
  t.match(linesOf(recall, dealer), [{ lotCode: box, affected: 1, returned: 0 }], 'the dealer is asked for the box');
  const progress = async () => {
    const viewed = (await world.ok(regulator.get(`/recalls/${recall.id}`), 200)).progress;
    const listed = (await world.ok(regulator.get('/recalls'), 200)).items.find((item: { id: string }) => item.id === recall.id).progress;
    t.same(listed, viewed, 'the list (and the dashboard drawn from it) sums it as the view does');
    return viewed;
  };
  t.same(
    await progress(),
    { share: 0, byUnit: [{ unit: 'container', affected: 1, recovered: 0, share: 0 }] },
    'nothing is recovered yet: not 100 % as it opens',
  );
  await report(t, world, dealer, recall, [{ lotCode: box, destroyed: 1 }], 'the dealer destroys the box');
  t.same(await progress(), { share: 1, byUnit: [{ unit: 'container', affected: 1, recovered: 1, share: 1 }] }, 'the box is dealt with');
});

t.test('a case named as a class in kilograms is refused; named as the case it is, progress leaves it out', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const regulator = await world.partyRegulator();
  const requests = epcisRequests(world);
  const objectEvent = (event: object) => ({ type: 'ObjectEvent', eventTimeZoneOffset: '+08:00', ...event });
  const post = (event: object) => requests.post(farm.key, '/epcis/capture', epcisDocument([objectEvent(event)]));
  const capture = (event: object) => requests.capture(farm.key, [objectEvent(event)]);
  const lotUri = 'https://id.gs1.org/01/06901234000016/10/FARM-X';
  const caseUri = 'urn:epc:id:sscc:6901234.0000000024';
  const at = (hour: number) => `2026-03-01T0${hour}:00:00+08:00`;
  t.match(
    await capture({
      eventTime: at(8),
      action: 'ADD',
      bizStep: 'commissioning',
      quantityList: [{ epcClass: lotUri, quantity: 10, uom: 'KGM' }],
    }),
    { success: true },
  );
  const asClass = await post({
    eventTime: at(8),
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass: caseUri, quantity: 500, uom: 'KGM' }],
  });
  t.equal(asClass.statusCode, 400, 'a case is no class of 500 kg');
  t.match(asClass.json().errors, [{ pointer: '/epcisBody/eventList/0/quantityList/0/epcClass', detail: /is an SSCC/ }]);
  t.match(
    await capture({
      type: 'AggregationEvent',
      eventTime: at(9),
      action: 'ADD',
      bizStep: 'packing',
      parentID: caseUri,
      childQuantityList: [{ epcClass: lotUri, quantity: 2, uom: 'KGM' }],
    }),
    { success: true },
  );
  const lot = (await farm.api.get(`/trace/${encodeURIComponent(lotUri)}`)).body.nodes[0].code;
  const recall = (await world.ok(
    regulator.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }),
  )) as Recall & { progress: object };
  t.same(
    linesOf(recall, farm)
      .map(({ unit, affected }: Line & { unit?: string }) => `${affected} ${unit}`)
      .sort(),
    ['1 container', '10 KGM'],
    'the lot, and the case as one of its own',
  );
  t.same(
    recall.progress,
    { share: 0, byUnit: [{ unit: 'KGM', affected: 10, recovered: 0, share: 0 }] },
    'the 10 kg of the lot, not the case',
  );
});
