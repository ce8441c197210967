// lot_balances is the quantity ledger summed per lot, party and container, kept by the database as
// movements are inserted. Whatever the writer records (commissions, packing, shipments in transit,
// receipts, unpacking, sales, transformations, corrections that reverse), the two never differ.
import { sql } from 'drizzle-orm';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { queryRows } from '../../src/db/client.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const balanceRows = async (world: World) =>
  Number((await queryRows<{ count: number }>(world.database.db, sql`select count(*)::int as count from lot_balances`))[0].count);

t.test('balances follow every kind of movement, including corrections', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const kg = await plant.product('kg');
  const lot = await plant.commission(kg, 100);

  const packed = await plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 60 }] });
  expectStatus(t, packed, 201, 'pack 60 kg into a case');
  const caseCode = packed.body.createdLotCodes[0];
  const shipmentId = await plant.ship(store, [{ lotCode: caseCode }]);
  t.same(await balanceDifferences(world.database), [], 'while the case is in transit');
  await store.receive(shipmentId);
  expectStatus(t, await store.event({ type: 'disaggregate', parentCode: caseCode }), 201, 'unpack the case');
  expectStatus(t, await store.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 12.5 }] }), 201, 'sell from it');
  const [sausage] = await plant.transform([{ lotCode: lot, quantity: 30 }], [{ productCode: kg, quantity: 20 }]);
  const sold = await plant.event({ type: 'sell', lines: [{ lotCode: sausage, quantity: 5 }] });
  expectStatus(t, sold, 201, 'sell the output');
  expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: sold.body.event.id, reason: 'sold twice by mistake' }),
    201,
    'declare the sale in error',
  );

  t.same(await balanceDifferences(world.database), [], 'every balance equals the ledger summed');
  const rows = await queryRows<{ partyCode: string; containerCode: string | null; quantity: string }>(
    world.database.db,
    sql`select party_code as "partyCode", container_code as "containerCode", quantity::text as quantity
    from lot_balances where lot_code = ${sausage}`,
  );
  t.same(rows, [{ partyCode: plant.code, containerCode: null, quantity: '20.000' }], 'the reversed sale is back on hand');
  t.same(
    (await world.regulator.get(`/lots/${lot}`)).body.holders.sort((a: { partyCode: string }, b: { partyCode: string }) =>
      a.partyCode.localeCompare(b.partyCode),
    ),
    [
      { partyCode: plant.code, onHand: 10 },
      { partyCode: store.code, onHand: 47.5 },
    ].sort((a, b) => a.partyCode.localeCompare(b.partyCode)),
    'and they agree with the holders the lot shows a regulator',
  );
});

t.test('the demo chain: balances for every lot it moves', async (t) => {
  const world = await createWorld(t);
  await seedDemoChain(world.app.services);
  t.ok((await balanceRows(world)) > 10, 'the chain moves many lots');
  t.same(await balanceDifferences(world.database), [], 'every balance equals the ledger summed');
});
