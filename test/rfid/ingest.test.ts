// Reader ingest through the HTTP API: Zebra, Impinj and generic payloads as the readers post
// them, stored whole or refused whole, collapsed into windows, and only for the reader's own party.

import { FUTURE_TOLERANCE_MS } from '../../src/events/writer/index.js';
import {
  FACTORY_EPC,
  gs1Tag,
  IMPINJ_SAMPLE_EPC,
  impinjOtherEvents,
  impinjTagInventory,
  zebraEvent,
  zebraSimpleMinimal,
} from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const hex = (n: number) => `E2801160600002${String(n).padStart(10, '0')}`;

t.test('reader ingest', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const other = await world.party('distributor');
  const reader = await registerReader(world, store, 'FX9600F10AE0');
  const impinj = await registerReader(world, store, 'impinj-14-2f-70');
  const dock = await readPoint(world, store, 'observe', [
    { readerId: reader.id, antenna: 1 },
    { readerId: impinj.id, antenna: 'Portal1' },
  ]);
  const door = await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 2 }]);
  const otherReader = await registerReader(world, other, 'FX7500-OTHER');
  const otherPoint = await readPoint(world, other, 'observe', [{ readerId: otherReader.id, antenna: '*' }]);
  const reads = async (query = '') => (await store.api.get(`/rfid/reads?${query}`)).body.items;

  await t.test('registration: a reader gets a device key; read points map antennas', async (t) => {
    const listed = (await store.api.get('/rfid/readers')).body.items;
    t.same(listed.map((r: { hostName: string }) => r.hostName).sort(), ['FX9600F10AE0', 'impinj-14-2f-70']);
    t.notOk('apiKeyId' in listed[0], 'the key behind a reader is not shown');
    const points = (await store.api.get('/rfid/read-points')).body.items;
    t.match(
      points.find((p: { id: string }) => p.id === dock.readPointId),
      { role: 'observe', windowSeconds: 30, locationCode: dock.locationCode, antennas: [{ antenna: '1' }, { antenna: 'Portal1' }] },
    );
    expectStatus(t, await store.api.post('/rfid/readers', { partyCode: store.code, hostName: 'FX9600F10AE0' }), 409, 'host name taken');
    expectStatus(t, await other.api.post('/rfid/readers', { partyCode: store.code, hostName: 'X1' }), 403, 'for another party');
    expectStatus(
      t,
      await store.api.post('/rfid/read-points', {
        partyCode: store.code,
        locationCode: dock.locationCode,
        name: 'again',
        role: 'observe',
        antennas: [{ readerId: reader.id, antenna: 1 }],
      }),
      409,
      'an antenna serves one read point',
    );
    expectStatus(
      t,
      await store.api.post('/rfid/read-points', {
        partyCode: store.code,
        locationCode: dock.locationCode,
        name: 'foreign reader',
        role: 'observe',
        antennas: [{ readerId: otherReader.id, antenna: 1 }],
      }),
      422,
      "another party's reader",
    );
    const otherLocation = await other.location('warehouse');
    const foreignSite = expectStatus(
      t,
      await store.api.post('/rfid/read-points', {
        partyCode: store.code,
        locationCode: otherLocation,
        name: 'foreign site',
        role: 'observe',
        antennas: [{ readerId: reader.id, antenna: 9 }],
      }),
      403,
      "another party's location",
    );
    t.match(foreignSite.body, {
      type: '/problems/foreign-location',
      detail: `location ${otherLocation} belongs to party ${other.code}, not ${store.code}`,
      errors: [{ pointer: '/locationCode', detail: `a location of ${other.code}, not of ${store.code}` }],
    });
    const raced = await Promise.all([1, 2].map(() => store.api.post('/rfid/readers', { partyCode: store.code, hostName: 'FX-RACE' })));
    t.same(raced.map((reply) => reply.status).sort(), [201, 409], 'two registrations of one host name at once: one wins');
    const raceKeys = (await world.admin.get('/api-keys')).body.items.filter(
      (key: { label: string; revokedAt: string | null }) => key.label === 'reader FX-RACE' && key.revokedAt === null,
    );
    t.equal(raceKeys.length, 1, 'and the loser leaves no key behind');
    expectStatus(t, await reader.api.get('/rfid/readers'), 403, 'a reader key only posts reads');
    expectStatus(t, await reader.api.get(`/lots?partyCode=${store.code}`), 403, 'nor reads lots');
    expectStatus(t, await store.api.post('/rfid/reads', { reads: [] }), 403, 'an operator key posts no reads');
    const issued = await world.admin.post('/api-keys', { role: 'reader' });
    expectStatus(t, issued, 400, 'a reader key belongs to a party');
  });

  await t.test('Zebra: one object or an array, offsets without a colon, duplicates collapse', async (t) => {
    const single = await reader.api.post('/rfid/zebra', zebraEvent({ idHex: FACTORY_EPC.toLowerCase(), peakRssi: -50 }));
    t.match(expectStatus(t, single, 202, 'one object').body, { reads: 1, observations: 1, otherEvents: 0 });
    const batch = await reader.api.post('/rfid/zebra', [
      zebraEvent({ idHex: FACTORY_EPC, timestamp: '2024-11-21T13:20:58.000-0600', peakRssi: -39, reads: 3, type: 'INVENTORY' }),
      // out of order: earlier than the first report of the same window
      zebraEvent({ idHex: FACTORY_EPC, timestamp: '2024-11-21T13:20:51.100-0600', peakRssi: -60, type: 'PORTAL' }),
      zebraEvent({ idHex: hex(1), antenna: 2, type: 'CONVEYOR' }),
      zebraEvent({ idHex: hex(2), type: 'CUSTOM' }),
    ]);
    t.match(expectStatus(t, batch, 202, 'a batch').body, { reads: 6, observations: 3 });
    const [row] = await reads(`tag=${FACTORY_EPC}`);
    t.match(
      row,
      {
        readPointId: dock.readPointId,
        readCount: 5,
        peakRssi: -39,
        firstSeenRaw: '2024-11-21T13:20:51.100-0600',
        outcome: null,
      },
      'one window across both batches: reads counted, the earliest time as sent, the peak RSSI',
    );
    t.equal(new Date(row.firstSeen).toISOString(), '2024-11-21T19:20:51.100Z');
    t.equal(new Date(row.lastSeen).toISOString(), '2024-11-21T19:20:58.000Z');
    t.equal((await reads(`tag=${hex(1)}`))[0].readPointId, door.readPointId, 'antenna 2 is the door');
    const later = await reader.api.post('/rfid/zebra', zebraEvent({ idHex: FACTORY_EPC, timestamp: '2024-11-21T13:21:31.000-0600' }));
    t.match(later.body, { observations: 1 });
    t.equal((await reads(`tag=${FACTORY_EPC}`)).length, 2, 'a read after the window is a new observation');
  });

  await t.test('Zebra SIMPLE with only eventNum, format and idHex: the key names the reader, the post the time', async (t) => {
    const unmapped = await reader.api.post('/rfid/zebra', [zebraSimpleMinimal(hex(3))]);
    expectStatus(t, unmapped, 400, 'no antenna and no catch-all read point');
    t.match(unmapped.body.errors, [{ pointer: '/0/data/antenna' }]);
    const solo = await registerReader(world, store, 'FX-SIMPLE');
    await readPoint(world, store, 'observe', [{ readerId: solo.id, antenna: '*' }]);
    const before = Date.now();
    expectStatus(t, await solo.api.post('/rfid/zebra', zebraSimpleMinimal(hex(3))), 202, 'stored');
    const [row] = await reads(`tag=${hex(3)}`);
    t.ok(new Date(row.firstSeen).getTime() >= before - 1000, 'read when posted');
    t.equal(row.readerId, solo.id);
  });

  await t.test('a bad element in the middle refuses the batch, naming its index; nothing is stored', async (t) => {
    const bad = await reader.api.post('/rfid/zebra', [
      zebraEvent({ idHex: hex(10) }),
      zebraEvent({ idHex: 'not-hex' }),
      zebraEvent({ idHex: hex(11), timestamp: '2024-13-45T99:00:00-0600' }),
      zebraEvent({ idHex: hex(12) }),
    ]);
    expectStatus(t, bad, 400, 'refused');
    t.match(bad.headers['content-type'], /application\/problem\+json/);
    t.match(bad.body.errors, [{ pointer: '/1/data/idHex' }, { pointer: '/2/timestamp' }]);
    t.match(bad.body.detail, /2 elements/);
    t.same(await reads(`tag=${hex(10)}`), [], 'not even the good elements');
    const badImpinj = await impinj.api.post('/rfid/impinj', [
      impinjTagInventory({ epcHex: hex(13) }),
      { timestamp: '2021-02-02T22:18:35Z', eventType: 'tagInventory' },
    ]);
    expectStatus(t, badImpinj, 400, 'a tagInventory event without its inventory');
    t.match(badImpinj.body.errors, [{ pointer: '/1/tagInventoryEvent' }]);
    const badGeneric = await reader.api.post('/rfid/reads', {
      reads: [
        { antenna: 1, epc: hex(14), time: '2026-03-01T08:00:00+08:00' },
        { antenna: 1, epc: hex(15), time: '2026-03-01T08:00:00' },
      ],
    });
    expectStatus(t, badGeneric, 400, 'a time without its offset');
    t.match(badGeneric.body.errors, [{ pointer: '/reads/1/time' }]);
    const noSuchDay = await reader.api.post('/rfid/reads', {
      reads: [
        { antenna: 1, epc: hex(14), time: '2026-03-01T08:00:00+08:00' },
        { reader: 'FX9600F10AE0', antenna: 2, epc: hex(14), time: '2026-02-30T10:00:00Z' },
      ],
    });
    t.match(expectStatus(t, noSuchDay, 400, '30 February').body.errors, [{ pointer: '/reads/1/time', detail: /real date/ }]);
    const zebraNoSuchDay = await reader.api.post('/rfid/zebra', zebraEvent({ idHex: hex(14), timestamp: '2026-02-31T10:00:00.000-0600' }));
    t.match(expectStatus(t, zebraNoSuchDay, 400, '31 February from a Zebra').body.errors, [{ pointer: '/timestamp' }]);
    const badEpcs = await reader.api.post('/rfid/reads', {
      reads: [
        { antenna: 2, epc: hex(14), time: '2026-03-01T08:00:00+08:00' },
        { antenna: 2, epc: 'urn:epc:raw:96.xZZ', time: '2026-03-01T08:00:00+08:00' },
        { antenna: 2, epc: 'urn:epc:tag:sgtin-96:9.0614141.812345.6789', time: '2026-03-01T08:00:00+08:00' },
        { antenna: 2, epc: 'urn:epc:id:sgtin:0614141.812345.', time: '2026-03-01T08:00:00+08:00' },
      ],
    });
    t.match(expectStatus(t, badEpcs, 400, 'malformed EPC URIs').body.errors, [
      { pointer: '/reads/1/epc', detail: /is not a raw EPC URI/ },
      { pointer: '/reads/2/epc', detail: /must start with a filter value 0–7/ },
      { pointer: '/reads/3/epc', detail: /is not a valid SGTIN EPC URN/ },
    ]);
    // the offset becomes the event's eventTimeZoneOffset: beyond ±14:00 EPCIS cannot carry it
    const farOffsets = await reader.api.post('/rfid/zebra', [
      zebraEvent({ idHex: hex(17), timestamp: '2024-11-21T13:20:58.000+1500' }),
      zebraEvent({ idHex: hex(17), timestamp: '2024-11-21T13:20:58.000-14:30' }),
      zebraEvent({ idHex: hex(17), timestamp: '2024-11-21T13:20:58.000+1400' }),
    ]);
    expectStatus(t, farOffsets, 400, 'offsets beyond ±14:00, with or without the colon');
    t.match(farOffsets.body.errors, [{ pointer: '/0/timestamp' }, { pointer: '/1/timestamp' }]);
    t.equal(farOffsets.body.errors.length, 2, '+1400 is a real zone (Kiribati)');
    const unknownHost = await reader.api.post('/rfid/zebra', [
      zebraEvent({ idHex: hex(16) }),
      zebraEvent({ idHex: hex(16), hostName: 'nobody' }),
    ]);
    // a read of a reader nobody registered is left out, the rest stored (test/rfid/unplaced-reads.test.ts)
    t.match(expectStatus(t, unknownHost, 202, 'a reader nobody registered').body, {
      reads: 1,
      unplaced: 1,
      unplacedReads: [{ pointer: '/1/data/hostName' }],
    });
    t.same(await reads(`tag=${hex(14)}`), []);
    t.match(await reads(`tag=${hex(16)}`), [{ readCount: 1 }]);
    expectStatus(t, await impinj.api.post('/rfid/impinj', { eventType: 'tagInventory' }), 400, 'Impinj posts arrays');
    expectStatus(t, await reader.api.post('/rfid/reads', [{}]), 400, 'generic reads come in { reads }');
  });

  await t.test('Impinj: arrays possibly empty, base64url EPCs, centi-dBm, nanoseconds kept, other events not reads', async (t) => {
    const empty = await impinj.api.post('/rfid/impinj', []);
    t.match(expectStatus(t, empty, 202, 'empty array (linger timeout)').body, { batchId: null, reads: 0, observations: 0 });
    const posted = await impinj.api.post('/rfid/impinj', [
      impinjTagInventory({ epcHex: IMPINJ_SAMPLE_EPC, withEpcHex: false }),
      ...impinjOtherEvents(),
      impinjTagInventory({ epcHex: IMPINJ_SAMPLE_EPC, peakRssiCdbm: -3850, lastSeenTime: '2021-02-02T22:18:36.100200300Z' }),
    ]);
    t.match(expectStatus(t, posted, 202, 'stored').body, { reads: 2, observations: 1, otherEvents: 3 });
    const [row] = await reads(`tag=${IMPINJ_SAMPLE_EPC}`);
    t.match(row, {
      readPointId: dock.readPointId,
      readCount: 2,
      peakRssi: -38.5,
      firstSeenRaw: '2021-02-02T22:18:35.499734Z',
      antenna: 'Portal1',
    });
    const others = await impinj.api.post('/rfid/impinj', impinjOtherEvents());
    t.match(others.body, { reads: 0, otherEvents: 3 }, 'a batch of status events is accepted');
    t.ok(others.body.batchId);
  });

  await t.test('Impinj: epcHex alone (epc reporting off), and epc in standard base64, are stored as their tag', async (t) => {
    const epcHexOnly = impinjTagInventory({ epcHex: '3035A537C8375F4000001392' });
    delete (epcHexOnly.tagInventoryEvent as Record<string, unknown>).epc;
    const standard = impinjTagInventory({ epcHex: '3035A537C8375F400000FBFF', withEpcHex: false });
    (standard.tagInventoryEvent as Record<string, unknown>).epc = 'MDWlN8g3X0AAAPv/';
    const posted = await impinj.api.post('/rfid/impinj', [epcHexOnly, standard]);
    t.match(expectStatus(t, posted, 202, 'stored').body, { reads: 2, observations: 2 });
    t.match(await reads('tag=3035A537C8375F4000001392'), [{ readPointId: dock.readPointId, antenna: 'Portal1' }]);
    t.match(await reads('tag=3035A537C8375F400000FBFF'), [{ readPointId: dock.readPointId, tag: '3035A537C8375F400000FBFF' }]);
  });

  await t.test('an Impinj EPC or TID of fewer than two whole bytes is refused, not stored as an empty tag', async (t) => {
    for (const [field, value] of [
      ['epc', 'A='],
      ['epc', 'AA'],
      ['epc', 'AAAAA'],
      ['tid', 'AA'],
    ] as const) {
      const event = impinjTagInventory({ epcHex: hex(50) });
      const inventory = event.tagInventoryEvent as Record<string, unknown>;
      delete inventory.epcHex;
      inventory[field] = value;
      const refused = await impinj.api.post('/rfid/impinj', [event]);
      t.match(expectStatus(t, refused, 400, `${field} ${value}`).body.errors, [{ pointer: `/0/tagInventoryEvent/${field}` }]);
    }
    const stored = await reads(`readerId=${impinj.id}&limit=1000`);
    t.notOk(
      stored.some((row: { tag: string }) => row.tag.length < 4),
      'no tag of fewer than two bytes',
    );
  });

  await t.test('read counts past what a window holds are kept at the most it holds, not refused with a 500', async (t) => {
    const time = '2026-03-02T08:00:00+08:00';
    // 2,200 reads of a million each: 2.2 billion, past the 2,147,483,647 an int4 holds
    const flood = (epc: string, at = time) => ({
      reads: Array.from({ length: 2200 }, () => ({ antenna: 1, epc, time: at, count: 1_000_000 })),
    });
    const first = await reader.api.post('/rfid/reads', flood(hex(60)));
    t.match(expectStatus(t, first, 202, 'one window of 2.2 billion reads').body, { reads: 2_200_000_000, observations: 1 });
    expectStatus(t, await reader.api.post('/rfid/reads', flood(hex(60))), 202, 'and as many again in the same window');
    t.equal((await reads(`tag=${hex(60)}`))[0].readCount, 2_147_483_647);
    expectStatus(t, await reader.api.post('/rfid/reads', flood(hex(60), '2026-03-02T09:00:00+08:00')), 202, 'another window');
    const activity = await store.api.get('/rfid/activity');
    expectStatus(t, activity, 200, 'gate activity sums the windows past int4');
    const dockPending = activity.body.items.find(
      (row: { readPointId: string; outcome: string | null }) => row.readPointId === dock.readPointId && row.outcome === null,
    );
    t.ok(dockPending.reads >= 2 * 2_147_483_647, 'both windows counted');
  });

  await t.test('host names are compared without regard to case; names are trimmed', async (t) => {
    expectStatus(
      t,
      await store.api.post('/rfid/readers', { partyCode: store.code, hostName: 'fx9600f10ae0' }),
      409,
      'taken in another case',
    );
    const zebra = await reader.api.post('/rfid/zebra', zebraEvent({ idHex: hex(40), hostName: ' fx9600f10ae0 ', antenna: 2 }));
    expectStatus(t, zebra, 202, 'a Zebra report naming its reader in lower case');
    t.match((await reads(`tag=${hex(40)}`))[0], { readPointId: door.readPointId });
    const generic = await reader.api.post('/rfid/reads', {
      reads: [{ reader: 'Fx9600F10Ae0', antenna: 1, epc: hex(41), time: '2026-03-01T08:00:00+08:00' }],
    });
    expectStatus(t, generic, 202, 'a generic read naming it in mixed case');
    t.match((await reads(`tag=${hex(41)}`))[0], { readPointId: dock.readPointId });
    const impinjRead = await impinj.api.post('/rfid/impinj', [
      impinjTagInventory({ epcHex: hex(42), hostname: 'IMPINJ-14-2F-70', antennaName: ' Portal1 ' }),
    ]);
    expectStatus(t, impinjRead, 202, 'an Impinj antenna name with spaces around it');
    t.match((await reads(`tag=${hex(42)}`))[0], { readPointId: dock.readPointId, antenna: 'Portal1' });
    const unknown = await reader.api.post('/rfid/zebra', zebraEvent({ idHex: hex(43), hostName: 'FX9600F10AE1' }));
    t.match(expectStatus(t, unknown, 400, 'another host name').body.errors[0], { pointer: '/data/hostName' });
  });

  await t.test('generic reads: reader + antenna or a read point, hex or URI', async (t) => {
    const posted = await reader.api.post('/rfid/reads', {
      reads: [
        { reader: 'FX9600F10AE0', antenna: 1, epc: hex(20).toLowerCase(), time: '2026-03-01T08:00:00+08:00', rssi: -45, tid: 'e2003412' },
        { readPoint: door.readPointId, epc: 'urn:epc:id:sscc:0614141.1234567890', time: '2026-03-01T08:00:01+08:00', count: 4 },
      ],
    });
    t.match(expectStatus(t, posted, 202, 'stored').body, { reads: 5, observations: 2 });
    t.match((await reads(`tag=${hex(20)}`))[0], { tid: 'E2003412', peakRssi: -45, readPointId: dock.readPointId });
    t.equal((await reads(`tag=${hex(20).toLowerCase()}`)).length, 1, 'listed by the tag in lower case too');
    t.equal((await reads(`tag=urn:epc:raw:96.x${hex(20)}`)).length, 1, 'and by its raw URI');
    t.match((await reads(`readPointId=${door.readPointId}&tag=urn:epc:id:sscc:0614141.1234567890`))[0], { readCount: 4 });
    // a tag's reads in whichever spelling it was read: by the GS1 key it carries
    const sscc = gs1Tag('urn:epc:id:sscc:0614141.1234567890', 'sscc-96', 2);
    for (const spelling of [sscc.hex, sscc.tagUri, 'https://example.com/sscc/106141412345678908?linkType=all']) {
      t.match(await reads(`tag=${encodeURIComponent(spelling)}`), [{ tag: 'urn:epc:id:sscc:0614141.1234567890', readCount: 4 }], spelling);
    }
  });

  await t.test("a reader posting for another party's read point or reader gets 403", async (t) => {
    const foreignPoint = await reader.api.post('/rfid/reads', {
      reads: [{ readPoint: otherPoint.readPointId, epc: hex(30), time: '2026-03-01T08:00:00+08:00' }],
    });
    const pointRefused = expectStatus(t, foreignPoint, 403, 'read point of another party').body;
    t.match(pointRefused.errors, [{ in: 'body', pointer: '/reads/0/readPoint', detail: `not a read point of ${store.code}` }]);
    t.notMatch(JSON.stringify(pointRefused), other.code, "the refusal does not name the read point's party");
    const foreignReader = await reader.api.post('/rfid/zebra', zebraEvent({ idHex: hex(31), hostName: 'FX7500-OTHER' }));
    const refused = expectStatus(t, foreignReader, 403, 'reader of another party').body;
    t.match(refused.errors, [{ in: 'body', pointer: '/data/hostName', detail: `not a reader of ${store.code}` }]);
    t.notMatch(JSON.stringify(refused), other.code, "the refusal does not name the reader's party");
    const namedReader = await reader.api.post('/rfid/reads', {
      reads: [
        { readPoint: door.readPointId, epc: hex(32), time: '2026-03-01T08:00:00+08:00' },
        { reader: 'FX7500-OTHER', antenna: 1, epc: hex(32), time: '2026-03-01T08:00:00+08:00' },
      ],
    });
    t.match(expectStatus(t, namedReader, 403, 'a generic read naming a reader of another party').body.errors, [
      { in: 'body', pointer: '/reads/1/reader' },
    ]);
    t.same(await reads(`tag=${hex(32)}`), [], 'nothing of the batch is stored');
    t.same(await reads(`tag=${hex(30)}`), []);
    t.same((await other.api.get(`/rfid/reads?tag=${hex(31)}`)).body.items, []);
    expectStatus(t, await other.api.get(`/rfid/reads?partyCode=${store.code}`), 403, "an operator lists only its own party's reads");
  });
});

t.test("reader times are taken up to the event writer's future tolerance by the service's clock", async (t) => {
  let clock = new Date('2026-06-01T00:00:00Z');
  const world = await createWorld(t, undefined, { rfidTickMs: 0, now: () => clock });
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('kg'), 10);
  const reader = await registerReader(world, processor, 'FX9600-CLOCK');
  const aisle = await readPoint(world, processor, 'observe', [{ readerId: reader.id, antenna: 1 }], {
    locationCode: await processor.location('plant'),
  });
  const reads = async (query: string) => (await processor.api.get(`/rfid/reads?${query}`)).body.items;
  const at = (ms: number) => new Date(clock.getTime() + ms).toISOString();

  await t.test('a read later than that is refused at its time field, whatever the format', async (t) => {
    for (const time of [at(FUTURE_TOLERANCE_MS + 1000), '2030-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      const generic = await reader.api.post('/rfid/reads', { reads: [{ antenna: 1, epc: hex(80), time }] });
      t.match(expectStatus(t, generic, 400, time).body.errors, [{ pointer: '/reads/0/time', detail: /^must not be in the future/ }]);
    }
    const zebra = await reader.api.post('/rfid/zebra', [
      zebraEvent({ idHex: hex(80), hostName: reader.hostName, timestamp: '2030-01-01T00:00:00.000-0600' }),
    ]);
    t.match(expectStatus(t, zebra, 400, 'from a Zebra').body.errors, [{ pointer: '/0/timestamp' }]);
    const impinj = await reader.api.post('/rfid/impinj', [
      impinjTagInventory({ epcHex: hex(80), hostname: reader.hostName, antennaName: '1', lastSeenTime: '2030-01-01T00:00:00Z' }),
    ]);
    t.match(expectStatus(t, impinj, 400, 'from an Impinj').body.errors, [{ pointer: '/0/tagInventoryEvent/lastSeenTime' }]);
    t.same(await reads(`tag=${hex(80)}`), [], 'nothing stored');
  });

  await t.test('a read within it becomes an event once its window has closed', async (t) => {
    expectStatus(t, await processor.api.post('/rfid/tags', { tags: [{ epc: hex(81), code: lot }] }), 201, 'bound');
    const ahead = at(FUTURE_TOLERANCE_MS - 1000);
    expectStatus(
      t,
      await reader.api.post('/rfid/reads', { reads: [{ antenna: 1, epc: hex(81), time: ahead }] }),
      202,
      'ahead of the clock',
    );
    await world.app.services.gates.drain();
    t.match((await reads(`tag=${hex(81)}`))[0], { outcome: null }, 'waiting while its window is open');
    clock = new Date(clock.getTime() + FUTURE_TOLERANCE_MS + 30_000);
    await world.app.services.gates.drain();
    const [row] = await reads(`tag=${hex(81)}`);
    t.match(row, { readPointId: aisle.readPointId, outcome: 'observed', lotCode: lot }, 'observed once the clock has passed it');
    const event = (await processor.api.get(`/events/${row.eventId}`)).body;
    t.equal(new Date(event.eventTime).getTime(), new Date(ahead).getTime(), 'at the time it was read');
  });

  await t.test('a read in the last window of 9999 is stored, its window ending with the year', async (t) => {
    clock = new Date('9999-12-31T23:59:00Z');
    const hourly = await registerReader(world, processor, 'FX-HOURLY');
    const point = await readPoint(world, processor, 'observe', [{ readerId: hourly.id, antenna: '*' }], { windowSeconds: 3600 });
    for (const [n, time] of ['9999-12-31T23:00:00+00:00', '9999-12-31T23:59:59.999999999Z', '9999-12-31T23:59:59-0000'].entries()) {
      const posted = await hourly.api.post('/rfid/reads', { reads: [{ antenna: 1, epc: hex(70 + n), time }] });
      expectStatus(t, posted, 202, time);
    }
    const [row] = await reads(`readPointId=${point.readPointId}&tag=${hex(70)}`);
    t.equal(new Date(row.windowStart).toISOString(), '9999-12-31T23:00:00.000Z');
    t.equal((await reads(`readPointId=${point.readPointId}`)).length, 3);
    const upper = `readPointId=${point.readPointId.toUpperCase()}&readerId=${hourly.id.toUpperCase()}`;
    t.equal((await reads(upper)).length, 3, 'read point and reader ids in upper case filter alike');
  });
});
