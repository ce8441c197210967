// Migration 0034: items keep when the scan that gave their last region was. Items scanned before it
// are backfilled from the scans log, or, where the log tells nothing, from the latest scan's time.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createChain } from '../fixtures/chain.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('the time of an item’s last region is backfilled from its scans, else from its latest scan', async (t) => {
  const database = await openTestDatabase(t);
  const start = Date.parse('2026-11-01T10:00:00Z');
  let clock = start;
  const chain = createChain(database, { now: () => new Date(clock) });
  const { resolver, scans } = chain.services;
  const farm = await chain.party('processor');
  const lot = await farm.commission(await farm.product('piece'), 10);
  const [logged, unlogged, never] = await farm.items(lot, 3);
  const scan = async (code: string, at: number, userAgent: string, region: string | null) => {
    clock = at;
    await resolver.resolveCode(code, { record: true, region, ip: '203.0.113.1', userAgent });
    await scans.flush();
  };
  await scan(logged, start, 'phone', '500236');
  await scan(logged, start + 3_600_000, 'another browser', '110101');
  await scan(logged, start + 2 * 3_600_000, 'a third browser', null);
  await scan(unlogged, start, 'phone', '110101');
  await scan(unlogged, start + 3_600_000, 'another browser', null);

  const { db } = database;
  // as stored before the migration: no time of the region; one item's scans no longer in the log
  await queryRows(db, sql`update items set last_region_at = null where code in (${logged}, ${unlogged})`);
  await queryRows(db, sql`delete from scans where item_code = ${unlogged}`);
  await queryRows(db, sql.raw(migrationStatement('0035_items_last_region_at.sql', 1)));

  const rows = await queryRows<{ code: string; last_region: string | null; last_region_at: Date | string | null }>(
    db,
    sql`select code, last_region, last_region_at from items where code in (${logged}, ${unlogged}, ${never})`,
  );
  const byCode = new Map(rows.map((row) => [row.code, row]));
  const at = (code: string) => {
    const value = byCode.get(code)?.last_region_at;
    return value === null || value === undefined ? null : new Date(value).toISOString();
  };
  t.equal(at(logged), new Date(start + 3_600_000).toISOString(), 'the latest logged scan in its last region');
  t.equal(at(unlogged), new Date(start + 3_600_000).toISOString(), 'no scan logged: the latest scan’s time, the best known');
  t.equal(at(never), null, 'never scanned: none');
  t.equal(byCode.get(logged)?.last_region, '110101', 'the region itself untouched');
});
