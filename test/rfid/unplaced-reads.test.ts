// A batch with reads the service cannot place (an antenna that serves no read point, a reader no
// one registered, a read point that does not exist) is stored without them: the placeable reads are
// kept and the answer counts and names the others. A batch none of whose reads can be placed is
// refused whole (400), so that a wholly misconfigured reader is noticed.
import { impinjTagInventory, zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28011606000${String(n).padStart(12, '0')}`;
const readTime = (minute: number) => `2026-06-01T10:${String(minute).padStart(2, '0')}:00.000+0800`;
const keyed = (key: string) => ({ 'idempotency-key': key });

t.test('reads that cannot be placed are left out of the batch, counted and named', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const zebra = await registerReader(world, store, 'FX9600-SPARE');
  const impinj = await registerReader(world, store, 'impinj-spare');
  const gate = await readPoint(world, store, 'entry', [
    { readerId: zebra.id, antenna: 1 },
    { readerId: impinj.id, antenna: 'Door' },
  ]);
  const reads = async (n: number) => (await store.api.get(`/rfid/reads?tag=${tag(n)}`)).body.items;

  await t.test('a Zebra read on a spare antenna: the gate reads are stored, the stray one listed', async (t) => {
    const batch = [
      zebraEvent({ idHex: tag(1), antenna: 1, hostName: zebra.hostName, timestamp: '2026-06-01T10:01:00.000+0800' }),
      zebraEvent({ idHex: tag(2), antenna: 4, hostName: zebra.hostName, timestamp: '2026-06-01T10:01:01.000+0800' }),
      zebraEvent({ idHex: tag(3), antenna: 1, hostName: zebra.hostName, timestamp: '2026-06-01T10:01:02.000+0800', reads: 2 }),
    ];
    const posted = await zebra.api.post('/rfid/zebra', batch, keyed('zb-spare-0001'));
    const body = expectStatus(t, posted, 202, 'accepted').body;
    t.match(body, { reads: 3, observations: 2, unplaced: 1 });
    t.same(body.unplacedReads, [{ pointer: '/1/data/antenna', reason: `antenna 4 of reader ${zebra.hostName} serves no read point` }]);
    t.match(await reads(1), [{ readPointId: gate.readPointId, readCount: 1 }], 'the entry-gate read is stored');
    t.match(await reads(3), [{ readPointId: gate.readPointId, readCount: 2 }]);
    t.same(await reads(2), [], 'the stray read is not');
    const again = await zebra.api.post('/rfid/zebra', batch, keyed('zb-spare-0001'));
    expectStatus(t, again, 202, 'resent under its key');
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.same(again.body, body, 'the same answer, unplaced reads and all');
    t.match(await reads(1), [{ readCount: 1 }], 'stored once');
  });

  await t.test('an unknown host name or read point is unplaced alike; the list is bounded', async (t) => {
    const generic = await zebra.api.post('/rfid/reads', {
      reads: [
        { antenna: 1, epc: tag(4), time: readTime(4) },
        { reader: 'nobody', antenna: 1, epc: tag(5), time: readTime(5) },
        { readPoint: '0190f000-0000-7000-8000-000000000000', epc: tag(6), time: readTime(6) },
        ...Array.from({ length: 150 }, (_, n) => ({ antenna: 9, epc: tag(100 + n), time: readTime(7) })),
      ],
    });
    const body = expectStatus(t, generic, 202, 'generic').body;
    t.match(body, { reads: 1, observations: 1, unplaced: 152 });
    t.equal(body.unplacedReads.length, 100, 'at most 100 listed');
    t.match(body.unplacedReads.slice(0, 3), [
      { pointer: '/reads/1/reader', reason: 'no reader is registered with host name nobody' },
      { pointer: '/reads/2/readPoint', reason: /no read point/ },
      { pointer: '/reads/3/antenna', reason: /antenna 9 of reader/ },
    ]);
    t.match(await reads(4), [{ readPointId: gate.readPointId }]);
    const impinjBatch = await impinj.api.post('/rfid/impinj', [
      impinjTagInventory({ epcHex: tag(8), hostname: impinj.hostName, antennaName: 'Door', lastSeenTime: '2026-06-01T02:08:00Z' }),
      impinjTagInventory({ epcHex: tag(9), hostname: impinj.hostName, antennaName: 'Dock', antennaPort: 3 }),
    ]);
    t.match(expectStatus(t, impinjBatch, 202, 'Impinj').body, {
      reads: 1,
      unplaced: 1,
      unplacedReads: [{ pointer: '/1/tagInventoryEvent/antennaName' }],
    });
  });

  await t.test('a batch none of whose reads can be placed is refused whole', async (t) => {
    const refused = await zebra.api.post('/rfid/zebra', [
      zebraEvent({ idHex: tag(10), antenna: 4, hostName: zebra.hostName }),
      zebraEvent({ idHex: tag(11), antenna: 5, hostName: zebra.hostName }),
    ]);
    const body = expectStatus(t, refused, 400, 'no read placeable').body;
    t.match(body.detail, /no read of the batch can be placed/);
    t.match(body.errors, [{ pointer: '/0/data/antenna' }, { pointer: '/1/data/antenna' }]);
    t.same(await reads(10), []);
  });

  await t.test('a batch with every read placed answers no unplaced reads', async (t) => {
    const posted = await zebra.api.post('/rfid/zebra', zebraEvent({ idHex: tag(12), hostName: zebra.hostName }));
    t.match(expectStatus(t, posted, 202, 'stored').body, { reads: 1, unplaced: 0, unplacedReads: [] });
  });
});

t.test("reads dated before any reader's clock could be right are unplaced as the reader clock's fault", async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store, 'FX9600-RESET');
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: '*' }]);
  const reads = async (n: number) => (await store.api.get(`/rfid/reads?tag=${tag(n)}`)).body.items;

  await t.test('a Zebra read of 1970 (clock reset after a power loss) is left out, at its timestamp', async (t) => {
    const posted = await reader.api.post('/rfid/zebra', [
      zebraEvent({ idHex: tag(20), hostName: reader.hostName, timestamp: '2026-06-01T10:00:00.000+0800' }),
      zebraEvent({ idHex: tag(21), hostName: reader.hostName, timestamp: '1970-01-01T00:00:12.000+0000' }),
    ]);
    const body = expectStatus(t, posted, 202, 'the rest stored').body;
    t.match(body, { reads: 1, unplaced: 1, unplacedReads: [{ pointer: '/1/timestamp', reason: /^reader clock: / }] });
    t.same(await reads(21), [], 'not stored to be rejected later');
    t.equal((await reads(20)).length, 1);
  });

  await t.test('Impinj and generic alike; a batch of nothing else is refused', async (t) => {
    const impinj = await reader.api.post('/rfid/impinj', [
      impinjTagInventory({ epcHex: tag(22), hostname: reader.hostName, lastSeenTime: '1970-01-01T00:03:00Z' }),
      impinjTagInventory({ epcHex: tag(23), hostname: reader.hostName, lastSeenTime: '2026-06-01T02:00:00Z' }),
    ]);
    t.match(expectStatus(t, impinj, 202, 'Impinj').body, {
      unplaced: 1,
      unplacedReads: [{ pointer: '/0/tagInventoryEvent/lastSeenTime', reason: /^reader clock/ }],
    });
    const generic = await reader.api.post('/rfid/reads', { reads: [{ antenna: 1, epc: tag(24), time: '1970-01-01T08:00:00+08:00' }] });
    t.match(expectStatus(t, generic, 400, 'only reads of a reset clock').body.errors, [
      { pointer: '/reads/0/time', detail: /^reader clock/ },
    ]);
    t.same(await reads(24), []);
  });
});
