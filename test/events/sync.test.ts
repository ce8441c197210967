// GET /events as an ERP syncs it: the events recorded since its last sync, a page at a time in
// record order, each page's `next` the cursor of the one after, every event read once however
// writes fall between pages and transactions commit out of their record order.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { queryRows } from '../../src/db/client.js';
import { recordedPageQuery } from '../../src/events/repository.js';
import { decodeSyncCursor, encodeSyncCursor, nextPosition, recordInstant, syncStart } from '../../src/events/sync.js';
import { holdWriting } from '../fixtures/locks.js';
import { type Actor, at, createWorld, expectStatus } from '../fixtures/world.js';
import { type Client, postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Sync pages end before writes in flight alone (no allowance for service processes' clocks). */
const SYNCING = { subscriptionLagMs: 0 };

type EventItem = { id: string; recordTime: string; partyCode: string };

/** One sync page: the query's parameters, the cursor (if any) as `after`. */
async function syncPage(
  t: Test,
  reader: Client,
  query: Record<string, string>,
): Promise<{ ids: string[]; items: EventItem[]; next: string; settledBefore: string }> {
  const reply = expectStatus(t, await reader.get(`/events?${new URLSearchParams(query)}`), 200, 'a sync page');
  t.type(reply.body.next, 'string', 'a sync page gives the cursor to go on from');
  t.ok(isIsoTime(reply.body.settledBefore), 'and the record time it read up to');
  const items: EventItem[] = reply.body.items;
  return { ids: items.map((event) => event.id), items, next: reply.body.next, settledBefore: reply.body.settledBefore };
}

/** A text[] literal of values the test chose (no quotes in them). */
const textArray = (values: string[]) => sql.raw(`array[${values.map((value) => `'${value}'`).join(', ')}]`);

const isIsoTime = (value: unknown) => typeof value === 'string' && new Date(value).toISOString() === value;

/** A party's product, and a lot of it to write events about. */
async function stocked(party: Actor) {
  return party.commission(await party.product('kg'), 1000);
}

const observe = (party: Actor, lotCode: string) =>
  party.event({ type: 'observe', lotCodes: [lotCode] }).then((reply) => reply.body.event as EventItem);

t.test('sync pages', async (t) => {
  const world = await createWorld(t, undefined, SYNCING);
  const since = new Date().toISOString();

  t.test('following the cursors reads every event once while events are recorded between pages', async (t) => {
    const plant = await world.party('processor');
    const other = await world.party('farm');
    const lot = await stocked(plant);
    const otherLot = await stocked(other);
    for (let i = 0; i < 5; i++) await observe(plant, lot);
    const read: EventItem[] = [];
    let page = await syncPage(t, plant.api, { recordedFrom: since, limit: '3' });
    for (let written = 0; page.ids.length > 0 || written < 4; written++) {
      read.push(...page.items);
      // between pages: the party's own events (one recorded with another party's) and another party's alone
      if (written < 4) await Promise.all([observe(plant, lot), observe(other, otherLot)]);
      await sleep(2);
      page = await syncPage(t, plant.api, { after: page.next, limit: '3' });
    }
    const all = (await world.ok(plant.api.get('/events?limit=1000'), 200)).items.map((event: EventItem) => event.id);
    t.equal(all.length, 10, 'the commission and nine observations');
    const ids = read.map((event) => event.id);
    t.same([...ids].sort(), [...all].sort(), 'every event of the party, and none of another');
    t.equal(new Set(ids).size, ids.length, 'each once');
    const times = read.map((event) => event.recordTime);
    t.same(times, [...times].sort(), 'in record order');
  });

  t.test('a page that caught up goes on from where it ended: a later one reads what came since', async (t) => {
    const plant = await world.party('processor');
    const lot = await stocked(plant);
    await sleep(2);
    const caughtUp = await syncPage(t, plant.api, { recordedFrom: new Date().toISOString() });
    t.same(caughtUp.ids, [], 'nothing recorded since');
    const observed = await observe(plant, lot);
    await sleep(2);
    t.same((await syncPage(t, plant.api, { after: caughtUp.next })).ids, [observed.id], 'the event recorded since');
  });

  t.test('recordedFrom leaves out what was recorded before it, with a cursor too', async (t) => {
    const plant = await world.party('processor');
    const lot = await stocked(plant);
    const first = await observe(plant, lot);
    await sleep(2);
    const second = await observe(plant, lot);
    await sleep(2);
    t.same((await syncPage(t, plant.api, { recordedFrom: second.recordTime })).ids, [second.id], 'from the second on');
    t.same((await syncPage(t, plant.api, { recordedFrom: first.recordTime })).ids, [first.id, second.id], 'from the first on');
    const afterFirst = (await syncPage(t, plant.api, { recordedFrom: first.recordTime, limit: '1' })).next;
    t.same((await syncPage(t, plant.api, { after: afterFirst, recordedFrom: since })).ids, [second.id], 'a cursor past recordedFrom');
    t.same(
      (await syncPage(t, plant.api, { after: afterFirst, recordedFrom: new Date(Date.now() + 60_000).toISOString() })).ids,
      [],
      'a recordedFrom past the cursor',
    );
  });

  t.test('a regulator syncs any party, one by partyCode; an operator its own alone', async (t) => {
    const plant = await world.party('processor');
    const other = await world.party('farm');
    const [lot, otherLot] = [await stocked(plant), await stocked(other)];
    const ids = [(await observe(plant, lot)).id, (await observe(other, otherLot)).id];
    await sleep(2);
    const everyone = await syncPage(t, world.regulator, { recordedFrom: since, limit: '1000' });
    t.ok(
      ids.every((id) => everyone.ids.includes(id)),
      "a regulator reads every party's",
    );
    const plants = await syncPage(t, world.regulator, { recordedFrom: since, partyCode: plant.code, limit: '1000' });
    t.ok(plants.items.every((event) => event.partyCode === plant.code) && plants.ids.includes(ids[0]), "partyCode: that party's alone");
    const refused = expectStatus(t, await plant.api.get(`/events?recordedFrom=${since}&partyCode=${other.code}`), 403, "another's");
    t.match(refused.body, { errors: [{ in: 'querystring', pointer: '/partyCode' }] });
  });
});

t.test('events recorded to the microsecond (written by SQL, the column default now()) are each read once', async (t) => {
  const world = await createWorld(t, undefined, SYNCING);
  const plant = await world.party('processor');
  // three in one millisecond, so that a page of two ends between two of them, then two more
  const recorded = ['00.000100', '00.000200', '00.000300', '00.001500', '00.002700'];
  await queryRows(
    world.database.db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload)
      select 'us-' || n, 'observe', timestamptz '2026-11-01T00:00:00Z', '+08:00', ('2026-11-01T00:00:' || r || 'Z')::timestamptz,
        ${plant.code}, 'inspecting', '{}'
      from unnest(${textArray(recorded)}) with ordinality as given(r, n)`,
  );
  const read: string[] = [];
  let page = await syncPage(t, plant.api, { recordedFrom: '2026-11-01T00:00:00Z', limit: '2' });
  for (let pages = 1; page.ids.length > 0 && pages <= recorded.length; pages++) {
    read.push(...page.ids);
    page = await syncPage(t, plant.api, { after: page.next, limit: '2' });
  }
  t.same(read, ['us-1', 'us-2', 'us-3', 'us-4', 'us-5'], 'following next ends, with each event once, in record order');
});

type PlanNode = { 'Relation Name'?: string; 'Index Name'?: string; 'Actual Rows': number; 'Actual Loops': number; Plans?: PlanNode[] };
/** The nodes of a plan that read `events`. */
const eventScans = (node: PlanNode): PlanNode[] => [
  ...(node['Relation Name'] === 'events' ? [node] : []),
  ...(node.Plans ?? []).flatMap(eventScans),
];

t.test("one party's sync page reads its own events, not the others' recorded among them", async (t) => {
  const world = await createWorld(t, undefined, SYNCING);
  const { db } = world.database;
  const parties = [await world.party('processor'), await world.party('farm'), await world.party('retailer')];
  // 3,000 events a second apart: the first party's one in a hundred, the others' the rest
  await queryRows(
    db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload)
      select 'many-' || g, 'observe', timestamptz '2026-10-01', '+08:00', timestamptz '2026-10-01' + g * interval '1 second',
        (${textArray(parties.map((party) => party.code))})[case when g % 100 = 0 then 1 else 2 + g % 2 end],
        'inspecting', '{}'
      from generate_series(1, 3000) g`,
  );
  await queryRows(db, sql`analyze events`);
  const page = recordedPageQuery(
    db,
    { partyCode: parties[0].code, type: 'observe' },
    { after: { time: '2026-10-01T00:10:00.000000Z', id: 'many-600' }, before: new Date(), limit: 10 },
  );
  t.same(
    (await page).map((event) => event.id),
    Array.from({ length: 10 }, (_, i) => `many-${700 + 100 * i}`),
    'the next ten of the party',
  );
  const [explained] = await queryRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(db, sql`explain (analyze, format json) ${page.getSQL()}`);
  const scans = eventScans(explained['QUERY PLAN'][0].Plan);
  t.same(
    scans.map((scan) => scan['Index Name']),
    ['events_party_record_time_idx'],
    "on the index of the party's events in record order",
  );
  const read = scans.reduce((sum, scan) => sum + scan['Actual Rows'] * scan['Actual Loops'], 0);
  t.ok(read <= 10, `${read} rows of 3,000 read for a page of 10`);
});

t.test("a sync of one type of every party's reads that type's events, not the others recorded among them", async (t) => {
  const world = await createWorld(t, undefined, SYNCING);
  const { db } = world.database;
  const parties = [await world.party('processor'), await world.party('farm')];
  // 3,000 events a second apart of both parties: one in a hundred an inspection, the rest observations
  await queryRows(
    db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload)
      select 'typed-' || g, case when g % 100 = 0 then 'inspect' else 'observe' end, timestamptz '2026-10-01', '+08:00',
        timestamptz '2026-10-01' + g * interval '1 second', (${textArray(parties.map((party) => party.code))})[1 + g % 2],
        'inspecting', '{}'
      from generate_series(1, 3000) g`,
  );
  await queryRows(db, sql`analyze events`);
  for (const after of [{ time: '2026-10-01T00:10:00.000000Z' }, { time: '2026-10-01T00:10:00.000000Z', id: 'typed-600' }]) {
    const page = recordedPageQuery(db, { type: 'inspect' }, { after, before: new Date(), limit: 10 });
    t.same(
      (await page).map((event) => event.id),
      // recordedFrom takes the inspection recorded at it, a cursor those after the one it names
      Array.from({ length: 10 }, (_, i) => `typed-${(after.id ? 700 : 600) + 100 * i}`),
      'the next ten inspections',
    );
    const [explained] = await queryRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(db, sql`explain (analyze, format json) ${page.getSQL()}`);
    const scans = eventScans(explained['QUERY PLAN'][0].Plan);
    t.same(
      scans.map((scan) => scan['Index Name']),
      ['events_type_record_time_idx'],
      `on the index of the type's events in record order (${after.id ? 'a cursor' : 'recordedFrom'})`,
    );
    const read = scans.reduce((sum, scan) => sum + scan['Actual Rows'] * scan['Actual Loops'], 0);
    t.ok(read <= 10, `${read} rows of 3,000 read for a page of 10`);
  }
});

t.test('where a sync goes on', async (t) => {
  const from = '2026-12-01T00:00:00.000000Z';
  const before = '2026-12-01T01:00:00.000000Z';
  const full = [
    { recordInstant: '2026-12-01T00:01:00.000001Z', id: 'b' },
    { recordInstant: '2026-12-01T00:01:00.000002Z', id: 'a' },
  ];
  t.same(
    nextPosition({ time: from }, before, full, 2),
    { time: full[1].recordInstant, id: 'a' },
    'a full page: after its last event, to the microsecond',
  );
  t.same(nextPosition({ time: from }, before, full, 3), { time: before }, 'a short page: where it ended');
  t.same(nextPosition({ time: from, id: 'x' }, before, [], 3), { time: before }, 'an empty page too');
  const later = { time: '2026-12-02T00:00:00.000000Z' };
  t.same(nextPosition(later, before, [], 3), later, 'but never back before where it started');
  for (const position of [{ time: from }, { time: full[1].recordInstant, id: 'urn:uuid:1|P1' }])
    t.same(decodeSyncCursor(encodeSyncCursor(position)), position, 'a cursor carries its position');
  const millisecondCursor = Buffer.from(JSON.stringify({ by: 'recordTime', t: '2026-12-01T00:00:00.001Z', id: 'a' })).toString('base64url');
  t.same(decodeSyncCursor(millisecondCursor), { time: '2026-12-01T00:00:00.001000Z', id: 'a' }, 'and one written to the millisecond');
  t.equal(recordInstant(new Date(before.replace('000000Z', '000Z'))), before, 'a Date is its millisecond to the microsecond');
  t.same(syncStart({ time: from, id: 'a' }, new Date(before)), { time: before }, 'recordedFrom past the cursor');
  t.same(syncStart({ time: before, id: 'a' }, new Date(from)), { time: before, id: 'a' }, 'the cursor past recordedFrom');
  t.equal(syncStart(undefined, undefined), undefined, 'neither: no sync');
});

t.test('what a sync page refuses', async (t) => {
  const world = await createWorld(t, undefined, SYNCING);
  const plant = await world.party('processor');
  const cursor = (await syncPage(t, plant.api, { recordedFrom: at(0) })).next;
  const refusedAt = async (query: string, pointer: string, what: string) => {
    const reply = expectStatus(t, await plant.api.get(`/events?${query}`), 400, what);
    t.match(reply.body, { status: 400, errors: [{ in: 'querystring', pointer }] }, `${what}: at ${pointer}`);
    t.match(String(reply.headers['content-type']), /^application\/problem\+json/);
  };
  const token = (fields: unknown) => Buffer.from(JSON.stringify(fields)).toString('base64url');
  for (const [forged, what] of [
    ['not-a-cursor', 'no cursor at all'],
    [cursor.slice(0, -3), 'a cursor cut short'],
    [token({ by: 'eventTime', t: '2026-03-01T00:00:00.000Z' }), "another listing's"],
    [token({ by: 'recordTime', t: '2026-03-01' }), 'a time not as written'],
    [token({ by: 'recordTime', t: '0001-01-01T00:00:00.000Z' }), 'a time the database does not store'],
    [token({ by: 'recordTime', t: '2026-03-01T00:00:00.000Z', id: 'a\u0000b' }), 'an id with a NUL'],
    [token({ by: 'recordTime', t: '2026-03-01T00:00:00.000Z', id: 7 }), 'an id not a string'],
    [token(['recordTime']), 'a list'],
  ])
    await refusedAt(`after=${encodeURIComponent(forged)}`, '/after', what);
  await refusedAt(`recordedFrom=${encodeURIComponent(at(0))}&offset=1`, '/offset', 'an offset with recordedFrom');
  await refusedAt(`after=${cursor}&offset=5`, '/offset', 'offset with a cursor');
  await refusedAt('recordedFrom=yesterday', '/recordedFrom', 'recordedFrom no time');
  expectStatus(t, await plant.api.get(`/events?after=${cursor}&offset=0`), 200, 'an offset of 0, which skips nothing, with a cursor');
  expectStatus(t, await plant.api.get('/events?offset=5'), 200, 'an offset without a sync');
});

t.test('a sync page never moves its cursor past a transaction still writing', await postgresOnly(), async (t) => {
  const world = await createWorld(t, 'postgres', SYNCING);
  const plant = await world.party('processor');
  const farm = await world.party('farm');
  const [lot, farmLot] = [await stocked(plant), await stocked(farm)];
  await sleep(2);
  const start = await syncPage(t, world.regulator, { recordedFrom: new Date().toISOString() });
  t.same(start.ids, [], 'nothing recorded since');

  const slow = await holdWriting(world, [
    { actor: plant.code, action: { type: 'observe', lotCodes: [lot] }, context: { eventTime: at(50) } },
  ]);
  // recorded after the held one, and committed while it holds on (another party: its chain is not locked)
  const quick = await observe(farm, farmLot);
  await sleep(2);
  const meanwhile = await syncPage(t, world.regulator, { after: start.next });
  t.same(meanwhile.ids, [], 'while the writer holds on, the page ends before its record time (the later commit waits with it)');
  t.ok(meanwhile.settledBefore < quick.recordTime, 'and says so: it read up to a time before the committed event');
  t.same((await syncPage(t, farm.api, { after: start.next })).ids, [], "so does the committed event's own party's");

  await slow.commit();
  await sleep(2);
  const after = await syncPage(t, world.regulator, { after: meanwhile.next });
  t.same(after.ids, [...slow.ids, quick.id], 'once it commits, the next page reads both, in record order');
  t.ok(after.settledBefore > quick.recordTime, 'read up to a time past both');
  t.same((await syncPage(t, world.regulator, { after: after.next })).ids, [], 'and each once');
});
