// A write whose lock on a lot waited for another write reads the lot's facts from its events again
// once it holds it (LOCKED_NEWER in src/events/writer/repository.ts), and it tells that it waited
// only by the lot's row: a newer version of it (xmin) than its snapshot sees. Every write that
// changes what the writer reads of a lot (the recalls that reached it, when it came into being, its
// first use while nothing made it, and the row's own columns) must therefore change the row. Each
// kind of event is written here, and after each write every lot the writer reads otherwise must
// have a new row version; a kind of event no step writes fails the test, so a new one needs a step.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { type Db, queryRows } from '../../src/db/client.js';
import { EVENT_TYPES } from '../../src/events/schemas.js';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { at, createWorld, type World } from '../fixtures/world.js';
import type { Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/**
 * Every lot as the writer reads it when it locks it, each field as JSON, and the version of its row.
 * A lot made is not held to its first use (see requireBeginningBeforeUse): that is no fact of it.
 */
async function lotsAsRead(world: World) {
  const db = world.database.db as unknown as Db;
  const rows = await queryRows<{ code: string; version: string }>(db, sql`select code, xmin::text as version from lots`);
  const views = await createEventWriterRepository().lots(
    db,
    rows.map((row) => row.code),
  );
  const versions = new Map(rows.map((row) => [row.code, row.version]));
  return new Map(
    views.map((view) => {
      const read = { ...view, firstUsedAt: view.madeAt ? null : view.firstUsedAt };
      const facts = Object.fromEntries(Object.entries(read).map(([field, value]) => [field, JSON.stringify(value) ?? 'undefined']));
      return [view.code, { facts, version: versions.get(view.code) }];
    }),
  );
}

/** How many events of each type are stored. */
async function eventsByType(world: World) {
  const rows = await queryRows<{ type: string; count: number }>(
    world.database.db,
    sql`select type, count(*)::int as count from events group by type`,
  );
  return new Map(rows.map((row) => [row.type, row.count]));
}

t.test('every kind of write that changes what the writer reads of a lot changes the lot’s row', async (t) => {
  const world = await createWorld(t);
  const regulator = await world.partyRegulator();
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lab = await world.party('lab');
  const kg = await plant.product('kg');
  const typesWritten = new Set<string>();
  const factsChanged = new Set<string>();

  /** Runs one write; every lot stored before it whose facts it changed must have a new row version. */
  async function step<T>(t: Test, what: string, write: () => Promise<T>): Promise<T> {
    const [before, countsBefore] = [await lotsAsRead(world), await eventsByType(world)];
    const written = await write();
    const [after, countsAfter] = [await lotsAsRead(world), await eventsByType(world)];
    const unchangedRows: string[] = [];
    for (const [code, was] of before) {
      const now = after.get(code);
      if (!now) continue;
      const changed = Object.keys(now.facts).filter((field) => now.facts[field] !== was.facts[field]);
      for (const field of changed) factsChanged.add(field);
      if (changed.length > 0 && now.version === was.version) unchangedRows.push(`${code} (${changed.join(', ')})`);
    }
    for (const [type, count] of countsAfter) if (count > (countsBefore.get(type) ?? 0)) typesWritten.add(type);
    t.same(unchangedRows, [], `${what}: every lot whose facts it changed has a new row`);
    return written;
  }
  const stored = async (reply: Promise<Reply>, status = 201) => world.ok(reply, status);
  /** One write through the writer itself, as a door the HTTP API does not open (a transformation into a lot there already). */
  const writeAlone = async (request: WriteRequest) => {
    const writer = eventWriterOn(world.database);
    t.match(await world.database.db.transaction((tx) => writer.write(tx as never, [request], 'proceed')), [{ ok: true }], 'stored');
  };

  const raw = await step(t, 'a commissioning', () => plant.commission(kg, 20));
  const other = await plant.commission(kg, 10);
  const [bacon] = await step(t, 'a transformation', () =>
    plant.transform([{ lotCode: raw, quantity: 6 }], [{ productCode: kg, quantity: 4 }]),
  );
  await step(t, 'a transformation into a lot there already', () =>
    writeAlone({
      actor: plant.code,
      action: { type: 'transform', inputs: [{ lotCode: other, quantity: 1 }], outputs: [{ lotCode: bacon }] },
      context: { eventTime: at(500) },
    }),
  );
  const caseCode = await step(t, 'a packing', () => plant.pack([{ lotCode: bacon, quantity: 2 }]));
  await step(t, 'an unpacking', () => stored(plant.event({ type: 'disaggregate', parentCode: caseCode })));
  const shipmentId = await step(t, 'a shipment', () => plant.ship(shop, [{ lotCode: bacon, quantity: 3 }]));
  await step(t, 'a receipt', () => shop.receive(shipmentId));
  await step(t, 'an inspection', () =>
    stored(plant.event({ type: 'inspect', lotCodes: [raw], inspection: { kind: 'self', result: 'pass' } })),
  );
  await step(t, 'an observation', () =>
    stored(plant.event({ type: 'observe', lotCodes: [raw], readings: [{ type: 'temperature', value: 2, unit: 'Cel' }] })),
  );
  await step(t, 'a sale', () => stored(shop.event({ type: 'sell', lines: [{ lotCode: bacon, quantity: 1 }] })));
  await step(t, 'a destruction', () =>
    stored(plant.event({ type: 'destroy', reason: '包装破损', lines: [{ lotCode: other, quantity: 1 }] })),
  );
  await step(t, 'a hold', () => stored(plant.api.post('/holds', { lotCodes: [other], reason: '待检' })));
  await step(t, 'a release', () => stored(plant.api.post('/holds/release', { lotCodes: [other], reason: '复检合格' })));
  const recall = { level: 2, reason: '检出致病菌', hazard: '沙门氏菌' };
  const first = await step(t, 'a recall opening', () => stored(regulator.post('/recalls', { lotCodes: [raw], ...recall })));
  // with a lot no open recall reaches: a recall reaching nothing new is refused
  const unrecalled = await plant.commission(kg, 1);
  await step(t, 'a recall opening of lots recalled already', () =>
    stored(regulator.post('/recalls', { lotCodes: [bacon, unrecalled], ...recall })),
  );
  await step(t, 'a holder’s report', () =>
    stored(shop.api.post(`/recalls/${first.id}/reports`, { lines: [{ lotCode: bacon, returned: 0, destroyed: 1 }] })),
  );
  await step(t, 'a recall closing', () => stored(regulator.post(`/recalls/${first.id}/close`, { overrideReason: '已核实' }), 200));
  const spare = await stored(plant.event({ type: 'commission', lots: [{ productCode: kg, quantity: 5 }] }));
  await step(t, 'a correction', () =>
    stored(plant.event({ type: 'correction', correctsEventId: spare.event.id, reason: '重复录入' }), 201),
  );

  // a lot seen through EPCIS before any event made it: first used, made, and unmade again
  const { capture, post } = epcisRequests(world);
  const epcClass = 'https://id.gs1.org/01/06901234000016/10/SEEN-FIRST';
  const sighting = { type: 'ObjectEvent', eventTime: '2026-03-05T06:00:00+08:00', eventTimeZoneOffset: '+08:00', action: 'OBSERVE' };
  t.match(await capture(plant.key, [{ ...sighting, quantityList: [{ epcClass, quantity: 1, uom: 'KGM' }] }]), { success: true });
  const [{ code: seen }] = await queryRows<{ code: string }>(
    world.database.db,
    sql`select lot_code as code from lot_identifiers where value = ${epcClass}`,
  );
  await step(t, 'a first use of a lot nothing made', () =>
    writeAlone({
      actor: lab.code,
      action: { type: 'inspect', lotCodes: [seen], inspection: { result: 'pass' } },
      context: { eventTime: '2026-03-05T08:00:00+08:00' },
    }),
  );
  const commissioning = {
    type: 'ObjectEvent',
    eventTime: '2026-03-05T07:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000fc01',
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
  };
  await step(t, 'the commissioning of a lot seen first', async () => {
    t.equal((await post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...commissioning })).statusCode, 201);
  });
  await step(t, 'a declaration in error of the only making of a lot', async () => {
    const declared = { ...commissioning, errorDeclaration: { declarationTime: '2026-03-06T00:00:00Z', reason: 'incorrect_data' } };
    t.match(await capture(plant.key, [declared]), { success: true });
  });

  t.same([...typesWritten].sort(), [...EVENT_TYPES].sort(), 'every kind of event was written by a step');
  for (const fact of ['recalls', 'madeAt', 'firstUsedAt', 'status', 'hold', 'voided']) {
    t.ok(factsChanged.has(fact), `some step changed a lot's ${fact}`);
  }
});
