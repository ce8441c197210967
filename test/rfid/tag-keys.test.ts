// One tag is one binding whatever its spelling: a tag bound by its pure-identity URN, its GS1
// Digital Link or its hex is found by the GS1 key it carries when a gate reads it in another
// spelling, GET /epc knows it in every spelling, and a second spelling of a tag another party
// bound is refused, naming the binding. A tag read in two spellings by two readers of one gate is
// received once and counted once (in one window, one observation). tagKey is checked against epc-tds on every scheme.
import { epcProblem, tagKey } from '../../src/rfid/tags.js';
import { NEWER_SCHEMES, randomCase, SCHEMES, seed, tagSpellings } from '../fixtures/epc-tds.js';
import { gs1Tag, zebraEvent } from '../fixtures/rfid-payloads.js';
import { issuePacks, readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** One tag (GTIN 06901234567014, serial n) in each of its spellings. */
const spellings = (serial: number) => {
  const urn = `urn:epc:id:sgtin:6901234.056701.${serial}`;
  const encoded = gs1Tag(urn, 'sgtin-96', 1);
  return { urn, hex: encoded.hex, tagUri: encoded.tagUri, link: `https://id.gs1.org/01/06901234567014/21/${serial}` };
};
type Spelling = keyof ReturnType<typeof spellings>;

t.test(`tagKey keys every spelling of a tag of every scheme by the GS1 key epc-tds reads in it (seed ${seed})`, async (t) => {
  const differ: { spelling: string; key: string; expected: string }[] = [];
  const refused: string[] = [];
  for (const scheme of [...SCHEMES, ...NEWER_SCHEMES]) {
    for (let i = 0; i < 150; i++) {
      const c = randomCase(scheme);
      const { expected, spellings } = tagSpellings(c);
      for (const spelling of spellings) {
        if (epcProblem(spelling) !== null) refused.push(`${spelling}: ${epcProblem(spelling)}`);
        const key = tagKey(spelling);
        if (key !== expected) differ.push({ spelling, key, expected });
      }
    }
  }
  t.same(refused.slice(0, 5), [], 'every spelling may be bound');
  t.same(differ.slice(0, 5), [], `${(SCHEMES.length + NEWER_SCHEMES.length) * 150} tags, each keyed alike in all their spellings`);
});

t.test('a GID URN is held to its scheme as its tag URI is', async (t) => {
  t.equal(epcProblem('urn:epc:id:gid:95100000.12345.400'), null, 'a GID');
  t.equal(epcProblem('URN:EPC:ID:GID:95100000.12345.400'), null, 'its head in any case');
  for (const malformed of ['urn:epc:id:gid:095100000.12345.400', 'urn:epc:id:gid:1.2', 'urn:epc:id:gid:268435456.1.1']) {
    t.match(epcProblem(malformed), /is not a valid GID-96 EPC/, `${malformed}: refused, not bound as a tag of its own`);
  }
  t.match(epcProblem('urn:epc:tag:gid-96:095100000.12345.400'), /.+/, 'as its tag URI is');
});

t.test('a tag bound in one spelling is read in another', async (t) => {
  t.equal(spellings(5001).hex, '3035A537C8375F4000001389', 'the tag of the review');
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const product = await processor.product('piece');
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }]);
  let minute = 0;
  /** A reader's read of the tag at the store's door: hex as Zebra reports it, else a generic read of the URI. */
  const read = (epc: string) => {
    const timestamp = `2026-06-01T10:${String(++minute).padStart(2, '0')}:00.000+0800`;
    return /^[0-9A-F]+$/.test(epc)
      ? reader.api.post('/rfid/zebra', zebraEvent({ idHex: epc, antenna: 1, hostName: reader.hostName, timestamp }))
      : reader.api.post('/rfid/reads', { reads: [{ reader: reader.hostName, antenna: 1, epc, time: timestamp }] });
  };
  let serial = 5000;
  /** A pack of a lot of one, its tag bound as `boundAs`, shipped to the store and read at its door as `readAs`. */
  const shipAndRead = async (boundAs: Spelling, readAs: Spelling) => {
    const tag = spellings(++serial);
    const lot = await processor.commission(product, 1);
    const [pack] = await issuePacks(world, processor, lot, 1);
    await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag[boundAs], code: pack }] }));
    const shipmentId = await processor.ship(store, [{ lotCode: lot }]);
    expectStatus(t, await read(tag[readAs]), 202, `read as ${readAs}`);
    await world.app.services.gates.drain();
    const [row] = (await store.api.get(`/rfid/reads?tag=${encodeURIComponent(tag[readAs])}`)).body.items;
    const received = (await store.api.get('/shipments?status=received')).body.items.map((s: { id: string }) => s.id);
    return { tag, lot, pack, row, shipmentId, received };
  };

  for (const [boundAs, readAs] of [
    ['urn', 'hex'],
    ['hex', 'urn'],
    ['link', 'hex'],
    ['tagUri', 'link'],
  ] as const) {
    await t.test(`bound as ${boundAs}, read as ${readAs}: the gate receives the shipment`, async (t) => {
      const { lot, row, shipmentId, received } = await shipAndRead(boundAs, readAs);
      t.match(row, { outcome: 'received', lotCode: lot, detail: shipmentId });
      t.ok(received.includes(shipmentId), 'the shipment is received');
    });
  }

  await t.test('GET /epc and GET /rfid/tags know a bound tag in every spelling', async (t) => {
    const tag = spellings(6001);
    const lot = await processor.commission(product, 1);
    const [pack] = await issuePacks(world, processor, lot, 1);
    const [bound] = (await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag.urn, code: pack }] }))).items;
    t.match(bound, { kind: 'epc', value: tag.link, itemCode: pack }, 'bound by the GS1 key the tag carries');
    for (const spelling of Object.values(tag)) {
      const checked = await processor.api.get(`/epc/${encodeURIComponent(spelling)}?companyPrefixLength=7`);
      t.same(expectStatus(t, checked, 200, spelling).body.knownAs, { kind: 'item', code: pack, lotCode: lot }, `/epc: ${spelling}`);
      t.match((await processor.api.get(`/rfid/tags/${encodeURIComponent(spelling)}`)).body, { itemCode: pack }, `/rfid/tags: ${spelling}`);
    }
  });

  await t.test('a second spelling of a bound tag is the same binding: moved by its party, refused to another', async (t) => {
    const tag = spellings(7001);
    const lot = await processor.commission(product, 2);
    const [first, second] = await issuePacks(world, processor, lot, 2);
    await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag.urn, code: first }] }));
    const moved = await processor.api.post('/rfid/tags', { tags: [{ epc: tag.hex, code: second }] });
    t.match(expectStatus(t, moved, 201, 'its party binds it again by its hex').body.items, [{ value: tag.link, itemCode: second }]);
    t.match((await processor.api.get(`/rfid/tags/${tag.urn}`)).body, { itemCode: second }, 'one binding, moved');
    const twice = await processor.api.post('/rfid/tags', {
      tags: [
        { epc: tag.link, code: first },
        { epc: tag.tagUri, code: first },
      ],
    });
    t.match(expectStatus(t, twice, 400, 'one tag in two spellings in one request').body.errors, [{ pointer: '/tags/1' }]);

    const stock = await store.commission(await store.product('kg'), 5);
    const taken = await store.api.post('/rfid/tags', { tags: [{ epc: tag.hex, code: stock }] });
    t.match(expectStatus(t, taken, 409, 'another party binds it by another spelling').body.errors, [
      { pointer: '/tags/0', detail: `bound by another party as ${tag.link}` },
    ]);
    t.match((await processor.api.get(`/rfid/tags/${tag.hex}`)).body, { itemCode: second }, 'the binding stands');
  });
});

t.test('an ITIP tag (TDS annex E.3), bound by its URN, is read as ITIP-110 hex at a gate and known by GET /epc', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const reader = await registerReader(world, processor);
  await readPoint(world, processor, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  const lot = await processor.commission(await processor.product('piece'), 1);
  const [pack] = await issuePacks(world, processor, lot, 1);
  const tag = {
    hex: '4076451FD40C0E40820000000F54',
    tagUri: 'urn:epc:tag:itip-110:3.9521141.012345.01.02.981',
    urn: 'urn:epc:id:itip:9521141.012345.01.02.981',
    link: 'https://id.gs1.org/8006/095211411234540102/21/981',
  };
  const [bound] = (await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag.urn, code: pack }] }))).items;
  t.match(bound, { value: tag.link, itemCode: pack }, 'bound by the GS1 key it carries');
  const posted = await reader.api.post('/rfid/zebra', zebraEvent({ idHex: tag.hex, antenna: 1, hostName: reader.hostName }));
  expectStatus(t, posted, 202, 'a Zebra reports its 110 bits as 7 words of hex');
  await world.app.services.gates.drain();
  const [row] = (await processor.api.get(`/rfid/reads?tag=${encodeURIComponent(tag.urn)}`)).body.items;
  t.match(row, { tag: tag.hex, outcome: 'observed', lotCode: lot }, 'the read is the bound pack, observed');
  for (const spelling of Object.values(tag)) {
    const checked = await processor.api.get(`/epc/${encodeURIComponent(spelling)}?companyPrefixLength=7`);
    t.match(expectStatus(t, checked, 200, spelling).body, {
      scheme: 'itip-110',
      itip: '095211411234540102',
      serial: '981',
      knownAs: { kind: 'item', code: pack, lotCode: lot },
    });
  }
});

t.test('one tag read in two spellings by two readers of one gate is received once and counted once', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const product = await processor.product('piece');
  // one door, two readers: a Zebra reporting hex, another posting the pure-identity URN
  const zebra = await registerReader(world, store);
  const generic = await registerReader(world, store);
  await readPoint(world, store, 'entry', [
    { readerId: zebra.id, antenna: 1 },
    { readerId: generic.id, antenna: 1 },
  ]);
  const read = (spelling: 'hex' | 'urn', tag: ReturnType<typeof spellings>, time: string) => {
    const timestamp = `2026-06-01T10:${time}.000+0800`;
    return spelling === 'hex'
      ? zebra.api.post('/rfid/zebra', zebraEvent({ idHex: tag.hex, antenna: 1, hostName: zebra.hostName, timestamp }))
      : generic.api.post('/rfid/reads', { reads: [{ reader: generic.hostName, antenna: 1, epc: tag.urn, time: timestamp }] });
  };
  const drain = () => world.app.services.gates.drain();
  const readsOf = async (tag: ReturnType<typeof spellings>) =>
    (
      (await store.api.get(`/rfid/reads?tag=${encodeURIComponent(tag.link)}`)).body.items as {
        tag: string;
        firstSeen: string;
        eventId: string;
      }[]
    ).sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  const eventsOf = async (lot: string) =>
    ((await store.api.get(`/events?lotCode=${lot}`)).body.items as { type: string; partyCode: string }[])
      .filter((event) => event.partyCode === store.code)
      .map((event) => event.type);
  let serial = 8000;
  /** A pack of a lot of `quantity`, its tag bound by its Digital Link, and the lot shipped to the store. */
  const shipPack = async (quantity = 1) => {
    const tag = spellings(++serial);
    const lot = await processor.commission(product, quantity);
    const packs = await issuePacks(world, processor, lot, quantity);
    await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag.link, code: packs[0] }] }));
    return { tag, lot, packs };
  };

  // in one window, both readers' reads are one observation (one window, by the tag's key), whenever
  // the second reader's batch comes; in the next window, the tag is already received
  for (const [name, times, drains] of [
    ['in one window, judged together', ['00:05', '00:10'], false],
    ['in one window, the second reader’s batch judged after the first', ['05:05', '05:10'], true],
    ['in consecutive windows', ['10:20', '10:35'], true],
  ] as const) {
    await t.test(name, async (t) => {
      const { tag, lot } = await shipPack();
      const shipmentId = await processor.ship(store, [{ lotCode: lot }]);
      expectStatus(t, await read('hex', tag, times[0]), 202, 'read as hex');
      if (drains) await drain();
      expectStatus(t, await read('urn', tag, times[1]), 202, 'read as URN');
      await drain();
      const reads = await readsOf(tag);
      const windowOf = (time: string) => Math.floor((Number(time.slice(0, 2)) * 60 + Number(time.slice(3))) / 30);
      const oneWindow = windowOf(times[0]) === windowOf(times[1]);
      t.match(reads[0], { tag: tag.hex, outcome: 'received', detail: shipmentId, readCount: oneWindow ? 2 : 1 });
      if (oneWindow) t.equal(reads.length, 1, 'one observation');
      else t.match(reads[1], { tag: tag.urn, outcome: 'already_received', eventId: reads[0].eventId, detail: shipmentId });
      t.same(await eventsOf(lot), ['receive'], 'one receipt, no observation');
    });
  }

  await t.test('a tag read in two spellings in one window is one tag of the observation', async (t) => {
    // a pack of the store's own, coming back in
    const tag = spellings(++serial);
    const lot = await store.commission(await store.product('piece'), 1);
    const [pack] = await issuePacks(world, store, lot, 1);
    await world.ok(store.api.post('/rfid/tags', { tags: [{ epc: tag.link, code: pack }] }));
    expectStatus(t, await read('hex', tag, '20:05'), 202, 'read as hex');
    expectStatus(t, await read('urn', tag, '20:10'), 202, 'read as URN');
    await drain();
    const [first] = await readsOf(tag);
    const event = (await store.api.get(`/events/${first.eventId}`)).body;
    t.match(event, { type: 'observe', lots: [{ lotCode: lot }] });
    t.match(event.details.readings, [{ tags: 1, reads: 2 }], 'one tag, read twice');
  });

  await t.test('a pack the store received, read again in another spelling, counts towards no later line', async (t) => {
    const { tag, lot, packs } = await shipPack(3);
    const first = await world.ok(processor.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 1 }] }));
    expectStatus(t, await read('hex', tag, '30:05'), 202, 'the pack read as hex');
    await drain();
    t.match(await readsOf(tag), [{ outcome: 'received', detail: first.shipmentId }], 'the pack came in the first shipment');
    // the other two packs follow; the pack the store has lingers at the door with one of them
    await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: spellings(++serial).link, code: packs[1] }] }));
    const second = await world.ok(processor.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 2 }] }));
    expectStatus(t, await read('urn', tag, '40:05'), 202, 'the pack the store has, read as URN');
    expectStatus(t, await read('urn', spellings(serial), '40:05'), 202, 'another pack of the lot');
    await drain();
    const open = (await store.api.get('/shipments?status=open')).body.items.map((s: { id: string }) => s.id);
    t.ok(open.includes(second.shipmentId), 'one pack of the two shipped read: the line waits for the other');
    t.match((await readsOf(tag))[1], { tag: tag.urn, outcome: 'observed', detail: null }, 'the store’s own pack');
  });
});
