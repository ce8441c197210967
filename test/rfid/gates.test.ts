// Observations become events at the gates: pass-through observations, an entry gate receiving
// the open shipment a case belongs to (with the gate's place and time in the trace), an exit
// gate matching departures to open shipments, commissioning stations binding new tags, and
// unknown tags counted per reader.
import { randomBytes } from 'node:crypto';
import { completeGs1 } from '../../src/codes/gs1.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { encodeTag } from '../../src/gs1/epc-binary.js';
import { FACTORY_EPC, zebraEvent } from '../fixtures/rfid-payloads.js';
import { issuePacks, postTagCsv, readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;
/** Reads at the gates happen after the world's events (which start 2026-03-01). */
const readTime = (minute: number) => `2026-06-01T10:${String(minute).padStart(2, '0')}:00.000+0800`;

t.test('gates turn observations into events', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const drain = () => world.app.services.gates.drain();
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const shop = await world.party('retailer');

  const product = await processor.product('piece');
  const lot = await processor.commission(product, 100);
  const sscc = completeGs1('06901234500000777');
  const packed = await world.ok(processor.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: lot, quantity: 40 }] }));
  const caseCode: string = packed.createdLotCodes[0];
  const loose = await processor.commission(product, 10);
  const packs = await issuePacks(world, processor, loose, 5);
  t.equal(packs.length, 5);

  const reader = await registerReader(world, store);
  const door = await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }], { name: '冷库 1 号门' });
  const aisle = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 2 }], { name: '过道' });
  const dock = await readPoint(world, store, 'exit', [{ readerId: reader.id, antenna: 3 }], { name: '发货口' });
  const zebra = (reads: { idHex: string; antenna: number; minute: number }[]) =>
    reader.api.post(
      '/rfid/zebra',
      reads.map((read) =>
        zebraEvent({ idHex: read.idHex, antenna: read.antenna, hostName: reader.hostName, timestamp: readTime(read.minute) }),
      ),
    );
  const rowsOf = async (query: string) => (await store.api.get(`/rfid/reads?${query}`)).body.items;

  await t.test('tag bindings: one at a time, in bulk as JSON or CSV, all or none', async (t) => {
    const bound = await processor.api.post('/rfid/tags', { tags: [{ epc: tag(1).toLowerCase(), code: caseCode }] });
    t.match(expectStatus(t, bound, 201, 'the case tag').body.items, [{ kind: 'epc', value: tag(1), lotCode: caseCode, itemCode: null }]);
    const csv = await postTagCsv(
      world,
      processor,
      `epc,code\n${packs
        .slice(0, 3)
        .map((pack, index) => `${tag(10 + index)},${pack}`)
        .join('\n')}\n\n`,
    );
    t.equal(csv.status, 201, 'three packs from CSV');
    t.same(
      csv.body.items.map((row: { itemCode: string; lotCode: string }) => [row.itemCode, row.lotCode]),
      packs.slice(0, 3).map((pack) => [pack, loose]),
    );
    const byTid = await processor.api.post('/rfid/tags', { tags: [{ tid: 'E2003412DEADBEEF', code: lot }] });
    t.match(expectStatus(t, byTid, 201, 'by TID').body.items, [{ kind: 'tid', lotCode: lot }]);
    t.match((await processor.api.get(`/rfid/tags/${tag(1)}`)).body, { lotCode: caseCode });
    t.match((await processor.api.get('/rfid/tags/e2003412deadbeef')).body, { kind: 'tid', lotCode: lot });
    expectStatus(t, await store.api.get(`/rfid/tags/${tag(1)}`), 404, "another party's binding is not shown");

    const mixed = await processor.api.post('/rfid/tags', {
      tags: [
        { epc: tag(2), code: lot },
        { epc: tag(3), code: 'BAAAAAAAAAAB' },
        { epc: tag(4), tid: 'E200', code: lot },
        { epc: tag(2), code: lot },
      ],
    });
    expectStatus(t, mixed, 400, 'a bad binding refuses the request');
    t.match(mixed.body.errors, [{ pointer: '/tags/1/code' }, { pointer: '/tags/2' }]);
    expectStatus(t, await processor.api.get(`/rfid/tags/${tag(2)}`), 404, 'nothing was bound');
    const twice = await processor.api.post('/rfid/tags', {
      tags: [
        { epc: tag(2), code: lot },
        { epc: tag(2), code: lot },
      ],
    });
    t.match(expectStatus(t, twice, 400, 'a tag listed twice').body.errors, [{ pointer: '/tags/1' }]);
    const stock = await store.commission(await store.product('kg'), 5);
    const taken = await store.api.post('/rfid/tags', {
      tags: [
        { epc: tag(5), code: stock },
        { epc: tag(1), code: stock },
      ],
    });
    t.match(expectStatus(t, taken, 409, 'a tag another party bound').body.errors, [{ pointer: '/tags/1' }]);
    expectStatus(t, await store.api.get(`/rfid/tags/${tag(5)}`), 404, 'and nothing else of the request');
    const badCsv = await postTagCsv(world, processor, `epc,code\n${tag(6)},${lot}\n${tag(7)}\n`);
    t.equal(badCsv.status, 400);
    t.match(badCsv.body.errors, [{ pointer: '/line/3' }]);
    const noHeader = await postTagCsv(world, processor, `${tag(6)},${lot}\n`);
    t.equal(noHeader.status, 400, 'a CSV without its header');
    expectStatus(t, await processor.api.post('/rfid/tags', { tags: [{ epc: 'not a tag!', code: lot }] }), 400, 'not an EPC');
  });

  await t.test('an EPC URI is bound only when the tag codec takes it, as GET /epc and EPCIS capture do', async (t) => {
    const malformed = [
      ['urn:epc:raw:96.xZZ', /is not a raw EPC URI/],
      ['urn:epc:tag:sgtin-96:9.0614141.812345.6789', /must start with a filter value 0–7/],
      ['urn:epc:id:sgtin:0614141.812345.', /is not a valid SGTIN EPC URN/],
    ] as const;
    for (const [epc, reason] of malformed) {
      const refused = await processor.api.post('/rfid/tags', {
        tags: [
          { epc: tag(8), code: lot },
          { epc, code: lot },
        ],
      });
      t.match(expectStatus(t, refused, 400, epc).body.errors, [{ pointer: '/tags/1/epc', detail: reason }]);
      expectStatus(t, await processor.api.get(`/epc/${encodeURIComponent(epc)}`), 400, 'as GET /epc refuses it');
    }
    const csv = await postTagCsv(world, processor, `epc,code\n${tag(8)},${lot}\nurn:epc:raw:96.xZZ,${lot}\n`);
    t.equal(csv.status, 400, 'nor from CSV');
    t.match(csv.body.errors, [{ pointer: '/line/3', detail: /is not a raw EPC URI/ }]);
    expectStatus(t, await processor.api.get(`/rfid/tags/${tag(8)}`), 404, 'nothing of either request was bound');
    const uri = await processor.api.post('/rfid/tags', { tags: [{ epc: 'urn:epc:tag:sgtin-96:3.0614141.812345.6789', code: lot }] });
    t.match(expectStatus(t, uri, 201, 'a well-formed tag URI, bound by the GS1 key it carries').body.items, [
      { value: 'https://id.gs1.org/01/80614141123458/21/6789' },
    ]);
  });

  await t.test('an entry-gate read of a case receives its open shipment; the trace shows the gate and time', async (t) => {
    const shipmentId = await processor.ship(store, [{ lotCode: caseCode }]);
    expectStatus(
      t,
      await zebra([
        { idHex: tag(1), antenna: 1, minute: 5 },
        { idHex: tag(1), antenna: 1, minute: 5 },
      ]),
      202,
      'read twice',
    );
    await drain();
    const [row] = await rowsOf(`tag=${tag(1)}`);
    t.match(row, { outcome: 'received', lotCode: caseCode, detail: shipmentId, readCount: 2 });
    const shipments = (await store.api.get('/shipments?status=received')).body.items;
    t.ok(
      shipments.some((s: { id: string }) => s.id === shipmentId),
      'the shipment is received',
    );
    const event = (await store.api.get(`/events/${row.eventId}`)).body;
    t.match(event, { type: 'receive', readPoint: door.locationCode, bizLocation: door.locationCode, bizStep: 'receiving' });
    t.equal(new Date(event.eventTime).toISOString(), '2026-06-01T02:05:00.000Z', 'at the time the gate first read it');
    t.equal(event.eventTimeZoneOffset, '+08:00');
    t.same(
      (await world.regulator.get(`/lots/${lot}`)).body.holders,
      [
        { partyCode: processor.code, onHand: 60 },
        { partyCode: store.code, onHand: 40 },
      ]
        .filter((h) => h.onHand > 0)
        .sort((a, b) => a.partyCode.localeCompare(b.partyCode)),
      'the case’s contents changed hands',
    );
    const trace = (await world.regulator.get(`/trace/${sscc}`)).body;
    const receipt = trace.events.find((e: { id: string }) => e.id === row.eventId);
    t.match(receipt, { readPoint: door.locationCode }, 'the trace shows the gate’s location');
    t.equal(new Date(receipt.eventTime).toISOString(), '2026-06-01T02:05:00.000Z', 'and its time');
  });

  await t.test('packs of a lot shipped loose are received once as many were read as were shipped; a URI tag names its case', async (t) => {
    const shipmentId = await processor.ship(store, [{ lotCode: loose, quantity: 3 }]);
    await zebra([
      { idHex: tag(10), antenna: 1, minute: 10 },
      { idHex: tag(11), antenna: 1, minute: 10 },
      { idHex: tag(12), antenna: 1, minute: 11 },
    ]);
    await drain();
    const rows = await rowsOf(`readPointId=${door.readPointId}&outcome=received`);
    const receipts = rows.filter((row: { detail: string }) => row.detail === shipmentId);
    t.equal(receipts.length, 3, 'three pack reads');
    t.equal(new Set(receipts.map((row: { eventId: string }) => row.eventId)).size, 1, 'one receipt, of the three shipped');
    t.same(
      (await store.lot(loose)).holders.find((h: { partyCode: string }) => h.partyCode === store.code),
      { partyCode: store.code, onHand: 3 },
    );
  });

  await t.test('pass-through observations: one observe event per lot, by its holder', async (t) => {
    await zebra([
      { idHex: tag(1), antenna: 2, minute: 20 },
      { idHex: tag(10), antenna: 2, minute: 20 },
      { idHex: tag(11), antenna: 2, minute: 20 },
    ]);
    await drain();
    const rows = await rowsOf(`readPointId=${aisle.readPointId}`);
    t.equal(rows.length, 3);
    t.ok(
      rows.every((row: { outcome: string }) => row.outcome === 'observed'),
      'all observed',
    );
    const packEvents = new Set(
      rows.filter((row: { lotCode: string }) => row.lotCode === loose).map((row: { eventId: string }) => row.eventId),
    );
    t.equal(packEvents.size, 1, 'both packs of a lot in one event');
    const event = (await store.api.get(`/events/${[...packEvents][0]}`)).body;
    t.match(event, { type: 'observe', readPoint: aisle.locationCode, bizStep: 'storing', lots: [{ lotCode: loose, role: 'subject' }] });
    t.match(event.details.readings, [{ readPoint: '过道', tags: 2, reads: 2 }]);
  });

  await t.test('exit gate: departures matched to open shipments, or reported as unexpected', async (t) => {
    // shipped after the entry gate received the case (minute 5), before the exit gate reads it
    const shipped = await store.api.post('/events', {
      type: 'ship',
      eventTime: '2026-06-01T10:25:00+08:00',
      toPartyCode: shop.code,
      lines: [{ lotCode: caseCode }],
    });
    expectStatus(t, shipped, 201, 'shipped');
    const { shipmentId } = shipped.body;
    await zebra([
      { idHex: tag(1), antenna: 3, minute: 30 },
      { idHex: tag(11), antenna: 3, minute: 30 },
    ]);
    await drain();
    t.match(
      (await rowsOf(`readPointId=${dock.readPointId}&tag=${tag(1)}`))[0],
      { outcome: 'departed', detail: shipmentId, eventId: null },
      'the case leaves in its open shipment (whose ship event says so)',
    );
    t.match((await rowsOf(`readPointId=${dock.readPointId}&tag=${tag(11)}`))[0], {
      outcome: 'unexpected_departure',
      lotCode: loose,
    });
    const listed = await rowsOf('outcome=unexpected_departure');
    t.equal(listed.length, 1, 'unexpected departures are listed');
    const event = (await store.api.get(`/events/${listed[0].eventId}`)).body;
    t.match(event, { type: 'observe', bizStep: 'departing', readPoint: dock.locationCode });
  });

  await t.test('unknown and factory tags are counted per reader; reads of what the party does not hold are rejected', async (t) => {
    await zebra([
      { idHex: FACTORY_EPC, antenna: 2, minute: 40 },
      { idHex: FACTORY_EPC, antenna: 2, minute: 40 },
      { idHex: tag(99), antenna: 2, minute: 41 },
    ]);
    await processor.api.post('/rfid/tags', { tags: [{ epc: tag(60), code: lot }] });
    const other = await processor.commission(product, 5);
    await processor.api.post('/rfid/tags', { tags: [{ epc: tag(61), code: other }] });
    await zebra([{ idHex: tag(61), antenna: 2, minute: 42 }]);
    await drain();
    const unknown = (await store.api.get('/rfid/unknown-tags')).body.items;
    t.match(
      unknown.sort((a: { tag: string }, b: { tag: string }) => a.tag.localeCompare(b.tag)),
      [
        { readerId: reader.id, tag: tag(99), windows: 1, reads: 1 },
        { readerId: reader.id, tag: FACTORY_EPC, windows: 1, reads: 2 },
      ],
    );
    const [rejected] = await rowsOf(`tag=${tag(61)}`);
    t.same(
      [rejected.outcome, rejected.lotCode, rejected.eventId, rejected.detail],
      ['rejected', null, null, 'the tag names nothing this party holds or has on its way to it'],
      'a tag of a lot the store may not read names no lot, as its binding is not shown either',
    );
    expectStatus(t, await store.api.get(`/rfid/tags/${tag(61)}`), 404, 'the binding');
    t.match(
      (await world.regulator.get(`/rfid/reads?tag=${tag(61)}`)).body.items[0],
      { outcome: 'rejected', lotCode: other, detail: /neither owns nor holds/ },
      'a regulator sees the lot and why',
    );
    // the store had the case of this lot and shipped it on: it may read the lot, so its read says which it was
    await zebra([{ idHex: tag(60), antenna: 2, minute: 43 }]);
    await drain();
    t.match((await rowsOf(`tag=${tag(60)}`))[0], { outcome: 'rejected', lotCode: lot, detail: /neither owns nor holds/ });
  });

  await t.test('a commissioning station binds the new tags it reads', async (t) => {
    const station = await readPoint(world, store, 'commissioning', [{ readerId: reader.id, antenna: 4 }], { bindToCode: loose });
    await zebra([
      { idHex: tag(70), antenna: 4, minute: 50 },
      { idHex: tag(10), antenna: 4, minute: 50 },
    ]);
    await drain();
    t.match((await rowsOf(`readPointId=${station.readPointId}&tag=${tag(70)}`))[0], { outcome: 'bound', lotCode: loose });
    t.match((await store.api.get(`/rfid/tags/${tag(70)}`)).body, { lotCode: loose, source: `read point ${station.readPointId}` });
    t.match((await rowsOf(`readPointId=${station.readPointId}&tag=${tag(10)}`))[0], { outcome: 'observed' }, 'a known tag is observed');
    expectStatus(
      t,
      await store.api.post('/rfid/read-points', {
        partyCode: store.code,
        locationCode: station.locationCode,
        name: 'gate that binds',
        role: 'entry',
        bindToCode: loose,
        antennas: [{ readerId: reader.id, antenna: 5 }],
      }),
      400,
      'only commissioning stations bind',
    );
    expectStatus(
      t,
      await store.api.post('/rfid/read-points', {
        partyCode: store.code,
        locationCode: station.locationCode,
        name: 'binds to nothing',
        role: 'commissioning',
        bindToCode: `BAAAAAAAAAA${mod31CheckChar('BAAAAAAAAAA')}`,
        antennas: [{ readerId: reader.id, antenna: 5 }],
      }),
      422,
      'a station binds to a lot or container',
    );
  });

  await t.test('windows still open wait; regulators see gate activity per party', async (t) => {
    // read 15 s ahead (a reader's clock a little fast, within the service's tolerance): windows are 30 s
    // from :00 and :30, and one read now could close before the drain below looks
    const soon = new Date(Date.now() + 15_000).toISOString();
    await reader.api.post('/rfid/reads', { reads: [{ antenna: 2, epc: tag(80), time: soon }] });
    await drain();
    t.match((await rowsOf(`tag=${tag(80)}`))[0], { outcome: null }, 'not yet an observation');
    const activity = (await world.regulator.get(`/rfid/activity?partyCode=${store.code}`)).body.items;
    const of = (readPointId: string, outcome: string | null) =>
      activity.find((row: { readPointId: string; outcome: string | null }) => row.readPointId === readPointId && row.outcome === outcome);
    t.match(of(door.readPointId, 'received'), { windows: 4, partyCode: store.code });
    t.match(of(aisle.readPointId, 'unknown'), { windows: 2, reads: 3 });
    t.match(of(aisle.readPointId, null), { windows: 1 });
    t.match(of(dock.readPointId, 'unexpected_departure'), { windows: 1 });
    expectStatus(t, await shop.api.get(`/rfid/activity?partyCode=${store.code}`), 403, "an operator sees only its own party's");
    t.ok((await world.regulator.get('/rfid/activity')).body.items.length >= 6, 'a regulator sees every party');
    t.ok((await world.regulator.get('/rfid/readers')).body.items.length >= 1);
    t.ok((await world.regulator.get('/rfid/read-points')).body.items.length >= 4);
  });

  await t.test('tags that carry a GS1 key need no binding: SSCC-96 of a case, SGTIN-198 of a pack', async (t) => {
    const gtin = completeGs1('0690123400001');
    const coded = await processor.product('piece', { gtin });
    const packLot = await processor.commission(coded, 6);
    const [item] = await issuePacks(world, processor, packLot, 2);
    const caseSscc = completeGs1('06901234500000888');
    const palletised = await world.ok(
      processor.event({ type: 'aggregate', parent: { sscc: caseSscc }, children: [{ lotCode: lot, quantity: 10 }] }),
    );
    const gs1 = (decoded: ReturnType<typeof encodeTag>) => decoded as Extract<typeof decoded, { kind: 'gs1' }>;
    const ssccTag = gs1(
      encodeTag(`urn:epc:id:sscc:6901234.${caseSscc.slice(0, 1)}${caseSscc.slice(8, 17)}`, { scheme: 'sscc-96', filter: 2 }),
    );
    const packTag = gs1(encodeTag(`urn:epc:id:sgtin:6901234.0${gtin.slice(8, 13)}.${item}`, { scheme: 'sgtin-198', filter: 1 }));
    const caseShipment = await processor.ship(store, [{ lotCode: palletised.createdLotCodes[0] }]);
    const packShipment = await processor.ship(store, [{ lotCode: packLot, quantity: 1 }]);
    await zebra([{ idHex: packTag.hex.toLowerCase(), antenna: 1, minute: 55 }]);
    // the same case tag, once as hex and once as the tag URI a generic client sends
    await zebra([{ idHex: ssccTag.hex, antenna: 1, minute: 55 }]);
    await reader.api.post('/rfid/reads', { reads: [{ antenna: 1, epc: ssccTag.tagUri, time: '2026-06-01T10:55:10+08:00' }] });
    await drain();
    const caseRows = await rowsOf(`tag=${ssccTag.hex}`);
    t.equal(caseRows.length, 1, 'hex and tag URI are one tag');
    t.match(caseRows[0], { outcome: 'received', detail: caseShipment, readCount: 2, lotCode: palletised.createdLotCodes[0] });
    t.match((await rowsOf(`tag=${packTag.hex}`))[0], { outcome: 'received', detail: packShipment, lotCode: packLot });
    t.same(
      (await store.lot(packLot)).holders.find((h: { partyCode: string }) => h.partyCode === store.code),
      { partyCode: store.code, onHand: 1 },
      'the one pack shipped, read and received',
    );
  });
});

t.test('tags are bound to a lot by its owner, a holder or the addressee of an open shipment carrying it', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const owner = await world.party('processor');
  const other = await world.party('processor');
  const store = await world.party('cold_storage');
  const product = await owner.product('kg');
  const lot = await owner.commission(product, 10);
  const bind = (party: typeof owner, epc: string, code: string) => party.api.post('/rfid/tags', { tags: [{ epc, code }] });

  const squatted = await bind(other, tag(1), lot);
  t.match(expectStatus(t, squatted, 403, 'a party that never had the lot').body, {
    detail: new RegExp(`party ${other.code} may not bind tags to the lot named`),
    errors: [{ pointer: '/tags/0/code', detail: `a lot neither owned nor held by ${other.code}, nor on its way to it` }],
  });
  t.notOk(JSON.stringify(squatted.body).includes(owner.code), 'naming neither the owner');
  const csv = await postTagCsv(world, other, `epc,code\n${tag(2)},${lot}\n`);
  t.equal(csv.status, 403, 'nor in bulk as CSV');
  expectStatus(t, await bind(owner, tag(1), lot), 201, 'the owner binds the tag the other party could not take');

  const shipmentId = await owner.ship(store, [{ lotCode: lot, quantity: 4 }]);
  expectStatus(t, await bind(store, tag(3), lot), 201, 'the addressee tags the goods on their way in');
  await store.receive(shipmentId);
  expectStatus(t, await bind(store, tag(4), lot), 201, 'and once it holds them');

  const reader = await registerReader(world, other);
  const refused = await other.api.post('/rfid/read-points', {
    partyCode: other.code,
    locationCode: await other.location('plant'),
    name: 'station',
    role: 'commissioning',
    bindToCode: lot,
    antennas: [{ readerId: reader.id, antenna: 1 }],
  });
  t.match(expectStatus(t, refused, 403, 'nor a commissioning station of the other party').body.errors, [{ pointer: '/bindToCode' }]);

  // a station binds only as long as its party may: a shipment taken back ends the addressee's right
  const sent = await owner.commission(product, 5);
  const shipped = await world.ok(owner.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: sent, quantity: 5 }] }));
  const storeReader = await registerReader(world, store);
  await readPoint(world, store, 'commissioning', [{ readerId: storeReader.id, antenna: 1 }], { bindToCode: sent });
  await world.ok(owner.event({ type: 'correction', correctsEventId: shipped.event.id, reason: 'sent to the wrong store' }));
  await storeReader.api.post('/rfid/zebra', [
    zebraEvent({ idHex: tag(9), antenna: 1, hostName: storeReader.hostName, timestamp: readTime(1) }),
  ]);
  await world.app.services.gates.drain();
  const [read] = (await world.regulator.get(`/rfid/reads?tag=${tag(9)}`)).body.items;
  t.match(read, { outcome: 'rejected', lotCode: sent, detail: new RegExp(`no longer owns, holds or awaits lot ${sent}`) });
  // the lot was never sent to the store after all: its read names it no more than another party's
  t.match((await store.api.get(`/rfid/reads?tag=${tag(9)}`)).body.items, [
    { outcome: 'rejected', lotCode: null, detail: 'the tag names nothing this party holds or has on its way to it' },
  ]);
  expectStatus(t, await store.api.get(`/rfid/tags/${tag(9)}`), 404, 'the station bound nothing');
});

t.test('a CSV binding refused after parsing is named by its line in the file, not by a JSON pointer the file has not', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const owner = await world.party('processor');
  const lot = await owner.commission(await owner.product('kg'), 10);
  const reply = await postTagCsv(world, owner, `epc,code\n${tag(1)},${lot}\n\n${tag(2)},BAAAAAAAAAAB\nurn:epc:raw:96.xZZ,${lot}\n`);
  t.equal(reply.status, 400);
  t.match(reply.body.errors, [
    { in: 'body', pointer: '/line/4', detail: /names no item, lot or container/ },
    { in: 'body', pointer: '/line/5', detail: /not a raw EPC URI/ },
  ]);
  t.match(reply.body.detail, /line\/4/, 'the summary names the line too');
});

t.test('a refusal counts the tags refused, not their problems', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const owner = await world.party('processor');
  // one tag with two faults (both an epc and a tid, and a code that names nothing), and a sound one
  const reply = await owner.api.post('/rfid/tags', {
    tags: [
      { epc: tag(1), tid: 'E2003412', code: 'BAAAAAAAAAAB' },
      { epc: tag(2), code: await owner.commission(await owner.product('kg'), 10) },
    ],
  });
  t.equal(reply.status, 400);
  t.equal(reply.body.errors.length, 2, 'both faults named');
  t.match(reply.body.detail, /^1 tag\(s\) cannot be bound/, 'of one tag');
});

t.test('a CSV line is held to the limits and messages of a JSON binding, and one refused line binds nothing of the file', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const owner = await world.party('processor');
  const lot = await owner.commission(await owner.product('kg'), 10);
  const postCsv = (text: string) => postTagCsv(world, owner, text);
  // random bytes do not compress: 6,000 hex digits outgrow any index entry, as 'x'.repeat(6000) would not
  const incompressible = randomBytes(3_000).toString('hex').toUpperCase();
  const refused: [string, { epc?: string; tid?: string; code?: string }][] = [
    ['a 3,000-byte random-hex EPC', { epc: incompressible }],
    ['a 3,000-byte random-hex TID', { tid: incompressible }],
    ['a 1,000-digit hex EPC', { epc: incompressible.slice(0, 1_000) }],
    ['a 130-digit TID', { tid: incompressible.slice(0, 130) }],
    ['a TID of one byte', { tid: 'E2' }],
    ['a TID of three hex digits', { tid: 'E20' }],
    ['a TID of nine hex digits', { tid: 'E2003412A' }],
    ['a code of 65 characters', { epc: tag(9), code: 'C'.repeat(65) }],
    ['both an EPC and a TID', { epc: tag(9), tid: 'E2003412' }],
  ];
  for (const [what, binding] of refused) {
    const tags = [
      { epc: tag(1), code: lot },
      { code: lot, ...binding },
    ];
    const json = expectStatus(t, await owner.api.post('/rfid/tags', { tags }), 400, `${what} as JSON`);
    const csv = await postCsv(`epc,tid,code\n${tags.map((row) => `${row.epc ?? ''},${row.tid ?? ''},${row.code}`).join('\n')}\n`);
    t.equal(csv.status, 400, `${what} from CSV`);
    t.same(
      csv.body.errors,
      json.body.errors.map((error: { pointer: string }) => ({ ...error, pointer: error.pointer.replace(/^\/tags\/1/, '/line/3') })),
      `${what}: refused from CSV at its line as JSON refuses it, in the same words`,
    );
  }
  t.match((await postCsv(`epc,tid,code\n${tag(9)},E2003412,${lot}\n`)).body.errors, [{ pointer: '/line/2', detail: /not both/ }]);

  const extraCell = await postCsv(`epc,code\n${tag(1)},${lot}\n${tag(2)},${lot},${tag(3)}\n`);
  t.equal(extraCell.status, 400, 'a line with more cells than the header names');
  t.match(extraCell.body.errors, [{ pointer: '/line/3', detail: /has 3 cells/ }]);
  const repeated = await postCsv(`EPC,code,epc\n${tag(1)},${lot},${tag(2)}\n`);
  t.equal(repeated.status, 400, 'a header naming a column twice');
  t.match(repeated.body.errors, [{ pointer: '/line/1', detail: /epc.*twice/ }]);
  for (const n of [1, 2, 3, 9]) expectStatus(t, await owner.api.get(`/rfid/tags/${tag(n)}`), 404, `tag ${n} was not bound`);
});

t.test('10,000 tags are bound in one request, past the 65,535 parameters PostgreSQL takes in one statement', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0, bodyLimit: 1024 * 1024 });
  const owner = await world.party('processor');
  const lot = await owner.commission(await owner.product('piece'), 10_000);
  const tags = Array.from({ length: 10_000 }, (_, n) => ({ epc: tag(100_000 + n), code: lot }));
  const bound = await owner.api.post('/rfid/tags', { tags });
  t.equal(expectStatus(t, bound, 201, 'as JSON').body.items.length, 10_000);
  const csv = await postTagCsv(world, owner, `tid,code\n${tags.map((binding) => `${binding.epc},${lot}`).join('\n')}\n`);
  t.equal(csv.status, 201, 'and as CSV');
  t.equal(csv.body.items.length, 10_000);

  // all or none still: one tag of the last thousand bound by another party refuses the lot of them
  const other = await world.party('processor');
  const taken = tag(300_000 + 9_999);
  expectStatus(
    t,
    await other.api.post('/rfid/tags', { tags: [{ epc: taken, code: await other.commission(await other.product('kg'), 1) }] }),
    201,
    'bound by another party',
  );
  const refused = await owner.api.post('/rfid/tags', { tags: tags.map((binding, n) => ({ epc: tag(300_000 + n), code: binding.code })) });
  t.match(expectStatus(t, refused, 409, 'one of them taken').body.errors, [{ pointer: '/tags/9999' }]);
  expectStatus(t, await owner.api.get(`/rfid/tags/${tag(300_000)}`), 404, 'nothing of the request was bound');
});

t.test("a tag carrying the GS1 key of another party's case or pack is not bound to a lot of one's own", async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const squatter = await world.party('processor');
  const lot = await processor.commission(await processor.product('kg'), 10);
  const caseSscc = completeGs1('06901234500000999');
  const packed = await world.ok(
    processor.event({ type: 'aggregate', parent: { sscc: caseSscc }, children: [{ lotCode: lot, quantity: 10 }] }),
  );
  const caseCode: string = packed.createdLotCodes[0];
  const ssccTag = encodeTag(`urn:epc:id:sscc:6901234.${caseSscc.slice(0, 1)}${caseSscc.slice(8, 17)}`, {
    scheme: 'sscc-96',
    filter: 2,
  }) as {
    hex: string;
    tagUri: string;
  };
  const ownLot = await squatter.commission(await squatter.product('kg'), 1);
  for (const epc of [ssccTag.hex, ssccTag.tagUri]) {
    const squatted = await squatter.api.post('/rfid/tags', { tags: [{ epc, code: ownLot }] });
    t.notOk(JSON.stringify(squatted.body).includes(caseCode), "nor the case's code");
    t.match(expectStatus(t, squatted, 403, `the case tag as ${epc === ssccTag.hex ? 'hex' : 'tag URI'}`).body, {
      detail: /may not bind tags to the lot named/,
      errors: [{ pointer: '/tags/0/epc' }],
    });
  }
  expectStatus(t, await squatter.api.get(`/rfid/tags/${ssccTag.hex}`), 404, 'nothing was bound');

  // so the case tag still names the case at the store's entry gate
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }]);
  const shipmentId = await processor.ship(store, [{ lotCode: caseCode }]);
  await reader.api.post('/rfid/zebra', [zebraEvent({ idHex: ssccTag.hex, antenna: 1, hostName: reader.hostName, timestamp: readTime(5) })]);
  await world.app.services.gates.drain();
  t.match((await store.api.get(`/rfid/reads?tag=${ssccTag.hex}`)).body.items[0], {
    outcome: 'received',
    detail: shipmentId,
    lotCode: caseCode,
  });
  expectStatus(
    t,
    await store.api.post('/rfid/tags', { tags: [{ epc: ssccTag.hex, code: lot }] }),
    201,
    'its holder may bind it to the lot inside',
  );
});

t.test("a TID bound by a party that may not bind the case its EPC carries does not take the case's reads", async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const squatter = await world.party('processor');
  const lot = await processor.commission(await processor.product('kg'), 10);
  const caseSscc = completeGs1('06901234500000995');
  const packed = await world.ok(
    processor.event({ type: 'aggregate', parent: { sscc: caseSscc }, children: [{ lotCode: lot, quantity: 10 }] }),
  );
  const caseCode: string = packed.createdLotCodes[0];
  const ssccTag = encodeTag(`urn:epc:id:sscc:6901234.${caseSscc.slice(0, 1)}${caseSscc.slice(8, 17)}`, {
    scheme: 'sscc-96',
    filter: 2,
  }) as { hex: string };
  const tid = 'E2801190200073F4DEADBEEF';
  // the squatter learnt the chip's TID (it is read with every EPC) and binds it to a lot of its own
  const ownLot = await squatter.commission(await squatter.product('kg'), 1);
  expectStatus(t, await squatter.api.post('/rfid/tags', { tags: [{ tid, code: ownLot }] }), 201, 'a TID alone carries no key');

  const reader = await registerReader(world, store);
  await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }]);
  const shipmentId = await processor.ship(store, [{ lotCode: caseCode }]);
  await reader.api.post('/rfid/zebra', [
    zebraEvent({ idHex: ssccTag.hex, tid, antenna: 1, hostName: reader.hostName, timestamp: readTime(5) }),
  ]);
  await world.app.services.gates.drain();
  t.match(
    (await store.api.get(`/rfid/reads?tag=${ssccTag.hex}`)).body.items[0],
    { outcome: 'received', detail: shipmentId, lotCode: caseCode },
    'the case tag still names the case at the entry gate',
  );

  // the case's holder may point its tag elsewhere by TID, as it may by EPC
  expectStatus(
    t,
    await store.api.post('/rfid/tags', { tags: [{ tid: 'E2801190200073F4CAFEF00D', code: lot }] }),
    201,
    'bound by the holder',
  );
  const aisle = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 2 }]);
  await reader.api.post('/rfid/zebra', [
    zebraEvent({ idHex: ssccTag.hex, tid: 'E2801190200073F4CAFEF00D', antenna: 2, hostName: reader.hostName, timestamp: readTime(20) }),
  ]);
  await world.app.services.gates.drain();
  t.match(
    (await store.api.get(`/rfid/reads?readPointId=${aisle.readPointId}`)).body.items[0],
    { lotCode: lot },
    "the holder's TID binding outranks the key",
  );
});

t.test('a running service turns observations into events soon after their window closes', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 50 });
  const store = await world.party('cold_storage');
  const product = await store.product('kg');
  const lot = await store.commission(product, 10);
  await world.ok(store.api.post('/rfid/tags', { tags: [{ epc: tag(1), code: lot }] }));
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  const posted = await reader.api.post('/rfid/zebra', zebraEvent({ idHex: tag(1), hostName: reader.hostName, timestamp: readTime(1) }));
  expectStatus(t, posted, 202, 'stored');
  const deadline = Date.now() + 10_000;
  let row: { outcome: string | null; eventId: string | null } | undefined;
  while (Date.now() < deadline) {
    [row] = (await store.api.get(`/rfid/reads?tag=${tag(1)}`)).body.items;
    if (row?.outcome) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.match(row, { outcome: 'observed' }, 'observed without being asked');
  t.match((await store.api.get(`/events/${row?.eventId}`)).body, { type: 'observe', lots: [{ lotCode: lot }] });
});

t.test('an exit gate departs no more packs of a lot than its open shipments carry; the rest are unexpected', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const drain = () => world.app.services.gates.drain();
  const maker = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await maker.commission(await maker.product('piece'), 20);
  const packs = await issuePacks(world, maker, lot, 10);
  await world.ok(maker.api.post('/rfid/tags', { tags: packs.map((pack, index) => ({ epc: tag(5001 + index), code: pack })) }));
  // packs 5009 and 5010 packed into a case of their own
  const caseCode = (await world.ok(maker.event({ type: 'aggregate', parent: {}, itemCodes: packs.slice(8) }))).createdLotCodes[0];
  const reader = await registerReader(world, maker);
  const dock = await readPoint(world, maker, 'exit', [{ readerId: reader.id, antenna: 1 }], { name: '发货口' });
  const portal = (tags: number[], minute: number) =>
    world.ok(
      reader.api.post(
        '/rfid/zebra',
        tags.map((n) => zebraEvent({ idHex: tag(n), antenna: 1, hostName: reader.hostName, timestamp: readTime(minute), type: 'PORTAL' })),
      ),
      202,
    );
  const outcomes = async (tags: number[]) => {
    const rows = (await maker.api.get(`/rfid/reads?readPointId=${dock.readPointId}&limit=500`)).body.items as {
      tag: string;
      outcome: string;
      detail: string;
      windowStart: string;
    }[];
    return tags.map((n) =>
      rows
        .filter((row) => row.tag === tag(n))
        .sort((a, b) => a.windowStart.localeCompare(b.windowStart))
        .map((row) => [row.outcome, row.detail]),
    );
  };

  const loose = await maker.ship(shop, [{ lotCode: lot, quantity: 5 }]);
  await portal([5001, 5002, 5003, 5004, 5005, 5006], 1);
  await drain();
  const beyond = `more packs of lot ${lot} read leaving than the party's open shipments carry`;
  t.same(
    await outcomes([5001, 5002, 5003, 5004, 5005, 5006]),
    [...[5001, 5002, 5003, 5004, 5005].map(() => [['departed', loose]]), [['unexpected_departure', beyond]]],
    'five packs leave in the shipment of five; the sixth is seen leaving in none',
  );
  const [unexpected] = (await maker.api.get(`/rfid/reads?tag=${tag(5006)}`)).body.items;
  t.match((await maker.api.get(`/events/${unexpected.eventId}`)).body, { type: 'observe', bizStep: 'departing' });

  // the next shipment: one pack loose, and the case with its two packs
  const next = await maker.ship(shop, [{ lotCode: lot, quantity: 1 }, { lotCode: caseCode }]);
  await portal([5002, 5007, 5008, 5009, 5010], 3);
  await drain();
  t.same(
    await outcomes([5002, 5007, 5008, 5009, 5010]),
    [
      [
        ['departed', loose],
        ['departed', loose],
      ],
      [['departed', next]],
      [['unexpected_departure', beyond]],
      [['departed', next]],
      [['departed', next]],
    ],
    'a pack read leaving again stays in its shipment; the case’s packs leave in their case, one loose pack in its line, and no more',
  );
});
