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
    // the chunk fails: back to its savepoint, it lets all go; the chain's writer takes the chain and
    // waits for the lot, which the crate's writer holds. The crate's writer must then get the crate:
    // locked in a savepoint released before the chunk failed, it waited for the gate's whole
    // transaction instead, while the gate, trying the aisle on its own, waited for the chain
    storingHeld.release();
    await storingHeld.done;
    const chainWriter = await chainWriterHeld;
    chainWriter.release();

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
