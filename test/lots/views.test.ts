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

t.test('a transformed lot’s making is its maker’s books: a receiver sees neither the transformation nor its yield gap', async (t) => {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const store = await world.party('cold_storage');
  const fresh = await maker.commission(await maker.product('kg'), 100);
  // curing keeps at most 70 % of the weight: 80 kg out of 100 kg is 10 kg more than the inputs can give
  const [ham] = (
    await world.ok(
      maker.event({
        type: 'transform',
        process: { kind: 'curing' },
        inputs: [{ lotCode: fresh, quantity: 100 }],
        outputs: [{ productCode: await maker.product('kg'), quantity: 80 }],
      }),
    )
  ).createdLotCodes;
  await world.handOver(maker, store, ham, 80);

  const sheet = async (api: typeof maker.api) => (await world.ok(api.get(`/lots/${ham}/balance-sheet`), 200)) as any;
  const making = { partyCode: maker.code, kind: 'curing', input: 100, output: 80, gap: 10, share: 1 };

  const received = await sheet(store.api);
  t.match(received.massBalance, { received: 80, onHand: 80, unaccounted: 0 }, 'the store’s own stock');
  t.equal(received.madeBy, null, 'the store sees nothing of how the maker made the lot');
  t.match(received, { gap: 0, closes: true }, 'and its own books close on their own');

  const made = await sheet(maker.api);
  t.match(made.massBalance, { produced: 80, shipped: 80, onHand: 0, unaccounted: 0 });
  t.match(made, { madeBy: making, gap: 10, closes: false }, 'the maker answers for its yield gap');

  const whole = await sheet(world.regulator);
  t.match(whole.massBalance, { produced: 80, onHand: 80, unaccounted: 0 });
  t.match(whole, { madeBy: making, gap: 10, closes: false }, 'a regulator sees the whole lot and how it was made');
});

t.test('a shipment declared in error sent its addressee nothing: the lot is not its to read', async (t) => {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const wrong = await world.party('retailer');
  const right = await world.party('retailer');
  const lot = await maker.commission(await maker.product('kg'), 10, { attributes: { quarantineCertificate: 'QC-1' } });
  const reads = async (api: typeof maker.api) => ({
    lot: (await api.get(`/lots/${lot}`)).status,
    trace: (await api.get(`/trace/${lot}`)).status,
  });

  const shipped = await world.ok(maker.event({ type: 'ship', toPartyCode: wrong.code, lines: [{ lotCode: lot, quantity: 4 }] }));
  t.same(await reads(wrong.api), { lot: 200, trace: 200 }, 'while the shipment is on its way, its addressee reads the lot');
  await world.ok(maker.event({ type: 'correction', correctsEventId: shipped.event.id, reason: 'sent to the wrong shop' }));
  t.same(await reads(wrong.api), { lot: 403, trace: 403 }, 'once it is declared in error, the lot is none of its business');
  t.equal(
    (await wrong.api.get('/shipments?status=cancelled')).body.items[0]?.id,
    shipped.shipmentId,
    'it still sees the shipment, cancelled',
  );

  await world.handOver(maker, right, lot, 4);
  t.same(await reads(right.api), { lot: 200, trace: 200 }, 'the right addressee reads it');
  t.same(await reads(maker.api), { lot: 200, trace: 200 }, 'and so does its owner');
});
