// A lot packed into a container while another party's batch waits for that container, on
// PostgreSQL (PGlite runs one transaction at a time). The packing waits, holding the container, on
// a row the test holds; the other batch lines up behind it, and the test lets go once it waits.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { holdLocked, holdStock, waitBlockedBy, waitersReach, waitsBehindWaiter } from '../fixtures/locks.js';
import { at, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/** Writes one request through the writer alone, in a transaction of its own, at an hour of the test's day. */
const writingAlone = (world: World) => {
  const writer = eventWriterOn(world.database);
  return (actor: string, action: Record<string, unknown>, hour: number) =>
    world.database.db.transaction((tx) =>
      writer.write(tx as never, [{ actor, action: action as never, context: { eventTime: at(hour) } }], 'proceed'),
    );
};

/** The plant's packing of `lot` into the case, which locks both and waits to book the lot's loose stock (`packingWaits` holds it). */
async function packingWaitingOnStock(world: World, plantCode: string, caseCode: string, lot: string) {
  const packingWaits = await holdStock(world, lot, plantCode);
  const packing = writingAlone(world)(
    plantCode,
    { type: 'aggregate', parent: { containerCode: caseCode }, children: [{ lotCode: lot, quantity: 4 }] },
    500,
  );
  await waitersReach(world, 1, packing);
  return { packingWaits, packing };
}

t.test(
  'a lot packed into a case while a regulator’s hold waits for the case is locked by the hold with the case (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const bureau = await world.party('regulator');
    const kg = await plant.product('kg');
    const [packedBefore, packedMeanwhile] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
    const caseCode = await plant.pack([{ lotCode: packedBefore, quantity: 4 }]);
    const writer = eventWriterOn(world.database);

    // the packing locks the case and the lot, then waits to book the lot's loose stock
    const hold = await holdStock(world, packedMeanwhile, plant.code);
    const packing = world.database.db.transaction((tx) =>
      writer.write(
        tx as never,
        [
          {
            actor: plant.code,
            action: { type: 'aggregate', parent: { containerCode: caseCode }, children: [{ lotCode: packedMeanwhile, quantity: 4 }] },
            context: { eventTime: at(500) },
          },
        ],
        'rollback',
      ),
    );
    await waitersReach(world, 1, packing);
    // the hold waits for the case; once it has it, it still holds its locks while the test looks
    let heldWhileOpen: string[] = [];
    const onHold = world.database.db.transaction(async (tx) => {
      const outcomes = await writer.write(
        tx as never,
        [
          {
            actor: bureau.code,
            action: { type: 'hold', lotCodes: [caseCode], reason: '抽检', asRegulator: true },
            context: { eventTime: at(501) },
          },
        ],
        'proceed',
      );
      // from another connection: the lots of the case no other transaction may lock now
      const free = await queryRows<{ code: string }>(
        world.database.db,
        sql`select code from lots where code = any(${sql.param([caseCode, packedBefore, packedMeanwhile])}::text[]) for update skip locked`,
      );
      heldWhileOpen = [caseCode, packedBefore, packedMeanwhile].filter((code) => !free.some((row) => row.code === code));
      return outcomes;
    });
    await waitersReach(world, 2, onHold);
    hold.release();
    await hold.done;

    t.match(await packing, [{ ok: true }], 'the packing is stored');
    t.match(await onHold, [{ ok: true }], 'the hold is stored');
    t.same(
      heldWhileOpen.sort(),
      [caseCode, packedBefore, packedMeanwhile].sort(),
      'the hold locked the case, the lot packed before and the lot packed while it waited',
    );
  },
);

t.test(
  'a lot packed into a case while a hold waits for the case, sold meanwhile with a lot the hold took before the case: both are stored, neither is a 500 (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const bureau = await world.party('regulator');
    const kg = await plant.product('kg');
    // lots are locked in code order: the lot packed meanwhile sorts before the lot the hold names,
    // which sorts before what the case holds, the case and the lot the test keeps the hold waiting on
    const lots = [];
    for (let n = 0; n < 4; n++) lots.push(await plant.commission(kg, 10));
    const [packedMeanwhile, alsoHeld, inside, lastHeld] = lots.sort();
    let caseCode = '';
    while (caseCode <= alsoHeld) {
      caseCode = await plant.pack([{ lotCode: inside, quantity: 1 }]);
    }
    await shop.receive(
      await plant.ship(shop, [
        { lotCode: packedMeanwhile, quantity: 3 },
        { lotCode: alsoHeld, quantity: 3 },
      ]),
    );
    const writing = writingAlone(world);

    // the packing locks the case and the lot, then waits to book the lot's loose stock
    const { packingWaits, packing } = await packingWaitingOnStock(world, plant.code, caseCode, packedMeanwhile);
    // the hold locks the lot it names first, then waits for the case's lots, and for the lot the
    // test holds: it keeps the lot it took while the sale lines up behind it, whichever it waits for now
    const holdWaits = await holdLocked(world, sql`select 1 from lots where code = ${lastHeld} for update`);
    const onHold = writing(bureau.code, { type: 'hold', lotCodes: [alsoHeld, caseCode, lastHeld], reason: '抽检', asRegulator: true }, 501);
    await waitersReach(world, 2, onHold);
    // the shop's sale waits for the lot being packed; once it has it, it waits for the lot the hold took
    const sale = writing(
      shop.code,
      {
        type: 'sell',
        lines: [
          { lotCode: packedMeanwhile, quantity: 1 },
          { lotCode: alsoHeld, quantity: 1 },
        ],
      },
      502,
    );
    await waitersReach(world, 3, sale);
    packingWaits.release();
    await packingWaits.done;
    await packing;
    // the hold, now waiting for the test's lot, keeps the lot it took until the sale waits for that.
    // Let go sooner, while the sale was still on its way to the lot packed meanwhile (a process slow
    // under load), the hold took that lot first and committed, and the sale was rightly refused a held lot
    await waitsBehindWaiter(world, sale);
    holdWaits.release();
    await holdWaits.done;

    const [packed, held, sold] = await Promise.all(
      [packing, onHold, sale].map((writes) => writes.catch((error: Error) => String(error.cause ?? error))),
    );
    t.match(packed, [{ ok: true }], 'the packing is stored');
    t.match(held, [{ ok: true }], 'the hold is stored');
    t.match(sold, [{ ok: true }], 'the sale is stored');
    t.match((await world.regulator.get(`/lots/${packedMeanwhile}`)).body.massBalance, { produced: 10, sold: 1 });
    t.match((await world.regulator.get(`/lots/${alsoHeld}`)).body.massBalance, { produced: 10, sold: 1 });
  },
);

t.test(
  'a case packed into again while each of five rounds of a shipment waits for it: the shipment is a 409 to send again, and nothing of it is stored (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const kg = await plant.product('kg');
    const packedBefore = await plant.commission(kg, 10);
    const caseCode = await plant.pack([{ lotCode: packedBefore, quantity: 4 }]);
    const packedMeanwhile: string[] = [];
    for (let round = 1; round <= 5; round++) packedMeanwhile.push(await plant.commission(kg, 10));
    const db = world.database.db;
    // another writer packing a lot into the case, as its packing links them: the test writes the link
    // alone, at the moment it chooses, and the writer's rounds read no more than the links
    const [{ packingId }] = await queryRows<{ packingId: string }>(
      db,
      sql`select created_by_event_id as "packingId" from lots where code = ${caseCode}`,
    );
    const packInto = (lotCode: string) =>
      db.execute(sql`insert into lineage_edges (upstream_code, downstream_code, kind, quantity, unit, event_id, party_code)
        values (${lotCode}, ${caseCode}, 'aggregate', 1, 'kg', ${packingId}, ${plant.code})`);
    const stored = async () =>
      (
        await queryRows<{ events: number; movements: number; shipments: number }>(
          db,
          sql`select (select count(*)::int from events where party_code = ${plant.code}) as events,
            (select count(*)::int from lot_movements where party_code = ${plant.code}) as movements,
            (select count(*)::int from shipments where from_party_code = ${plant.code}) as shipments`,
        )
      )[0];
    const before = await stored();

    // round 1 waits for the case; round k + 1 for the lot packed while round k waited, which the test
    // has held from the start: each round finds a lot packed in the case that it did not lock
    const holders = [
      await holdLocked(world, sql`select 1 from lots where code = ${caseCode} for update`),
      ...(await Promise.all(
        packedMeanwhile.slice(0, 4).map((lotCode) => holdLocked(world, sql`select 1 from lots where code = ${lotCode} for update`)),
      )),
    ];
    const sent = plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: caseCode }], eventTime: at(500) });
    for (const [round, holder] of holders.entries()) {
      await waitBlockedBy(world, holder.pid, sent);
      await packInto(packedMeanwhile[round]);
      holder.release();
      await holder.done;
    }

    const reply = await sent;
    expectStatus(t, reply, 409, 'the shipment is refused');
    t.match(reply.headers['content-type'], /^application\/problem\+json/, 'as problem+json');
    t.match(reply.body, { type: '/problems/conflict', status: 409, detail: /send it again/ }, 'to be sent again');
    t.same(await stored(), before, 'no event, ledger row or shipment of the plant is stored');
    t.match((await plant.lot(caseCode)).status, 'active', 'the case is where it was');
  },
);

t.test(
  'a lot packed into a case while a recall of the case waits for it, held meanwhile with the lot in the case: both are stored, neither is a 500 (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const bureau = await world.party('regulator');
    const regulator = await world.partyRegulator();
    const kg = await plant.product('kg');
    // lots (B…) are locked before containers (H…): the lot packed meanwhile sorts before the one in
    // the case, and that one before a lot made of it, which the recall's scope reaches. The lowest two
    // of three lots, then the highest of ten lots made of that one at a time: within a few tries one
    // sorts above it, long before its stock (less the 4 packed) runs out
    const lots = { productCode: kg, quantity: 100 };
    const commissioned = await world.ok(plant.event({ type: 'commission', lots: [lots, lots, lots] }), 201);
    const [packedMeanwhile, inside] = (commissioned.createdLotCodes as string[]).sort();
    let madeOfIt = '';
    while (madeOfIt <= inside) {
      const made = await plant.transform(
        [{ lotCode: inside, quantity: 1 }],
        Array.from({ length: 10 }, () => ({ productCode: kg, quantity: 1 })),
      );
      madeOfIt = made.sort().at(-1) as string;
    }
    const caseCode = await plant.pack([{ lotCode: inside, quantity: 4 }]);
    const writing = writingAlone(world);

    // the packing locks the lot, the case and what is in it, then waits to book the lot's loose stock
    const { packingWaits, packing } = await packingWaitingOnStock(world, plant.code, caseCode, packedMeanwhile);
    // the recall of the case locks the lots its scope marks with the case and what is in it, in one
    // statement and code order: the lot in the case (once the packing is stored), then the lot made
    // of it, which the test holds
    const recallWaits = await holdLocked(world, sql`select 1 from lots where code = ${madeOfIt} for update`);
    const opened = regulator.post('/recalls', { lotCodes: [caseCode], level: 2, reason: '检出致病菌', hazard: '沙门氏菌' });
    await waitersReach(world, 2, opened);
    packingWaits.release();
    await packingWaits.done;
    // the packing stored, the recall has the lot in the case and waits for the lot made of it
    await waitBlockedBy(world, recallWaits.pid, opened);
    // the hold, sent only now, takes the lot packed meanwhile, then waits for the lot in the case behind
    // the recall (sent before, it could take both before the recall took the lot in the case again)
    const onHold = writing(bureau.code, { type: 'hold', lotCodes: [packedMeanwhile, inside], reason: '抽检', asRegulator: true }, 501);
    await waitsBehindWaiter(world, onHold);
    recallWaits.release();
    await recallWaits.done;

    // the recall's statement reading what it locked, with what is in the case now, took the lot packed
    // meanwhile after the others, which the hold held while waiting for the recall: they deadlocked
    const [packed, held] = await Promise.all(
      [packing, onHold].map((writes) => writes.catch((error: Error) => String(error.cause ?? error))),
    );
    t.match(packed, [{ ok: true }], 'the packing is stored');
    t.match(held, [{ ok: true }], 'the hold is stored');
    expectStatus(t, await opened, 201, 'the recall is opened');
    t.equal((await plant.lot(packedMeanwhile)).status, 'recalled', 'the lot packed while the recall waited is recalled');
  },
);
