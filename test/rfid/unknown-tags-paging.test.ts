// GET /rfid/unknown-tags in pages (limit, offset) and since a time: a gate that has read thousands
// of factory tags lists them a page at a time, the latest first, and a poller asks only for what
// was read since it last looked.
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28011606000${String(n).padStart(12, '0')}`;

t.test('unknown tags are listed a page at a time, and since a time', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: '*' }]);
  // 150 tags, tag n read at minute n of the day (one window each)
  const reads = Array.from({ length: 150 }, (_, n) => ({
    antenna: 1,
    epc: tag(n),
    time: new Date(Date.parse('2026-06-01T00:00:00Z') + n * 60_000).toISOString(),
  }));
  expectStatus(t, await reader.api.post('/rfid/reads', { reads }), 202, 'stored');
  await world.app.services.gates.drain();
  const list = async (query: string) => expectStatus(t, await store.api.get(`/rfid/unknown-tags?${query}`), 200, query).body.items;

  const first = await list('');
  t.equal(first.length, 100, 'a page of 100 by default');
  t.equal(first[0].tag, tag(149), 'the latest read first');
  const second = await list('offset=100');
  t.equal(second.length, 50);
  t.same(new Set([...first, ...second].map((item: { tag: string }) => item.tag)).size, 150, 'the pages together list every tag once');
  t.same(
    (await list('limit=3&offset=1')).map((item: { tag: string }) => item.tag),
    [tag(148), tag(147), tag(146)],
  );
  const since = await list(`since=${encodeURIComponent('2026-06-01T10:20:00+08:00')}`);
  t.same(
    since.map((item: { tag: string }) => item.tag),
    Array.from({ length: 10 }, (_, n) => tag(149 - n)),
    'read since 02:20 UTC: minutes 140–149',
  );
  t.equal(since[9].windows, 1);
  for (const bad of ['limit=0', 'limit=1001', 'offset=-1', 'since=yesterday']) {
    expectStatus(t, await store.api.get(`/rfid/unknown-tags?${bad}`), 400, bad);
  }
});
