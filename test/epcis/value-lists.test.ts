// The EPCIS value lists (GET /epcis/bizSteps, /dispositions, /readPoints, /bizLocations, /epcs) read
// event_values, which the event writer fills with the events from every door (native POST /events,
// EPCIS capture, RFID gates) and migration 0038 backfilled from the events stored before it: the
// same values, in the same order and scope, as scanning the events gave, a page by the table's index.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { newLotCode } from '../../src/codes/service-codes.js';
import { queryRows } from '../../src/db/client.js';
import { createEpcisRepository } from '../../src/epcis/repository.js';
import { partyInvolvedIn } from '../../src/lots/repository.js';
import { epcisRequests, observation } from '../fixtures/epcis.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { type PlanNode, planNodes } from '../fixtures/plans.js';
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { type Client, postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Field = 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation';
const COLUMNS: Record<Field, string> = {
  bizStep: 'biz_step',
  disposition: 'disposition',
  readPoint: 'read_point',
  bizLocation: 'biz_location',
};
const FIELDS = Object.keys(COLUMNS) as Field[];

/** The values the lists gave before event_values: every event of the scope scanned (corrections aside). */
async function scannedValues(world: World, field: Field, partyCode?: string): Promise<string[]> {
  const column = sql.raw(COLUMNS[field]);
  const rows = await queryRows<{ value: string }>(
    world.database.db,
    sql`select distinct ${column} as value from events where type <> 'correction' and ${column} is not null
      ${partyCode ? sql`and party_code = ${partyCode}` : sql``} order by 1`,
  );
  return rows.map((row) => row.value);
}

/** The lots /epcis/epcs listed before event_values: those the scope's events link, that the party may read. */
async function scannedLots(world: World, partyCode?: string): Promise<string[]> {
  const rows = await queryRows<{ code: string }>(
    world.database.db,
    partyCode
      ? sql`select distinct el.lot_code as code from events e join event_lots el on el.event_id = e.id
          where e.party_code = ${partyCode} and ${partyInvolvedIn(sql`el.lot_code`, partyCode)} order by 1`
      : sql`select distinct lot_code as code from event_lots order by 1`,
  );
  return rows.map((row) => row.code);
}

/** Every page of a value list as the repository reads it, two at a time. */
async function pagedValues(world: World, field: Field | 'lot', partyCode?: string): Promise<string[]> {
  const repository = createEpcisRepository(world.database.db);
  const values: string[] = [];
  for (;;) {
    const after = values.at(-1);
    const page =
      field === 'lot'
        ? await repository.namedLots(partyCode, { limit: 2, after: after === undefined ? undefined : { code: after, including: false } })
        : await repository.distinct(field, partyCode, { limit: 2, after });
    values.push(...page);
    if (page.length < 2) return values;
  }
}

/** Every page of GET /epcis/{path}, two at a time, following the Link header. */
async function listed(api: Client, path: string): Promise<string[]> {
  const values: string[] = [];
  for (let url: string | undefined = `/epcis/${path}?perPage=2`; url; ) {
    const reply = await api.get(url);
    if (reply.status !== 200) throw new Error(`GET ${url}: ${reply.status} ${JSON.stringify(reply.body)}`);
    values.push(...reply.body['@set']);
    url = /^<([^>]+)>; rel="next"$/.exec(String(reply.headers.link ?? ''))?.[1];
  }
  return values;
}

/** A site of a GLN (of the farm's or the store's) with an extension, as a Digital Link. */
const site = (gln: '0614141100019' | '0614141200023', extension: number) => `https://id.gs1.org/414/${gln}/254/${extension}`;

/**
 * Two parties recording through every door, each with values of its own: a farm (native events, an
 * EPCIS capture, an event declared in error) and a cold store (an EPCIS capture, an RFID gate).
 */
async function twoParties(t: Test, world: World) {
  const { capture } = epcisRequests(world);
  const farm = await world.party('farm');
  const store = await world.party('cold_storage');

  // native: a commission read at one of its sites, and one at another site declared in error
  const product = await farm.product('kg');
  const farmSite = await farm.location();
  const nativeLot = await farm.commission(product, 10, {});
  expectStatus(t, await farm.event({ type: 'observe', lotCodes: [nativeLot], readPoint: farmSite }), 201, 'a native observation');
  const mistakenSite = await farm.location();
  const mistaken = await world.ok(farm.event({ type: 'observe', lotCodes: [nativeLot], readPoint: mistakenSite }));
  expectStatus(
    t,
    await farm.event({ type: 'correction', correctsEventId: mistaken.event.id, reason: 'wrong gate' }),
    201,
    'the farm declares an observation in error',
  );
  // EPCIS: values no other party's events hold
  t.match(
    await capture(farm.key, [
      observation(2, {
        epcList: ['https://id.gs1.org/01/80614141123458/21/F1'],
        bizStep: 'inspecting',
        disposition: 'in_progress',
        readPoint: { id: site('0614141100019', 1) },
        bizLocation: { id: site('0614141100019', 2) },
      }),
    ]),
    { success: true, captured: 1 },
  );
  t.match(
    await capture(store.key, [
      observation(3, {
        epcList: ['https://id.gs1.org/01/80614141123458/21/S1'],
        bizStep: 'loading',
        disposition: 'damaged',
        readPoint: { id: site('0614141200023', 1) },
        bizLocation: { id: site('0614141200023', 2) },
      }),
    ]),
    { success: true, captured: 1 },
  );
  // RFID: the store's gate observes a tag bound to a lot of its own
  const storeLot = await store.commission(await store.product('kg'), 5);
  const tag = 'E28068940000000000000777';
  expectStatus(t, await store.api.post('/rfid/tags', { tags: [{ epc: tag, code: storeLot }] }), 201, 'the store tags its lot');
  const reader = await registerReader(world, store);
  const gate = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 1 }], { name: '过道' });
  expectStatus(
    t,
    await reader.api.post('/rfid/zebra', [
      zebraEvent({ idHex: tag, antenna: 1, hostName: reader.hostName, timestamp: '2026-06-01T10:00:00.000+0800' }),
    ]),
    202,
    'the gate reads the tag',
  );
  await world.app.services.gates.drain();
  const [rfidEvent] = await queryRows<{ readPoint: string }>(
    world.database.db,
    sql`select e.read_point as "readPoint" from events e join event_lots el on el.event_id = e.id
      where e.party_code = ${store.code} and el.lot_code = ${storeLot} and e.type = 'observe'`,
  );
  t.ok(rfidEvent, 'the gate recorded an observation');
  return { farm, store, farmSite, mistakenSite, nativeLot, storeLot, gate, rfidReadPoint: rfidEvent.readPoint };
}

t.test('each party lists the values of its own events only, a regulator every party’s, as scanning the events gave', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const { farm, store, farmSite, mistakenSite, nativeLot, storeLot, rfidReadPoint } = await twoParties(t, world);

  for (const [who, partyCode] of [
    ['the farm', farm.code],
    ['the store', store.code],
    ['a regulator', undefined],
  ] as const) {
    for (const field of FIELDS)
      t.same(await pagedValues(world, field, partyCode), await scannedValues(world, field, partyCode), `${who}: ${field} as scanned`);
    t.same(await pagedValues(world, 'lot', partyCode), await scannedLots(world, partyCode), `${who}: lots as scanned`);
  }

  const farmValues = {
    bizSteps: 'inspecting',
    dispositions: 'in_progress',
    readPoints: site('0614141100019', 1),
    bizLocations: site('0614141100019', 2),
  };
  const storeValues = {
    bizSteps: 'loading',
    dispositions: 'damaged',
    readPoints: site('0614141200023', 1),
    bizLocations: site('0614141200023', 2),
  };
  for (const path of Object.keys(farmValues) as (keyof typeof farmValues)[]) {
    const [ofFarm, ofStore, ofRegulator] = await Promise.all([farm.api, store.api, world.regulator].map((api) => listed(api, path)));
    t.ok(ofFarm.includes(farmValues[path]) && !ofFarm.includes(storeValues[path]), `${path}: the farm’s, not the store’s`);
    t.ok(ofStore.includes(storeValues[path]) && !ofStore.includes(farmValues[path]), `${path}: the store’s, not the farm’s`);
    t.ok(ofRegulator.includes(farmValues[path]) && ofRegulator.includes(storeValues[path]), `${path}: a regulator both`);
    t.same(ofFarm, [...ofFarm].sort(), `${path}: in order`);
  }

  // every door's values are there: native sites, the RFID gate's, each lot
  const stored = async (field: string, partyCode: string) =>
    (
      await queryRows<{ value: string }>(
        world.database.db,
        sql`select value from event_values where party_code = ${partyCode} and field = ${field} order by value`,
      )
    ).map((row) => row.value);
  t.ok((await stored('readPoint', farm.code)).includes(farmSite), 'native: the site a native event was read at');
  t.ok((await stored('readPoint', store.code)).includes(rfidReadPoint), 'RFID: the gate’s read point');
  t.ok((await stored('lot', farm.code)).includes(nativeLot), 'native: the lot');
  t.ok((await stored('lot', store.code)).includes(storeLot), 'RFID: the lot its gate read');
  t.notOk((await stored('lot', store.code)).includes(nativeLot), 'no lot of the other party’s events');

  // an event declared in error keeps its values listed, as scanning did (the declaration hides no value);
  // the correction itself adds none
  t.ok((await pagedValues(world, 'readPoint', farm.code)).includes(mistakenSite), 'the site of the event declared in error');
  const [correction] = await queryRows<{ bizStep: string }>(
    world.database.db,
    sql`select biz_step as "bizStep" from events where type = 'correction' and party_code = ${farm.code}`,
  );
  const farmSteps = await scannedValues(world, 'bizStep', farm.code);
  t.same(
    await pagedValues(world, 'bizStep', farm.code),
    farmSteps,
    `the correction’s own business step (${correction.bizStep}) only where another event holds it`,
  );
});

t.test('migration 0038 backfills the values of events stored before it as the writer keeps them', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const { farm, store } = await twoParties(t, world);
  const { db } = world.database;
  const all = () =>
    queryRows<{ partyCode: string; field: string; value: string }>(
      db,
      sql`select party_code as "partyCode", field, value from event_values order by party_code, field, value`,
    );
  const written = await all();
  t.ok(written.length > 0, 'the writer kept values');
  const before = await Promise.all([farm.api, store.api, world.regulator].map((api) => listed(api, 'readPoints')));

  // the events as a database before migration 0038 holds them: no values kept
  await queryRows(db, sql`delete from event_values`);
  t.same(await listed(farm.api, 'bizSteps'), [], 'nothing listed without the values');
  await queryRows(db, sql.raw(migrationStatement('0038_event_values.sql', 3)));
  t.same(await all(), written, 'the backfill gives every value the writer kept, and no other');
  t.same(
    await Promise.all([farm.api, store.api, world.regulator].map((api) => listed(api, 'readPoints'))),
    before,
    'the same lists as before',
  );
});

/** The rows a plan read of one relation: those its nodes returned and those they passed over, over all their loops. */
const rowsRead = (nodes: PlanNode[], relation: string) =>
  nodes
    .filter((node) => node['Relation Name'] === relation)
    .reduce((sum, node) => sum + node['Actual Loops'] * (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)), 0);

t.test('a page of a value list reads the value table by its index, not the events', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, rfidTickMs: 0 });
  const { db } = world.database;
  const parties: Actor[] = [await world.party('slaughterhouse'), await world.party('processor')];
  // a large log: each party's events with thousands of read points, steps and lots of its own, and their values kept
  const EVENTS = 3000;
  for (const [index, party] of parties.entries()) {
    const product = await party.product('kg');
    const lot = await party.commission(product, 1);
    const codes = Array.from({ length: EVENTS }, newLotCode);
    await queryRows(
      db,
      sql`insert into lots (code, kind, party_code, product_code, quantity, unit, status, created_by_event_id)
        select fresh.code, 'lot', ${party.code}, ${product}, 1, 'kg', 'active', l.created_by_event_id
        from unnest(${sql.param(codes)}::text[]) as fresh(code), lots l where l.code = ${lot}`,
    );
    await queryRows(
      db,
      sql`insert into events (id, type, event_time, event_time_zone_offset, party_code, biz_step, read_point, payload, epcis_type)
        select 'plan-' || ${index} || '-' || lpad(g::text, 5, '0'), 'observe', timestamptz '2026-01-01' + g * interval '1 minute', '+08:00',
          ${party.code}, 'step-' || (g % 50), 'urn:epc:id:sgln:0614141.0000' || ${index} || '.' || g, '{}', 'ObjectEvent'
        from generate_series(1, ${EVENTS}) g`,
    );
    await queryRows(
      db,
      sql`insert into event_values (party_code, field, value)
        select distinct party_code, 'readPoint', read_point from events where party_code = ${party.code} and read_point is not null
        union select distinct party_code, 'bizStep', biz_step from events where party_code = ${party.code}
        union select ${party.code}, 'lot', code from unnest(${sql.param(codes)}::text[]) code
        on conflict do nothing`,
    );
  }
  await queryRows(db, sql`analyze`);

  const statements: { what: string; text: string; params: readonly unknown[] }[] = [];
  let what = '';
  const stop = world.database.stats.observe((query) => {
    if (/event_values/.test(query.text)) statements.push({ what, text: query.text, params: query.params });
  });
  for (const [who, api] of [
    ['a party', parties[0].api],
    ['a regulator', world.regulator],
  ] as const) {
    for (const path of ['readPoints', 'bizSteps', 'epcs']) {
      what = `${who}: /epcis/${path}`;
      const first = await api.get(`/epcis/${path}?perPage=20`);
      expectStatus(t, first, 200, what);
      const next = /^<([^>]+)>; rel="next"$/.exec(String(first.headers.link ?? ''))?.[1];
      if (next) expectStatus(t, await api.get(next), 200, `${what}: the next page`);
    }
  }
  stop();
  t.ok(statements.length >= 10, 'each page read the value table');

  for (const statement of statements) {
    const nodes = await planNodes(world.database.db, 'value_list_page', statement.text, statement.params);
    const reads = nodes.filter((node) => node['Relation Name'] === 'event_values');
    t.ok(
      reads.length > 0 && reads.every((node) => node['Node Type'] !== 'Seq Scan'),
      `${statement.what}: event_values read by an index, not scanned whole (${reads.map((node) => `${node['Node Type']} ${node['Index Name']}`).join(', ')})`,
    );
    const valueRows = rowsRead(nodes, 'event_values');
    t.ok(valueRows < 200, `${statement.what}: ${valueRows} rows of the value table read for a page of 20`);
    // /epcis/epcs asks, of each lot of the page, whether the party's movements of it were declared in error
    const eventRows = rowsRead(nodes, 'events');
    t.ok(eventRows < 50, `${statement.what}: ${eventRows} rows of ${2 * EVENTS} events read`);
  }
});

t.test('migration 0038 backfills past a value stored before the writer bounded it that no index entry holds', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  await farm.commission(await farm.product('kg'), 1);
  const { db } = world.database;
  // a custom business step of 5,976 bytes, as POST /events took it while it bounded characters alone
  const long = `urn:x:${Array.from({ length: 1990 }, (_, index) => String.fromCodePoint(0x4e00 + ((index * 7919) % 20000))).join('')}`;
  await queryRows(
    db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, party_code, biz_step, payload)
      values ('long-step', 'observe', now(), '+08:00', ${farm.code}, ${long}, '{}')`,
  );
  await queryRows(db, sql`delete from event_values`);
  await queryRows(db, sql.raw(migrationStatement('0038_event_values.sql', 3)));
  t.same(await listed(farm.api, 'bizSteps'), ['commissioning'], 'the values an index entry holds are backfilled');
});

t.test('batches stored side by side keep every value once, with no deadlock (PostgreSQL)', await postgresOnly(), async (t) => {
  const world = await createWorld(t, 'postgres');
  const parties = [await world.party('farm'), await world.party('processor'), await world.party('retailer')];
  const lotsOf = await Promise.all(
    parties.map(async (party) => {
      const product = await party.product('kg');
      return Promise.all(Array.from({ length: 6 }, () => party.commission(product, 10)));
    }),
  );
  // each party's events name its lots in both orders and share new values, all sent at once
  const replies = await Promise.all(
    parties.flatMap((party, index) =>
      Array.from({ length: 8 }, (_, n) =>
        party.event({
          type: 'observe',
          lotCodes: n % 2 ? [...lotsOf[index]].reverse() : lotsOf[index],
          bizStep: `urn:example:step:${n % 3}`,
          disposition: `urn:example:disp:${n % 2}`,
        }),
      ),
    ),
  );
  t.same(
    replies.map((reply) => reply.status),
    replies.map(() => 201),
    'every event is stored',
  );
  for (const party of parties) {
    for (const field of FIELDS) t.same(await pagedValues(world, field, party.code), await scannedValues(world, field, party.code));
    t.same(await pagedValues(world, 'lot', party.code), await scannedLots(world, party.code));
  }
});
