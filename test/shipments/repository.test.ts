// Trading partners, on which a party's contacts and site addresses are shown: only goods that
// were received make them.
import { createChain } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('trading partners are the parties between which a shipment was received, wholly or in part', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const { tradingPartners } = chain.repositories.shipments;
  const plant = await chain.party('processor');
  const meat = await plant.product('kg');
  const lot = await plant.commission(meat, 100);
  const partners = async () => [...(await tradingPartners(plant.code))].sort();

  const open = await chain.party('retailer');
  await plant.ship(open, [{ lotCode: lot, quantity: 1 }]);
  const cancelled = await chain.party('retailer');
  const taken = await plant.event({ type: 'ship', toPartyCode: cancelled.code, lines: [{ lotCode: lot, quantity: 1 }] });
  await plant.event({ type: 'correction', correctsEventId: taken.event.id, reason: 'sent by mistake' });
  const undone = await chain.party('retailer');
  const receipt = await undone.receive(await plant.ship(undone, [{ lotCode: lot, quantity: 1 }]));
  await undone.event({ type: 'correction', correctsEventId: receipt.event.id, reason: 'not ours' });
  t.same(await partners(), [], 'an open shipment, a cancelled one and one whose receipt was corrected make none');
  t.same([...(await tradingPartners(open.code))], [], 'nor the other way');

  const whole = await chain.party('retailer');
  await whole.receive(await plant.ship(whole, [{ lotCode: lot, quantity: 1 }]));
  const part = await chain.party('retailer');
  const other = await plant.commission(meat, 10);
  const shipmentId = await plant.ship(part, [
    { lotCode: lot, quantity: 1 },
    { lotCode: other, quantity: 1 },
  ]);
  await part.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: other, quantity: 1 }] });
  t.same(await partners(), [whole.code, part.code].sort(), 'a shipment received, and one received in part');
  t.same([...(await tradingPartners(part.code))], [plant.code], 'the other way too');
});
