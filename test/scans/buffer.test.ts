// What a SIGKILL can lose is what the buffer holds: it is written at most 200 ms after its first
// scan (the README's flush window), however steadily scans keep coming, or as soon as 1,000 wait.
import { createScanBuffer, type PendingScan } from '../../src/scans/buffer.js';
import { fileTest } from '../root.js';

const t = fileTest();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let next = 0;
const scan = (): PendingScan => ({
  id: `s${++next}`,
  code: 'C',
  itemCode: 'C',
  lotCode: 'L',
  partyCode: 'P',
  at: new Date(),
  region: null,
  ipHash: 'h',
  userAgent: null,
  clientHash: `c${next}`,
});

t.test('a steady stream is written every flush window, not held while scans keep coming', async (t) => {
  const waits: number[] = [];
  let stored = 0;
  const buffer = createScanBuffer({
    write: async (scans) => {
      // how long the oldest scan of the batch waited in memory
      waits.push(Date.now() - scans[0].at.getTime());
      stored += scans.length;
    },
  });
  let sent = 0;
  // how late a timer fired, at most: the flush window's timer may be as late on a busy machine
  let lateness = 0;
  const started = Date.now();
  // a scan every 20 ms for 700 ms, and on until two batches are written (a process stalled early on
  // writes its first batch late, near the 700 ms), for at most 10 s: a buffer that held its scans
  // while they kept coming writes none in that time
  while ((Date.now() - started < 700 || waits.length < 2) && Date.now() - started < 10_000) {
    buffer.record(scan());
    sent++;
    const slept = Date.now();
    await sleep(20);
    lateness = Math.max(lateness, Date.now() - slept - 20);
  }
  t.ok(waits.length >= 2, `${waits.length} batches written while the stream ran`);
  t.ok(
    Math.max(...waits) < 200 + lateness + 100,
    `no scan waited much over 200 ms and the lateness of timers (${lateness} ms): ${waits.join(', ')} ms`,
  );
  await buffer.flush();
  t.equal(stored, sent, 'the stop flush writes the rest');
  t.equal(buffer.pendingFor('C'), undefined);
});

t.test('1,000 waiting scans are written at once', async (t) => {
  let batches = 0;
  const buffer = createScanBuffer({
    write: async (scans) => {
      batches++;
      t.equal(scans.length, 1000);
    },
  });
  for (let i = 0; i < 1000; i++) buffer.record(scan());
  await Promise.resolve();
  t.equal(batches, 1, 'before any timer fires');
  await buffer.flush();
});

t.test('a read adds what its snapshot did not see; batches stored meanwhile stay until it closes', async (t) => {
  let xid = 100;
  const buffer = createScanBuffer({ write: async (_scans, began) => began(String(++xid)) });
  buffer.record(scan());
  await buffer.flush();
  const read = buffer.beginRead();
  buffer.record(scan());
  await buffer.flush();
  buffer.record(scan());
  t.equal(buffer.pendingFor('C')?.count, 1, 'one scan not stored yet');
  t.equal(
    read.pendingFor('C', '102:102:')?.count,
    2,
    'read before the batch stored meanwhile committed: that batch and the scan not stored',
  );
  t.equal(read.pendingFor('C', '101:103:102')?.count, 2, 'read while it was in progress: the same');
  t.equal(read.pendingFor('C', '103:103:')?.count, 1, 'read after it committed: only the scan not stored');
  t.equal(read.pendingFor('C', '90:90:')?.count, 2, 'the batch stored before the read began is never added');
  read.close();
  const later = buffer.beginRead();
  t.equal(later.pendingFor('C', '90:90:')?.count, 1, 'once the read closed, stored batches are forgotten');
  later.close();
  await buffer.flush();
});

// The impossible-travel check compares a scan's region with the last scan that had one, at that
// scan's time: a scan with no region in between moves neither.
t.test('the region before a scan is the last scan that had one, at its own time', async (t) => {
  const at = (hours: number) => new Date(Date.parse('2026-11-01T10:00:00Z') + hours * 3_600_000);
  const scanAt = (hours: number, region: string | null): PendingScan => ({ ...scan(), at: at(hours), region });
  const expected = {
    count: 3,
    lastAt: at(12.5),
    lastRegion: { region: '500236', at: at(12.5) },
    regionBefore: { region: '110101', at: at(0) },
  };

  const unstored = createScanBuffer({ write: async () => {} });
  unstored.record(scanAt(0, '110101'));
  unstored.record(scanAt(12, null));
  unstored.record(scanAt(12.5, '500236'));
  t.match(unstored.pendingFor('C'), expected, 'all three in memory');
  await unstored.flush();

  // the first scan's batch is being written: its counts are merged with the later scans'
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const writing = createScanBuffer({ write: () => released });
  writing.record(scanAt(0, '110101'));
  const flushed = writing.flush();
  writing.record(scanAt(12, null));
  writing.record(scanAt(12.5, '500236'));
  t.match(writing.pendingFor('C'), expected, 'the first in a batch being written');
  const read = writing.beginRead();
  t.match(read.pendingFor('C', '1:1:'), expected, 'the same for a read that did not see the batch');
  read.close();
  writing.record(scanAt(13, null));
  t.match(
    writing.pendingFor('C'),
    { count: 4, lastAt: at(13), lastRegion: { region: '500236', at: at(12.5) }, regionBefore: { region: '500236', at: at(12.5) } },
    'a scan with no region keeps the region and time of the one before',
  );
  release();
  await flushed;
  await writing.flush();
});
