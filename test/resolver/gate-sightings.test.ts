// The consumer's timeline tells a temperature log from an RFID gate's sighting of the pack: a
// sighting is named by its business step (into storage, in storage, out of storage), once for each
// stay however many windows the antennas read it in, and is never a temperature record.
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { issuePacks, readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const TAG = '3035A537C8375F4000001389';
const readTime = (minute: number) => `2026-06-01T10:${String(minute).padStart(2, '0')}:00.000+0800`;
const count = (text: string, word: string) => text.split(word).length - 1;

t.test('gate reads of a pack on its consumer page: sightings by business step, temperature logs only with a temperature', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const [pack] = await issuePacks(world, processor, lot, 1);
  await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: TAG, code: pack }] }));
  await processor.ship(store, [{ lotCode: lot, quantity: 1 }]);

  const reader = await registerReader(world, store);
  const place = await store.location('cold_store');
  const at = { locationCode: place };
  await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }], { ...at, name: '冷库 入口' });
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 2 }], { ...at, name: '冷库 巡检' });
  await readPoint(world, store, 'exit', [{ readerId: reader.id, antenna: 3 }], { ...at, name: '冷库 出口' });
  const read = async (antenna: number, minute: number) => {
    await world.ok(
      reader.api.post('/rfid/zebra', [zebraEvent({ idHex: TAG, antenna, hostName: reader.hostName, timestamp: readTime(minute) })]),
      202,
    );
    await world.app.services.gates.drain();
  };

  await read(1, 1); // the entry gate receives the shipment
  for (const minute of [5, 6, 7]) await read(2, minute); // the inspection antenna, three windows
  await world.ok(
    store.api.post('/events', {
      type: 'observe',
      eventTime: '2026-06-01T10:10:00+08:00',
      lotCodes: [lot],
      readings: [{ type: 'temperature', value: 2.5, unit: 'Cel' }],
    }),
  );
  await read(3, 20); // out of the exit gate, in no shipment
  await read(1, 30); // and back in at the entry gate, in none either
  await read(2, 35);

  const summary = (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
  t.same(
    summary.timeline.map((step: { action: string }) => step.action),
    ['commission', 'receive', 'stored', 'observe', 'departed', 'arrived', 'stored'],
    'a step for the receipt, one for the stay whatever the windows, the temperature log, and the pack out and back in',
  );
  t.match(summary.coldChain, { readings: 1, minCelsius: 2.5 }, 'the cold chain counts the temperature alone');

  const zh = (await world.app.inject({ method: 'GET', url: `/t/${pack}?lang=zh-CN` })).body;
  t.same(
    ['温度记录', '入库', '在库', '出库'].map((word) => count(zh, word)),
    [1, 1, 2, 1],
    'zh-CN: one temperature record, the rest by their business step',
  );
  const en = (await world.app.inject({ method: 'GET', url: `/t/${pack}?lang=en` })).body;
  t.same(
    ['temperature logged', 'into storage', 'in storage', 'out of storage'].map((word) => count(en, word)),
    [1, 1, 2, 1],
    'en',
  );
});
