// How the writer reads shipments: the open ones carrying the lots a batch names, by those lots, and
// those a correction's event opened or closed, by that event, however many shipments are open. At a
// few dozen rows any plan reads a table whole, so this one holds 50,000 open shipments, as a busy
// deployment does (PostgreSQL: PGlite plans alike but loads slowly).
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../src/db/client.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { createWorld } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly('it counts the rows PostgreSQL reads');
const OPEN = 50_000;

/** Rows of `tables` the transaction has read so far, by scans and index fetches. */
async function rowsRead(tx: Db, tables: string[]) {
  const [{ read }] = await queryRows<{ read: number }>(
    tx,
    sql`select coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)::int as read from pg_stat_xact_user_tables
      where relname = any(${sql.param(tables)}::text[])`,
  );
  return read;
}

/** What `read` returns, and the rows of `tables` it read, in a transaction of its own. */
const measured = <T>(db: Db, tables: string[], read: (tx: Db) => Promise<T>) =>
  db.transaction(async (tx) => {
    const before = await rowsRead(tx as never, tables);
    const result = await read(tx as never);
    return { result, read: (await rowsRead(tx as never, tables)) - before };
  });

t.test('shipments are read by the lots and events named, not among every open shipment and line (PostgreSQL)', onPostgres, async (t) => {
  const world = await createWorld(t, 'postgres');
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const kg = await farm.product('kg');
  const [lot, other] = [await farm.commission(kg, 100), await farm.commission(kg, 100)];
  const onItsWay = await farm.ship(shop, [{ lotCode: lot, quantity: 5 }]);
  const received = await farm.ship(shop, [{ lotCode: other, quantity: 5 }]);
  await shop.receive(received);
  // every other open shipment carries a lot of its own (copies of the lot, as stored rows), shipped
  // by an event that is not the one corrected below
  const db = world.database.db;
  await db.execute(sql`insert into lots (code, kind, party_code, product_code, quantity, unit, attributes, status, created_by_event_id)
      select 'BULK' || i, kind, party_code, product_code, quantity, unit, attributes, status, created_by_event_id
      from lots, generate_series(1, ${OPEN}) i where code = ${lot}`);
  await db.execute(sql`insert into shipments (id, ship_event_id, from_party_code, to_party_code, status, shipped_at)
      select 'BULK' || i, (select created_by_event_id from lots where code = ${lot}), s.from_party_code, s.to_party_code, 'open', s.shipped_at
      from shipments s, generate_series(1, ${OPEN}) i where s.id = ${onItsWay}`);
  await db.execute(sql`insert into shipment_lines (shipment_id, lot_code, quantity, party_code, position)
      select 'BULK' || i, 'BULK' || i, 1, ${farm.code}, 0 from generate_series(1, ${OPEN}) i`);
  await db.execute(sql`analyze lots, shipments, shipment_lines`);
  const repository = createEventWriterRepository();

  for (const [ids, lots, expected] of [
    [[], [lot, 'BULK17'], [onItsWay, 'BULK17']],
    [[received], [lot], [onItsWay, received]],
  ]) {
    const { result, read } = await measured(db, ['shipments'], (tx) => repository.shipments(tx, ids, lots));
    t.same(
      result.map((shipment) => shipment.id),
      [...expected].sort(),
      `a batch finds ${expected.join(', ')}`,
    );
    t.ok(read <= 2 * expected.length, `reads ${read} shipments for ${expected.length} (of ${OPEN + 2})`);
  }

  const [shipping, receiving] = await queryRows<{ shipEventId: string; receiveEventId: string | null }>(
    db,
    sql`select ship_event_id as "shipEventId", receive_event_id as "receiveEventId" from shipments
        where id = any(${sql.param([onItsWay, received])}::text[]) order by array_position(${sql.param([onItsWay, received])}::text[], id)`,
  );
  for (const [name, party, eventId, ofTarget] of [
    ['the shipping', farm.code, shipping.shipEventId, onItsWay],
    ['the receipt', shop.code, receiving.receiveEventId as string, received],
  ] as const) {
    const { result, read } = await measured(db, ['shipments', 'shipment_lines'], (tx) =>
      repository.correctionFacts(tx, party, [eventId], { lotCodes: [], shipmentIds: [] }),
    );
    t.same(
      result?.shipments.map((shipment) => shipment.id),
      [ofTarget],
      `a correction of ${name} finds its shipment`,
    );
    t.ok(read <= 20, `${name}: ${read} shipments and lines read (of ${2 * OPEN + 4})`);
  }
});
