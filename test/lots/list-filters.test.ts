// GET /lots for an operator: the lots it owns or has held, and with `partyCode` (its own code,
// the only one it may ask for) the lots it owns, as the filter says, not those others own.
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("an operator's owner filter keeps the lots it owns", async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const pork = await farm.product('kg');
  const farmLot = await farm.commission(pork, 100);
  await world.handOver(farm, plant, farmLot, 40);
  const ham = await plant.product('kg');
  const plantLot = await plant.commission(ham, 5);
  const codes = async (url: string) => ((await plant.api.get(url)).body.items as { code: string }[]).map((lot) => lot.code).sort();

  t.same(await codes('/lots'), [farmLot, plantLot].sort(), 'unfiltered: the lots it owns and those it holds');
  t.same(await codes(`/lots?partyCode=${plant.code}`), [plantLot], 'owned by the plant: its own lot only');
  const regulatorCodes = ((await world.regulator.get(`/lots?partyCode=${plant.code}`)).body.items as { code: string }[]).map(
    (lot) => lot.code,
  );
  t.same(regulatorCodes, [plantLot], 'as a regulator reads the same filter');
});

t.test('an operator does not list a lot it may no longer read: its receipt and the shipment declared in error', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('kg'), 10);
  // sent to the wrong shop, which booked it in: the receipt, then the shipment, are declared in error
  const shipped = await world.ok(farm.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot }] }));
  const received = await shop.receive(shipped.shipmentId);
  const listed = async () => ((await shop.api.get('/lots')).body.items as { code: string }[]).map((row) => row.code);
  t.same(await listed(), [lot], 'while it holds the lot, the shop lists it');
  await world.ok(shop.event({ type: 'correction', correctsEventId: received.event.id, reason: '收错了' }));
  await world.ok(farm.event({ type: 'correction', correctsEventId: shipped.event.id, reason: '发错了' }));

  t.equal((await shop.api.get(`/lots/${lot}`)).status, 403, 'the shop no longer reads the lot');
  t.same(await listed(), [], 'nor lists it');
  t.same(
    ((await farm.api.get('/lots')).body.items as { code: string }[]).map((row) => row.code),
    [lot],
    'its owner still does',
  );
});
