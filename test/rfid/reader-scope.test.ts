// What a reader's own key may do: post its own reads (not another reader's of its party, which a
// party-wide reader key may) at the read points its antennas serve (a party-wide key names any of
// its party's), under Idempotency-Keys of its own (another reader of the party reusing a key is
// another request); Zebra heartbeats and GPI/GPO events are accepted and counted, as
// Impinj's events that are not reads are.
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28011606000${String(n).padStart(12, '0')}`;
const readTime = (minute: number) => `2026-06-01T10:${String(minute).padStart(2, '0')}:00.000+0800`;
const keyed = (key: string) => ({ 'idempotency-key': key });

t.test('a reader key posts for its own reader, under keys of its own', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const gateA = await registerReader(world, store, 'FX-GATE-A');
  const gateB = await registerReader(world, store, 'FX-GATE-B');
  await readPoint(world, store, 'entry', [
    { readerId: gateA.id, antenna: '*' },
    { readerId: gateB.id, antenna: '*' },
  ]);
  const reads = async (n: number) => (await store.api.get(`/rfid/reads?tag=${tag(n)}`)).body.items;

  await t.test("a reader's key naming another reader of its party: 403 at the host name", async (t) => {
    const refused = await gateA.api.post('/rfid/zebra', [
      zebraEvent({ idHex: tag(1), hostName: gateA.hostName, timestamp: readTime(1) }),
      zebraEvent({ idHex: tag(2), hostName: gateB.hostName, timestamp: readTime(1) }),
    ]);
    t.match(expectStatus(t, refused, 403, 'another reader').body.errors, [
      { in: 'body', pointer: '/1/data/hostName', detail: /not the reader of this key/ },
    ]);
    t.same(await reads(1), [], 'nothing of the batch stored');
    const generic = await gateA.api.post('/rfid/reads', { reads: [{ reader: gateB.hostName, epc: tag(3), time: readTime(3) }] });
    t.match(expectStatus(t, generic, 403, 'generic').body.errors, [{ pointer: '/reads/0/reader' }]);
  });

  await t.test("a party-wide reader key posts for any of the party's readers", async (t) => {
    const issued = await world.ok(world.admin.post('/api-keys', { role: 'reader', partyCode: store.code }));
    const middleware = client(world.app, issued.key);
    const posted = await middleware.post('/rfid/zebra', [
      zebraEvent({ idHex: tag(4), hostName: gateA.hostName, timestamp: readTime(4) }),
      zebraEvent({ idHex: tag(5), hostName: gateB.hostName, timestamp: readTime(4) }),
    ]);
    t.match(expectStatus(t, posted, 202, 'both readers').body, { reads: 2 });
  });

  await t.test("an Idempotency-Key is each reader's own", async (t) => {
    const first = await gateA.api.post(
      '/rfid/zebra',
      [zebraEvent({ idHex: tag(6), hostName: gateA.hostName, timestamp: readTime(6) })],
      keyed('zb-batch-0001'),
    );
    expectStatus(t, first, 202, 'reader A');
    const second = await gateB.api.post(
      '/rfid/zebra',
      [zebraEvent({ idHex: tag(7), hostName: gateB.hostName, timestamp: readTime(7) })],
      keyed('zb-batch-0001'),
    );
    expectStatus(t, second, 202, 'reader B, its own batch under the same key');
    t.equal(second.headers['idempotent-replayed'], undefined, 'no replay of A’s answer');
    t.equal((await reads(7)).length, 1, 'stored');
    const reused = await gateA.api.post(
      '/rfid/zebra',
      [zebraEvent({ idHex: tag(8), hostName: gateA.hostName, timestamp: readTime(8) })],
      keyed('zb-batch-0001'),
    );
    expectStatus(t, reused, 422, 'reader A reusing its own key for another batch');
  });

  await t.test('an empty Impinj batch under a key is held to the key too', async (t) => {
    expectStatus(t, await gateA.api.post('/rfid/impinj', [], keyed('zb-batch-0001')), 422, 'a key used for another batch');
    const empty = await gateA.api.post('/rfid/impinj', [], keyed('imp-empty-0001'));
    t.match(expectStatus(t, empty, 202, 'empty').body, { batchId: null, reads: 0 });
    const again = await gateA.api.post('/rfid/impinj', [], keyed('imp-empty-0001'));
    expectStatus(t, again, 202, 'resent');
    t.equal(again.headers['idempotent-replayed'], 'true');
    const other = await gateA.api.post(
      '/rfid/zebra',
      zebraEvent({ idHex: tag(9), hostName: gateA.hostName, timestamp: readTime(9) }),
      keyed('imp-empty-0001'),
    );
    expectStatus(t, other, 422, 'the empty batch’s key used for a batch of reads');
  });
});

t.test("a reader's key names only the read points its own antennas serve; a party-wide key any of the party's", async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const doorReader = await registerReader(world, store, 'FX-DOOR');
  const dockReader = await registerReader(world, store, 'FX-DOCK');
  const door = await readPoint(world, store, 'entry', [{ readerId: doorReader.id, antenna: 1 }], { name: '冷库 1 号门' });
  const dock = await readPoint(world, store, 'exit', [{ readerId: dockReader.id, antenna: '*' }], { name: '发货月台' });
  const reads = async (n: number) => (await store.api.get(`/rfid/reads?tag=${tag(n)}`)).body.items;

  const atDock = await doorReader.api.post('/rfid/reads', {
    reads: [
      { readPoint: door.readPointId, epc: tag(30), time: readTime(30) },
      { readPoint: dock.readPointId, epc: tag(31), time: readTime(30) },
    ],
  });
  const refused = expectStatus(t, atDock, 403, 'a read point its antennas do not serve').body;
  t.match(refused.errors, [{ in: 'body', pointer: '/reads/1/readPoint', detail: 'served by no antenna of reader FX-DOOR' }]);
  t.equal(refused.errors.length, 1, 'only the read that named it');
  t.same(await reads(30), [], 'nothing of the batch stored');
  t.same(await reads(31), []);

  const atDoor = await doorReader.api.post('/rfid/reads', { reads: [{ readPoint: door.readPointId, epc: tag(32), time: readTime(32) }] });
  expectStatus(t, atDoor, 202, 'the read point its antenna 1 serves');
  t.match(await reads(32), [{ readPointId: door.readPointId, readerId: doorReader.id }]);

  const issued = await world.ok(world.admin.post('/api-keys', { role: 'reader', partyCode: store.code }));
  const middleware = client(world.app, issued.key);
  const forwarded = await middleware.post('/rfid/reads', {
    reads: [{ reader: doorReader.hostName, readPoint: dock.readPointId, epc: tag(33), time: readTime(33) }],
  });
  expectStatus(t, forwarded, 202, 'a party-wide key names any read point of its party');
  t.match(await reads(33), [{ readPointId: dock.readPointId }]);
});

t.test('Zebra heartbeats and GPI/GPO events are accepted and counted, not reads', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store, 'FX-HEART');
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: '*' }]);
  const heartbeat = {
    type: 'heartbeat',
    timestamp: '2026-06-01T10:00:00.000+0800',
    data: { radio_control: { ANTENNAS: { '1': 'connected' } } },
  };
  const gpi = { type: 'GPI', timestamp: '2026-06-01T10:00:01.000+0800', data: { pin: 1, state: 'HIGH' } };
  const gpo = { type: 'GPO', timestamp: '2026-06-01T10:00:02.000+0800', data: { pin: 2, state: 'LOW' } };
  const alone = await reader.api.post('/rfid/zebra', heartbeat);
  t.match(expectStatus(t, alone, 202, 'a heartbeat alone').body, { reads: 0, otherEvents: 1 });
  const mixed = await reader.api.post('/rfid/zebra', [
    gpi,
    zebraEvent({ idHex: tag(20), hostName: reader.hostName, timestamp: readTime(20) }),
    gpo,
  ]);
  t.match(expectStatus(t, mixed, 202, 'with reads').body, { reads: 1, observations: 1, otherEvents: 2 });
  const typo = await reader.api.post('/rfid/zebra', [{ ...gpi, type: 'SIMPEL' }]);
  expectStatus(t, typo, 400, 'an event type Zebra does not send');
});
