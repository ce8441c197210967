// A tag bound as one pack of a lot (`unit: "pack"`), for tags that cannot carry the service's item
// codes (an SGTIN-96 serial is numeric): it counts one piece at the gates where a lot's tag counts
// the whole lot, and only lots counted in pieces take one.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { encodeTag } from '../../src/gs1/epc-binary.js';
import { createRfidRepository } from '../../src/rfid/repository.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { issuePacks, postTagCsv, readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;
const readTime = (minute: number) => `2026-06-01T10:${String(minute).padStart(2, '0')}:00.000+0800`;

t.test('binding a tag as one pack of a lot', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const gtin = completeGs1('690123456701');
  const pieces = await processor.commission(await processor.product('piece', { gtin }), 10);
  const meat = await processor.commission(await processor.product('kg'), 25);
  const sgtin = (serial: number) => `urn:epc:id:sgtin:6901234.056701.${serial}`;

  await t.test('as JSON: a pack of a lot counted in pieces; a lot tag by default', async (t) => {
    const bound = await processor.api.post('/rfid/tags', {
      tags: [
        { epc: sgtin(1), code: pieces, unit: 'pack' },
        { epc: tag(1), code: pieces },
      ],
    });
    t.match(expectStatus(t, bound, 201, 'bound').body.items, [
      { value: 'https://id.gs1.org/01/06901234567014/21/1', lotCode: pieces, itemCode: null, unit: 'pack' },
      { value: tag(1), lotCode: pieces, itemCode: null, unit: 'lot' },
    ]);
    t.match((await processor.api.get(`/rfid/tags/${encodeURIComponent(sgtin(1))}`)).body, { unit: 'pack', lotCode: pieces });
  });

  await t.test('a pack of a lot counted by mass, or of a container: 422 at the unit', async (t) => {
    const sscc = completeGs1('06901234500000888');
    const packed = await world.ok(processor.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: pieces, quantity: 4 }] }));
    const caseCode: string = packed.createdLotCodes[0];
    const refused = await processor.api.post('/rfid/tags', {
      tags: [
        { epc: tag(2), code: pieces, unit: 'pack' },
        { epc: tag(3), code: meat, unit: 'pack' },
        { epc: tag(4), code: caseCode, unit: 'pack' },
      ],
    });
    const body = expectStatus(t, refused, 422, 'refused').body;
    t.match(body.errors, [
      { pointer: '/tags/1/unit', detail: /counted in kg, not in pieces \(piece\): pack tags are for lots counted in pieces only/ },
      { pointer: '/tags/2/unit', detail: /container/ },
    ]);
    t.equal(body.errors.length, 2);
    expectStatus(t, await processor.api.get(`/rfid/tags/${tag(2)}`), 404, 'nothing of the request bound');
    const [item] = await issuePacks(world, processor, pieces, 1);
    const itemAsLot = await processor.api.post('/rfid/tags', { tags: [{ epc: tag(2), code: item, unit: 'lot' }] });
    t.match(expectStatus(t, itemAsLot, 422, 'an item code bound as its whole lot').body.errors, [
      { pointer: '/tags/0/unit', detail: /one pack/ },
    ]);
    const itemTag = await processor.api.post('/rfid/tags', { tags: [{ epc: tag(9), code: item }] });
    t.match(expectStatus(t, itemTag, 201, 'an item code').body.items, [{ itemCode: item, unit: 'pack' }]);
    const unknownUnit = await processor.api.post('/rfid/tags', { tags: [{ epc: tag(2), code: pieces, unit: 'case' }] });
    t.match(expectStatus(t, unknownUnit, 400, 'an unknown unit').body.errors, [{ pointer: '/tags/0/unit' }]);
  });

  await t.test('as CSV, with a unit column', async (t) => {
    const csv = await postTagCsv(world, processor, `epc,code,unit\n${tag(5)},${pieces},pack\n${tag(6)},${pieces},\n`);
    t.match(expectStatus(t, csv, 201, 'bound').body.items, [{ unit: 'pack' }, { unit: 'lot' }]);
    const refused = await postTagCsv(world, processor, `EPC,Code,Unit\n${tag(7)},${pieces},pack\n${tag(8)},${meat},pack\n`);
    t.match(expectStatus(t, refused, 422, 'a pack of a lot counted by mass').body.errors, [{ pointer: '/line/3/unit' }]);
  });

  await t.test('the party rules are those of every binding', async (t) => {
    const foreign = await store.api.post('/rfid/tags', { tags: [{ epc: sgtin(2), code: pieces, unit: 'pack' }] });
    expectStatus(t, foreign, 403, 'a lot the store neither owns, holds nor awaits');
    const own = await store.commission(await store.product('piece'), 3);
    const key = await store.api.post('/rfid/tags', { tags: [{ epc: sgtin(3), code: own, unit: 'pack' }] });
    t.match(expectStatus(t, key, 403, "a tag carrying the processor's GTIN").body.errors, [{ pointer: '/tags/0/epc' }]);
  });

  await t.test('GET /epc/{value} knows it as one pack of the lot', async (t) => {
    const hex = encodeTag(sgtin(1), { scheme: 'sgtin-96', filter: 1 }).hex;
    t.match((await processor.api.get(`/epc/${hex}`)).body.knownAs, { kind: 'pack', code: pieces, lotCode: pieces });
    t.match((await processor.api.get(`/epc/${tag(1)}`)).body.knownAs, { kind: 'lot', code: pieces });
    t.equal((await store.api.get(`/epc/${hex}`)).body.knownAs, null, 'not to a party that may not read the lot');
  });
});

t.test('re-binding a tag sets its unit anew', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const pieces = await processor.commission(await processor.product('piece'), 10);
  const meat = await processor.commission(await processor.product('kg'), 25);
  const [item] = await issuePacks(world, processor, pieces, 1);
  const bind = async (binding: Record<string, string>) =>
    expectStatus(t, await processor.api.post('/rfid/tags', { tags: [binding] }), 201, 'bound').body.items[0];
  const stored = async (value: string) => (await processor.api.get(`/rfid/tags/${value}`)).body;

  await t.test('a lot tag re-bound as a pack, and back', async (t) => {
    await bind({ epc: tag(1), code: pieces });
    t.match(await bind({ epc: tag(1), code: pieces, unit: 'pack' }), { unit: 'pack' });
    t.match(await stored(tag(1)), { unit: 'pack', lotCode: pieces });
    t.match(await bind({ epc: tag(1), code: pieces, unit: 'lot' }), { unit: 'lot' });
    t.match(await stored(tag(1)), { unit: 'lot', lotCode: pieces });
  });

  await t.test('a tag of an item code re-bound to its lot stands for the lot', async (t) => {
    t.match(await bind({ epc: tag(2), code: item }), { itemCode: item, unit: 'pack' });
    t.match(await bind({ epc: tag(2), code: pieces }), { itemCode: null, unit: 'lot' });
    t.match(await stored(tag(2)), { itemCode: null, lotCode: pieces, unit: 'lot' });
  });

  await t.test('a TID of an item code re-bound to a lot counted in kg is no pack of it', async (t) => {
    const tid = 'E2801160200074CF085A0A11';
    t.match(await bind({ tid, code: item }), { unit: 'pack' });
    t.match(await bind({ tid, code: meat }), { lotCode: meat, itemCode: null, unit: 'lot' });
    t.match(await stored(tid), { lotCode: meat, unit: 'lot' });
    const refused = await processor.api.post('/rfid/tags', { tags: [{ tid, code: meat, unit: 'pack' }] });
    t.match(expectStatus(t, refused, 422, 'as a pack of it').body.errors, [{ pointer: '/tags/0/unit', detail: /counted in kg/ }]);
    t.match(await stored(tid), { unit: 'lot' });
  });

  await t.test('a commissioning station re-binding a pack tag binds it to its lot as a lot tag', async (t) => {
    await bind({ epc: tag(3), code: pieces, unit: 'pack' });
    const reader = await registerReader(world, processor);
    const station = await readPoint(world, processor, 'commissioning', [{ readerId: reader.id, antenna: 1 }], { bindToCode: pieces });
    // the station binds what it reads unbound; a pack tag bound by the party meanwhile is re-bound by it
    await createRfidRepository(world.database.db).bindTags([
      {
        kind: 'epc',
        value: tag(3),
        partyCode: processor.code,
        lotCode: pieces,
        itemCode: null,
        unit: 'lot',
        source: `read point ${station.readPointId}`,
        boundAt: new Date(),
      },
    ]);
    t.match(await stored(tag(3)), { unit: 'lot', lotCode: pieces, source: `read point ${station.readPointId}` });
  });
});

t.test('at the gates a pack tag counts one piece of its lot', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const drain = () => world.app.services.gates.drain();
  const maker = await world.party('processor');
  const store = await world.party('cold_storage');
  const lot = await maker.commission(await maker.product('piece'), 20);
  const whole = await maker.commission(await maker.product('piece'), 8);
  await world.ok(
    maker.api.post('/rfid/tags', {
      tags: [...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({ epc: tag(100 + n), code: lot, unit: 'pack' })), { epc: tag(200), code: whole }],
    }),
  );
  const makerReader = await registerReader(world, maker);
  const dock = await readPoint(world, maker, 'exit', [{ readerId: makerReader.id, antenna: 1 }]);
  const storeReader = await registerReader(world, store);
  const door = await readPoint(world, store, 'entry', [{ readerId: storeReader.id, antenna: 1 }]);
  const post = (reader: typeof makerReader, tags: number[], minute: number) =>
    world.ok(
      reader.api.post(
        '/rfid/zebra',
        tags.map((n) => zebraEvent({ idHex: tag(n), antenna: 1, hostName: reader.hostName, timestamp: readTime(minute) })),
      ),
      202,
    );
  const outcomes = async (party: typeof maker, readPointId: string, tags: number[]) => {
    const rows = (await party.api.get(`/rfid/reads?readPointId=${readPointId}&limit=500`)).body.items as {
      tag: string;
      outcome: string;
      detail: string;
    }[];
    return tags.map((n) => rows.filter((row) => row.tag === tag(n)).map((row) => [row.outcome, row.detail]));
  };
  const shipment = async (id: string) =>
    (await store.api.get('/shipments?status=open')).body.items.find((s: { id: string }) => s.id === id) ??
    (await store.api.get('/shipments?status=received')).body.items.find((s: { id: string }) => s.id === id);

  const shipmentId = await maker.ship(store, [
    { lotCode: lot, quantity: 5 },
    { lotCode: whole, quantity: 8 },
  ]);

  await t.test('exit: six pack tags on a line of five depart five; the sixth is unexpected; a lot tag departs its line', async (t) => {
    // tag 101 read twice in its window: one piece
    await post(makerReader, [101, 101, 102, 103, 104, 105, 106, 200], 1);
    await drain();
    const beyond = `more packs of lot ${lot} read leaving than the party's open shipments carry`;
    t.same(await outcomes(maker, dock.readPointId, [101, 102, 103, 104, 105, 106, 200]), [
      ...[101, 102, 103, 104, 105].map(() => [['departed', shipmentId]]),
      [['unexpected_departure', beyond]],
      [['departed', shipmentId]],
    ]);
    const [unexpected] = (await maker.api.get(`/rfid/reads?tag=${tag(106)}`)).body.items;
    t.match((await maker.api.get(`/events/${unexpected.eventId}`)).body, { type: 'observe', bizStep: 'departing' });
    // read again in a later window, a pack that left stays one of the five
    await post(makerReader, [101], 2);
    await drain();
    t.same((await outcomes(maker, dock.readPointId, [101]))[0], [
      ['departed', shipmentId],
      ['departed', shipmentId],
    ]);
  });

  await t.test('entry: the loose line is received once as many pack tags were read as were shipped', async (t) => {
    await post(storeReader, [101, 102, 103], 10);
    await drain();
    t.same(
      await outcomes(store, door.readPointId, [101]),
      [[['observed', `3 of the 5 packs of lot ${lot} shipped loose read`]]],
      'three of five: waiting',
    );
    t.same(
      (await shipment(shipmentId)).lines.map((line: { receivedQuantity: number | null }) => line.receivedQuantity),
      [null, null],
    );
    await post(storeReader, [104, 105, 200], 11);
    await drain();
    t.same(await outcomes(store, door.readPointId, [105, 200]), [[['received', shipmentId]], [['received', shipmentId]]]);
    const received = await shipment(shipmentId);
    t.equal(received.status, 'received');
    t.same(
      received.lines.map((line: { receivedQuantity: number | null }) => line.receivedQuantity),
      [5, 8],
      'the whole line of five, and the lot tag its whole line',
    );
  });
});

t.test('at an entry gate pack tags receive no more than the loose line of their lot', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const maker = await world.party('processor');
  const store = await world.party('cold_storage');
  const storeReader = await registerReader(world, store);
  const door = await readPoint(world, store, 'entry', [{ readerId: storeReader.id, antenna: 1 }]);
  const read = async (tags: number[], minute: number) => {
    await world.ok(
      storeReader.api.post(
        '/rfid/zebra',
        tags.map((n) => zebraEvent({ idHex: tag(n), antenna: 1, hostName: storeReader.hostName, timestamp: readTime(minute) })),
      ),
      202,
    );
    await world.app.services.gates.drain();
  };
  const outcomes = async (tags: number[]) => {
    const rows = (await store.api.get(`/rfid/reads?readPointId=${door.readPointId}&limit=500`)).body.items as {
      tag: string;
      outcome: string;
      detail: string;
    }[];
    return tags.map((n) => rows.filter((row) => row.tag === tag(n)).map((row) => [row.outcome, row.detail]));
  };
  const linesOf = async (shipmentId: string) => {
    const found = await Promise.all(['open', 'received'].map((status) => store.api.get(`/shipments?status=${status}`)));
    const shipment = found.flatMap((reply) => reply.body.items).find((s: { id: string }) => s.id === shipmentId);
    return {
      status: shipment.status,
      lines: shipment.lines.map((line: { lotCode: string; receivedQuantity: number | null }) => [line.lotCode, line.receivedQuantity]),
    };
  };
  const surplus = (lot: string) => `more packs of lot ${lot} read than were shipped loose: a case is received by its own tag`;

  await t.test('a case of the lot beside its loose line: its packs are no more of the line', async (t) => {
    const lot = await maker.commission(await maker.product('piece'), 10);
    const packed = await world.ok(
      maker.event({ type: 'aggregate', parent: { sscc: completeGs1('06901234500000777') }, children: [{ lotCode: lot, quantity: 4 }] }),
    );
    const caseCode: string = packed.createdLotCodes[0];
    await world.ok(
      maker.api.post('/rfid/tags', {
        tags: [...[1, 2, 3, 4, 5, 6, 7].map((n) => ({ epc: tag(400 + n), code: lot, unit: 'pack' })), { epc: tag(410), code: caseCode }],
      }),
    );
    const shipmentId = await maker.ship(store, [{ lotCode: caseCode }, { lotCode: lot, quantity: 3 }]);
    // the three loose packs, then the case's four packs and its own tag
    await read([401, 402, 403, 404, 405, 406, 407, 410], 1);
    t.same(await outcomes([401, 402, 403, 404, 405, 406, 407, 410]), [
      ...[401, 402, 403].map(() => [['received', shipmentId]]),
      ...[404, 405, 406, 407].map(() => [['observed', surplus(lot)]]),
      [['received', shipmentId]],
    ]);
    t.same(await linesOf(shipmentId), {
      status: 'received',
      lines: [
        [caseCode, 1],
        [lot, 3],
        [lot, 4],
      ],
    });
    t.match((await maker.lot(lot)).massBalance, { inTransit: 0, transitLoss: 0, unaccounted: 0 });
  });

  await t.test('surplus packs over windows: those beyond the line are observed, not taken', async (t) => {
    const lot = await maker.commission(await maker.product('piece'), 10);
    await world.ok(
      maker.api.post('/rfid/tags', { tags: [1, 2, 3, 4, 5, 6, 7].map((n) => ({ epc: tag(500 + n), code: lot, unit: 'pack' })) }),
    );
    const shipmentId = await maker.ship(store, [{ lotCode: lot, quantity: 3 }]);
    await read([501, 502], 10);
    t.same(await outcomes([501]), [[['observed', `2 of the 3 packs of lot ${lot} shipped loose read`]]]);
    // 502 read again counts once; 503 completes the line; the rest are more than was shipped
    await read([502, 503, 504, 505, 506, 507], 11);
    t.same(await outcomes([501, 502, 503, 504, 507]), [
      [['received', shipmentId]],
      [
        ['received', shipmentId],
        ['received', shipmentId],
      ],
      [['received', shipmentId]],
      [['observed', surplus(lot)]],
      [['observed', surplus(lot)]],
    ]);
    t.same(await linesOf(shipmentId), { status: 'received', lines: [[lot, 3]] });
  });
});

t.test('migration 0106: tags bound to an item code before count one pack, the others their lot', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const db = world.database.db;
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 5);
  const [item] = await issuePacks(world, processor, lot, 1);
  await world.ok(
    processor.api.post('/rfid/tags', {
      tags: [
        { epc: tag(1), code: item },
        { epc: tag(2), code: lot },
      ],
    }),
  );
  await queryRows(db, sql`alter table rfid_tags drop column unit`);
  await runStatements(db, migrationStatements('0106_rfid_tags_unit.sql'));
  t.same(await queryRows(db, sql`select value, unit from rfid_tags order by value`), [
    { value: tag(1), unit: 'pack' },
    { value: tag(2), unit: 'lot' },
  ]);
});
