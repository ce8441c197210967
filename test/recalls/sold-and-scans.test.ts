// What a recall's scope had sold to consumers before it opened, and how often its packs were scanned
// since: on the recall and on its report page, to the readers of the whole recall.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a recall counts the sales before it and the scans of its packs since', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 100);
  const [made] = await plant.transform([{ lotCode: lot, quantity: 10 }], [{ productCode: product, quantity: 10 }]);
  const untouched = await plant.commission(product, 7);
  await world.handOver(plant, shop, lot, 40);
  await world.ok(shop.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 5 }] }));
  await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 3 }] }));
  await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: made, quantity: 2.5 }] }));
  await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: untouched, quantity: 1 }] }));
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '抽检不合格', hazard: '瘦肉精超标' }));

  const opened = new Date(recall.openedAt).getTime();
  const scanned = (id: string, itemCode: string | null, lotCode: string, at: number) =>
    queryRows(
      world.database.db,
      sql`insert into scans (id, item_code, raw_code, lot_code, scanned_at, ip_hash, client_hash)
        values (${id}, ${itemCode}, ${itemCode ?? lotCode}, ${lotCode}, ${new Date(at).toISOString()}::timestamptz, 'ip', 'phone')`,
    );
  await scanned('s1', 'PACK1', lot, opened - 3_600_000); // before it opened
  await scanned('s2', 'PACK1', lot, opened + 60_000);
  await scanned('s3', 'PACK2', made, opened + 120_000);
  await scanned('s4', null, lot, opened + 60_000); // the lot's own label, not a pack
  await scanned('s5', 'PACK3', untouched, opened + 60_000); // outside the scope

  const sold = {
    lots: [
      { lotCode: lot, unit: 'kg', quantity: 8 },
      { lotCode: made, unit: 'kg', quantity: 2.5 },
    ].sort((a, b) => (a.lotCode < b.lotCode ? -1 : 1)),
    total: [{ unit: 'kg', quantity: 10.5 }],
  };
  for (const [who, api] of [
    ['the regulator', world.regulator],
    ['the opener', plant.api],
  ] as const) {
    const { body } = await api.get(`/recalls/${recall.id}`);
    t.same(body.soldBeforeRecall, sold, `${who}: sold per lot of the scope before it opened, and the total`);
    t.equal(body.scans, 2, `${who}: scans of its packs since it opened`);
  }
  const holder = await shop.api.get(`/recalls/${recall.id}`);
  t.equal(holder.body.soldBeforeRecall, null, 'a holder that did not open it sees its own line only');
  t.equal(holder.body.scans, null);

  const page = await plant.api.get(`/recalls/${recall.id}/report?format=html`);
  t.match(page.body, '召回前已售');
  t.match(page.body, '10.5 千克');
  t.match(page.body, '召回后扫码');
});
