// Reader batches under an Idempotency-Key: a batch resent under its key (the reader did not see the
// 202) is answered as the first was and stores nothing again; without a key, a resent batch is read
// again, its reads counted twice.
import type { Test } from 'tap';
import { impinjTagInventory, zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import type { Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const keyed = (key: string) => ({ 'idempotency-key': key });
const tag = (n: number) => `E28011606000${String(n).padStart(12, '0')}`;
/** After the world's events (which start 2026-03-01), before the service's clock. */
const readTime = (minute: number) => `2026-06-01T10:${String(minute).padStart(2, '0')}:00.000+0800`;

t.test('reader batches under an Idempotency-Key are stored once', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const reader = await registerReader(world, processor);
  const aisle = await readPoint(world, processor, 'observe', [{ readerId: reader.id, antenna: '*' }], {
    locationCode: await processor.location('plant'),
    name: '过道',
  });
  const rowsOf = async (n: number) => (await processor.api.get(`/rfid/reads?readPointId=${aisle.readPointId}&tag=${tag(n)}`)).body.items;
  const zebraBatch = (n: number) => [
    zebraEvent({ idHex: tag(n), hostName: reader.hostName, timestamp: readTime(n) }),
    zebraEvent({ idHex: tag(n), hostName: reader.hostName, timestamp: readTime(n).replace(':00.000', ':05.000') }),
  ];
  const expectReplay = (t: Test, reply: Reply, first: Reply, what: string) => {
    expectStatus(t, reply, 202, what);
    t.equal(reply.headers['idempotent-replayed'], 'true', `${what}: said to be a replay`);
    t.same(reply.body, first.body, `${what}: the first answer`);
  };

  await t.test('a Zebra batch resent under its key: the same answer, its reads counted once, one observation', async (t) => {
    expectStatus(t, await processor.api.post('/rfid/tags', { tags: [{ epc: tag(1), code: lot }] }), 201, 'bound');
    const first = await reader.api.post('/rfid/zebra', zebraBatch(1), keyed('zebra-0001'));
    t.match(expectStatus(t, first, 202, 'stored').body, { reads: 2, observations: 1 });
    t.equal(first.headers['idempotent-replayed'], undefined, 'the first answer is no replay');
    expectReplay(t, await reader.api.post('/rfid/zebra', zebraBatch(1), keyed('zebra-0001')), first, 'resent');
    t.match(await rowsOf(1), [{ readCount: 2 }], 'two reads, not four');
    await world.app.services.gates.drain();
    const [row] = await rowsOf(1);
    t.match(row, { outcome: 'observed', lotCode: lot });
    const event = (await processor.api.get(`/events/${row.eventId}`)).body;
    t.match(event.details.readings, [{ readPoint: '过道', tags: 1, reads: 2 }], 'the observe event counts them once');
    expectReplay(t, await reader.api.post('/rfid/zebra', zebraBatch(1), keyed('zebra-0001')), first, 'resent after it became an event');
    t.match(await rowsOf(1), [{ readCount: 2, eventId: row.eventId }]);
  });

  await t.test('Impinj and generic batches alike', async (t) => {
    const impinj = [impinjTagInventory({ epcHex: tag(2), hostname: reader.hostName, lastSeenTime: '2026-06-01T02:02:00Z' })];
    const first = await reader.api.post('/rfid/impinj', impinj, keyed('impinj-0001'));
    t.match(expectStatus(t, first, 202, 'Impinj').body, { reads: 1 });
    expectReplay(t, await reader.api.post('/rfid/impinj', impinj, keyed('impinj-0001')), first, 'Impinj resent');
    t.match(await rowsOf(2), [{ readCount: 1 }]);
    const generic = { reads: [{ antenna: 1, epc: tag(3), time: readTime(3), count: 3 }] };
    const posted = await reader.api.post('/rfid/reads', generic, keyed('generic-0001'));
    t.match(expectStatus(t, posted, 202, 'generic').body, { reads: 3 });
    expectReplay(t, await reader.api.post('/rfid/reads', generic, keyed('generic-0001')), posted, 'generic resent');
    t.match(await rowsOf(3), [{ readCount: 3 }]);
  });

  await t.test('the key with another batch is refused; a refused batch keeps no key', async (t) => {
    const other = await reader.api.post('/rfid/zebra', zebraBatch(4), keyed('zebra-0001'));
    t.match(expectStatus(t, other, 422, 'another batch under a used key').body, {
      type: '/problems/idempotency-key-reused',
      errors: [{ in: 'headers', pointer: '/idempotency-key' }],
    });
    t.same(await rowsOf(4), [], 'nothing of it stored');
    const refused = await reader.api.post('/rfid/zebra', [zebraBatch(5)[0], zebraEvent({ idHex: 'not-hex' })], keyed('zebra-0002'));
    expectStatus(t, refused, 400, 'a bad element');
    const corrected = await reader.api.post('/rfid/zebra', zebraBatch(5), keyed('zebra-0002'));
    t.match(expectStatus(t, corrected, 202, 'the corrected batch under the same key').body, { reads: 2 });
    t.equal(corrected.headers['idempotent-replayed'], undefined);
    t.match(await rowsOf(5), [{ readCount: 2 }]);
    const badKey = await reader.api.post('/rfid/zebra', zebraBatch(6), keyed('zebra-０００３'));
    t.match(expectStatus(t, badKey, 400, 'a key of other than printable ASCII').body.errors, [
      { in: 'headers', pointer: '/idempotency-key' },
    ]);
    t.same(await rowsOf(6), []);
  });

  await t.test('without a key a resent batch is read again: devices that send no header count it twice', async (t) => {
    expectStatus(t, await reader.api.post('/rfid/zebra', zebraBatch(7)), 202, 'first');
    const again = await reader.api.post('/rfid/zebra', zebraBatch(7));
    t.equal(expectStatus(t, again, 202, 'again').headers['idempotent-replayed'], undefined);
    t.match(await rowsOf(7), [{ readCount: 4 }]);
  });
});
