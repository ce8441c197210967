// What a cold store's operator sees of its readers and their reads: a reader whose clock runs hours
// behind is named as the cause of a receipt refused as dated before its shipment; GET /rfid/readers
// says when each reader was last heard from (heartbeats too) and last sent reads; a receiver reads
// the binding of a tag it received goods by; refusals say nothing of another party's tags.
import { impinjTagInventory } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;
const HOUR = 3_600_000;

t.test('an entry gate reader whose clock runs hours behind is named as the cause, not the shipment', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const product = await processor.product('kg');
  const reader = await registerReader(world, store, 'impinj-coldstore-door');
  await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }]);
  const impinj = (epc: string, time: Date) =>
    reader.api.post('/rfid/impinj', [
      impinjTagInventory({ epcHex: epc, hostname: reader.hostName, timestamp: time.toISOString(), lastSeenTime: time.toISOString() }),
    ]);
  const ship = async (lotCode: string, shippedAt: Date): Promise<string> =>
    (await world.ok(processor.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode }], eventTime: shippedAt.toISOString() })))
      .shipmentId;
  const readOf = async (epc: string) => (await store.api.get(`/rfid/reads?tag=${epc}`)).body.items[0];
  const open = async (shipmentId: string) =>
    (await store.api.get('/shipments?status=open')).body.items.some((shipment: { id: string }) => shipment.id === shipmentId);

  await t.test('read 3 h behind after the shipment was recorded: the reader clock', async (t) => {
    const lot = await processor.commission(product, 20);
    await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag(1), code: lot }] }));
    const shipmentId = await ship(lot, new Date(Date.now() - HOUR));
    const readAt = new Date(Date.now() - 3 * HOUR);
    expectStatus(t, await impinj(tag(1), readAt), 202, 'the read is taken');
    await world.app.services.gates.drain();
    const row = await readOf(tag(1));
    t.equal(row.outcome, 'rejected');
    t.equal(row.lotCode, lot);
    t.match(row.detail, /^reader clock: reader impinj-coldstore-door dated the reads /, 'names the reader');
    t.match(row.detail, readAt.toISOString().slice(0, 19), "the reader's time");
    t.match(row.detail, /the service received them at \d{4}-/, 'the time received');
    t.match(row.detail, /set the reader's clock \(NTP\) and read the goods again$/, 'what to do');
    t.notMatch(row.detail, /cannot be received before/, 'not the shipment');
    t.ok(await open(shipmentId), 'the goods are still on their way');
  });

  await t.test('reads the service had before the shipment was recorded keep the shipment refusal', async (t) => {
    const lot = await processor.commission(product, 20);
    await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag(2), code: lot }] }));
    expectStatus(t, await impinj(tag(2), new Date(Date.now() - 3 * HOUR)), 202, 'read before the shipment was recorded');
    await ship(lot, new Date(Date.now() - HOUR));
    await world.app.services.gates.drain();
    const row = await readOf(tag(2));
    t.equal(row.outcome, 'rejected');
    t.match(row.detail, /was shipped at .*; it cannot be received before that/);
  });
});

t.test('GET /rfid/readers: when each reader was last heard from and last sent reads', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const lot = await store.commission(await store.product('kg'), 10);
  await world.ok(store.api.post('/rfid/tags', { tags: [{ epc: tag(3), code: lot }] }));
  const zebra = await registerReader(world, store, 'FX9600-EXIT');
  const idle = await registerReader(world, store, 'FX9600-SPARE');
  await readPoint(world, store, 'observe', [{ readerId: zebra.id, antenna: '*' }]);
  type Listed = { id: string; lastHeardAt: string | null; lastReadAt: string | null };
  const readers = async () => new Map((await store.api.get('/rfid/readers')).body.items.map((reader: Listed) => [reader.id, reader]));
  const readerOf = async (id: string) => (await readers()).get(id) as Listed;

  t.match((await readers()).get(zebra.id), { lastHeardAt: null, lastReadAt: null }, 'nothing heard yet');
  const read = await zebra.api.post('/rfid/zebra', [
    {
      data: { eventNum: 1, format: 'epc', idHex: tag(3), antenna: 1, hostName: zebra.hostName },
      timestamp: '2026-06-01T10:00:00.000+0800',
      type: 'SIMPLE',
    },
  ]);
  expectStatus(t, read, 202, 'a read');
  const afterRead = await readerOf(zebra.id);
  t.ok(afterRead.lastReadAt, 'last read');
  t.equal(afterRead.lastHeardAt, afterRead.lastReadAt, 'heard when it read');

  await new Promise((resolve) => setTimeout(resolve, 5));
  const heartbeat = await zebra.api.post('/rfid/zebra', { type: 'heartbeat', timestamp: '2026-06-01T10:05:00.000+0800', data: {} });
  t.match(expectStatus(t, heartbeat, 202, 'a heartbeat').body, { reads: 0, otherEvents: 1 });
  const afterBeat = await readerOf(zebra.id);
  t.ok(new Date(afterBeat.lastHeardAt as string) > new Date(afterRead.lastHeardAt as string), 'a heartbeat is heard');
  t.equal(afterBeat.lastReadAt, afterRead.lastReadAt, 'but is no read');
  t.match((await readers()).get(idle.id), { lastHeardAt: null, lastReadAt: null }, 'a reader never heard from');
});

t.test('a receiver reads the binding of the tag it received goods by; no refusal tells of others’ tags', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const stranger = await world.party('retailer');
  const product = await processor.product('kg');
  const lot = await processor.commission(product, 10);
  const other = await processor.commission(product, 10);
  await world.ok(
    processor.api.post('/rfid/tags', {
      tags: [
        { epc: tag(4), code: lot },
        { epc: tag(5), code: other },
      ],
    }),
  );
  await world.handOver(processor, store, lot);

  t.match(
    expectStatus(t, await store.api.get(`/rfid/tags/${tag(4)}`), 200, 'the holder').body,
    { value: tag(4), lotCode: lot, partyCode: processor.code },
    "a holder of the tag's lot reads its binding",
  );
  await world.handOver(store, stranger, lot);
  expectStatus(t, await store.api.get(`/rfid/tags/${tag(4)}`), 200, 'a past holder too');
  const notHeld = await store.api.get(`/rfid/tags/${tag(5)}`);
  t.equal(expectStatus(t, notHeld, 404, 'a tag of a lot the store never had').body.detail, `no tag ${tag(5)} this key may read`);
  const unbound = await store.api.get(`/rfid/tags/${tag(6)}`);
  t.equal(expectStatus(t, unbound, 404, 'a tag bound by no one').body.detail, `no tag ${tag(6)} this key may read`, 'in the same words');

  const reader = await registerReader(world, stranger);
  await readPoint(world, stranger, 'observe', [{ readerId: reader.id, antenna: '*' }]);
  await reader.api.post('/rfid/reads', { reads: [{ antenna: 1, epc: tag(5), time: '2026-06-01T10:00:00+08:00' }] });
  await world.app.services.gates.drain();
  const [row] = (await stranger.api.get(`/rfid/reads?tag=${tag(5)}`)).body.items;
  t.same(
    [row.outcome, row.lotCode, row.detail],
    ['rejected', null, 'the tag names nothing this party holds or has on its way to it'],
    'says nothing of who bound it',
  );
});
