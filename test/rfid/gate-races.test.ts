// The gate against concurrent writers on PostgreSQL: a chunk that fails is let go, back to its
// savepoint, and tried a read point at a time; a writer that waited for one of its lots then gets it.
import { sql } from 'drizzle-orm';
import { holdLocked, waitBlockedBy, waitersReach, waitsBehindWaiter } from '../fixtures/locks.js';
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;
const readTime = (minute: number) => `2026-06-01T11:${String(minute).padStart(2, '0')}:00.000+0800`;

t.test(
  'a chunk that fails lets in a writer waiting for a container it had locked: the read point tried on its own and the writer both go on, without a deadlock (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres', { rfidTickMs: 0 });
    const gates = world.app.services.gates;
    const store = await world.party('cold_storage');
    const product = await store.product('kg');
    const lot = await store.commission(product, 10);
    const crate = await store.pack([{ lotCode: await store.commission(product, 10), quantity: 1 }]);
    const other = await store.commission(product, 10);
    await world.ok(
      store.api.post('/rfid/tags', {
        tags: [
          { epc: tag(1), code: lot },
          { epc: tag(2), code: crate },
        ],
      }),
      201,
    );
    const reader = await registerReader(world, store);
    const aisle = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 1 }], { name: '过道' });
    const hall = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 2 }], {
      name: '大厅',
      locationCode: await store.location('cold_store'),
    });
    // the database refuses every event at the hall: the chunk fails, and so does the hall tried on its own
    await world.database.db.execute(
      sql.raw(`create function refuse_hall() returns trigger language plpgsql as $$ begin raise exception 'the hall is refused'; end $$`),
    );
    await world.database.db.execute(
      sql.raw(
        `create trigger refuse_hall before insert on events for each row when (new.read_point = '${hall.locationCode}') execute function refuse_hall()`,
      ),
    );
    const post = (idHex: string, antenna: number) =>
      reader.api.post('/rfid/zebra', [zebraEvent({ idHex, antenna, hostName: reader.hostName, timestamp: readTime(1) })]);
    expectStatus(t, await post(tag(1), 1), 202, 'the lot read in the aisle');
    expectStatus(t, await post(tag(2), 2), 202, 'the crate read in the hall');

    // the chunk is held up storing its events, holding the store's audit chain and, with what is in
    // it, the crate
    const storingHeld = await holdLocked(world, sql`lock table events in share mode`);
    const chunk = gates.processChunk();
    await waitBlockedBy(world, storingHeld.pid, chunk);
    // a writer holding another lot waits for the crate
    const crateWriter = await holdLocked(
      world,
      sql`select 1 from lots where code = ${other} for update`,
      sql`select 1 from lots where code = ${crate} for update`,
    );
    crateWriter.release();
    await waitsBehindWaiter(world, crateWriter.done);
    // and one of the store's writers waits for its audit chain, to take that lot after it
    const chainWriterHeld = holdLocked(
      world,
      sql`select 1 from audit_heads where party_code = ${store.code} for update`,
      sql`select 1 from lots where code = ${other} for update`,
    );
    await waitersReach(world, 3, chainWriterHeld);
    // the read points, which the chunk read in its savepoint: once back from it, the gate waits to read
    // them again before it takes the chain, so the chain's writer takes the chain first (taken by the
    // gate first, no writer waits for the gate while the gate waits, and the race checks nothing)
    const readPointsHeld = holdLocked(world, sql`lock table rfid_read_points in access exclusive mode`);
    await waitersReach(world, 4, readPointsHeld);
    // the chunk fails: back to its savepoint, it lets all go; the chain's writer takes the chain and
    // waits for the lot, which the crate's writer holds. The crate's writer must then get the crate:
    // locked in a savepoint released before the chunk failed, it waited for the gate's whole
    // transaction instead, while the gate, trying the aisle on its own, waited for the chain
    storingHeld.release();
    await storingHeld.done;
    const chainWriter = await chainWriterHeld;
    const readPoints = await readPointsHeld;
    chainWriter.release();
    await waitBlockedBy(world, crateWriter.pid, chainWriter.done);
    readPoints.release();
    await readPoints.done;

    const [crateTaken, chainTaken] = await Promise.allSettled([crateWriter.done, chainWriter.done]);
    // what the database said, if it ended the writer (a deadlock it lost)
    const failure = (settled: PromiseSettledResult<void>) =>
      settled.status === 'rejected' ? String((settled.reason as Error).cause ?? settled.reason) : null;
    t.equal(failure(crateTaken), null, 'the crate’s writer got the crate');
    t.equal(failure(chainTaken), null, 'the chain’s writer got the lot');
    t.equal(await chunk, 2, 'the chunk handled both reads');
    const outcomes = (await store.api.get('/rfid/reads')).body.items as { readPointId: string; outcome: string }[];
    t.match(
      outcomes.find((row) => row.readPointId === aisle.readPointId),
      { outcome: 'observed' },
      'the aisle, tried on its own, is observed',
    );
    t.match(
      outcomes.find((row) => row.readPointId === hall.readPointId),
      { outcome: 'failed' },
      'the hall failed',
    );
  },
);

t.test(
  'read points of two parties tried one by one after a chunk failed: the second party’s audit chain is not taken after the first’s lots, so a writer of that party holding its chain and waiting for one of those lots does not deadlock with the gate (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres', { rfidTickMs: 0 });
    const gates = world.app.services.gates;
    const store = await world.party('cold_storage');
    const neighbour = await world.party('cold_storage');
    const storeLot = await store.commission(await store.product('kg'), 10);
    const neighbourLot = await neighbour.commission(await neighbour.product('kg'), 10);
    await world.ok(store.api.post('/rfid/tags', { tags: [{ epc: tag(1), code: storeLot }] }), 201);
    await world.ok(neighbour.api.post('/rfid/tags', { tags: [{ epc: tag(2), code: neighbourLot }] }), 201);
    const storeReader = await registerReader(world, store);
    const neighbourReader = await registerReader(world, neighbour);
    const aisle = await readPoint(world, store, 'observe', [{ readerId: storeReader.id, antenna: 1 }], { name: '过道' });
    const station = await readPoint(world, store, 'commissioning', [{ readerId: storeReader.id, antenna: 2 }], {
      name: '贴标台',
      bindToCode: storeLot,
    });
    const hall = await readPoint(world, neighbour, 'observe', [{ readerId: neighbourReader.id, antenna: 1 }], { name: '大厅' });
    // the database refuses the station's bindings: the chunk fails before it writes any event, and
    // so does the station tried on its own
    await world.database.db.execute(
      sql.raw(`create function refuse_binding() returns trigger language plpgsql as $$ begin raise exception 'binding refused'; end $$`),
    );
    await world.database.db.execute(
      sql.raw(
        `create trigger refuse_binding before insert on rfid_tags for each row when (new.source like 'read point %') execute function refuse_binding()`,
      ),
    );
    const post = (reader: typeof storeReader, idHex: string, antenna: number, minute: number) =>
      reader.api.post('/rfid/zebra', [zebraEvent({ idHex, antenna, hostName: reader.hostName, timestamp: readTime(minute) })]);
    // in this order of windows, so the aisle is tried on its own before the hall
    expectStatus(t, await post(storeReader, tag(1), 1, 1), 202, 'the store’s lot read in its aisle');
    expectStatus(t, await post(neighbourReader, tag(2), 1, 2), 202, 'the neighbour’s lot read in its hall');
    expectStatus(t, await post(storeReader, tag(3), 2, 3), 202, 'a new tag read at the station');

    // one of the neighbour's writers holds its audit chain, to take the store's lot after it
    const writer = await holdLocked(
      world,
      sql`select 1 from audit_heads where party_code = ${neighbour.code} for update`,
      sql`select 1 from lots where code = ${storeLot} for update`,
    );
    const chunk = gates.processChunk();
    // the gate waits for that chain, with the aisle's event (and its lot) stored or not
    await waitBlockedBy(world, writer.pid, chunk);
    // the writer goes on to the store's lot: it must get it, the gate must get the chain, without
    // a deadlock the database ends one of them for
    writer.release();
    const [taken, handled] = await Promise.allSettled([writer.done, chunk]);
    t.equal(taken.status === 'rejected' ? String((taken.reason as Error).cause ?? taken.reason) : null, null, 'the writer got the lot');
    t.match(handled, { status: 'fulfilled', value: 3 }, 'the chunk handled all three reads');
    const outcomeAt = async (party: typeof store, readPointId: string) =>
      ((await party.api.get('/rfid/reads')).body.items as { readPointId: string; outcome: string }[]).find(
        (row) => row.readPointId === readPointId,
      )?.outcome;
    t.equal(await outcomeAt(store, aisle.readPointId), 'observed', 'the aisle, tried on its own, is observed');
    t.equal(await outcomeAt(neighbour, hall.readPointId), 'observed', 'the hall, tried on its own after it, is observed');
    t.equal(await outcomeAt(store, station.readPointId), 'failed', 'the station failed');
  },
);
