import { collapseReads, type PlacedRead, windowStartOf } from '../../src/rfid/windows.js';
import { gs1Tag } from '../fixtures/rfid-payloads.js';
import { fileTest } from '../root.js';

const t = fileTest();

const read = (tag: string, time: string, extra: Partial<PlacedRead> = {}): PlacedRead => ({
  partyCode: 'P',
  readPointId: 'door',
  windowMs: 30_000,
  readerId: 'r1',
  antenna: '1',
  tag,
  tid: null,
  time: new Date(time),
  rawTime: time,
  rssi: null,
  count: 1,
  position: 0,
  ...extra,
});

t.test('windows are aligned to the epoch, so every batch puts a read in the same one', async (t) => {
  t.equal(windowStartOf(new Date('2026-03-01T00:00:29.999Z'), 30_000).toISOString(), '2026-03-01T00:00:00.000Z');
  t.equal(windowStartOf(new Date('2026-03-01T00:00:30.000Z'), 30_000).toISOString(), '2026-03-01T00:00:30.000Z');
});

t.test('reads of a tag at a read point in one window collapse, whatever their order', async (t) => {
  const windows = collapseReads([
    read('B', '2026-03-01T00:00:20Z', { rssi: -60, count: 2 }),
    read('A', '2026-03-01T00:00:10Z', { rssi: -50, readerId: 'r2', antenna: '2' }),
    read('A', '2026-03-01T00:00:05Z', { rssi: -70, tid: 'E200' }),
    read('A', '2026-03-01T00:00:25Z'),
    read('A', '2026-03-01T00:00:31Z'),
    read('A', '2026-03-01T00:00:12Z', { readPointId: 'aisle' }),
  ]);
  t.same(
    windows.map((w) => [w.readPointId, w.tag, w.windowStart.toISOString(), w.readCount]),
    [
      ['aisle', 'A', '2026-03-01T00:00:00.000Z', 1],
      ['door', 'A', '2026-03-01T00:00:00.000Z', 3],
      ['door', 'A', '2026-03-01T00:00:30.000Z', 1],
      ['door', 'B', '2026-03-01T00:00:00.000Z', 2],
    ],
    'in key order, counted',
  );
  const door = windows[1];
  t.match(door, {
    firstSeenRaw: '2026-03-01T00:00:05Z',
    readerId: 'r1',
    antenna: '1',
    peakRssi: -50,
    tid: 'E200',
  });
  t.equal(door.lastSeen.toISOString(), '2026-03-01T00:00:25.000Z');
  t.equal(door.windowEnd.toISOString(), '2026-03-01T00:00:30.000Z');
  t.same(collapseReads([]), []);
});

t.test("a tag's spellings are one window, by its key, shown in its earliest read's spelling", async (t) => {
  const tag = gs1Tag('urn:epc:id:sgtin:0614141.812345.6789', 'sgtin-96', 1);
  const other = gs1Tag('urn:epc:id:sgtin:0614141.812345.6790', 'sgtin-96', 1);
  const windows = collapseReads([
    read(tag.hex, '2026-03-01T00:00:08Z', { count: 2, rssi: -60 }),
    read(tag.digitalLink, '2026-03-01T00:00:03Z', { readerId: 'r2', antenna: '2', position: 1 }),
    read(other.hex, '2026-03-01T00:00:04Z'),
    read(tag.pureIdentity, '2026-03-01T00:00:20Z', { count: 4, rssi: -40, position: 3 }),
    read(tag.pureIdentity, '2026-03-01T00:00:40Z', { position: 4 }),
  ]);
  t.same(
    windows.map((w) => [w.tagKey, w.tag, w.windowStart.toISOString(), w.readCount]),
    [
      [tag.digitalLink, tag.digitalLink, '2026-03-01T00:00:00.000Z', 7],
      [tag.digitalLink, tag.pureIdentity, '2026-03-01T00:00:30.000Z', 1],
      [other.digitalLink, other.hex, '2026-03-01T00:00:00.000Z', 1],
    ],
    'in key order, counted',
  );
  t.match(windows[0], { readerId: 'r2', antenna: '2', batchPosition: 1, peakRssi: -40, firstSeenRaw: '2026-03-01T00:00:03Z' });
});

t.test('a window keeps where its first read stands in the batch; of reads at one time, the first listed', async (t) => {
  const windows = collapseReads([
    read('A', '2026-03-01T00:00:10Z', { position: 0 }),
    read('A', '2026-03-01T00:00:05Z', { position: 1 }),
    read('B', '2026-03-01T00:00:05Z', { position: 2 }),
    read('B', '2026-03-01T00:00:05Z', { position: 3, antenna: '2' }),
  ]);
  t.same(
    windows.map((w) => [w.tag, w.batchPosition, w.antenna]),
    [
      ['A', 1, '1'],
      ['B', 2, '1'],
    ],
  );
});
