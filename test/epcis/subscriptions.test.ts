import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { queryRows } from '../../src/db/client.js';
import { createSubscriptionService, scheduleFieldProblem, scheduleMatches, signBody } from '../../src/epcis/subscriptions.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A service whose subscriptions deliver only when a test ticks them, with no lag, to webhooks on this machine. */
const DELIVERED_BY_TICK = { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } };

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
const event = (bizStep: string, serial: number) => ({
  '@context': CONTEXT,
  type: 'ObjectEvent',
  eventTime: `2026-03-0${serial}T08:00:00+08:00`,
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep,
  epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`],
});

t.test('schedules', async (t) => {
  const at = new Date('2026-11-23T09:30:15Z'); // a Monday
  t.ok(scheduleMatches({ minute: '30' }, at));
  t.ok(scheduleMatches({ hour: '9-17', minute: '0,30' }, at));
  t.notOk(scheduleMatches({ hour: '10' }, at));
  // the EPCIS standard writes a range in brackets (EPCIS 2.0 8.2.5.3, the REST binding's GS1-Query-Minute)
  t.ok(scheduleMatches({ hour: '[9-17]', minute: '0,[25-35]' }, at), 'bracketed ranges');
  t.notOk(scheduleMatches({ hour: '[10-17]' }, at), 'a bracketed range the hour is not in');
  t.ok(scheduleMatches({ dayOfWeek: '1' }, at), 'Monday is 1');
  t.ok(scheduleMatches({ dayOfWeek: '7' }, new Date('2026-11-22T09:30:15Z')), 'Sunday is 7');
  t.notOk(scheduleMatches({ second: '0' }, at));
});

t.test('a schedule field that could never be met is refused', async (t) => {
  for (const [field, spec] of [
    ['hour', '9-17'],
    ['minute', '0,30'],
    ['second', '*'],
    ['dayOfWeek', '1-7'],
    ['month', '12'],
    ['minute', '[0-5]'],
    ['minute', '0,[10-15],30'],
    ['hour', '[9-17]'],
  ] as const)
    t.equal(scheduleFieldProblem(field, spec), null, `${field} ${spec}`);
  for (const [field, spec] of [
    ['hour', '99'],
    ['minute', '1-'],
    ['second', 'x'.repeat(1000)],
    ['dayOfWeek', '7-1'],
    ['dayOfWeek', '0'],
    ['hour', '*/0'],
    ['dayOfMonth', '0'],
    ['month', '5-3'],
    ['hour', '[9-17'],
    ['hour', '[17-9]'],
    ['hour', '[9]'],
    ['minute', '[0-60]'],
  ] as const)
    t.match(scheduleFieldProblem(field, spec), /must be \*/, `${field} ${spec.slice(0, 10)}`);

  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  for (const query of [{ GE_eventTime: '2026-03-01T00:00:00' }, { LT_eventTime: ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'] }]) {
    expectStatus(t, await plant.api.post('/epcis/queries', { name: 'bad', query }), 400, `a named query ${JSON.stringify(query)}`);
  }
  expectStatus(t, await plant.api.get('/epcis/queries/bad'), 404, 'is not stored');
  expectStatus(
    t,
    await plant.api.post('/epcis/queries', { name: 'since', query: { GE_eventTime: '2026-03-01T00:00:00+08:00' } }),
    201,
    'a bound with its offset is stored',
  );
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'q', query: {} }), 201, 'named query');
  const refused = await plant.api.post('/epcis/queries/q/subscriptions', { dest: 'http://127.0.0.1:1/hook', schedule: { hour: '99' } });
  expectStatus(t, refused, 400, 'hour 99');
  t.equal(refused.body.errors[0].pointer, '/schedule/hour');
  t.same((await plant.api.get('/epcis/queries/q/subscriptions')).body.items, [], 'nothing stored');
  const bracketed = await plant.api.post('/epcis/queries/q/subscriptions', {
    dest: 'http://127.0.0.1:1/hook',
    schedule: { minute: '0,[20-25]' },
  });
  expectStatus(t, bracketed, 201, 'a range as the EPCIS standard writes it');
  t.same(bracketed.body.schedule, { minute: '0,[20-25]' }, 'kept as written');
});

t.test('named queries with webhook subscriptions, delivered at least once with retries', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  const received: { body: string; signature: string | undefined }[] = [];
  let failNext = 1;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (failNext-- > 0) {
        response.writeHead(500).end();
        return;
      }
      received.push({ body, signature: request.headers['gs1-signature'] as string | undefined });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const dest = `http://127.0.0.1:${(server.address() as AddressInfo).port}/epcis-hook`;
  const api = plant.api;

  expectStatus(
    t,
    await api.post('/epcis/queries', { name: 'shipments', query: { eventType: 'ObjectEvent', EQ_bizStep: 'shipping' } }),
    201,
    'named query',
  );
  expectStatus(t, await api.post('/epcis/queries', { name: 'shipments', query: {} }), 409, 'the name is taken');
  expectStatus(t, await api.post('/epcis/queries', { name: 'bad', query: { EQ_colour: 'red' } }), 400, 'unknown query parameter');
  for (const query of [{ GE_eventTime: '0000-01-01T00:00:00Z' }, { orderBy: 'quantity' }]) {
    const refused = await api.post('/epcis/queries', { name: 'bad', query });
    expectStatus(t, refused, 400, `invalid ${Object.keys(query)[0]}`);
    t.same(
      { in: refused.body.errors[0].in, pointer: refused.body.errors[0].pointer },
      { in: 'body', pointer: `/query/${Object.keys(query)[0]}` },
      'the problem points into the body',
    );
  }
  expectStatus(t, await api.post('/epcis/queries/shipments/subscriptions', { dest }), 400, 'stream or schedule');
  const subscribed = await api.post('/epcis/queries/shipments/subscriptions', { dest, stream: true, signatureToken: 'secret-token-1' });
  expectStatus(t, subscribed, 201, 'stream subscription');

  const capture = (body: object) =>
    world.app.inject({ method: 'POST', url: '/epcis/events', payload: body, headers: { authorization: `Bearer ${plant.key}` } });
  await capture(event('shipping', 1));
  await capture(event('receiving', 2));
  const subscriptions = world.app.services.subscriptions;

  await subscriptions.tick();
  t.equal(received.length, 0, 'the webhook failed the first time');
  const failing = (await api.get('/epcis/queries/shipments/subscriptions')).body.items[0];
  t.match(failing, { failures: 1, lastError: 'webhook answered 500' });
  await new Promise((resolve) => setTimeout(resolve, 2100));
  await subscriptions.tick();
  t.equal(received.length, 1, 'retried and delivered');
  const delivered = JSON.parse(received[0].body);
  t.equal(delivered.type, 'EPCISQueryDocument');
  const events = delivered.epcisBody.queryResults.resultsBody.eventList;
  t.same(
    events.map((e: { bizStep: string }) => e.bizStep),
    ['shipping'],
    'only what the query selects',
  );
  t.equal(received[0].signature, signBody(received[0].body, 'secret-token-1'), 'signed with the token');

  await subscriptions.tick();
  t.equal(received.length, 1, 'nothing new, nothing sent');
  await capture(event('shipping', 3));
  await subscriptions.tick();
  t.equal(received.length, 2, 'new events stream out');
  t.equal(JSON.parse(received[1].body).epcisBody.queryResults.resultsBody.eventList.length, 1, 'each event once');

  const run = await api.get('/epcis/queries/shipments/events');
  t.equal(run.body.epcisBody.queryResults.resultsBody.eventList.length, 2, 'running the named query');
  const narrowed = await api.get('/epcis/queries/shipments/events?EQ_bizStep=receiving');
  expectStatus(t, narrowed, 400, 'a query parameter beside the stored ones');
  t.equal(narrowed.body.errors[0].pointer, '/EQ_bizStep', 'named');
  const other = await world.party('farm');
  expectStatus(t, await other.api.get('/epcis/queries/shipments'), 404, 'named queries are per party');

  const id = subscribed.body.subscriptionID;
  expectStatus(t, await api.delete(`/epcis/queries/shipments/subscriptions/${id}`), 204, 'unsubscribe');
  expectStatus(t, await api.delete(`/epcis/queries/shipments/subscriptions/${id}`), 404, 'gone');
  expectStatus(t, await api.delete('/epcis/queries/shipments'), 204, 'delete the query');
});

/** A webhook on this host that accepts every delivery and keeps the events of each. */
async function webhook(t: Test) {
  const deliveries: { bizStep: string }[][] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      deliveries.push(JSON.parse(body).epcisBody.queryResults.resultsBody.eventList);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { dest: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries };
}

t.test('a subscription delivers only events recorded within the named query’s own recordTime bounds', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  const hook = await webhook(t);
  const since = new Date(Date.now() - 60_000).toISOString();
  const capture = async (bizStep: string, serial: number) =>
    expectStatus(t, await plant.api.post('/epcis/events', event(bizStep, serial)), 201, `${bizStep} captured`);

  await capture('shipping', 1);
  const between = new Date(Date.now() + 5).toISOString();
  await new Promise((resolve) => setTimeout(resolve, 10));
  await capture('receiving', 2);
  for (const [name, query] of [
    ['before', { LT_recordTime: between }],
    ['after', { GE_recordTime: between }],
    ['long-ago', { LT_recordTime: '2020-01-01T00:00:00Z' }],
  ] as const) {
    expectStatus(t, await plant.api.post('/epcis/queries', { name, query }), 201, name);
    expectStatus(
      t,
      await plant.api.post(`/epcis/queries/${name}/subscriptions`, {
        dest: `${hook.dest}?${name}`,
        stream: true,
        initialRecordTime: since,
      }),
      201,
      `subscribed to ${name}`,
    );
  }
  await world.app.services.subscriptions.tick();
  t.same(
    hook.deliveries.map((events) => events.map((e) => e.bizStep)).sort(),
    [['receiving'], ['shipping']],
    'each event to the query whose bounds hold it, none to a query bounded before both',
  );
});

t.test('a delivery round that fails (the database away for a moment) does not stop the rounds after it', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('slaughterhouse');
  const hook = await webhook(t);
  let outage = false;
  const { db } = world.database;
  const flaky = new Proxy(db, {
    get: (target, name, receiver) =>
      name === 'select' && outage
        ? () => {
            outage = false;
            throw new Error('connection terminated unexpectedly');
          }
        : Reflect.get(target, name, receiver),
  });
  const subscriptions = createSubscriptionService({
    db: flaky,
    epcis: world.app.services.epcis,
    webhooks: { allowInsecure: true },
    lagMs: 0,
  });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  await subscriptions.createQuery(principal, 'all', {});
  await subscriptions.subscribe(principal, 'all', {
    dest: hook.dest,
    stream: true,
    initialRecordTime: new Date(Date.now() - 60_000).toISOString(),
  });
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');

  outage = true;
  await t.rejects(subscriptions.tick(), /connection terminated/, 'the round fails');
  await subscriptions.tick();
  t.same(
    hook.deliveries.map((events) => events.map((e) => e.bizStep)),
    [['shipping']],
    'the next round delivers',
  );
  await subscriptions.stop();
});

t.test(
  'a named query stored before a rule it breaks is listed, but running or subscribing to it is a 422 naming the parameter',
  async (t) => {
    const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
    const plant = await world.party('slaughterhouse');
    const hook = await webhook(t);
    // time bounds were once read by new Date(), which took a day without a time or an offset
    await world.database.db.execute(
      sql`insert into epcis_queries (owner, name, role, party_code, params)
      values (${plant.code}, 'march', 'operator', ${plant.code}, ${JSON.stringify({ GE_eventTime: ['2026-03-01'] })}::jsonb)`,
    );
    t.same(
      (await plant.api.get('/epcis/queries')).body.items.map((query: { name: string }) => query.name),
      ['march'],
      'listed',
    );
    expectStatus(t, await plant.api.get('/epcis/queries/march'), 200, 'shown');
    for (const [what, reply] of [
      ['run', await plant.api.get('/epcis/queries/march/events')],
      ['subscribed to', await plant.api.post('/epcis/queries/march/subscriptions', { dest: hook.dest, stream: true })],
    ] as const) {
      expectStatus(t, reply, 422, what);
      t.match(reply.body, {
        type: '/problems/named-query-invalid',
        detail: /named query march no longer runs/,
        errors: [{ in: 'named query', pointer: '/query/GE_eventTime', detail: /with an offset/ }],
      });
    }
    t.same((await plant.api.get('/epcis/queries/march/subscriptions')).body.items, [], 'no subscription stored');
    expectStatus(t, await plant.api.delete('/epcis/queries/march'), 204, 'deleted');
  },
);

t.test(
  "a URI of this service's naming none of its codes is refused as a named query is made; one stored before is a 422 to run or subscribe to",
  async (t) => {
    const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
    const plant = await world.party('slaughterhouse');
    const hook = await webhook(t);
    const nope = `${TEST_BASE_URL}/lots/NOPE`;
    const made = await plant.api.post('/epcis/queries', { name: 'q3', query: { MATCH_epc: nope } });
    expectStatus(t, made, 400, 'refused as it is made');
    t.match(made.body, { errors: [{ in: 'body', pointer: '/query/MATCH_epc' }] });
    t.same((await plant.api.get('/epcis/queries')).body.items, [], 'not stored');
    await world.database.db.execute(
      sql`insert into epcis_queries (owner, name, role, party_code, params)
      values (${plant.code}, 'old', 'operator', ${plant.code}, ${JSON.stringify({ MATCH_epc: [nope] })}::jsonb)`,
    );
    for (const [what, reply] of [
      ['run', await plant.api.get('/epcis/queries/old/events')],
      ['subscribed to', await plant.api.post('/epcis/queries/old/subscriptions', { dest: hook.dest, stream: true })],
    ] as const) {
      expectStatus(t, reply, 422, what);
      t.match(reply.body, {
        type: '/problems/named-query-invalid',
        detail: /named query old no longer runs/,
        errors: [{ in: 'named query', pointer: '/query/MATCH_epc' }],
      });
    }
    t.same((await plant.api.get('/epcis/queries/old/subscriptions')).body.items, [], 'no subscription stored');
  },
);

t.test('a subscription made with a key of no party ends with the key: once it is revoked, nothing more is delivered', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  const hook = await webhook(t);
  const issued = await world.ok(world.admin.post('/api-keys', { role: 'regulator' }));
  const regulator = client(world.app, issued.key);
  expectStatus(t, await regulator.post('/epcis/queries', { name: 'all', query: {} }), 201, 'the regulator’s named query');
  expectStatus(t, await regulator.post('/epcis/queries/all/subscriptions', { dest: hook.dest, stream: true }), 201, 'subscribed');
  const subscriptions = world.app.services.subscriptions;

  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await subscriptions.tick();
  t.equal(hook.deliveries.length, 1, 'delivered while the key is valid');
  expectStatus(t, await world.admin.delete(`/api-keys/${issued.id}`), 200, 'the key revoked');
  expectStatus(t, await plant.api.post('/epcis/events', event('receiving', 2)), 201, 'captured');
  await subscriptions.tick();
  t.equal(hook.deliveries.length, 1, 'nothing delivered after the revocation');
  const left = await queryRows(world.database.db, sql`select id from epcis_subscriptions`);
  t.same(left, [], 'and the subscription is gone: no round reads it again');
});

t.test('a regulator party’s operator key reaches none of its regulator key’s named queries', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  // a regulator party records its tests with an operator key, and acts and reads with a regulator key
  const bureau = await world.party('regulator');
  const regulator = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }))).key);
  const hook = await webhook(t);
  expectStatus(t, await regulator.post('/epcis/queries', { name: 'all', query: {} }), 201, 'the regulator’s named query');

  expectStatus(t, await bureau.api.post('/epcis/queries/all/subscriptions', { dest: hook.dest, stream: true }), 404, 'not subscribed to');
  t.same((await bureau.api.get('/epcis/queries')).body.items, [], 'not listed');
  expectStatus(t, await bureau.api.get('/epcis/queries/all'), 404, 'not shown');
  expectStatus(t, await bureau.api.get('/epcis/queries/all/events'), 404, 'not run');
  expectStatus(t, await bureau.api.get('/epcis/queries/all/subscriptions'), 404, 'its subscriptions not listed');
  expectStatus(t, await bureau.api.delete('/epcis/queries/all'), 404, 'not deleted');
  expectStatus(t, await bureau.api.post('/epcis/queries', { name: 'all', query: {} }), 409, 'its name stays the party’s');

  const subscribed = await regulator.post('/epcis/queries/all/subscriptions', { dest: hook.dest, stream: true });
  expectStatus(t, subscribed, 201, 'the regulator subscribes');
  expectStatus(
    t,
    await bureau.api.delete(`/epcis/queries/all/subscriptions/${subscribed.body.subscriptionID}`),
    404,
    'nor ends the regulator’s subscription',
  );
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'another party captures');
  await world.app.services.subscriptions.tick();
  t.same(
    hook.deliveries.map((events) => events.map((e) => e.bizStep)),
    [['shipping']],
    'delivered once, to the regulator’s subscription alone',
  );
  t.equal((await regulator.get('/epcis/queries/all/subscriptions')).body.items.length, 1, 'the regulator lists its subscription');
});

t.test('a regulator party’s subscription delivers only while the party holds a valid regulator key', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  // its operator key stays valid throughout: it reads its own party's events only
  const bureau = await world.party('regulator');
  const issue = async () => world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }));
  const issued = await issue();
  const regulator = client(world.app, issued.key);
  const hook = await webhook(t);
  expectStatus(t, await regulator.post('/epcis/queries', { name: 'all', query: {} }), 201, 'the regulator’s named query');
  expectStatus(t, await regulator.post('/epcis/queries/all/subscriptions', { dest: hook.dest, stream: true }), 201, 'subscribed');
  const subscriptions = world.app.services.subscriptions;

  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await subscriptions.tick();
  t.equal(hook.deliveries.length, 1, 'delivered while the key is valid');
  expectStatus(t, await world.admin.delete(`/api-keys/${issued.id}`), 200, 'the regulator key revoked');
  expectStatus(t, await plant.api.post('/epcis/events', event('receiving', 2)), 201, 'captured');
  await subscriptions.tick();
  t.equal(hook.deliveries.length, 1, 'every party’s events are no longer sent once the party holds no regulator key');

  const again = client(world.app, (await issue()).key);
  t.match(
    (await again.get('/epcis/queries/all/subscriptions')).body.items,
    [{ lastError: 'paused: the party holds no valid regulator key' }],
    'the new key’s holder sees why nothing was sent',
  );
  await subscriptions.tick();
  t.same(
    hook.deliveries.map((events) => events.map((e) => e.bizStep)),
    [['shipping'], ['receiving']],
    'with a regulator key again, it goes on from where it stopped',
  );
  t.match(
    (await again.get('/epcis/queries/all/subscriptions')).body.items,
    [{ lastError: null }],
    'and the new key’s holder sees it, to end it',
  );
});
