// A capture's transaction lost to a concurrent writer is run again (nothing of it was stored); a
// capture of several events takes its locks up front, so it does not lose one to a receipt, a
// recall opening or a hold taking the same rows (on PostgreSQL, whose pool runs them side by side).
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { isConcurrencyFailure } from '../../src/db/errors.js';
import { againOnRace } from '../../src/epcis/service.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { holdLocked, meetInOrder, waitBlockedBy, waitersReach, waitsBehindWaiter } from '../fixtures/locks.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const day = (n: number) => ({ eventTime: `2026-03-0${n}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
/** An ObjectEvent commissioning `quantity` kg of a lot class on a day. */
const commissioned = (epcClass: string, quantity: number, n: number) => ({
  type: 'ObjectEvent',
  ...day(n),
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity, uom: 'KGM' }],
});
const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-1';
const CURED = 'https://id.gs1.org/01/06901234000023/10/CURED-1';

const failure = (fields: object) => Object.assign(new Error('statement failed'), { cause: Object.assign(new Error('driver'), fields) });

t.test('a capture ended by a deadlock or a lost eventID race runs again; other failures do not', async (t) => {
  for (const fields of [{ code: '40P01' }, { code: '40001' }, { code: '23505', constraint: 'events_pkey' }]) {
    let runs = 0;
    const result = await againOnRace(async () => {
      runs += 1;
      if (runs < 3) throw failure(fields);
      return 'stored';
    });
    t.equal(result, 'stored', JSON.stringify(fields));
    t.equal(runs, 3);
  }
  let runs = 0;
  await t.rejects(
    againOnRace(async () => {
      runs += 1;
      throw failure({ code: '40P01' });
    }),
    { status: 409, message: /send it again/ },
    'a race lost five times is a conflict to send again',
  );
  t.equal(runs, 5);
  let others = 0;
  await t.rejects(
    againOnRace(async () => {
      others += 1;
      throw failure({ code: '23503' });
    }),
    /statement failed/,
  );
  t.equal(others, 1, 'another failure is not run again');
});

/**
 * Counts the app's transactions PostgreSQL ended over a deadlock: each is run through the database's
 * `transaction`, which the test wraps (a capture's rerun leaves no other trace).
 */
function countDeadlocks(world: World) {
  const db = world.database.db as unknown as { transaction: (...args: unknown[]) => Promise<unknown> };
  const transaction = db.transaction.bind(db);
  const counted = { deadlocks: 0 };
  db.transaction = async (...args: unknown[]) => {
    try {
      return await transaction(...args);
    } catch (error) {
      if (isConcurrencyFailure(error)) counted.deadlocks += 1;
      throw error;
    }
  };
  return counted;
}

/**
 * Stops the first of the app's transactions to send a statement starting with `statement` just
 * before it: `reached` gives its server process once it is stopped there, `go` sends the statement.
 * For a step a race leaves to the scheduler between two statements that take no lock the test could hold.
 */
function pauseBefore(world: World, statement: string) {
  const db = world.database.db as unknown as { transaction: (...args: unknown[]) => Promise<unknown> };
  const transaction = db.transaction.bind(db);
  const dialect = new PgDialect();
  let go!: () => void;
  const gone = new Promise<void>((resolve) => {
    go = resolve;
  });
  let stopped!: (pid: number) => void;
  const reached = new Promise<number>((resolve) => {
    stopped = resolve;
  });
  let armed = true;
  db.transaction = (run: unknown, ...rest: unknown[]) =>
    transaction(
      async (tx: { execute: (query: SQL) => Promise<unknown> }) => {
        const execute = tx.execute.bind(tx);
        tx.execute = async (query: SQL) => {
          if (armed && dialect.sqlToQuery(query).sql.trimStart().startsWith(statement)) {
            armed = false;
            const { rows } = (await execute(sql`select pg_backend_pid() as pid`)) as { rows: { pid: number }[] };
            stopped(rows[0].pid);
            await gone;
          }
          return execute(query);
        };
        return (run as (tx: unknown) => Promise<unknown>)(tx);
      },
      ...rest,
    );
  world.t.teardown(go);
  return { reached, go };
}

/** `codes` in the database's order, the order lots are locked in. */
const sortedCodes = async (world: World, codes: string[]) =>
  (
    await queryRows<{ code: string }>(
      world.database.db,
      sql`select code from lots where code = any(${sql.param(codes)}::text[]) order by code`,
    )
  ).map((row) => row.code);

/** Whether a container code lies in the middle third of the alphabet of its random part. */
const midAlphabet = (code: string) => code[1] >= '9' && code[1] < 'K';

/**
 * Lots are locked in code order, and codes are random: a test needing a container whose code sorts
 * before or after another's draws one (`draw`, a packing) until `accept` takes it, unpacking each
 * refused. A code the others are measured against is first drawn `midAlphabet`, so that each draw of
 * theirs has fair odds (a case drawn as `HYYX…` left no crate a chance to sort after it).
 */
async function drawnUntil(
  draw: () => Promise<string>,
  undo: (code: string) => Promise<unknown>,
  accept: (code: string) => boolean | Promise<boolean>,
) {
  for (let tries = 0; tries < 60; tries += 1) {
    const code = await draw();
    if (await accept(code)) return code;
    await undo(code);
  }
  throw new Error('no container in 60 draws had a code sorting where the test needs it');
}

t.test(
  'a capture whose declared event takes a lot before its receipt takes the shipment meets a recall opening of both without a deadlock (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const store = await world.party('processor');
    const regulator = await world.partyRegulator();
    const { capture } = epcisRequests(world);
    const lotOf = async (uri: string) =>
      (await world.regulator.get(`/trace/${encodeURIComponent(uri)}?depth=0`)).body.query.lotCodes[0] as string;
    t.match(
      await capture(plant.key, [
        commissioned(MEAT, 100, 1),
        {
          type: 'ObjectEvent',
          ...day(2),
          action: 'OBSERVE',
          bizStep: 'shipping',
          quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
          destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
        },
      ]),
      { success: true },
      'the plant ships 10 kg of its meat to the store',
    );
    t.match(await capture(store.key, [commissioned(CURED, 10, 1)]), { success: true }, 'the store makes a lot of its own');
    const [meat, cured] = [await lotOf(MEAT), await lotOf(CURED)];
    const [shipment] = (await world.regulator.get(`/shipments?partyCode=${plant.code}`)).body.items;
    const deadlocks = countDeadlocks(world);

    // the recall locks the shipment carrying the meat before the two lots: it waits for it first; the
    // store's document: a sighting of its lot declared in error, then the receipt of the meat, whose
    // shipment it waits for behind the recall
    const [opened, stored] = await meetInOrder(
      world,
      holdLocked(world, sql`select 1 from shipments where id = ${shipment.id} for update`),
      () => regulator.post('/recalls', { lotCodes: [meat, cured], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' }),
      () =>
        capture(store.key, [
          {
            type: 'ObjectEvent',
            ...day(3),
            action: 'OBSERVE',
            bizStep: 'inspecting',
            quantityList: [{ epcClass: CURED, quantity: 10, uom: 'KGM' }],
            errorDeclaration: { declarationTime: '2026-03-04T00:00:00Z', reason: 'incorrect_data' },
          },
          {
            type: 'ObjectEvent',
            ...day(3),
            action: 'OBSERVE',
            bizStep: 'receiving',
            quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
          },
        ]),
      'on the hold',
    );

    expectStatus(t, opened, 201, 'the recall is opened');
    t.match(stored, { success: true, captured: 2 }, 'the document is captured');
    t.equal(deadlocks.deadlocks, 0, 'no transaction was ended over a deadlock (the capture ran once)');
    t.equal((await world.regulator.get(`/lots/${meat}`)).body.status, 'recalled', 'the meat is recalled');
    t.match(
      (await world.regulator.get(`/shipments?partyCode=${plant.code}`)).body.items,
      [{ id: shipment.id, status: 'received' }],
      'the store received it',
    );
  },
);

t.test(
  'a capture packing into a case on a pallet, taken in several calls, meets a hold of the pallet without a deadlock (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const regulator = await world.partyRegulator();
    const { capture } = epcisRequests(world);
    const gtin = completeGs1('0690123477795');
    const kg = await plant.product('kg', { gtin });
    const [packed, other] = [await plant.commission(kg, 10, { lotNumber: 'PI-1' }), await plant.commission(kg, 100, { lotNumber: 'PI-2' })];
    const pack = async (parent: object, children: { lotCode: string; quantity?: number }[]) =>
      (await world.ok(plant.event({ type: 'aggregate', parent, children }))).createdLotCodes[0] as string;
    const unpack = (parentCode: string) => world.ok(plant.event({ type: 'disaggregate', parentCode }));
    // a pallet whose code sorts before the case's: the hold locks the pallet, then the case
    let serial = 3000;
    let sscc = '';
    const caseCode = await drawnUntil(
      () => {
        sscc = completeGs1(`0690123450000${serial++}`);
        return pack({ sscc }, [{ lotCode: other, quantity: 1 }]);
      },
      unpack,
      midAlphabet,
    );
    const pallet = await drawnUntil(
      () => pack({}, [{ lotCode: caseCode }]),
      unpack,
      async (code) => (await sortedCodes(world, [code, caseCode]))[0] === code,
    );
    // the case is left empty on the pallet: locking the pallet with what is in it takes the pallet, then the case
    await unpack(caseCode);
    const deadlocks = countDeadlocks(world);

    // the document's first event stops the capture at storing it, holding what it took up front
    const hold = await holdLocked(world, sql`lock table events in share mode`);
    const stored = capture(plant.key, [
      {
        type: 'ObjectEvent',
        ...day(3),
        action: 'OBSERVE',
        bizStep: 'inspecting',
        quantityList: [{ epcClass: `https://id.gs1.org/01/${gtin}/10/PI-1`, quantity: 10, uom: 'KGM' }],
        errorDeclaration: { declarationTime: '2026-03-04T00:00:00Z', reason: 'incorrect_data' },
      },
      {
        type: 'AggregationEvent',
        ...day(4),
        action: 'ADD',
        bizStep: 'packing',
        parentID: `https://id.gs1.org/00/${sscc}`,
        childQuantityList: [{ epcClass: `https://id.gs1.org/01/${gtin}/10/PI-1`, quantity: 2, uom: 'KGM' }],
      },
    ]);
    await waitBlockedBy(world, hold.pid, stored);
    // the hold of the pallet locks it, then waits for the case (or for the pallet, taken up front by the capture)
    const onHold = regulator.post('/holds', { lotCodes: [pallet], reason: '抽检' });
    await waitersReach(world, 2, onHold);
    hold.release();
    await hold.done;

    // the packing is checked against a hold on the pallet its case lies in, which it locks: taken
    // only then, after the case, the hold holding the pallet while waiting for the case deadlocked with it
    expectStatus(t, await onHold, 201, 'the pallet is held');
    t.match(await stored, { success: true, captured: 2 }, 'the document is captured');
    t.equal(deadlocks.deadlocks, 0, 'no transaction was ended over a deadlock (the capture ran once)');
    const packedIn = await queryRows<{ code: string }>(
      world.database.db,
      sql`select downstream_code as code from lineage_edges where upstream_code = ${packed} and kind = 'aggregate'
        and ended_by_event_id is null and retracted_by_event_id is null`,
    );
    t.same(
      packedIn.map((row) => row.code),
      [caseCode],
      'the lot was packed into the case before the pallet was held',
    );
  },
);

t.test(
  'a capture that lets go of a case packed onto a pallet while it read, to take the pallet first, lets in a hold of the pallet waiting for the case: both are answered, without a deadlock (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const store = await world.party('processor');
    const regulator = await world.partyRegulator();
    const { capture } = epcisRequests(world);
    const pack = async (actor: Actor, parent: object, children: { lotCode: string; quantity?: number }[]) =>
      (await world.ok(actor.event({ type: 'aggregate', parent, children }))).createdLotCodes[0] as string;
    const unpack = (actor: Actor, parentCode: string) => world.ok(actor.event({ type: 'disaggregate', parentCode }));
    const sortsBefore = async (first: string, second: string) => (await sortedCodes(world, [first, second]))[0] === first;
    // lots are locked in code order: the pallet, then the case, then the store's own container
    const contents = await plant.commission(await plant.product('kg'), 100);
    let serial = 4000;
    let sscc = '';
    const caseCode = await drawnUntil(
      () => {
        sscc = completeGs1(`0690123450000${serial++}`);
        return pack(plant, { sscc }, [{ lotCode: contents, quantity: 1 }]);
      },
      (code) => unpack(plant, code),
      midAlphabet,
    );
    const pallet = await drawnUntil(
      () => pack(plant, {}, [{ lotCode: caseCode }]),
      (code) => unpack(plant, code),
      (code) => sortsBefore(code, caseCode),
    );
    await unpack(plant, pallet);
    // the case is left empty: the pallet and the case are all the hold locks
    await unpack(plant, caseCode);
    const stock = await store.commission(await store.product('kg'), 100);
    const crate = await drawnUntil(
      () => pack(store, {}, [{ lotCode: stock, quantity: 1 }]),
      (code) => unpack(store, code),
      (code) => sortsBefore(caseCode, code),
    );
    const deadlocks = countDeadlocks(world);
    // the capture's going back to its lock rounds' savepoint: the first of this test's writers to go back to one
    const lettingGo = pauseBefore(world, 'rollback to savepoint lock_rounds');

    // the plant's packing of the case onto the pallet is held up at storing it, holding both
    const packingHeld = await holdLocked(world, sql`lock table events in share mode`);
    const packing = plant.event({ type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: caseCode }] });
    await waitBlockedBy(world, packingHeld.pid, packing);
    // the store's document: a sighting of its crate declared in error, then an unpacking of the case,
    // which it does not hold. Declaring an event in error, it takes its locks up front, reading the
    // case in no container, and waits for the case
    const crateHeld = await holdLocked(world, sql`select 1 from lots where code = ${crate} for update`);
    const stored = capture(store.key, [
      {
        type: 'ObjectEvent',
        ...day(3),
        action: 'OBSERVE',
        bizStep: 'inspecting',
        epcList: [`${TEST_BASE_URL}/lots/${crate}`],
        errorDeclaration: { declarationTime: '2026-03-04T00:00:00Z', reason: 'incorrect_data' },
      },
      { type: 'AggregationEvent', ...day(4), action: 'DELETE', bizStep: 'unpacking', parentID: `https://id.gs1.org/00/${sscc}` },
    ]);
    await waitersReach(world, 2, stored);
    packingHeld.release();
    await packingHeld.done;
    expectStatus(t, await packing, 201, 'the case is packed onto the pallet');
    // the capture's first lock round holds the case and waits for its crate
    await waitBlockedBy(world, crateHeld.pid, stored);
    // the hold of the pallet locks it with the case now on it, and waits for the case
    const onHold = regulator.post('/holds', { lotCodes: [pallet], reason: '抽检' });
    await waitsBehindWaiter(world, onHold);
    // with its crate, the capture reads the case on the pallet, which it did not lock: it lets its locks
    // go, back to its lock rounds' savepoint, and takes all afresh in code order, waiting for the
    // pallet. The hold must then get the case: taken in a savepoint released before the capture let
    // it go, the hold waited for the capture's whole transaction instead, and each waited for the other
    crateHeld.release();
    await crateHeld.done;
    // the capture is stopped just before it lets go, the case read on the pallet, and let go on only once
    // the hold waits for it again: a savepoint that took the case, released, wakes the hold, which then waits
    // for the capture's whole transaction. Scheduled only after the capture had let go, the hold found the
    // case free, and the deadlock the test guards against did not form
    const capturing = await Promise.race([lettingGo.reached, stored.then(() => 0)]);
    t.not(capturing, 0, 'the capture lets go of its locks to take them afresh');
    await waitBlockedBy(world, capturing, onHold);
    lettingGo.go();

    expectStatus(t, await onHold, 201, 'the pallet is held');
    t.match(
      await stored,
      {
        captured: 1,
        errors: [{ eventIndex: 1, message: /does not hold container/ }],
      },
      'the sighting is captured, and the unpacking refused to the store, which does not hold the case',
    );
    t.equal(deadlocks.deadlocks, 0, 'no transaction was ended over a deadlock');
    t.equal((await world.regulator.get(`/trace/${pallet}`)).body.nodes[0].onHold, true, 'the pallet is on hold');
  },
);
