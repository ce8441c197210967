// The lot service with exactly its narrowed repositories, on a real database; lots are made and
// moved through the event service, as the API does.
import { createLotService } from '../../src/lots/service.js';
import { ADMIN, createChain, narrow, REGULATOR } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('lots', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const service = createLotService({
    lots: narrow(chain.repositories.lots, ['findByCodes', 'holdings', 'ledger', 'involvedParties', 'list']),
  });
  const all = { limit: 100, offset: 0 };
  const codes = (page: { items: { code: string }[] }) => page.items.map((lot) => lot.code).sort();
  const byParty = (holders: { partyCode: string; onHand: number }[]) => Object.fromEntries(holders.map((h) => [h.partyCode, h.onHand]));

  t.test('get: the lot with its holders and mass balance, for the parties involved and regulators', async (t) => {
    const farm = await chain.party('farm');
    const plant = await chain.party('slaughterhouse');
    const stranger = await chain.party('slaughterhouse');
    const pigs = await farm.product('head');
    const lot = await farm.commission(pigs, 10);
    const shipment = await farm.ship(plant, [{ lotCode: lot, quantity: 6 }]);

    const onTheRoad = await service.get(farm.principal, lot);
    t.match(onTheRoad, { code: lot, partyCode: farm.code, status: 'active', unit: 'head' });
    t.same(byParty(onTheRoad.holders), { [farm.code]: 4 }, 'what is on the road is held by nobody');
    t.match(onTheRoad.massBalance, { produced: 10, shipped: 6, inTransit: 6, onHand: 4, unaccounted: 0 });
    t.same(byParty((await service.get(plant.principal, lot)).holders), {}, 'the receiver-to-be reads it, but not the farm’s stock');
    await t.rejects(service.get(stranger.principal, lot), {
      status: 403,
      message: `party ${stranger.code} has never owned or held ${lot}; ask a regulator for it`,
    });

    await plant.receive(shipment, [{ lotCode: lot, quantity: 5 }]);
    await farm.event({ type: 'sell', lines: [{ lotCode: lot }] });
    const after = await service.get(REGULATOR, lot);
    t.same(byParty(after.holders), { [plant.code]: 5 }, 'a party that sold all it held is no longer a holder');
    t.same(byParty((await service.get(plant.principal, lot)).holders), { [plant.code]: 5 }, 'a holder sees its own holding');
    t.match(after.massBalance, { produced: 10, shipped: 6, received: 5, transitLoss: 1, sold: 4, onHand: 5, inTransit: 0, unaccounted: 0 });
    t.equal((await service.get(farm.principal, lot)).code, lot, 'a former holder still reads it');
    await t.rejects(service.get(ADMIN, 'BXXXXXXXXXXX'), { status: 404, message: 'no lot BXXXXXXXXXXX' });
  });

  t.test('list: an operator lists the lots it holds or held, whoever owns them', async (t) => {
    const farm = await chain.party('farm');
    const plant = await chain.party('slaughterhouse');
    const pigs = await farm.product('head');
    const kept = await farm.commission(pigs, 2);
    const sent = await farm.commission(pigs, 3);
    const shipment = await farm.ship(plant, [{ lotCode: sent }]);
    t.same(codes(await service.list(plant.principal, all)), [], 'sent but not received: not yet the plant’s');
    await plant.receive(shipment);
    const meat = await plant.product('kg');
    const [carcass] = await plant.transform([{ lotCode: sent, quantity: 3 }], [{ productCode: meat, quantity: 200 }]);

    t.same(codes(await service.list(farm.principal, all)), [kept, sent].sort(), 'the farm: its own, also the one it shipped');
    t.same(codes(await service.list(plant.principal, all)), [sent, carcass].sort(), 'the plant: the farm’s lot it held, and its own');
    t.same(codes(await service.list(plant.principal, { ...all, status: 'consumed' })), [sent], 'by status');
    t.same(codes(await service.list(plant.principal, { ...all, productCode: meat })), [carcass], 'by product');
    t.same(
      codes(await service.list(plant.principal, { ...all, partyCode: plant.code })),
      [carcass],
      'naming its own party as owner: the lots it owns, as the filter reads for a regulator',
    );
    await t.rejects(service.list(plant.principal, { ...all, partyCode: farm.code }), {
      status: 403,
      message: `party ${plant.code} may not list lots of ${farm.code}`,
    });
    t.same(codes(await service.list(REGULATOR, { ...all, partyCode: plant.code })), [carcass], 'a regulator: the lots the party owns');
    t.same(codes(await service.list(ADMIN, { ...all, partyCode: farm.code })), [kept, sent].sort());
  });

  t.test('a lot whose commissioning was corrected away is no longer listed', async (t) => {
    const farm = await chain.party('farm');
    const pigs = await farm.product('head');
    const recorded = await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 1 }] });
    await farm.event({ type: 'correction', correctsEventId: recorded.event.id, reason: 'recorded twice' });
    t.same(codes(await service.list(REGULATOR, { ...all, partyCode: farm.code })), []);
  });
});
