// A lot received from one shipment while more of it is still on its way on another: its status
// follows from every open shipment carrying it, not only the one received.
import type { Test } from 'tap';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A plant's lot of 10 kg: 5 packed in a case it keeps, 5 on their way to a shop. */
async function halfPackedHalfShipped(t: Test) {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await plant.commission(await plant.product('kg'), 10);
  const caseCode = await plant.pack([{ lotCode: lot, quantity: 5 }]);
  await plant.ship(shop, [{ lotCode: lot, quantity: 5 }]);
  return { world, plant, lot, caseCode };
}

t.test('a lot split over two shipments and lost on one stays in transit while the other is on its way', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const butcher = await world.party('processor');
  const lot = await farm.commission(await farm.product('kg'), 10);
  const first = await farm.ship(plant, [{ lotCode: lot, quantity: 5 }]);
  const second = await farm.ship(butcher, [{ lotCode: lot, quantity: 5 }]);

  expectStatus(
    t,
    await plant.event({ type: 'receive', shipmentId: first, lines: [{ lotCode: lot, quantity: 0 }] }),
    201,
    'lost on the way to the plant',
  );
  const held = (await world.regulator.get(`/lots/${lot}`)).body;
  t.equal(held.massBalance.inTransit, 5, 'five are still on their way to the butcher');
  t.equal(held.status, 'in_transit', 'so the lot is in transit');

  expectStatus(t, await butcher.event({ type: 'receive', shipmentId: second }), 201, 'the butcher books its part in');
  t.equal((await world.regulator.get(`/lots/${lot}`)).body.status, 'active', 'held by the butcher');
});

t.test('a lot packed in a case destroyed while more of it is on its way on another shipment stays in transit', async (t) => {
  const { world, plant, lot, caseCode } = await halfPackedHalfShipped(t);

  expectStatus(t, await plant.event({ type: 'destroy', reason: '破损', lines: [{ lotCode: caseCode }] }), 201, 'the case is destroyed');
  const lotNow = (await world.regulator.get(`/lots/${lot}`)).body;
  t.match(lotNow.massBalance, { destroyed: 5, inTransit: 5 }, 'five destroyed in the case, five on their way to the shop');
  t.equal(lotNow.status, 'in_transit', 'so the lot is in transit, not destroyed');
});

t.test('a case its holder reports destroyed to a recall, while more of the lot in it is on its way: the lot stays recalled', async (t) => {
  const { world, plant, lot, caseCode } = await halfPackedHalfShipped(t);
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }));

  expectStatus(
    t,
    await plant.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: caseCode, destroyed: 1 }] }),
    201,
    'the plant destroys the case',
  );
  const lotNow = (await world.regulator.get(`/lots/${lot}`)).body;
  t.match(lotNow.massBalance, { destroyed: 5, inTransit: 5 }, 'five destroyed in the case, five on their way to the shop');
  t.equal(lotNow.status, 'recalled', 'the five on their way are still recalled, not the lot destroyed');
});
