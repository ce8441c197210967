// The demo chain as a first start loads it: recorded in a scratch database and copied over, its
// audit log along with it, so that the demo's events and acts verify as any others do.
import { sql } from 'drizzle-orm';
import { loadDemoChainOnce } from '../../seeds/fengjie.js';
import { queryRows } from '../../src/db/client.js';
import { buildTestApp, client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('the demo chain a start loads is on the audit log, after what the system chain held already', async (t) => {
  const { app, adminKey, database } = await buildTestApp(t);
  const admin = client(app, adminKey);
  const regulator = client(app, (await admin.post('/api-keys', { role: 'regulator' })).body.key);
  const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(database.db, query);
  const systemBefore = await run<{ sequence: number }>(sql`select sequence from audit_entries where party_code = 'system'`);
  t.ok(systemBefore.length > 0, 'the system chain holds the keys issued before the load');

  const demo = await loadDemoChainOnce(database);
  t.ok(demo, 'loaded');
  const verified = await regulator.get('/audit/verify');
  t.equal(verified.status, 200);
  t.ok(verified.body.ok, 'every chain verifies');

  const events = await run<{ partyCode: string; count: number }>(
    sql`select party_code as "partyCode", count(*)::int as count from events group by party_code order by party_code`,
  );
  t.ok(events.length >= 5, 'the demo parties recorded events');
  const chains = new Map<string, number>(
    verified.body.chains.map((chain: { chain: string; entries: number }) => [chain.chain, chain.entries]),
  );
  for (const { partyCode, count } of events) {
    const entries = await run<{ subjectId: string }>(
      sql`select subject_id as "subjectId" from audit_entries where party_code = ${partyCode} and kind = 'event'`,
    );
    t.equal(entries.length, count, `each event of ${partyCode} is an entry of its chain`);
    t.ok((chains.get(partyCode) ?? 0) >= count, `and verified (${partyCode})`);
  }
  const parties = await run<{ code: string }>(sql`select code from parties`);
  const registered = await run<{ subjectId: string }>(
    sql`select subject_id as "subjectId" from audit_entries where party_code = 'system' and kind = 'party.create'`,
  );
  t.same(
    registered.map((entry) => entry.subjectId).sort(),
    parties.map((party) => party.code).sort(),
    "each demo party's registration is on the system chain",
  );
  const brandActs = await run<{ kind: string }>(sql`select kind from audit_entries where kind like 'brand.%'`);
  t.ok(
    ['brand.create', 'brand.product', 'brand.authorization'].every((kind) => brandActs.some((act) => act.kind === kind)),
    'and so are its brands, their products and members',
  );
  t.equal(
    (await run<{ sequence: number }>(sql`select sequence from audit_entries where party_code = 'system'`)).length,
    systemBefore.length + registered.length + brandActs.length,
    'appended after the entries the system chain held',
  );
});

t.test('two starts at once on one empty database load the demo chain once, and neither fails', async (t) => {
  const { app, adminKey, database } = await buildTestApp(t);
  const loads = await Promise.allSettled([loadDemoChainOnce(database), loadDemoChainOnce(database)]);
  t.same(
    loads.map((load) => (load.status === 'rejected' ? String(load.reason) : load.status)),
    ['fulfilled', 'fulfilled'],
  );
  const parties = await queryRows<{ count: number }>(
    database.db,
    sql`select count(*)::int as count from parties where name like '%夔州腊味%'`,
  );
  t.same(parties, [{ count: 1 }], 'one copy of the demo parties');
  const admin = client(app, adminKey);
  const regulator = client(app, (await admin.post('/api-keys', { role: 'regulator' })).body.key);
  t.ok((await regulator.get('/audit/verify')).body.ok, 'and every chain verifies');
});

// what a day in China (UTC+8) a time falls on
const chinaDay = (time: Date | string) => new Date(new Date(time).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;
// the demo's events in the order they happen, from the farms to the shop
const STORY = [
  ...['commission', 'commission', 'ship', 'ship', 'receive', 'receive', 'inspect', 'transform', 'transform'],
  ...['ship', 'receive', 'inspect', 'transform', 'transform', 'inspect', 'aggregate', 'ship', 'receive'],
  ...['observe', 'disaggregate', 'ship', 'receive', 'ship', 'receive', 'sell'],
];

t.test('the demo chain is dated from its load: loaded years on, its packs are fresh and nothing lies after the load', async (t) => {
  const loadedAt = new Date('2029-06-01T02:00:00Z');
  const { app, adminKey, database } = await buildTestApp(t, undefined, { now: () => loadedAt });
  const demo = await loadDemoChainOnce(database, { now: app.services.now });
  if (!demo) throw new Error('the demo chain was not loaded');

  const summary = (await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json` })).json();
  t.same(summary.warnings, [], 'a genuine pack, not expired');
  // its lots dated by the clock the brand decided by: the badge its producer was admitted for shows
  t.same(
    summary.brands.map((brand: { code: string }) => brand.code).sort(),
    ['FJLR', 'FSHP'],
    "with the badges of the brands its processor was admitted to (the brands' clock and its lots' agree)",
  );
  const scan = await app.inject({
    method: 'GET',
    url: `/t/${demo.itemCode}`,
    headers: { accept: 'application/json', 'user-agent': 'phone' },
  });
  t.equal(scan.statusCode, 200, 'the scan is answered (and counted)');
  const regulatorKey = (await client(app, adminKey).post('/api-keys', { role: 'regulator' })).body.key;
  t.same(
    (await client(app, regulatorKey).get(`/regulator/flags?kind=brand_misuse&lotCode=${demo.retailLotCode}`)).body.items,
    [],
    'a scan of its pack finds no misuse: its code was issued while its processor was admitted, by the same clock',
  );
  const { lot } = summary;
  t.ok(lot.productionDate < chinaDay(loadedAt), `made before the load (${lot.productionDate})`);
  t.ok(daysBetween(chinaDay(loadedAt), lot.expiryDate) > 150, `and well within its shelf life (until ${lot.expiryDate})`);
  t.equal(lot.lotNumber, `KZ-LR-${lot.productionDate.replaceAll('-', '')}-500G`, 'its lot number says the day it was made');
  t.equal(demo.retailLotNumber, lot.lotNumber);

  const events = await queryRows<{ eventTime: Date; type: string }>(
    database.db,
    sql`select event_time as "eventTime", type from events order by event_time, id`,
  );
  const times = events.map((event) => new Date(event.eventTime).getTime());
  t.ok(
    times.every((time) => time < loadedAt.getTime()),
    'every event lies before the load',
  );
  t.same(
    events.map((event) => event.type),
    STORY,
    'in the order they always happened',
  );
  t.equal(daysBetween(chinaDay(new Date(times[0])), chinaDay(loadedAt)), 32, 'the pigs registered a month before');
  t.equal(daysBetween(chinaDay(new Date(times.at(-1) as number)), chinaDay(loadedAt)), 1, 'and the shop sold packs the day before');
  const readings = await queryRows<{ time: string }>(
    database.db,
    sql`select r->>'time' as time from events, jsonb_array_elements(payload->'readings') r where payload ? 'readings'`,
  );
  t.ok(readings.length > 0 && readings.every((reading) => Date.parse(reading.time) < loadedAt.getTime()), 'so does every reading');
});

t.test('a start finding the demo chain loaded days before names its pack and lot again', async (t) => {
  let clock = new Date('2029-06-01T02:00:00Z');
  const { database } = await buildTestApp(t, undefined, { now: () => clock });
  const loaded = await loadDemoChainOnce(database, { now: () => clock });
  clock = new Date('2029-06-09T02:00:00Z');
  const found = await loadDemoChainOnce(database, { now: () => clock });
  t.match(found, {
    loaded: false,
    itemCode: String,
    retailLotCode: loaded?.retailLotCode,
    retailLotNumber: loaded?.retailLotNumber,
  });

  // the processor's own later lots numbered alike (recorded after the demo's, by the service's clock), more than a page of them, one with a pack code
  await database.db.execute(sql`
    insert into lots (code, kind, party_code, product_code, lot_number, quantity, unit, production_date, status, created_by_event_id, created_at)
    select 'USR' || lpad(i::text, 6, '0'), kind, party_code, product_code, 'KZ-LR-' || (20300000 + i)::text || '-500G', quantity, unit,
      production_date, status, created_by_event_id, created_at + i * interval '1 second'
    from lots, generate_series(1, 1001) i where code = ${loaded?.retailLotCode}`);
  await database.db.execute(sql`
    insert into items (code, lot_code, party_code, job_id, seq)
    select 'USRITEM0001', 'USR000001', party_code, job_id, 999999 from items where lot_code = ${loaded?.retailLotCode} limit 1`);
  t.match(
    await loadDemoChainOnce(database, { now: () => clock }),
    { loaded: false, retailLotCode: loaded?.retailLotCode, retailLotNumber: loaded?.retailLotNumber },
    "the demo's lot is still the one named, not a later lot numbered alike",
  );
});
