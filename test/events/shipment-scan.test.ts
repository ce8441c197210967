// How the writer reads the open shipments carrying the lots a batch names: by those lots, however
// many shipments are open. At a few dozen rows any plan reads a table whole, so this one holds
// 50,000 open shipments, as a busy deployment does (PostgreSQL: PGlite plans alike but loads slowly).
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { createWorld } from '../fixtures/world.js';
import { postgresReachable } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const postgresUp = await postgresReachable();
const OPEN = 50_000;

t.test(
  'the open shipments of a few lots are read by those lots, not among every open shipment (PostgreSQL)',
  { skip: postgresUp ? false : 'no PostgreSQL at DATABASE_URL or 127.0.0.1:5432' },
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const shop = await world.party('retailer');
    const kg = await farm.product('kg');
    const [lot, other] = [await farm.commission(kg, 100), await farm.commission(kg, 100)];
    const onItsWay = await farm.ship(shop, [{ lotCode: lot, quantity: 5 }]);
    const received = await farm.ship(shop, [{ lotCode: other, quantity: 5 }]);
    await shop.receive(received);
    // every other open shipment carries a lot of its own (copies of the lot, as stored rows)
    const db = world.database.db;
    await db.execute(sql`insert into lots (code, kind, party_code, product_code, quantity, unit, attributes, status, created_by_event_id)
      select 'BULK' || i, kind, party_code, product_code, quantity, unit, attributes, status, created_by_event_id
      from lots, generate_series(1, ${OPEN}) i where code = ${lot}`);
    await db.execute(sql`insert into shipments (id, ship_event_id, from_party_code, to_party_code, status, shipped_at)
      select 'BULK' || i, s.ship_event_id, s.from_party_code, s.to_party_code, 'open', s.shipped_at
      from shipments s, generate_series(1, ${OPEN}) i where s.id = ${onItsWay}`);
    await db.execute(sql`insert into shipment_lines (shipment_id, lot_code, quantity, party_code)
      select 'BULK' || i, 'BULK' || i, 1, ${farm.code} from generate_series(1, ${OPEN}) i`);
    await db.execute(sql`analyze lots, shipments, shipment_lines`);

    const repository = createEventWriterRepository();
    for (const [ids, lots, expected] of [
      [[], [lot, 'BULK17'], [onItsWay, 'BULK17']],
      [[received], [lot], [onItsWay, received]],
    ]) {
      const { found, read } = await db.transaction(async (tx) => {
        const shipmentsRead = async () =>
          (
            await queryRows<{ read: number }>(
              tx,
              sql`select coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)::int as read from pg_stat_xact_user_tables where relname = 'shipments'`,
            )
          )[0].read;
        const before = await shipmentsRead();
        const found = await repository.shipments(tx as never, ids, lots);
        return { found: found.map((shipment) => shipment.id), read: (await shipmentsRead()) - before };
      });
      t.same(found, [...expected].sort(), `finds ${expected.join(', ')}`);
      t.ok(read <= 2 * expected.length, `reads ${read} shipments for ${expected.length} (of ${OPEN + 2})`);
    }
  },
);
