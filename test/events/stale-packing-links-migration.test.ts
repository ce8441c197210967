// Migration 0070: a batch that packed more of a lot into a container already holding some, then
// unpacked it, was stored by the earlier writer with only its own packing ended: the stored packing
// stayed in force although the lot had left the container, so its cold chain counted the pallet's
// readings after it was emptied. The migration ends such a packing by the first unpacking of the
// lot from the container recorded after it, and leaves every packing recorded with that unpacking
// or since alone. The migration's statements run on books the current writer made, made stale.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { type Db, queryRows } from '../../src/db/client.js';
import { epcisRequests, palletEvents } from '../fixtures/epcis.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { at, createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type World = Awaited<ReturnType<typeof createWorld>>;
type Party = Awaited<ReturnType<World['party']>>;

/** The hour of `at(h)` in UTC, as the links' times are read. */
const utc = (h: number) => new Date(at(h)).toISOString().slice(11, 13);

async function migrate(db: Db) {
  for (const statement of migrationStatements('0070_stale_packing_links.sql')) await queryRows(db, sql.raw(statement));
}

/**
 * A warm reading (31.5 °C) of the pallet at hour 13, after the stale packings' unpackings, and a reader of the pack's
 * cold chain: read once, after the migration (as the service starts on a migrated database), as the resolver keeps
 * a lot's view a while.
 */
async function warmPalletAt13(world: World, maker: Party, pallet: string, pack: string) {
  await world.ok(
    maker.api.post('/events', {
      type: 'observe',
      eventTime: at(13),
      lotCodes: [pallet],
      readings: [{ type: 'temperature', value: 31.5, unit: 'Cel' }],
    }),
  );
  return async () => (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json().coldChain;
}

t.test('a packing left in force by a batch that packed more and unpacked is ended by that unpacking', async (t) => {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const { capture } = epcisRequests(world);
  const PALLET = 'urn:epc:id:sscc:6901234.0000000048';
  const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-STALE';
  const FISH = 'https://id.gs1.org/01/06901234000016/10/FISH-STALE';
  const SALT = 'https://id.gs1.org/01/06901234000016/10/SALT-STALE';
  const { packing, commissioning } = palletEvents(PALLET);
  const captured = async (events: object[]) => t.match(await capture(maker.key, events, 'rollback'), { success: true });
  await captured([commissioning(MEAT), commissioning(FISH), commissioning(SALT), packing(2, 'ADD', FISH), packing(5, 'ADD', SALT)]);
  // fish taken out and packed again in later captures: the packing since the unpacking is the one in force
  await captured([packing(3, 'DELETE', FISH)]);
  await captured([packing(4, 'ADD', FISH)]);
  // salt packed again in the capture that unpacked it, after the unpacking
  await captured([packing(6, 'ADD', SALT), packing(7, 'DELETE', SALT, 80), packing(8, 'ADD', SALT)]);
  const lotOf = async (identifier: string) =>
    (await world.regulator.get(`/trace/${encodeURIComponent(identifier)}?depth=0`)).body.query.lotCodes[0] as string;
  const [meat, fish, salt, pallet] = [await lotOf(MEAT), await lotOf(FISH), await lotOf(SALT), await lotOf(PALLET)];
  const [pack] = await issuePacks(world, maker, meat, 1);
  await captured([packing(10, 'ADD', MEAT)]);
  await captured([packing(11, 'ADD', MEAT), packing(12, 'DELETE', MEAT, 80)]);

  const db = world.database.db;
  const links = (lot: string) =>
    queryRows<{ packedAt: string; endedAt: string | null }>(
      db,
      sql`select to_char(p.event_time at time zone 'UTC', 'HH24') as "packedAt", to_char(u.event_time at time zone 'UTC', 'HH24') as "endedAt"
        from lineage_edges e join events p on p.id = e.event_id left join events u on u.id = e.ended_by_event_id
        where e.upstream_code = ${lot} and e.downstream_code = ${pallet} and e.kind = 'aggregate' order by p.event_time`,
    );
  // as the earlier writer left it: the capture's unpacking ended only the capture's own packing
  for (const [lot, packedAt] of [
    [meat, 10],
    [salt, 5],
  ] as const) {
    await queryRows(
      db,
      sql`update lineage_edges e set ended_by_event_id = null from events p
        where p.id = e.event_id and e.upstream_code = ${lot} and e.downstream_code = ${pallet} and p.event_time = ${at(packedAt)}`,
    );
  }
  // and meat packed again later, which lies there now
  await captured([packing(14, 'ADD', MEAT)]);
  t.same(await links(meat), [
    { packedAt: utc(10), endedAt: null },
    { packedAt: utc(11), endedAt: utc(12) },
    { packedAt: utc(14), endedAt: null },
  ]);
  const coldChain = await warmPalletAt13(world, maker, pallet, pack);

  await migrate(db);
  t.same(
    await links(meat),
    [
      { packedAt: utc(10), endedAt: utc(12) },
      { packedAt: utc(11), endedAt: utc(12) },
      { packedAt: utc(14), endedAt: null },
    ],
    'the stored packing is ended by the capture’s unpacking; the later packing stays in force',
  );
  t.same(
    await links(fish),
    [
      { packedAt: utc(2), endedAt: utc(3) },
      { packedAt: utc(4), endedAt: null },
    ],
    'the fish packed since its unpacking stays on the pallet',
  );
  t.same(
    await links(salt),
    [
      { packedAt: utc(5), endedAt: utc(7) },
      { packedAt: utc(6), endedAt: utc(7) },
      { packedAt: utc(8), endedAt: null },
    ],
    'salt left in force before its capture is ended by its unpacking, the packing after it in the capture stays',
  );
  t.equal(await coldChain(), null, 'after: no reading of the pallet once the meat left it');
  const balance = async (lot: string) =>
    (
      await queryRows<{ balance: string }>(
        db,
        sql`select coalesce(sum(quantity), 0)::text as balance from lot_balances where lot_code = ${lot} and container_code = ${pallet}`,
      )
    )[0].balance;
  t.same(
    [Number(await balance(meat)), Number(await balance(fish))],
    [40, 40],
    'what the ledger has on the pallet, each lot’s latest packing',
  );

  await migrate(db);
  t.same(
    (await links(meat)).map((link) => link.endedAt),
    [utc(12), utc(12), null],
    'a second run changes nothing',
  );
});

t.test('a case left in force on a pallet is ended by its unpacking: what the case holds leaves the pallet with it', async (t) => {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const { capture } = epcisRequests(world);
  const PALLET = 'urn:epc:id:sscc:6901234.0000000055';
  const CASE = 'urn:epc:id:sscc:6901234.0000000062';
  const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-CASE';
  const intoCase = palletEvents(CASE);
  // the case is packed onto the pallet by its SSCC, as a whole
  const onPallet = (hour: number, action: 'ADD' | 'DELETE') => ({
    eventTime: at(hour),
    eventTimeZoneOffset: '+08:00',
    type: 'AggregationEvent',
    action,
    bizStep: action === 'ADD' ? 'packing' : 'unpacking',
    parentID: PALLET,
    childEPCs: [CASE],
  });
  const captured = async (events: object[]) => t.match(await capture(maker.key, events, 'rollback'), { success: true });
  await captured([intoCase.commissioning(MEAT), intoCase.packing(2, 'ADD', MEAT)]);
  await captured([onPallet(10, 'ADD')]);
  await captured([onPallet(11, 'ADD'), onPallet(12, 'DELETE')]);
  const lotOf = async (identifier: string) =>
    (await world.regulator.get(`/trace/${encodeURIComponent(identifier)}?depth=0`)).body.query.lotCodes[0] as string;
  const [meat, box, pallet] = [await lotOf(MEAT), await lotOf(CASE), await lotOf(PALLET)];
  const [pack] = await issuePacks(world, maker, meat, 1);

  const db = world.database.db;
  const links = (upstream: string, downstream: string) =>
    queryRows<{ packedAt: string; endedAt: string | null }>(
      db,
      sql`select to_char(p.event_time at time zone 'UTC', 'HH24') as "packedAt", to_char(u.event_time at time zone 'UTC', 'HH24') as "endedAt"
        from lineage_edges e join events p on p.id = e.event_id left join events u on u.id = e.ended_by_event_id
        where e.upstream_code = ${upstream} and e.downstream_code = ${downstream} and e.kind = 'aggregate' order by p.event_time`,
    );
  // as the earlier writer left it: the capture's unpacking ended only the capture's own packing
  await queryRows(
    db,
    sql`update lineage_edges e set ended_by_event_id = null from events p
      where p.id = e.event_id and e.upstream_code = ${box} and e.downstream_code = ${pallet} and p.event_time = ${at(10)}`,
  );
  t.same(await links(box, pallet), [
    { packedAt: utc(10), endedAt: null },
    { packedAt: utc(11), endedAt: utc(12) },
  ]);
  const coldChain = await warmPalletAt13(world, maker, pallet, pack);

  await migrate(db);
  t.same(
    await links(box, pallet),
    [
      { packedAt: utc(10), endedAt: utc(12) },
      { packedAt: utc(11), endedAt: utc(12) },
    ],
    'the case’s stored packing onto the pallet is ended by the capture’s unpacking',
  );
  t.same(await links(meat, box), [{ packedAt: utc(2), endedAt: null }], 'what the case holds stays in it');
  t.equal(await coldChain(), null, 'no reading of the pallet counts for the meat in the case once the case left it');

  await migrate(db);
  t.same(
    (await links(box, pallet)).map((link) => link.endedAt),
    [utc(12), utc(12)],
    'a second run changes nothing',
  );
});

/**
 * A party's EPCIS captures of a meat lot made at hour 1, with a pack of it; `links` reads the meat's packing links onto
 * the pallet by their hours (UTC), `staleAt` leaves the packing of an hour in force, as the earlier writer did.
 */
async function meatByEpcis(t: Test, serial: string) {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const { capture } = epcisRequests(world);
  const PALLET = `urn:epc:id:sscc:6901234.${serial}`;
  const MEAT = `https://id.gs1.org/01/06901234000016/10/MEAT-${serial}`;
  const { packing, commissioning } = palletEvents(PALLET);
  const captured = async (events: object[]) => t.match(await capture(maker.key, events, 'rollback'), { success: true });
  await captured([commissioning(MEAT)]);
  const lotOf = async (identifier: string) =>
    (await world.regulator.get(`/trace/${encodeURIComponent(identifier)}?depth=0`)).body.query.lotCodes[0] as string;
  const meat = await lotOf(MEAT);
  const [pack] = await issuePacks(world, maker, meat, 1);
  const db = world.database.db;
  const meatOnPallet = async () => {
    const pallet = await lotOf(PALLET);
    return { pallet, where: sql`e.upstream_code = ${meat} and e.downstream_code = ${pallet} and e.kind = 'aggregate'` };
  };
  return {
    world,
    maker,
    pack,
    captured,
    meatIn: (hour: number, action: 'ADD' | 'DELETE', quantity?: number) => packing(hour, action, MEAT, quantity),
    pallet: async () => (await meatOnPallet()).pallet,
    links: async () => {
      const { where } = await meatOnPallet();
      return queryRows<{ packedAt: string; endedAt: string | null }>(
        db,
        sql`select to_char(p.event_time at time zone 'UTC', 'HH24') as "packedAt", to_char(u.event_time at time zone 'UTC', 'HH24') as "endedAt"
          from lineage_edges e join events p on p.id = e.event_id left join events u on u.id = e.ended_by_event_id
          where ${where} order by p.event_time`,
      );
    },
    staleAt: async (hour: number) => {
      const { where } = await meatOnPallet();
      await queryRows(
        db,
        sql`update lineage_edges e set ended_by_event_id = null from events p where p.id = e.event_id and ${where} and p.event_time = ${at(hour)}`,
      );
    },
  };
}

t.test('a stale packing a second, later unpacking ended counts none of the time between the two unpackings', async (t) => {
  const { world, maker, pack, captured, meatIn, pallet, links, staleAt } = await meatByEpcis(t, '0000000079');
  await captured([meatIn(10, 'ADD')]);
  await captured([meatIn(11, 'ADD'), meatIn(12, 'DELETE', 80)]);
  await staleAt(10);
  // packed again and unpacked in later captures: the unpacking of hour 16 ends the stale packing with its own
  await captured([meatIn(14, 'ADD')]);
  await captured([meatIn(16, 'DELETE')]);
  t.same(await links(), [
    { packedAt: utc(10), endedAt: utc(16) },
    { packedAt: utc(11), endedAt: utc(12) },
    { packedAt: utc(14), endedAt: utc(16) },
  ]);
  const coldChain = await warmPalletAt13(world, maker, await pallet(), pack);
  t.equal(await coldChain(), null, 'the reading of hour 13 is not the meat’s: it left the pallet at hour 12');
  await migrate(world.database.db);
  t.same(
    (await links()).map((link) => link.endedAt),
    [utc(16), utc(12), utc(16)],
    'the migration leaves an ended packing alone',
  );
});

t.test('a stale packing the migration ends by an unpacking recorded first but dated later counts only until the earlier one', async (t) => {
  const { world, maker, pack, captured, meatIn, pallet, links, staleAt } = await meatByEpcis(t, '0000000086');
  await captured([meatIn(10, 'ADD')]);
  await captured([meatIn(20, 'ADD'), meatIn(21, 'DELETE', 80)]);
  // reported late: the meat packed again and unpacked between hours 10 and 20
  await captured([meatIn(11, 'ADD'), meatIn(12, 'DELETE')]);
  await staleAt(10);
  const coldChain = await warmPalletAt13(world, maker, await pallet(), pack);
  await migrate(world.database.db);
  t.same(
    await links(),
    [
      { packedAt: utc(10), endedAt: utc(21) },
      { packedAt: utc(11), endedAt: utc(12) },
      { packedAt: utc(20), endedAt: utc(21) },
    ],
    'the migration ends the stale packing by the first unpacking recorded after it',
  );
  t.equal(await coldChain(), null, 'the meat left the pallet at hour 12, the first unpacking in event time');
});
