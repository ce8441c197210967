// A shipment's lines read back in the order its ship event sent them, on every read: a line
// received in part is rewritten, and a read in no set order lists it after the others.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Listed = { id: string; lines: { lotCode: string; quantity: number; receivedQuantity: number | null }[] };

t.test('a shipment lists its lines in the order they were sent, a container followed by its contents in code order', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const meat = await plant.product('kg');
  const [low, mid, high] = (await Promise.all([1, 2, 3].map(() => plant.commission(meat, 10)))).sort();
  const [first, second] = (await Promise.all([1, 2].map(() => plant.commission(meat, 10)))).sort();
  // packed in the reverse of their code order
  const packed = await world.ok(
    plant.event({
      type: 'aggregate',
      parent: {},
      children: [
        { lotCode: second, quantity: 2 },
        { lotCode: first, quantity: 3 },
      ],
    }),
  );
  const box = packed.createdLotCodes[0] as string;
  const sent = [mid, box, high, low];
  const shipmentId = await plant.ship(
    shop,
    sent.map((lotCode) => ({ lotCode, ...(lotCode === box ? {} : { quantity: 1 }) })),
  );
  // a line received in part is stored anew
  await world.ok(shop.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: mid, quantity: 1 }] }));

  const inOrder = [mid, box, high, low, first, second];
  for (const [name, actor] of [
    ['its sender', plant.api],
    ['its addressee', shop.api],
    ['a regulator', world.regulator],
  ] as const) {
    for (const read of ['first', 'second']) {
      const listed = expectStatus(t, await actor.get('/shipments'), 200, `${name} lists shipments`).body.items as Listed[];
      const shipment = listed.find((item) => item.id === shipmentId);
      t.same(
        shipment?.lines.map((line) => line.lotCode),
        inOrder,
        `${name}, ${read} read: the lines as sent, the box's contents after them`,
      );
    }
  }
});
