// How a correction reads the shipments its event opened or closed, and the open ones carrying the
// lots it books back: by that event and those lots, however many shipments there are. As in
// shipment-scan.test.ts, 50,000 open shipments, as a busy deployment holds (PostgreSQL).
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
  'a correction reads the shipments of its event and of its lots, not every shipment and line (PostgreSQL)',
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
    const db = world.database.db;
    await db.execute(sql`insert into lots (code, kind, party_code, product_code, quantity, unit, attributes, status, created_by_event_id)
      select 'BULK' || i, kind, party_code, product_code, quantity, unit, attributes, status, created_by_event_id
      from lots, generate_series(1, ${OPEN}) i where code = ${lot}`);
    await db.execute(sql`insert into shipments (id, ship_event_id, from_party_code, to_party_code, status, shipped_at)
      select 'BULK' || i, (select created_by_event_id from lots where code = ${lot}), s.from_party_code, s.to_party_code, 'open', s.shipped_at
      from shipments s, generate_series(1, ${OPEN}) i where s.id = ${onItsWay}`);
    await db.execute(sql`insert into shipment_lines (shipment_id, lot_code, quantity, party_code)
      select 'BULK' || i, 'BULK' || i, 1, ${farm.code} from generate_series(1, ${OPEN}) i`);
    await db.execute(sql`analyze lots, shipments, shipment_lines`);
    const [shipping, receiving] = await queryRows<{ shipEventId: string; receiveEventId: string | null }>(
      db,
      sql`select ship_event_id as "shipEventId", receive_event_id as "receiveEventId" from shipments
        where id = any(${sql.param([onItsWay, received])}::text[]) order by array_position(${sql.param([onItsWay, received])}::text[], id)`,
    );

    const repository = createEventWriterRepository();
    for (const [name, party, eventId, ofTarget] of [
      ['the shipping', farm.code, shipping.shipEventId, onItsWay],
      ['the receipt', shop.code, receiving.receiveEventId as string, received],
    ] as const) {
      const { shipments, read } = await db.transaction(async (tx) => {
        const rowsRead = async () =>
          (
            await queryRows<{ read: number }>(
              tx,
              sql`select coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)::int as read from pg_stat_xact_user_tables
                where relname in ('shipments', 'shipment_lines')`,
            )
          )[0].read;
        const before = await rowsRead();
        const facts = await repository.correctionFacts(tx as never, party, [eventId], { lotCodes: [], shipmentIds: [] });
        return { shipments: facts?.shipments.map((shipment) => shipment.id), read: (await rowsRead()) - before };
      });
      t.same(shipments, [ofTarget], `${name}'s shipment is found`);
      t.ok(read <= 20, `${name}: ${read} shipments and lines read (of ${2 * OPEN + 4})`);
    }
  },
);
