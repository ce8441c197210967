// A window is one tag's by its key (tagKey), whichever spellings its reads came in: a tag read as hex,
// tag URI, pure-identity URN and Digital Link at one read point in one window is one stored row, its
// reads summed, shown in the spelling of its earliest read; through every ingest route (generic, Zebra,
// Impinj), in one batch or several, and by two readers posting at once (PostgreSQL).
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { holdLocked, waitersReach } from '../fixtures/locks.js';
import { gs1Tag, impinjTagInventory, zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const time = (minute: number, second: number) =>
  `2026-06-01T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000+08:00`;

const storedRows = (world: World, readPointId: string) =>
  queryRows<{ tag: string; tagKey: string; readCount: number }>(
    world.database.db,
    sql`select tag, tag_key as "tagKey", read_count as "readCount" from rfid_reads where read_point_id = ${readPointId}`,
  );

t.test('POST /rfid/reads: one tag in several spellings in one window is one row, its reads summed', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store);
  const gate = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  const tag = gs1Tag('urn:epc:id:sgtin:0614141.812345.6789', 'sgtin-96', 1);
  const post = (reads: { epc: string; time: string; count: number }[]) =>
    reader.api.post('/rfid/reads', { reads: reads.map((read) => ({ reader: reader.hostName, antenna: 1, ...read })) });

  const first = await post([
    { epc: tag.hex, time: time(10, 5), count: 2 },
    { epc: tag.pureIdentity, time: time(10, 1), count: 3 },
    { epc: tag.digitalLink, time: time(10, 20), count: 1 },
  ]);
  t.match(expectStatus(t, first, 202, 'three spellings in one batch').body, { reads: 6, observations: 1 });
  t.same(await storedRows(world, gate.readPointId), [{ tag: tag.pureIdentity, tagKey: tag.digitalLink, readCount: 6 }], 'one row');

  // a later batch bringing an earlier read, in another spelling: the window's first read, and its spelling
  expectStatus(t, await post([{ epc: tag.tagUri, time: time(10, 0), count: 4 }]), 202, 'its tag URI, earlier');
  const [read] = (await store.api.get(`/rfid/reads?tag=${encodeURIComponent(tag.digitalLink)}`)).body.items;
  t.match(read, { tag: tag.hex, readCount: 10, firstSeen: new Date(time(10, 0)).toISOString() });
  t.equal((await storedRows(world, gate.readPointId)).length, 1, 'still one row');

  // once turned into an event, a late read in yet another spelling only adds to its count
  await world.app.services.gates.drain();
  const [decided] = (await store.api.get(`/rfid/reads?tag=${tag.hex}`)).body.items;
  t.equal(decided.outcome, 'unknown', 'a tag bound to nothing');
  t.match(
    (await store.api.get('/rfid/unknown-tags')).body.items,
    [{ tag: tag.digitalLink, windows: 1, reads: 10 }],
    'one window of one tag',
  );
  expectStatus(t, await post([{ epc: tag.pureIdentity, time: time(10, 29), count: 5 }]), 202, 'a late read');
  const reads = (await store.api.get(`/rfid/reads?tag=${encodeURIComponent(tag.pureIdentity)}`)).body.items;
  t.match(reads, [{ tag: tag.hex, readCount: 15, outcome: decided.outcome, eventId: decided.eventId, firstSeen: decided.firstSeen }]);
  t.equal(reads.length, 1, 'one observation');

  // the next window is another observation
  expectStatus(t, await post([{ epc: tag.digitalLink, time: time(10, 30), count: 1 }]), 202, 'the next window');
  t.equal((await storedRows(world, gate.readPointId)).length, 2, 'a row per window');
});

t.test('Zebra, Impinj and generic reads of one tag in one window are one row', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const zebra = await registerReader(world, store);
  const impinj = await registerReader(world, store, 'impinj-14-2f-70');
  const gate = await readPoint(world, store, 'observe', [
    { readerId: zebra.id, antenna: 1 },
    { readerId: impinj.id, antenna: 'Portal1' },
  ]);
  // an SGTIN-198 (50 hex digits), which an Impinj reports as its memory: padded to whole 16-bit words
  const tag = gs1Tag('urn:epc:id:sgtin:0614141.812345.A1b2', 'sgtin-198', 3);
  const padded = `${tag.hex}00`;
  expectStatus(
    t,
    await zebra.api.post('/rfid/zebra', [
      zebraEvent({ idHex: tag.hex, antenna: 1, hostName: zebra.hostName, timestamp: '2026-06-01T10:10:03.000+0800', reads: 2 }),
    ]),
    202,
    'Zebra: its hex',
  );
  expectStatus(
    t,
    await impinj.api.post('/rfid/impinj', [
      impinjTagInventory({
        epcHex: padded,
        hostname: impinj.hostName,
        timestamp: '2026-06-01T02:10:01.000000000Z',
        lastSeenTime: '2026-06-01T02:10:01.000000Z',
      }),
    ]),
    202,
    'Impinj: its memory, padded',
  );
  expectStatus(
    t,
    await zebra.api.post('/rfid/reads', {
      reads: [{ reader: zebra.hostName, antenna: 1, epc: tag.pureIdentity, time: time(10, 9), count: 4 }],
    }),
    202,
    'generic: its pure identity',
  );
  t.same(
    await storedRows(world, gate.readPointId),
    [{ tag: padded, tagKey: tag.digitalLink, readCount: 7 }],
    'one row, shown as read first',
  );
  await world.app.services.gates.drain();
  const reads = (await store.api.get(`/rfid/reads?readPointId=${gate.readPointId}`)).body.items;
  t.match(reads, [{ tag: padded, readCount: 7, readerId: impinj.id, antenna: 'Portal1' }]);
  t.equal(reads.length, 1, 'one observation');
});

t.test(
  'two readers posting one tag in two spellings at once end with one row and every read counted (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres', { rfidTickMs: 0 });
    const store = await world.party('cold_storage');
    const zebra = await registerReader(world, store);
    const generic = await registerReader(world, store);
    const gate = await readPoint(world, store, 'observe', [
      { readerId: zebra.id, antenna: 1 },
      { readerId: generic.id, antenna: 1 },
    ]);
    const tags = [1, 2, 3].map((serial) => gs1Tag(`urn:epc:id:sgtin:0614141.812345.${serial}`, 'sgtin-96', 1));
    // both batches are held at their first write, then let go together: each inserts the tags' windows
    // while the other's are not yet committed
    const held = await holdLocked(world, sql`lock table rfid_batches in share mode`);
    const sent = Promise.all([
      zebra.api.post(
        '/rfid/zebra',
        tags.map((tag) =>
          zebraEvent({ idHex: tag.hex, antenna: 1, hostName: zebra.hostName, timestamp: '2026-06-01T10:10:03.000+0800', reads: 2 }),
        ),
      ),
      generic.api.post('/rfid/reads', {
        reads: tags.map((tag) => ({ reader: generic.hostName, antenna: 1, epc: tag.digitalLink, time: time(10, 1), count: 3 })),
      }),
    ]);
    await waitersReach(world, 2, sent);
    held.release();
    await held.done;
    const replies = await sent;
    for (const reply of replies) expectStatus(t, reply, 202, 'stored');
    const rows = await storedRows(world, gate.readPointId);
    t.same(
      rows.map(({ tagKey, readCount }) => ({ tagKey, readCount })).sort((a, b) => a.tagKey.localeCompare(b.tagKey)),
      tags.map((tag) => ({ tagKey: tag.digitalLink, readCount: 5 })).sort((a, b) => a.tagKey.localeCompare(b.tagKey)),
      'one row per tag, both readers’ reads counted',
    );
    t.same(rows.map((row) => row.tag).sort(), tags.map((tag) => tag.digitalLink).sort(), 'shown in the spelling of the earliest read');
  },
);
