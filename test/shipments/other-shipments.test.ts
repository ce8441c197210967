// A lot received from one shipment while more of it is still on its way on another: its status
// follows from every open shipment carrying it, not only the one received.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

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
