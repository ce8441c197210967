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
