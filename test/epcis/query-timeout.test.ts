import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { countingWebhook, shippingSighting } from '../fixtures/epcis.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

// PGlite accepts statement_timeout but never cancels a statement (it runs in-process, with no
// timer to do it by): the bound is PostgreSQL's, and these tests run there whatever the others use.
const ON_POSTGRES = await postgresOnly('PGlite does not enforce statement_timeout: a query there runs to its end');

/** A statement timeout no query of the seeded events can keep to, but a page read by an index can. */
const TIGHT_MS = 100;
const SEEDED = 100_000;

/**
 * Captured events of one party on 1–2 January 2026, recorded an hour ago and after, each with
 * quantities below 1: GE_quantity=1 then reads every quantity list of every one of them (over half
 * a second on PostgreSQL), and finds none.
 */
async function seedEvents(world: World, partyCode: string) {
  await queryRows(
    world.database.db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload, epcis_type)
      select 'seeded-' || g, 'observe', timestamptz '2026-01-01' + g * interval '1 second', '+08:00',
        now() - interval '1 hour' + g * interval '1 millisecond', ${partyCode}, 'inspecting',
        '{"epcis": {"quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 0.5}]}}', 'ObjectEvent'
      from generate_series(1, ${SEEDED}) g`,
  );
  await queryRows(world.database.db, sql`analyze events`);
}

/** The statement_timeout each of the pool's connections has: as many statements at once as the pool has connections. */
async function poolTimeouts(world: World): Promise<string[]> {
  const each = () =>
    queryRows<{ setting: string }>(world.database.db, sql`select current_setting('statement_timeout') as setting from pg_sleep(0.2)`);
  return (await Promise.all(Array.from({ length: 10 }, each))).map(([row]) => row.setting);
}

const SCANNING = '/epcis/events?GE_quantity=1';

t.test('a query past QUERY_TIMEOUT_SECONDS is a 413 QueryTooComplex, and the pool goes on unbounded', ON_POSTGRES, async (t) => {
  const world = await createWorld(t, 'postgres', { queryTimeoutMs: TIGHT_MS });
  const plant = await world.party('processor');
  const [{ setting: serverDefault }] = await queryRows<{ setting: string }>(
    world.database.db,
    sql`select current_setting('statement_timeout') as setting`,
  );
  await seedEvents(world, plant.code);
  // an event after the seeded ones, which a query from March on finds by the index of event times at once
  expectStatus(t, await plant.api.post('/epcis/events', shippingSighting), 201, 'a shipment captured');

  for (const [what, api] of [
    ['the party', plant.api],
    ['an admin', world.admin],
  ] as const) {
    const refused = expectStatus(t, await api.get(SCANNING), 413, `${what}'s query reading every event`);
    t.match(refused.headers['content-type'], /^application\/problem\+json/);
    t.match(refused.body, {
      type: '/problems/query-too-complex',
      title: 'Query too complex',
      status: 413,
      detail: /longer than the 0\.1 s a query may \(QUERY_TIMEOUT_SECONDS\)/,
    });
  }
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'heavy', query: { GE_quantity: '1' } }), 201, 'named query');
  t.match((await plant.api.get('/epcis/queries/heavy/events')).body, { status: 413, type: '/problems/query-too-complex' }, 'run by name');

  const page = expectStatus(
    t,
    await plant.api.get('/epcis/events?GE_eventTime=2026-02-01T00:00:00Z'),
    200,
    'a query the index answers, next',
  );
  t.match(page.body.epcisBody.queryResults.resultsBody.eventList, [{ bizStep: 'shipping' }]);
  t.same(await poolTimeouts(world), Array(10).fill(serverDefault), 'no connection of the pool kept the query timeout');
  expectStatus(t, await plant.api.get('/lots'), 200, 'other routes read as before');
});

t.test('the same query within the default timeout answers', ON_POSTGRES, async (t) => {
  const world = await createWorld(t, 'postgres');
  const plant = await world.party('processor');
  await seedEvents(world, plant.code);
  const started = performance.now();
  const answered = expectStatus(t, await plant.api.get(SCANNING), 200, 'the query reading every event');
  t.ok(performance.now() - started > TIGHT_MS, `it reads longer than ${TIGHT_MS} ms (the other test's bound)`);
  t.same(answered.body.epcisBody.queryResults.resultsBody.eventList, [], 'no event holds such a quantity');
});

t.test('a subscription whose query runs past the timeout records the failure; the others are delivered', ON_POSTGRES, async (t) => {
  const world = await createWorld(t, 'postgres', {
    queryTimeoutMs: TIGHT_MS,
    subscriptionLagMs: 0,
    subscriptionTickMs: 3_600_000,
    webhooks: { allowInsecure: true },
  });
  const plant = await world.party('processor');
  await seedEvents(world, plant.code);
  const hook = await countingWebhook(t);
  for (const [name, query] of [
    ['heavy', { GE_quantity: '1' }],
    ['shipments', { EQ_bizStep: 'shipping' }],
  ] as const)
    expectStatus(t, await plant.api.post('/epcis/queries', { name, query }), 201, `named query ${name}`);
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
  expectStatus(
    t,
    await plant.api.post('/epcis/queries/heavy/subscriptions', {
      dest: `${hook.dest}/heavy`,
      stream: true,
      initialRecordTime: twoHoursAgo,
    }),
    201,
    'a subscription whose window holds every seeded event',
  );
  expectStatus(
    t,
    await plant.api.post('/epcis/queries/shipments/subscriptions', { dest: `${hook.dest}/shipments`, stream: true }),
    201,
    'a subscription from now',
  );
  expectStatus(t, await plant.api.post('/epcis/events', shippingSighting), 201, 'a shipment captured');

  await world.app.services.subscriptions.tick();
  t.same(Object.fromEntries(hook.deliveries), { '/shipments': 1 }, 'the other subscription is delivered in the same look');
  const heavy = (await plant.api.get('/epcis/queries/heavy/subscriptions')).body.items[0];
  t.match(heavy, { failures: 1, lastError: /QUERY_TIMEOUT_SECONDS/, stoppedAt: null }, 'the failure is the delivery’s, retried later');
  await world.app.services.subscriptions.tick();
  t.same(Object.fromEntries(hook.deliveries), { '/shipments': 1 }, 'the next look runs on');
});
