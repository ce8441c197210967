// What a lot's views (GET /lots/{code} and its balance sheet) show each caller: a regulator the
// whole lot; an operator, the lot's owner too, only its own stock and uses, whose books close on
// their own.
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('an operator’s mass balance is of its own stock; a regulator’s of the whole lot', async (t) => {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const store = await world.party('cold_storage');
  const shop = await world.party('processor');
  const lot = await maker.commission(await maker.product('kg'), 300);
  await world.handOver(maker, store, lot, 200);
  const onward = await store.ship(shop, [{ lotCode: lot, quantity: 80 }]);
  await shop.receive(onward, [{ lotCode: lot, quantity: 78 }]);
  await store.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 12 }] });
  await shop.transform([{ lotCode: lot, quantity: 10 }], [{ productCode: await shop.product('kg'), quantity: 9 }]);
  await maker.ship(store, [{ lotCode: lot, quantity: 20 }]);

  const views = async (api: typeof maker.api) => {
    const lotView = (await api.get(`/lots/${lot}`)).body;
    const sheet = (await api.get(`/lots/${lot}/balance-sheet`)).body;
    t.same(sheet.massBalance, lotView.massBalance, 'the balance sheet weighs the same ledger as the lot');
    return { ...lotView, sheet };
  };

  const whole = await views(world.regulator);
  t.strictSame(whole.massBalance, {
    produced: 300,
    received: 278,
    consumed: 10,
    shipped: 300,
    destroyed: 0,
    sold: 12,
    onHand: 256,
    inTransit: 20,
    transitLoss: 2,
    unaccounted: 0,
  });
  t.equal(whole.holders.length, 3, 'a regulator sees every holder');
  t.strictSame((await views(world.admin)).massBalance, whole.massBalance, 'an admin sees the whole lot too');

  const stored = await views(store.api);
  t.strictSame(
    stored.massBalance,
    {
      produced: 0,
      received: 200,
      consumed: 0,
      shipped: 80,
      destroyed: 0,
      sold: 12,
      onHand: 108,
      inTransit: 0,
      transitLoss: 2,
      unaccounted: 0,
    },
    'the store: what it received, shipped on (2 kg lost on its shipment) and sold, and what it holds',
  );
  t.strictSame(stored.holders, [{ partyCode: store.code, onHand: 108 }]);
  t.match(stored.sheet, { gap: 0, closes: true, usedIn: [] });

  t.strictSame(
    (await views(shop.api)).massBalance,
    {
      produced: 0,
      received: 78,
      consumed: 10,
      shipped: 0,
      destroyed: 0,
      sold: 0,
      onHand: 68,
      inTransit: 0,
      transitLoss: 0,
      unaccounted: 0,
    },
    'the shop: what it received and used, not the loss on the store’s shipment',
  );

  const made = await views(maker.api);
  t.strictSame(
    made.massBalance,
    {
      produced: 300,
      received: 0,
      consumed: 0,
      shipped: 220,
      destroyed: 0,
      sold: 0,
      onHand: 80,
      inTransit: 20,
      transitLoss: 0,
      unaccounted: 0,
    },
    'the owner: what it made, shipped and holds, not what its customers did with the lot',
  );
  t.strictSame(made.holders, [{ partyCode: maker.code, onHand: 80 }], 'and only its own holding, as before');
  t.match(made.sheet, { gap: 0, closes: true });
});
