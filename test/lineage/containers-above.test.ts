// The walk up the containers a pack lies in (containersAboveWalk), as the scan page and the event
// writer take it: it reaches the outermost container however deep the nesting.
import { issuePacks } from '../fixtures/rfid-world.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a hold on a container 102 levels above a pack warns on its scan and refuses a packing into the innermost', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const packed = (hour: number, body: Record<string, unknown>) =>
    world.ok(plant.api.post('/events', { eventTime: at(hour), type: 'aggregate', parent: {}, ...body }));
  const lot = await plant.commission(product, 10);
  const other = await plant.commission(product, 10);
  const [pack] = await issuePacks(world, plant, lot, 1);
  const innermost = (await packed(10, { children: [], itemCodes: [pack] })).createdLotCodes[0] as string;
  let outermost = innermost;
  // once capped at 100 levels, the walk stopped short of the hold
  for (let level = 0; level < 101; level++) {
    outermost = (await packed(11, { children: [{ lotCode: outermost, quantity: 1 }] })).createdLotCodes[0] as string;
  }
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [outermost], reason: '待检' }), 201, 'the outermost container is held');

  const scan = await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` });
  t.ok(scan.json().warnings.includes('on_hold'), 'the pack warns that it is on hold');
  const packing = await plant.api.post('/events', {
    eventTime: at(12),
    type: 'aggregate',
    parent: { containerCode: innermost },
    children: [{ lotCode: other, quantity: 1 }],
  });
  expectStatus(t, packing, 409, 'packing into a container lying in a held one is refused');
});
