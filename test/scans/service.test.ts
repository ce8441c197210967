// The scan service with exactly its narrowed repository, on a real database: the repeat window
// per client, buffered counts, flags and a lot's scan statistics; then the flag rules as the
// resolver applies them to real items.
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { createResolverService } from '../../src/resolver/service.js';
import type { PendingScan } from '../../src/scans/buffer.js';
import { createScanService, REPEAT_WINDOW_MS } from '../../src/scans/service.js';
import { createChain, narrow } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const START = Date.parse('2026-11-01T10:00:00Z');

// one database for the file: each test keeps to codes and lots of its own
const database = await openTestDatabase(t);

t.test('scans', async (t) => {
  let clock = START;
  const now = () => new Date(clock);
  const writeErrors: unknown[] = [];
  const { repositories, party } = createChain(database);
  const service = createScanService({
    scans: narrow(repositories.scans, ['writeScans', 'raiseFlag', 'listFlags', 'scansOfLot', 'scannedSince', 'scannersOf']),
    lots: narrow(repositories.lots, ['findByCodes']),
    onWriteError: (error) => writeErrors.push(error),
    now,
  });
  let serial = 0;
  const scan = (itemCode: string, clientHash: string, extra: Partial<PendingScan> = {}): PendingScan => ({
    id: `scan-${++serial}`,
    code: itemCode,
    itemCode,
    lotCode: null,
    partyCode: null,
    at: now(),
    region: null,
    ipHash: `ip-${clientHash}`,
    userAgent: 'phone',
    clientHash,
    ...extra,
  });

  t.test('one client scanning one code within ten minutes is one scan, buffered or stored', async (t) => {
    clock = START;
    t.notOk(await service.scannedRecentlyBy('W1', 'phone-a', 'item'), 'never scanned');
    service.record(scan('W1', 'phone-a'));
    t.ok(await service.scannedRecentlyBy('W1', 'phone-a', 'item'), 'still in the buffer');
    t.notOk(await service.scannedRecentlyBy('W1', 'phone-b', 'item'), 'another client');
    t.notOk(await service.scannedRecentlyBy('W2', 'phone-a', 'item'), 'another code');
    await service.flush();
    t.equal(service.pendingFor('W1'), undefined, 'stored: nothing pending');
    t.ok(await service.scannedRecentlyBy('W1', 'phone-a', 'item'), 'stored');
    clock = START + REPEAT_WINDOW_MS - 1000;
    t.ok(await service.scannedRecentlyBy('W1', 'phone-a', 'item'), 'nine minutes and 59 seconds later');
    clock = START + REPEAT_WINDOW_MS + 1000;
    t.notOk(await service.scannedRecentlyBy('W1', 'phone-a', 'item'), 'after ten minutes it is a new scan');
  });

  t.test("a lot's or case's own code scanned (a scan of no pack) is one scan per client too, buffered or stored", async (t) => {
    clock = START;
    t.notOk(await service.scannedRecentlyBy('C1', 'phone-a', 'lot'), 'never scanned');
    service.record(scan('C1', 'phone-a', { itemCode: null, lotCode: 'C1' }));
    t.ok(await service.scannedRecentlyBy('C1', 'phone-a', 'lot'), 'still in the buffer');
    t.notOk(await service.scannedRecentlyBy('C1', 'phone-b', 'lot'), 'another client');
    await service.flush();
    t.ok(await service.scannedRecentlyBy('C1', 'phone-a', 'lot'), 'stored');
    t.notOk(await service.scannedRecentlyBy('C1', 'phone-a', 'item'), 'no pack of that code was scanned');
    clock = START + REPEAT_WINDOW_MS + 1000;
    t.notOk(await service.scannedRecentlyBy('C1', 'phone-a', 'lot'), 'after ten minutes it is a new scan');
  });

  t.test('a pack’s scan and a lot’s scan of one text, buffered, are not the same scan', async (t) => {
    clock = START;
    t.ok(service.record(scan('K1', 'phone-a', { itemCode: null, lotCode: 'K1' })), 'the lot’s counts');
    t.notOk(await service.scannedRecentlyBy('K1', 'phone-a', 'item'), 'no pack of that text was scanned');
    t.ok(service.record(scan('K1', 'phone-a')), 'the pack’s counts too');
    t.notOk(service.record(scan('K1', 'phone-a')), 'the pack’s again does not');
    t.equal(service.pendingFor('K1')?.count, 1, 'the pack’s pending counts are the pack’s scan alone');
    await service.flush();
    t.strictSame(writeErrors, []);
  });

  t.test('buffered scans are counted per code with their clients and where the one before was', async (t) => {
    clock = START;
    service.record(scan('P1', 'phone-a', { region: '500236' }));
    clock += 60_000;
    service.record(scan('P1', 'phone-b', { region: '110101' }));
    service.record(scan('P2', 'phone-a'));
    t.match(service.pendingFor('P1'), {
      count: 2,
      firstAt: new Date(START),
      lastAt: new Date(START + 60_000),
      lastRegion: { region: '110101', at: new Date(START + 60_000) },
      regionBefore: { region: '500236', at: new Date(START) },
      clients: new Set(['phone-a', 'phone-b']),
    });
    t.equal(service.pendingFor('P2')?.count, 1);
    await service.flush();
    t.equal(service.pendingFor('P1'), undefined);
  });

  const farm = await party('farm');
  const newLot = async () => farm.commission(await farm.product(), 10);

  t.test('a lot’s scan statistics include what is still buffered', async (t) => {
    clock = START;
    const lotCode = await newLot();
    const lotScan = (itemCode: string, region: string | null) => scan(itemCode, `client-${serial}`, { lotCode, region });
    service.record(lotScan('S1', '500236'));
    clock += 60_000;
    service.record(lotScan('S1', '500236'));
    clock += 60_000;
    service.record(lotScan('S2', '110101'));
    clock += 60_000;
    service.record(lotScan('S3', null));
    const statistics = await service.scansOfLot(lotCode, 2);
    t.match(statistics, { totalScans: 4, distinctCodes: 3, firstAt: new Date(START), lastAt: new Date(START + 180_000) });
    t.same(statistics.byRegion, [
      { region: '500236', scans: 2 },
      { region: '110101', scans: 1 },
      { region: null, scans: 1 },
    ]);
    t.same(
      statistics.recent.map((row) => row.itemCode),
      ['S3', 'S2'],
      'the most recent first, as many as asked',
    );
    t.same(
      await service.scansOfLot(await newLot(), 10),
      { totalScans: 0, distinctCodes: 0, firstAt: null, lastAt: null, byRegion: [], recent: [] },
      'a lot no one has scanned',
    );
    await t.rejects(service.scansOfLot('B0000000001T', 10), { status: 404, message: 'no lot B0000000001T' }, 'a lot that does not exist');
  });

  t.test('a flag is raised once per code and kind, counting its occurrences', async (t) => {
    const first = new Date(START);
    const later = new Date(START + 3_600_000);
    await service.raiseFlag({ code: 'F1', kind: 'over_scanned', lotCode: 'LOT-F', partyCode: 'P', detail: 'scanned 21 times', at: first });
    await service.raiseFlag({ code: 'F1', kind: 'over_scanned', lotCode: 'LOT-F', partyCode: 'P', detail: 'scanned 22 times', at: later });
    await service.raiseFlag({ code: 'F1', kind: 'impossible_travel', lotCode: 'LOT-F', partyCode: 'P', detail: 'far', at: first });
    await service.raiseFlag({ code: 'F2', kind: 'unknown_code', lotCode: null, partyCode: null, detail: 'never issued', at: first });

    t.same(
      (await service.listFlags({ lotCode: 'LOT-F', limit: 10, offset: 0 })).map((flag) => [flag.code, flag.kind, flag.occurrences]),
      [
        ['F1', 'over_scanned', 2],
        ['F1', 'impossible_travel', 1],
      ],
      'newest first, one row per code and kind',
    );
    t.match((await service.listFlags({ kind: 'over_scanned', lotCode: 'LOT-F', limit: 10, offset: 0 }))[0], {
      firstAt: first,
      lastAt: later,
      detail: 'scanned 22 times',
    });
    const unknown = await service.listFlags({ kind: 'unknown_code', limit: 100, offset: 0 });
    t.ok(unknown.some((flag) => flag.code === 'F2') && unknown.every((flag) => flag.kind === 'unknown_code'), 'by kind');
    t.same(
      (await service.listFlags({ lotCode: 'LOT-F', limit: 1, offset: 1 })).map((flag) => flag.kind),
      ['impossible_travel'],
      'paged',
    );
  });

  t.test('a batch the database refuses is reported, and later scans are stored', async (t) => {
    clock = START;
    service.record(scan('E1', 'phone-a', { userAgent: 'bad\u0000agent' }));
    await service.flush();
    t.equal(writeErrors.length, 1, 'the write error reaches the handler');
    t.equal(service.pendingFor('E1'), undefined, 'the refused batch is not counted as pending forever');
    const lotCode = await newLot();
    service.record(scan('E2', 'phone-a', { lotCode }));
    t.equal((await service.scansOfLot(lotCode, 1)).totalScans, 1);
  });
});

t.test('flag rules as the resolver applies them to issued items', async (t) => {
  let clock = Date.now();
  const chain = createChain(database, { now: () => new Date(clock), flagPolicy: { overScanThreshold: 3, maxTravelKmh: 800 } });
  const { resolver, scans } = chain.services;
  const processor = await chain.party('processor');
  const product = await processor.product('piece');
  /** A pack of a lot of its own, so what one test does to a lot never reaches another. */
  const pack = async () => {
    const lot = await processor.commission(product, 10);
    const [code] = await processor.items(lot, 1);
    return { lot, code };
  };
  const resolve = (code: string, ip: string, userAgent = 'phone', region: string | null = '500236') =>
    resolver.resolveCode(code, { record: true, region, ip, userAgent });
  const flagsOf = async (code: string) =>
    (await scans.listFlags({ limit: 1000, offset: 0 })).filter((flag) => flag.code === code).map((flag) => flag.kind);

  t.test('over-scanned counts distinct scans: reloads by one phone do not add up', async (t) => {
    const { code: first } = await pack();
    let resolved = await resolve(first, '203.0.113.1');
    for (let i = 0; i < 10; i++) resolved = await resolve(first, '203.0.113.1');
    t.equal(resolved.pack.scans.count, 1, 'eleven resolutions by one client are one scan');
    t.same(await flagsOf(first), [], 'not over-scanned');
    for (const ip of ['203.0.113.2', '203.0.113.3']) resolved = await resolve(first, ip);
    t.equal(resolved.pack.scans.count, 3);
    t.same(await flagsOf(first), [], 'three scans are within the threshold of 3');
    // one shopper opening the page in a messenger, then in the phone's browser: one address, one scan
    for (const userAgent of ['MicroMessenger', 'a phone browser']) resolved = await resolve(first, '203.0.113.1', userAgent);
    t.equal(resolved.pack.scans.count, 3, 'the same address with another user agent within the window is the same scan');
    t.same(await flagsOf(first), [], 'and not another scanner');
    t.equal(resolved.pack.flagged, false);
    resolved = await resolve(first, '203.0.113.4', 'MicroMessenger');
    t.equal(resolved.pack.scans.count, 4, 'another address with the same user agent is another scan');
    t.same(await flagsOf(first), ['over_scanned'], 'a fourth address');
    t.equal(resolved.pack.flagged, true, 'the pack is suspected');
  });

  for (const [path, store] of [
    ['stored', true],
    ['buffered', false],
  ] as const) {
    t.test(`one address is never travel, whatever regions its user agents send (${path})`, async (t) => {
      const { code } = await pack();
      await resolve(code, '203.0.113.1', 'phone', '110101');
      if (store) await scans.flush();
      clock += 60_000;
      const again = await resolve(code, '203.0.113.1', 'another browser', '650102');
      t.equal(again.pack.scans.count, 1, 'another user agent at the address within the window is the same scan');
      t.same(await flagsOf(code), [], 'not counted, so no journey');
      // a process holds one client's scan of a code at a time: stored, the next past the window counts
      await scans.flush();
      clock += REPEAT_WINDOW_MS;
      const resolved = await resolve(code, '203.0.113.1', 'another browser', '650102');
      t.equal(resolved.pack.scans.count, 2, 'past the window: counted');
      t.same(await flagsOf(code), [], 'Beijing, then Urumqi eleven minutes later, from one address');
      t.equal(resolved.pack.flagged, false);
      await scans.flush();
      t.match(await chain.repositories.items.findItem(code), { lastRegion: '650102' }, 'the region is still the latest');
      clock += 60_000;
      await resolve(code, '198.51.100.7', 'phone', '110101');
      t.match(
        (await scans.listFlags({ limit: 1000, offset: 0 })).filter((flag) => flag.code === code).map((flag) => [flag.kind, flag.detail]),
        [['impossible_travel', '650102 → 110101: 2412 km in 0.02 h']],
        'another address in Beijing a minute later has travelled impossibly',
      );
    });
  }

  t.test('a code scanned in Beijing minutes after Chongqing has travelled impossibly', async (t) => {
    const { code: second } = await pack();
    await resolve(second, '203.0.113.1', 'phone', '500236');
    clock += 5 * 60_000;
    const resolved = await resolve(second, '198.51.100.7', 'phone', '110101');
    t.same(await flagsOf(second), ['impossible_travel']);
    t.equal(resolved.pack.flagged, true);
  });

  // A scan with no region between two does not move the one before: Beijing at T, a scan with no
  // region at T+12 h, Chongqing at T+12.5 h is 1,457 km in 12.5 h, not in half an hour.
  for (const [path, store] of [
    ['stored', true],
    ['buffered', false],
  ] as const) {
    t.test(`a scan with no region between two keeps the time of the one before (${path})`, async (t) => {
      // each scan from an address of its own: one address's scans are never travel
      const scanned = async (code: string, at: number, ip: string, region: string | null) => {
        clock = at;
        const resolved = await resolve(code, ip, 'phone', region);
        if (store) await scans.flush();
        return resolved;
      };
      const start = clock;
      const { code: plausible } = await pack();
      await scanned(plausible, start, '203.0.113.1', '110101');
      await scanned(plausible, start + 12 * 3_600_000, '203.0.113.2', null);
      const resolved = await scanned(plausible, start + 12.5 * 3_600_000, '203.0.113.3', '500236');
      t.equal(resolved.pack.scans.count, 3);
      t.same(await flagsOf(plausible), [], 'Beijing, then Chongqing twelve and a half hours later');
      t.equal(resolved.pack.flagged, false, 'not suspected');
      if (store) {
        t.match(
          await chain.repositories.items.findItem(plausible),
          { lastRegion: '500236', lastRegionAt: new Date(start + 12.5 * 3_600_000), lastScannedAt: new Date(start + 12.5 * 3_600_000) },
          'the region stored with its time',
        );
      }

      const { code: fast } = await pack();
      await scanned(fast, start, '203.0.113.1', '110101');
      await scanned(fast, start + 5 * 60_000, '203.0.113.2', null);
      await scanned(fast, start + 10 * 60_000, '203.0.113.3', '500236');
      const flags = (await scans.listFlags({ limit: 1000, offset: 0 })).filter((flag) => flag.code === fast);
      t.match(
        flags.map((flag) => [flag.kind, flag.detail]),
        [['impossible_travel', '110101 → 500236: 1457 km in 0.17 h']],
        'Beijing, then Chongqing ten minutes later, a scan with no region between',
      );
      clock = start + 13 * 3_600_000;
    });
  }

  // A batch of scans stored while a scan reads the pack's stored counts leaves the pending counts:
  // the scan must read the counts again, or the earlier scan counts nowhere (and its region is lost).
  t.test('a batch stored while a scan reads the pack still counts, and its region is the one before', async (t) => {
    const { code: fourth } = await pack();
    let storeDuringRead = false;
    const racing = createResolverService({
      ...chain.services,
      failures: chain.repositories.events,
      containers: chain.repositories.lineage,
      items: {
        findItem: async (code) => {
          const item = await chain.repositories.items.findItem(code);
          // the earlier scan's batch is stored just after this read
          if (storeDuringRead) {
            storeDuringRead = false;
            await scans.flush();
          }
          return item;
        },
      },
      lots: chain.repositories.lots,
      ipSalt: 'racing',
      policy: { overScanThreshold: 3, maxTravelKmh: 800 },
      now: () => new Date(clock),
    });
    await racing.resolveCode(fourth, { record: true, region: '500236', ip: '203.0.113.1', userAgent: 'phone' });
    clock += 5 * 60_000;
    storeDuringRead = true;
    const resolved = await racing.resolveCode(fourth, { record: true, region: '110101', ip: '198.51.100.7', userAgent: 'phone' });
    if (resolved.kind !== 'item') throw new Error('an item was expected');
    t.equal(resolved.pack.scans.count, 2, 'both scans counted');
    t.same(await flagsOf(fourth), ['impossible_travel'], 'Chongqing, then Beijing five minutes later');
  });

  // The reverse: a batch committed before the read, whose write the process has not yet seen end, is
  // both in the stored counts read and still among the pending ones: it must count once.
  t.test('a batch stored before the read, its write not yet seen to end, counts once', async (t) => {
    const { code: fifth } = await pack();
    let committed = () => {};
    let acknowledge = () => {};
    const acknowledged = new Promise<void>((resolve) => {
      acknowledge = resolve;
    });
    const slowAcknowledgement = createScanService({
      lots: chain.repositories.lots,
      scans: {
        ...chain.repositories.scans,
        writeScans: async (...args: Parameters<typeof chain.repositories.scans.writeScans>) => {
          const dropped = await chain.repositories.scans.writeScans(...args);
          committed();
          // the commit has reached the database; its answer reaches the process later
          await acknowledged;
          return dropped;
        },
      },
      now: () => new Date(clock),
    });
    const racing = createResolverService({
      ...chain.services,
      scans: slowAcknowledgement,
      items: chain.repositories.items,
      failures: chain.repositories.events,
      containers: chain.repositories.lineage,
      lots: chain.repositories.lots,
      ipSalt: 'racing',
      policy: { overScanThreshold: 3, maxTravelKmh: 800 },
      now: () => new Date(clock),
    });
    const first = await racing.resolveCode(fifth, { record: true, region: '500236', ip: '203.0.113.1', userAgent: 'phone' });
    t.equal(first.pack.scans.count, 1);
    const stored = new Promise<void>((resolve) => {
      committed = resolve;
    });
    const flushed = slowAcknowledgement.flush();
    await stored;
    clock += 60 * 60_000;
    const second = await racing.resolveCode(fifth, { record: true, region: '500236', ip: '198.51.100.7', userAgent: 'phone' });
    acknowledge();
    await flushed;
    t.equal(second.pack.scans.count, 2, 'the first scan once, stored, and the second');
    await slowAcknowledgement.flush();
    t.equal((await chain.repositories.items.findItem(fifth))?.scanCount, 2, 'both stored');
  });

  // Two instances: this one has not stored its scan in Beijing yet when the other stores a later one
  // in Chongqing. A scan here in Beijing a minute after Chongqing is measured from Chongqing, the
  // latest scan with a region, not from this instance's own older one.
  t.test('a later scan another instance stored is the one before, not this instance’s pending one', async (t) => {
    const { code: sixth } = await pack();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowWrite = createScanService({
      lots: chain.repositories.lots,
      scans: {
        ...chain.repositories.scans,
        writeScans: async (...args: Parameters<typeof chain.repositories.scans.writeScans>) => {
          // this instance's batches stay pending until the test lets them be stored
          await released;
          return chain.repositories.scans.writeScans(...args);
        },
      },
      now: () => new Date(clock),
    });
    const here = createResolverService({
      ...chain.services,
      scans: slowWrite,
      items: chain.repositories.items,
      failures: chain.repositories.events,
      containers: chain.repositories.lineage,
      lots: chain.repositories.lots,
      ipSalt: 'here',
      policy: { overScanThreshold: 3, maxTravelKmh: 800 },
      now: () => new Date(clock),
    });
    const start = clock;
    await here.resolveCode(sixth, { record: true, region: '110101', ip: '203.0.113.1', userAgent: 'phone' });
    // the other instance stores its scan in Chongqing, twelve hours later
    await chain.repositories.scans.writeScans([
      {
        id: `${sixth}-elsewhere`,
        code: sixth,
        itemCode: sixth,
        lotCode: null,
        partyCode: null,
        at: new Date(start + 12 * 3_600_000),
        region: '500236',
        ipHash: 'elsewhere',
        userAgent: 'phone',
        clientHash: 'elsewhere',
      },
    ]);
    clock = start + 12 * 3_600_000 + 60_000;
    const resolved = await here.resolveCode(sixth, { record: true, region: '110101', ip: '198.51.100.7', userAgent: 'phone' });
    release();
    await slowWrite.flush();
    t.equal(resolved.pack.scans.count, 3);
    t.match(
      (await scans.listFlags({ limit: 1000, offset: 0 })).filter((flag) => flag.code === sixth).map((flag) => [flag.kind, flag.detail]),
      [['impossible_travel', '500236 → 110101: 1457 km in 0.02 h']],
      'Chongqing, then Beijing a minute later',
    );
    t.equal(resolved.pack.flagged, true);
  });

  t.test('a recalled lot is flagged as recalled, not as counterfeit', async (t) => {
    const { lot, code: third } = await pack();
    await chain.services.recalls.open(processor.principal, { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标示' });
    const resolved = await resolve(third, '203.0.113.9');
    t.same(await flagsOf(third), ['inactive_lot']);
    t.equal(resolved.pack.flagged, false, 'the pack itself is not suspected');
    t.equal((await resolve(third, '203.0.113.10')).pack.flagged, false, 'nor once its flag is stored');
    t.match(resolved.lot.warnings, ['recalled']);
    t.equal(resolved.lot.lot.status, 'recalled');
  });

  t.test('a well-formed code that was never issued is not genuine, and flagged', async (t) => {
    const neverIssued = `${'2'.repeat(10)}${mod31CheckChar('2'.repeat(10))}`;
    await t.rejects(resolve(neverIssued, '203.0.113.5'), {
      name: 'NotGenuineError',
      message: `code ${neverIssued} is not registered: it may not be genuine`,
    });
    t.same(await flagsOf(neverIssued), ['unknown_code']);
  });
});

// Real concurrency (on PostgreSQL, reads and batch writes on connections of their own): scans of one
// pack arrive eight at a time while batches are stored all along. Each scan is shown the number of
// scans recorded up to and including it, never one twice nor one missed.
t.test('concurrent scans of one pack while batches are stored: each counts once', async (t) => {
  const chain = createChain(database, { flagPolicy: { overScanThreshold: 1_000_000, maxTravelKmh: 1_000_000 } });
  const processor = await chain.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const [code] = await processor.items(lot, 1);
  const { scans } = chain.services;
  const recordedAs = new Map<string | null, number>();
  const resolver = createResolverService({
    ...chain.services,
    failures: chain.repositories.events,
    containers: chain.repositories.lineage,
    scans: {
      ...scans,
      record: (scan) => {
        const counted = scans.record(scan);
        if (counted) recordedAs.set(scan.userAgent, recordedAs.size + 1);
        return counted;
      },
    },
    items: chain.repositories.items,
    lots: chain.repositories.lots,
    ipSalt: 'concurrent',
  });
  let storing = true;
  const storer = (async () => {
    while (storing) {
      await scans.flush();
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    }
  })();
  const total = 600;
  const shown = new Map<string, number>();
  let next = 0;
  const phone = async () => {
    while (next < total) {
      const n = next++;
      const userAgent = `phone ${n}`;
      // each phone from an address of its own: one address is one client, whatever its user agent
      const ip = `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
      const resolved = await resolver.resolveCode(code, { record: true, region: null, ip, userAgent });
      shown.set(userAgent, resolved.pack.scans.count);
    }
  };
  await Promise.all(Array.from({ length: 8 }, phone));
  storing = false;
  await storer;
  await scans.flush();
  const wrong = [...shown].filter(([userAgent, count]) => count !== recordedAs.get(userAgent));
  t.strictSame(wrong.slice(0, 5), [], `every scan shows its own place among the ${total} (${wrong.length} did not)`);
  t.equal((await chain.repositories.items.findItem(code))?.scanCount, total, 'every scan stored once');
});

// Two instances store their batches in whatever order their writes end: an item keeps the region of
// its latest scan that had one, with that scan's time, not whichever batch was stored last.
t.test('a batch stored after a later one does not take the item’s region back', async (t) => {
  const chain = createChain(database);
  const processor = await chain.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const [code] = await processor.items(lot, 1);
  const scanIn = (id: string, at: number, region: string | null): PendingScan => ({
    id,
    code,
    itemCode: code,
    lotCode: lot,
    partyCode: null,
    at: new Date(at),
    region,
    ipHash: 'ip',
    userAgent: 'phone',
    clientHash: id,
  });
  await chain.repositories.scans.writeScans([scanIn(`${code}-later`, START + 3_600_000, '110101')]);
  await chain.repositories.scans.writeScans([scanIn(`${code}-earlier`, START, '500236')]);
  t.match(
    await chain.repositories.items.findItem(code),
    { scanCount: 2, lastRegion: '110101', lastRegionAt: new Date(START + 3_600_000), lastScannedAt: new Date(START + 3_600_000) },
    'the later scan’s region and time',
  );
});
