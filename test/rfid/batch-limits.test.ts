// How large a batch of reads or of tag bindings may be: as many elements as the route's bound
// allows, each at its longest, fit in the route's body limit (whatever the service-wide limit);
// one element more is a 400 naming the list, one byte more a 413.
import { BATCH_BODY_LIMIT, MAX_BATCH_READS, MAX_TAG_BINDINGS, MAX_TAG_CSV_BYTES, TAGS_BODY_LIMIT } from '../../src/rfid/schemas.js';
import { postTagCsv, readPoint, registerReader } from '../fixtures/rfid-world.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A host name of 200 characters, the longest a reader's may be. */
const LONGEST_HOST = `fx9600-${'a'.repeat(192)}z`;
/** An antenna name of 100 characters of three bytes each. */
const LONGEST_ANTENNA = '冷'.repeat(100);
/** A read time with nanoseconds and an offset. */
const TIME = '2026-06-01T10:00:00.123456789+08:00';
/** An EPC URI of 300 characters (another site's URI is taken as given). */
const longestEpc = (n: number) => {
  const head = `https://example.com/asset/${n}/`;
  return head + 'x'.repeat(300 - head.length);
};
const hexOf = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, '0');

/** Posts `body` (text) as it is, with the key and content type given. */
async function postRaw(world: World, url: string, key: string, body: string, contentType = 'application/json') {
  const response = await world.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    payload: body,
  });
  return {
    status: response.statusCode,
    body: response.headers['content-type']?.toString().includes('json') ? response.json() : response.body,
    headers: response.headers as Record<string, unknown>,
  };
}

/** `json` padded with trailing white space to `bytes` bytes (JSON and the CSV parser both allow it). */
const paddedTo = (text: string, bytes: number, pad = ' ') => text + pad.repeat(bytes - Buffer.byteLength(text));

t.test('reader batches: the most reads a batch holds, each at its longest, are taken', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store, LONGEST_HOST);
  const aisle = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: '*' }]);
  const reads = async (tag: string) =>
    (await store.api.get(`/rfid/reads?readPointId=${aisle.readPointId}&tag=${encodeURIComponent(tag)}`)).body.items;

  await t.test('generic', async (t) => {
    const read = (n: number) => ({
      reader: LONGEST_HOST,
      antenna: LONGEST_ANTENNA,
      epc: longestEpc(n % 10),
      tid: hexOf(n, 128),
      time: TIME,
      rssi: -45.123456789012,
      count: 1_000_000,
    });
    const body = { reads: Array.from({ length: MAX_BATCH_READS }, (_, n) => read(n)) };
    t.ok(Buffer.byteLength(JSON.stringify(body)) > 8 * 1024 * 1024, 'some megabytes');
    const posted = await reader.api.post('/rfid/reads', body);
    t.match(expectStatus(t, posted, 202, `${MAX_BATCH_READS} reads at their longest`).body, { observations: 10 });
    t.match(await reads(longestEpc(0)), [{ antenna: LONGEST_ANTENNA, readCount: 1000 * 1_000_000 }]);
    const over = await reader.api.post('/rfid/reads', { reads: Array.from({ length: MAX_BATCH_READS + 1 }, () => read(10)) });
    t.match(expectStatus(t, over, 400, 'one read more').body.errors, [{ pointer: '/reads', detail: /at most 10000 reads/ }]);
    t.same(await reads(longestEpc(10)), []);
  });

  await t.test('Zebra', async (t) => {
    const event = (n: number) => ({
      data: {
        eventNum: 2_000_000_000 + n,
        format: 'epc'.padEnd(20, 'x'),
        idHex: hexOf(n % 10, 128),
        antenna: 64,
        peakRssi: -45.123456789012,
        reads: 1_000_000,
        channel: 918.123456789012,
        TID: hexOf(n, 128),
        hostName: LONGEST_HOST,
      },
      timestamp: '2026-06-01T10:00:00.123456789-0600',
      type: 'CONVEYOR',
    });
    const body = Array.from({ length: MAX_BATCH_READS }, (_, n) => event(n));
    t.match(expectStatus(t, await reader.api.post('/rfid/zebra', body), 202, `${MAX_BATCH_READS} events`).body, { observations: 10 });
    t.match(await reads(hexOf(1, 128)), [{ readCount: 1000 * 1_000_000 }]);
    const over = await reader.api.post('/rfid/zebra', [...body, event(10)]);
    t.match(expectStatus(t, over, 400, 'one event more').body.errors, [{ pointer: '/', detail: /at most 10000 events/ }]);
    t.match(await reads(hexOf(1, 128)), [{ readCount: 1000 * 1_000_000 }], 'nothing of it stored');
  });

  await t.test('Impinj', async (t) => {
    const event = (n: number) => {
      const epc = hexOf(100 + (n % 10), 128);
      const tid = hexOf(n, 128);
      return {
        timestamp: '2026-06-01T02:00:00.123456789Z',
        hostname: LONGEST_HOST,
        eventType: 'tagInventory',
        tagInventoryEvent: {
          epc: Buffer.from(epc, 'hex').toString('base64'),
          epcHex: epc,
          tid: Buffer.from(tid, 'hex').toString('base64'),
          tidHex: tid,
          pc: 'NAA=',
          antennaPort: 64,
          antennaName: LONGEST_ANTENNA,
          peakRssiCdbm: -4550,
          frequency: 919750,
          transmitPowerCdbm: 3000,
          lastSeenTime: '2026-06-01T02:00:00.123456789Z',
        },
      };
    };
    const body = Array.from({ length: MAX_BATCH_READS }, (_, n) => event(n));
    t.match(expectStatus(t, await reader.api.post('/rfid/impinj', body), 202, `${MAX_BATCH_READS} events`).body, { observations: 10 });
    const over = await reader.api.post('/rfid/impinj', [...body, event(10)]);
    t.match(expectStatus(t, over, 400, 'one event more').body.errors, [{ pointer: '/', detail: /at most 10000 events/ }]);
    t.match(await reads(hexOf(102, 128)), [{ readCount: 1000 }], 'nothing of it stored');
  });

  await t.test('one byte over the limit is a 413, the limit itself is taken', async (t) => {
    const bodies = {
      '/rfid/reads': JSON.stringify({ reads: [{ antenna: 1, epc: 'E2801160600000000000B0D1', time: TIME }] }),
      '/rfid/zebra': JSON.stringify([
        { data: { idHex: 'E2801160600000000000B0D2' }, timestamp: '2026-06-01T10:00:00.000+0800', type: 'SIMPLE' },
      ]),
      '/rfid/impinj': JSON.stringify([
        { timestamp: '2026-06-01T02:00:00Z', eventType: 'tagInventory', tagInventoryEvent: { epcHex: 'E2801160600000000000B0D3' } },
      ]),
    };
    for (const [url, body] of Object.entries(bodies)) {
      expectStatus(t, await postRaw(world, url, reader.key, paddedTo(body, BATCH_BODY_LIMIT)), 202, `${url}: ${BATCH_BODY_LIMIT} bytes`);
      const over = await postRaw(world, url, reader.key, paddedTo(body, BATCH_BODY_LIMIT + 1));
      t.match(expectStatus(t, over, 413, `${url}: one byte more`).headers['content-type'], /application\/problem\+json/);
      t.match(over.body, { type: '/problems/body-too-large' });
    }
  });
});

t.test('tag bindings: the limits of a request, as JSON and as CSV', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const owner: Actor = await world.party('processor');
  const lot = await owner.commission(await owner.product('piece'), 10);
  const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;

  await t.test('a CSV file of 30,000 tags (some 1.6 MB) is bound', async (t) => {
    const csv = `epc,code\n${Array.from({ length: 30_000 }, (_, n) => `${tag(n)},${lot}`).join('\n')}\n`;
    t.ok(Buffer.byteLength(csv) > 1024 * 1024, 'over the service-wide limit');
    const bound = await postTagCsv(world, owner, csv);
    t.equal(expectStatus(t, bound, 201, '30,000 tags').body.items.length, 30_000);
  });

  await t.test('one binding more than a request makes is a 400', async (t) => {
    const over = await owner.api.post('/rfid/tags', {
      tags: Array.from({ length: MAX_TAG_BINDINGS + 1 }, (_, n) => ({ epc: tag(100_000 + n), code: lot })),
    });
    t.match(expectStatus(t, over, 400, `${MAX_TAG_BINDINGS + 1} bindings`).body.errors, [{ pointer: '/tags' }]);
    expectStatus(t, await owner.api.get(`/rfid/tags/${tag(100_000)}`), 404, 'none bound');
  });

  await t.test('one byte over the limit is a 413, the limit itself is taken', async (t) => {
    const json = JSON.stringify({ tags: [{ epc: tag(200_000), code: lot }] });
    expectStatus(t, await postRaw(world, '/rfid/tags', owner.key, paddedTo(json, TAGS_BODY_LIMIT)), 201, `JSON: ${TAGS_BODY_LIMIT} bytes`);
    const jsonOver = await postRaw(world, '/rfid/tags', owner.key, paddedTo(json, TAGS_BODY_LIMIT + 1));
    t.match(expectStatus(t, jsonOver, 413, 'JSON: one byte more').body, { type: '/problems/body-too-large' });
    const csv = `epc,code\n${tag(200_001)},${lot}\n`;
    expectStatus(
      t,
      await postRaw(world, '/rfid/tags.csv', owner.key, paddedTo(csv, MAX_TAG_CSV_BYTES, '\n'), 'text/csv'),
      201,
      `CSV: ${MAX_TAG_CSV_BYTES} bytes`,
    );
    const csvOver = await postRaw(world, '/rfid/tags.csv', owner.key, paddedTo(csv, MAX_TAG_CSV_BYTES + 1, '\n'), 'text/csv');
    t.match(expectStatus(t, csvOver, 413, 'CSV: one byte more').body, { type: '/problems/body-too-large' });
    t.match((await owner.api.get(`/rfid/tags/${tag(200_001)}`)).body, { lotCode: lot });
  });
});
