// How the writer reads a lot's ledger facts, among them when each party first received it (a party
// ships no lot dated before that): by probes of partial indexes, however many times a party received
// the lot. At a few dozen rows any plan reads a table whole, so here one party received it 50,000
// times more, as a distributor taking daily deliveries of one lot does (PostgreSQL: PGlite plans alike
// but loads slowly).
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../src/db/client.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly('it counts the rows PostgreSQL reads');
const RECEIPTS = 50_000;

/** Rows of lot_movements the transaction has read so far, by scans and index fetches. */
async function movementsRead(tx: Db) {
  const [{ read }] = await queryRows<{ read: number }>(
    tx,
    sql`select coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)::int as read from pg_stat_xact_user_tables
      where relname = 'lot_movements'`,
  );
  return read;
}

t.test('a party’s first receipt of a lot is read by a probe, not among all its receipts (PostgreSQL)', onPostgres, async (t) => {
  const world = await createWorld(t, 'postgres');
  const farm = await world.party('farm');
  const shop = await world.party('distributor');
  const buyer = await world.party('retailer');
  const kg = await farm.product('kg');
  const lot = await farm.commission(kg, RECEIPTS * 2);
  const receipt = await shop.receive(await farm.ship(shop, [{ lotCode: lot, quantity: 10 }]));
  const receiveId = receipt.event.id as string;
  const db = world.database.db;
  const [{ firstReceived }] = await queryRows<{ firstReceived: string }>(
    db,
    sql`select event_time as "firstReceived" from events where id = ${receiveId}`,
  );
  // the shop's later receipts of the lot, one unit each, stored as the writer stores them
  await db.execute(sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, disposition, payload)
      select 'BULK' || i, type, event_time + i * interval '1 second', event_time_zone_offset, record_time, party_code, biz_step, disposition, payload
      from events, generate_series(1, ${RECEIPTS}) i where id = ${receiveId}`);
  await db.execute(sql`insert into lot_movements (event_id, lot_code, party_code, kind, quantity, received_at)
      select e.id, ${lot}, ${shop.code}, 'receive_in', 1, e.event_time from events e where e.id like 'BULK%'`);
  await db.execute(sql`analyze events, lot_movements, lot_balances`);

  const repository = createEventWriterRepository();
  const { ledger, read } = await db.transaction(async (tx) => {
    const before = await movementsRead(tx as never);
    const [ledger] = await repository.ledgers(tx as never, [lot]);
    return { ledger, read: (await movementsRead(tx as never)) - before };
  });
  t.same(
    ledger.receipts.map((receipt) => ({ ...receipt, at: receipt.at.toISOString() })),
    [{ partyCode: shop.code, at: new Date(firstReceived).toISOString() }],
    'the shop first received the lot with its first receipt; the farm never received it',
  );
  t.ok(read <= 10, `reads ${read} ledger rows of the lot (of ${RECEIPTS + 3})`);

  const shippedBefore = await shop.event({
    type: 'ship',
    toPartyCode: buyer.code,
    lines: [{ lotCode: lot, quantity: 1 }],
    eventTime: new Date(new Date(firstReceived).getTime() - 1000).toISOString(),
  });
  expectStatus(t, shippedBefore, 422, 'the shop ships none of it dated before its first receipt');
  t.match(shippedBefore.body.errors, [{ pointer: '/eventTime' }], 'at /eventTime');
  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: buyer.code, lines: [{ lotCode: lot, quantity: 1 }], eventTime: at(1000) }),
    201,
    'and ships it dated after',
  );
});
