// The shipment service with exactly its narrowed repository, on a real database; shipments are
// made and received through the event service, as the API makes them.
import { createShipmentService } from '../../src/shipments/service.js';
import { ADMIN, createChain, narrow, REGULATOR } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('shipments', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const service = createShipmentService({ shipments: narrow(chain.repositories.shipments, ['list']) });
  const all = { limit: 100, offset: 0 };
  const ids = (page: { items: { id: string }[] }) => page.items.map((shipment) => shipment.id);

  t.test('an operator lists what it shipped or was sent; regulators and admins any party’s', async (t) => {
    const farm = await chain.party('farm');
    const plant = await chain.party('slaughterhouse');
    const shop = await chain.party('retailer');
    const pigs = await farm.product('head');
    const meat = await plant.product('kg');
    const toPlant = await farm.ship(plant, [{ lotCode: await farm.commission(pigs, 3) }]);
    const toShop = await plant.ship(shop, [{ lotCode: await plant.commission(meat, 50) }]);

    t.same(ids(await service.list(farm.principal, all)), [toPlant], 'the farm: what it shipped');
    t.same(ids(await service.list(shop.principal, all)), [toShop], 'the shop: what it was sent');
    t.same(ids(await service.list(plant.principal, all)), [toShop, toPlant], 'the plant: both, newest first');
    t.same(ids(await service.list(plant.principal, { ...all, partyCode: plant.code })), [toShop, toPlant], 'asking for its own');
    await t.rejects(service.list(plant.principal, { ...all, partyCode: farm.code }), {
      status: 403,
      message: `party ${plant.code} may not list shipments of ${farm.code}`,
    });
    t.same(ids(await service.list(REGULATOR, { ...all, partyCode: plant.code })), [toShop, toPlant], "a regulator: the party's");
    const everything = ids(await service.list(ADMIN, all));
    t.ok(everything.includes(toPlant) && everything.includes(toShop), 'an admin without a party: every shipment');
  });

  t.test('filtered by status and paged', async (t) => {
    const farm = await chain.party('farm');
    const plant = await chain.party('slaughterhouse');
    const pigs = await farm.product('head');
    const first = await farm.ship(plant, [{ lotCode: await farm.commission(pigs, 1) }]);
    const second = await farm.ship(plant, [{ lotCode: await farm.commission(pigs, 1) }]);
    const third = await farm.ship(plant, [{ lotCode: await farm.commission(pigs, 1) }]);
    await plant.receive(second);
    t.same(ids(await service.list(farm.principal, { ...all, status: 'open' })), [third, first]);
    t.same(ids(await service.list(farm.principal, { ...all, status: 'received' })), [second]);
    t.same(ids(await service.list(farm.principal, { limit: 1, offset: 1 })), [second], 'the second newest, alone');
  });

  t.test('receive rules, and what the shipment shows after each', async (t) => {
    const farm = await chain.party('farm');
    const plant = await chain.party('slaughterhouse');
    const stranger = await chain.party('slaughterhouse');
    const pigs = await farm.product('head');
    const lot = await farm.commission(pigs, 10);
    const other = await farm.commission(pigs, 4);
    const id = await farm.ship(plant, [{ lotCode: lot }, { lotCode: other, quantity: 2 }]);
    const shipment = async () => (await service.list(plant.principal, all)).items.find((listed) => listed.id === id);
    /** lot → [shipped, received] */
    const lines = async () =>
      Object.fromEntries((await shipment())?.lines.map((line) => [line.lotCode, [line.quantity, line.receivedQuantity]]) ?? []);
    t.match(await shipment(), { status: 'open', fromPartyCode: farm.code, toPartyCode: plant.code, receivedAt: null });
    t.same(await lines(), { [lot]: [10, null], [other]: [2, null] });

    await t.rejects(plant.receive('no-such-shipment'), {
      status: 422,
      slug: 'unknown-shipment',
      errors: [{ pointer: '/shipmentId', detail: 'unknown shipment' }],
    });
    await t.rejects(
      stranger.receive(id),
      {
        status: 422,
        slug: 'unknown-shipment',
        message: `no shipment ${id}`,
        errors: [{ pointer: '/shipmentId', detail: 'unknown shipment' }],
      },
      "another party's shipment reads as an unknown id, naming nobody",
    );
    await t.rejects(
      farm.receive(id),
      { status: 403, message: `shipment ${id} is addressed to ${plant.code}, not ${farm.code}` },
      'its sender is told',
    );
    await t.rejects(plant.receive(id, [{ lotCode: lot, quantity: 11 }]), {
      status: 422,
      errors: [{ pointer: '/lines/0/quantity', detail: 'at most 10' }],
    });
    const notShipped = await farm.commission(pigs, 1);
    await t.rejects(plant.receive(id, [{ lotCode: notShipped, quantity: 1 }]), {
      status: 422,
      errors: [{ pointer: '/lines/0/lotCode', detail: 'not in the shipment' }],
    });
    await t.rejects(plant.receive(id, [{ lotCode: lot, quantity: 0.5 }]), { status: 400, errors: [{ pointer: '/lines/0/quantity' }] });
    t.match(await shipment(), { status: 'open', receiveEventId: null }, 'refused receipts leave it open and untouched');

    const receipt = await plant.receive(id, [{ lotCode: lot, quantity: 9 }]);
    t.match(await shipment(), { status: 'received', receiveEventId: receipt.event.id, receivedAt: Date });
    t.same(await lines(), { [lot]: [10, 9], [other]: [2, 2] }, 'one pig died on the road; a line left out is received in full');
    await t.rejects(plant.receive(id), { status: 409, message: `shipment ${id} is received, not open` });
  });
});
