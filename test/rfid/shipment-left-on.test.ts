// An entry gate receives the shipment each pack read actually left on, when the sender's exit gate
// counted the pack leaving in one of the open shipments to the party: two shipments of one lot on
// their way, the later one's packs arriving first receive the later one. Packs no exit gate counted
// (a shipment sent by API alone) go to the lot's first open loose line, as before.
import { exitAndEntryGates, issuePacks } from '../fixtures/rfid-world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('an entry gate receives the shipment each pack left on', async (t) => {
  const { world, tag, drain, maker, store, makerReader, dock, storeReader, door, post, packedLot, outcomes, received } =
    await exitAndEntryGates(t);

  await t.test('the later shipment’s packs, counted leaving in it, receive it; the earlier stays open', async (t) => {
    const lot = await packedLot(100, 6);
    const earlier = await maker.ship(store, [{ lotCode: lot, quantity: 3 }]);
    await post(makerReader, [100, 101, 102], 1);
    await drain();
    const later = await maker.ship(store, [{ lotCode: lot, quantity: 3 }]);
    await post(makerReader, [103, 104, 105], 2);
    await drain();
    t.same(
      await outcomes(maker, dock.readPointId, [100, 103]),
      [[['departed', earlier]], [['departed', later]]],
      'the exit gate counted each shipment’s packs',
    );

    await post(storeReader, [103, 104], 10);
    await drain();
    t.same(
      await outcomes(store, door.readPointId, [103]),
      [[['observed', `2 of the 3 packs of lot ${lot} shipped loose read`]]],
      'two of the later shipment’s three: waiting for it',
    );
    await post(storeReader, [105], 11);
    await drain();
    t.same(await outcomes(store, door.readPointId, [103, 105]), [[['received', later]], [['received', later]]]);
    t.same(await received(later), [3], 'the later shipment is received');
    t.same(await received(earlier), [null], 'the earlier one stays in transit');

    await post(storeReader, [100, 101, 102], 20);
    await drain();
    t.same(await outcomes(store, door.readPointId, [100]), [[['received', earlier]]], 'its own packs receive it');
    t.same(await received(earlier), [3]);
    t.match((await maker.lot(lot)).massBalance, { inTransit: 0, transitLoss: 0 });
  });

  await t.test('exit and entry reads turned into events together: the exit’s count is known', async (t) => {
    const lot = await packedLot(200, 4);
    const earlier = await maker.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await post(makerReader, [200, 201], 1);
    await drain();
    const later = await maker.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await post(makerReader, [202, 203], 2);
    await post(storeReader, [202, 203], 10);
    await drain();
    t.same(await outcomes(maker, dock.readPointId, [202]), [[['departed', later]]]);
    t.same(await outcomes(store, door.readPointId, [202, 203]), [[['received', later]], [['received', later]]]);
    t.same(await received(earlier), [null], 'the earlier one stays in transit');
  });

  await t.test('packs of item codes alike', async (t) => {
    const lot = await maker.commission(await maker.product('piece'), 4);
    const items = await issuePacks(world, maker, lot, 4);
    await world.ok(maker.api.post('/rfid/tags', { tags: items.map((code, n) => ({ epc: tag(400 + n), code })) }));
    const earlier = await maker.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await post(makerReader, [400, 401], 1);
    await drain();
    const later = await maker.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await post(makerReader, [402, 403], 2);
    await drain();
    await post(storeReader, [402, 403], 10);
    await drain();
    t.same(await outcomes(store, door.readPointId, [402, 403]), [[['received', later]], [['received', later]]]);
    t.same(await received(earlier), [null], 'the earlier one stays in transit');
  });

  await t.test('packs no exit gate counted leaving receive the first open shipment of their lot', async (t) => {
    const lot = await packedLot(300, 6);
    const earlier = await maker.ship(store, [{ lotCode: lot, quantity: 3 }]);
    const later = await maker.ship(store, [{ lotCode: lot, quantity: 3 }]);
    await post(storeReader, [303, 304, 305], 10);
    await drain();
    t.same(await outcomes(store, door.readPointId, [303]), [[['received', earlier]]]);
    t.same(await received(earlier), [3]);
    t.same(await received(later), [null]);
  });
});
