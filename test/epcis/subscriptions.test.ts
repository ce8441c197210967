import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { queryRows } from '../../src/db/client.js';
import {
  createSubscriptionService,
  type RetryPolicy,
  retryDelayMs,
  scheduleFieldProblem,
  scheduleMatches,
  signBody,
} from '../../src/epcis/subscriptions.js';
import type { ResolveAddresses } from '../../src/epcis/webhooks.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
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

t.test('a failed delivery waits twice as long after each failure in a row, up to the maximum, half of it drawn at random', async (t) => {
  const max = 5 * 60_000;
  for (const [failures, draw, ms, what] of [
    [1, 0, 1000, 'the first: 2 s, of which at least half'],
    [1, 0.999_999, 2000, 'and at most all'],
    [2, 0, 2000, 'the second: 4 s'],
    [5, 0.5, 24_000, 'the fifth: 32 s, three quarters of it at 0.5'],
    [20, 0, max / 2, 'bounded by the maximum, from its half'],
    [20, 0.999_999, max, 'to the maximum'],
    [5000, 0.5, (max * 3) / 4, 'however many failures'],
  ] as const) {
    t.equal(
      retryDelayMs(failures, max, () => draw),
      ms,
      what,
    );
  }
  const draws = Array.from({ length: 200 }, () => retryDelayMs(8, max));
  t.ok(
    draws.every((ms) => ms >= 128_000 && ms <= 256_000),
    'drawn by Math.random unless told, within its bounds',
  );
});

/** A webhook on this host answering each delivery with `status()`, keeping the events of those it takes (2xx). */
async function answering(t: Test, status: () => number) {
  const hook = { hits: 0, deliveries: [] as string[][], dest: '' };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      hook.hits++;
      const answer = status();
      if (answer >= 200 && answer < 300)
        hook.deliveries.push(JSON.parse(body).epcisBody.queryResults.resultsBody.eventList.map((e: { bizStep: string }) => e.bizStep));
      response.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  hook.dest = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return hook;
}

/**
 * A subscription service on the world's database whose clock the test moves (`clock.ms`) and whose
 * jitter it draws (`draws`, in turn; 0.5 when they run out), with its retry policy: the world's own
 * service does not deliver (DELIVERED_BY_TICK), the API reads and resumes what this one writes.
 */
function retrying(t: Test, world: World, retry: Partial<RetryPolicy> = {}, draws: number[] = []) {
  const clock = { ms: Date.now() };
  const subscriptions = createSubscriptionService({
    db: world.database.db,
    epcis: world.app.services.epcis,
    webhooks: { allowInsecure: true },
    lagMs: 0,
    now: () => new Date(clock.ms),
    random: () => draws.shift() ?? 0.5,
    retry,
  });
  t.teardown(() => subscriptions.stop());
  return { subscriptions, clock };
}

/** Sets the clock to now, once a few milliseconds have passed: what was recorded before is in the look's window. */
const pastNow = async (clock: { ms: number }) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  clock.ms = Date.now();
};
const aMinuteAgo = () => new Date(Date.now() - 60_000).toISOString();

t.test('failed deliveries are retried with growing waits, jittered per subscription, not in lockstep', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  const hook = await answering(t, () => 503);
  const { subscriptions, clock } = retrying(t, world, { maxDelayMs: 5000 }, [0.1, 0.9]);
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
  for (const path of ['a', 'b'])
    expectStatus(
      t,
      await plant.api.post('/epcis/queries/all/subscriptions', {
        dest: `${hook.dest}/${path}`,
        stream: true,
        initialRecordTime: aMinuteAgo(),
      }),
      201,
      `subscribed ${path}`,
    );
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');

  await pastNow(clock);
  const failedAt = clock.ms;
  await subscriptions.tick();
  t.equal(hook.hits, 2, 'both webhooks failed at once');
  const listed = async () =>
    ((await plant.api.get('/epcis/queries/all/subscriptions')).body.items as { dest: string; nextAttemptAt: string }[]).sort((a, b) =>
      a.dest.localeCompare(b.dest),
    );
  const [a, b] = await listed();
  t.match(a, { status: 'active', failures: 1, lastError: 'webhook answered 503', failingSince: new Date(failedAt).toISOString() });
  const waits = [a, b].map((subscription) => Date.parse(subscription.nextAttemptAt) - failedAt).sort((x, y) => x - y);
  t.same(waits, [1100, 1900], 'each waits 1–2 s after its first failure, by its own draw: they do not come back together');

  clock.ms = failedAt + 1099;
  await subscriptions.tick();
  t.equal(hook.hits, 2, 'not retried before its time');
  clock.ms = failedAt + 1100;
  await subscriptions.tick();
  t.equal(hook.hits, 3, 'the one that drew the shorter wait is retried first, alone');
  clock.ms = failedAt + 1900;
  await subscriptions.tick();
  t.equal(hook.hits, 4, 'then the other');

  // the draws are used up: 0.5 from here on, three quarters of each wait
  t.same(
    (await listed()).map((subscription) => Date.parse(subscription.nextAttemptAt) - failedAt).sort((x, y) => x - y),
    [1100 + 3000, 1900 + 3000],
    'after a second failure: 2–4 s',
  );
  for (let failures = 3; failures <= 5; failures++) {
    clock.ms += 10_000;
    await subscriptions.tick();
  }
  const [late] = await listed();
  t.match(late, { failures: 5, status: 'active' }, 'still tried');
  t.equal(Date.parse(late.nextAttemptAt) - clock.ms, 3750, 'the wait bounded by the maximum (5 s here), half of it jittered');
});

t.test('a webhook that answers 410 Gone stops its subscription until its owner resumes it, from where it stopped', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  let status = 410;
  const gone = await answering(t, () => status);
  const healthy = await answering(t, () => 204);
  const { subscriptions, clock } = retrying(t, world);
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
  const subscribed = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: gone.dest,
    stream: true,
    initialRecordTime: aMinuteAgo(),
  });
  expectStatus(t, subscribed, 201, 'subscribed');
  t.match(subscribed.body, { status: 'active', stoppedAt: null, stopReason: null, failingSince: null, nextAttemptAt: null });
  expectStatus(
    t,
    await plant.api.post('/epcis/queries/all/subscriptions', { dest: healthy.dest, stream: true, initialRecordTime: aMinuteAgo() }),
    201,
    'a healthy one beside it',
  );
  const path = `/epcis/queries/all/subscriptions/${subscribed.body.subscriptionID}`;

  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await pastNow(clock);
  await subscriptions.tick();
  t.equal(gone.hits, 1, 'sent once');
  const stopped = (await plant.api.get(path)).body;
  t.match(stopped, {
    status: 'stopped',
    stopReason: 'the webhook answered 410 Gone',
    lastError: 'webhook answered 410',
    failures: 1,
    nextAttemptAt: null,
    stoppedAt: new Date(clock.ms).toISOString(),
  });

  expectStatus(t, await plant.api.post('/epcis/events', event('receiving', 2)), 201, 'captured while it is stopped');
  for (const later of [60_000, 3_600_000, 7 * 86_400_000]) {
    clock.ms = Date.now() + later;
    await subscriptions.tick();
  }
  t.equal(gone.hits, 1, 'never tried again, however long after');
  t.same(healthy.deliveries.flat(), ['shipping', 'receiving'], 'the healthy subscription delivers every event, in order');

  expectStatus(t, await (await world.party('farm')).api.post(`${path}/resume`, {}), 404, 'another party cannot resume it');
  t.match((await plant.api.get(path)).body, { status: 'stopped' }, 'still stopped');

  status = 204;
  const resumed = await plant.api.post(`${path}/resume`, {});
  expectStatus(t, resumed, 200, 'its owner resumes it');
  t.match(resumed.body, { status: 'active', failures: 0, stoppedAt: null, stopReason: null, failingSince: null, nextAttemptAt: null });
  expectStatus(t, await plant.api.post(`${path}/resume`, {}), 200, 'resuming one that is not stopped');
  await subscriptions.tick();
  t.same(gone.deliveries, [['shipping', 'receiving']], 'what was recorded before and while it was stopped is delivered, in order');
  t.match((await plant.api.get(path)).body, { status: 'active', failures: 0, lastError: null });
  expectStatus(t, await plant.api.post(`/epcis/queries/all/subscriptions/${randomUUID()}/resume`, {}), 404, 'none such');
});

t.test('resuming a stopped subscription checks its destination again, as subscribing does', async (t) => {
  // the destination's name resolves to what the test says, for the API and the deliveries alike
  let address = '93.184.215.14';
  const resolve: ResolveAddresses = async () => [address];
  const webhooks = { allowInsecure: false, resolve };
  const world = await createWorld(t, undefined, { ...DELIVERED_BY_TICK, webhooks });
  const plant = await world.party('slaughterhouse');
  const subscriptions = createSubscriptionService({
    db: world.database.db,
    epcis: world.app.services.epcis,
    webhooks,
    lagMs: 0,
    retry: { maxFailures: 1 },
  });
  t.teardown(() => subscriptions.stop());
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
  const subscribed = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: 'https://hook.example/events',
    stream: true,
    initialRecordTime: aMinuteAgo(),
  });
  expectStatus(t, subscribed, 201, 'subscribed while its name resolves to a public address');
  const path = `/epcis/queries/all/subscriptions/${subscribed.body.subscriptionID}`;

  address = '10.0.0.7';
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await new Promise((resolve) => setTimeout(resolve, 5));
  await subscriptions.tick();
  t.match((await plant.api.get(path)).body, { status: 'stopped', lastError: /hook\.example resolves to a private address/ }, 'stopped');

  const refused = await plant.api.post(`${path}/resume`, {});
  expectStatus(t, refused, 422, 'a resume while the name resolves to a private address is refused');
  t.match(refused.headers['content-type'], /application\/problem\+json/);
  t.match(
    refused.body.errors,
    [{ in: 'subscription', pointer: '/dest', detail: 'hook.example resolves to a private address' }],
    'naming the stored destination, not the request',
  );
  t.match((await plant.api.get(path)).body, { status: 'stopped' }, 'it stays stopped');

  address = '93.184.215.14';
  const resumed = await plant.api.post(`${path}/resume`, {});
  expectStatus(t, resumed, 200, 'resumed once the name resolves to a public address again');
  t.match(resumed.body, { status: 'active', stoppedAt: null, failures: 0 });
});

t.test('resuming a stopped subscription whose named query no longer runs is a 422, and it stays stopped', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  const hook = await answering(t, () => 410);
  const { subscriptions, clock } = retrying(t, world);
  // a URI under the address the service moves to below: until then a foreign URI, matching nothing
  const movedBase = 'https://trace.moved.example';
  const query = { MATCH_epc: ['https://id.gs1.org/01/06901234000030/21/1', `${movedBase}/lots/NOPE`] };
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'tagged', query }), 201, 'named query');
  const subscribed = await plant.api.post('/epcis/queries/tagged/subscriptions', {
    dest: hook.dest,
    stream: true,
    initialRecordTime: aMinuteAgo(),
  });
  expectStatus(t, subscribed, 201, 'subscribed');
  const path = `/epcis/queries/tagged/subscriptions/${subscribed.body.subscriptionID}`;
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await pastNow(clock);
  await subscriptions.tick();
  t.match((await plant.api.get(path)).body, { status: 'stopped', stopReason: 'the webhook answered 410 Gone' }, 'stopped');

  // the service moves to the address the query's URI names: that URI now names none of its codes
  const moved = await buildApp({ database: world.database, publicBaseUrl: movedBase, ...DELIVERED_BY_TICK });
  t.teardown(() => moved.close());
  const there = client(moved, plant.key);
  expectStatus(t, await there.get('/epcis/queries/tagged/events'), 422, 'the named query no longer runs');
  const refused = await there.post(`${path}/resume`, {});
  expectStatus(t, refused, 422, 'nor is its subscription resumed');
  t.match(refused.headers['content-type'], /application\/problem\+json/);
  t.match(refused.body, {
    type: '/problems/named-query-invalid',
    detail: /named query tagged no longer runs/,
    errors: [{ in: 'named query', pointer: '/query/MATCH_epc', detail: /does not end in a valid lot code/ }],
  });
  t.match((await there.get(path)).body, { status: 'stopped', stopReason: 'the webhook answered 410 Gone' }, 'it stays stopped');
  await subscriptions.tick();
  t.equal(hook.hits, 1, 'and is not delivered');
});

t.test('a subscription failing too many times in a row is stopped, with its last error; a success starts the count again', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  let status = 500;
  const hook = await answering(t, () => status);
  // waits of 1 ms: each attempt is due at the next tick, on the real clock (events are recorded between them)
  const { subscriptions, clock } = retrying(t, world, { maxFailures: 3, maxDelayMs: 1 });
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
  const subscribed = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: hook.dest,
    stream: true,
    initialRecordTime: aMinuteAgo(),
  });
  const path = `/epcis/queries/all/subscriptions/${subscribed.body.subscriptionID}`;
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  const attempt = async () => {
    await pastNow(clock);
    await subscriptions.tick();
  };

  await attempt();
  await attempt();
  t.match((await plant.api.get(path)).body, { status: 'active', failures: 2 }, 'two failures');
  status = 204;
  await attempt();
  t.match((await plant.api.get(path)).body, { status: 'active', failures: 0, failingSince: null, lastError: null }, 'a success resets');
  t.same(hook.deliveries, [['shipping']], 'delivered');

  status = 500;
  expectStatus(t, await plant.api.post('/epcis/events', event('receiving', 2)), 201, 'captured');
  await attempt();
  await attempt();
  t.match((await plant.api.get(path)).body, { status: 'active', failures: 2 }, 'counted again from the success');
  await attempt();
  t.match(
    (await plant.api.get(path)).body,
    {
      status: 'stopped',
      failures: 3,
      lastError: 'webhook answered 500',
      stopReason: '3 deliveries in a row failed (WEBHOOK_STOP_AFTER_FAILURES)',
    },
    'stopped at the third failure in a row, with why',
  );
  const hits = hook.hits;
  await attempt();
  await attempt();
  t.equal(hook.hits, hits, 'not tried again');

  status = 204;
  expectStatus(t, await plant.api.post(`${path}/resume`, {}), 200, 'resumed');
  await attempt();
  t.same(hook.deliveries, [['shipping'], ['receiving']], 'what it had not delivered goes once resumed');
});

t.test('a subscription failing for too long is stopped; its last error names the kind of failure, not its text', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  const { subscriptions, clock } = retrying(t, world, { maxFailingMs: 60 * 60_000 });
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
  // nothing listens on port 1: every delivery is refused
  const subscribed = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: 'http://127.0.0.1:1/hook?token=secret-in-the-url',
    stream: true,
    initialRecordTime: aMinuteAgo(),
  });
  const path = `/epcis/queries/all/subscriptions/${subscribed.body.subscriptionID}`;
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await pastNow(clock);
  const firstFailure = new Date(clock.ms).toISOString();
  await subscriptions.tick();
  const failing = (await plant.api.get(path)).body;
  t.match(failing, { status: 'active', failures: 1, lastError: 'network error ECONNREFUSED', failingSince: firstFailure });
  t.notMatch(JSON.stringify(failing.lastError), /127\.0\.0\.1|secret/, 'no address, nothing of the URL');

  clock.ms += 59 * 60_000;
  await subscriptions.tick();
  t.match((await plant.api.get(path)).body, { status: 'active', failures: 2, failingSince: firstFailure }, 'failing for 59 min');
  clock.ms += 60_000;
  await subscriptions.tick();
  t.match(
    (await plant.api.get(path)).body,
    {
      status: 'stopped',
      failures: 3,
      lastError: 'network error ECONNREFUSED',
      stopReason: 'no delivery succeeded for 1 h (WEBHOOK_STOP_AFTER_HOURS)',
      stoppedAt: new Date(clock.ms).toISOString(),
    },
    'stopped after an hour of failures',
  );
});

t.test('a stopped subscription of a key of no party’s ends with the key, as an active one does', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  const gone = await answering(t, () => 410);
  const { subscriptions, clock } = retrying(t, world);
  const issued = await world.ok(world.admin.post('/api-keys', { role: 'regulator' }));
  const regulator = client(world.app, issued.key);
  expectStatus(t, await regulator.post('/epcis/queries', { name: 'all', query: {} }), 201, 'the regulator’s named query');
  const subscribed = await regulator.post('/epcis/queries/all/subscriptions', {
    dest: gone.dest,
    stream: true,
    initialRecordTime: aMinuteAgo(),
  });
  expectStatus(t, subscribed, 201, 'subscribed');
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await pastNow(clock);
  await subscriptions.tick();
  t.match((await regulator.get(`/epcis/queries/all/subscriptions/${subscribed.body.subscriptionID}`)).body, { status: 'stopped' });
  expectStatus(t, await world.admin.delete(`/api-keys/${issued.id}`), 200, 'the key revoked');
  clock.ms += 60_000;
  await subscriptions.tick();
  const left = await queryRows(world.database.db, sql`select id from epcis_subscriptions`);
  t.same(left, [], 'the stopped subscription is gone: nobody could list, resume or delete it any more');
});

t.test('a pause (the party holding no valid key) is no failure: the time without success counts again after it', async (t) => {
  const world = await createWorld(t, undefined, DELIVERED_BY_TICK);
  const plant = await world.party('slaughterhouse');
  const bureau = await world.party('regulator');
  const issue = async () => world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }));
  const issued = await issue();
  const regulator = client(world.app, issued.key);
  const failing = await answering(t, () => 503);
  const { subscriptions, clock } = retrying(t, world, { maxFailingMs: 24 * 3_600_000 });
  expectStatus(t, await regulator.post('/epcis/queries', { name: 'all', query: {} }), 201, 'the regulator’s named query');
  const subscribed = await regulator.post('/epcis/queries/all/subscriptions', {
    dest: failing.dest,
    stream: true,
    initialRecordTime: aMinuteAgo(),
  });
  const path = `/epcis/queries/all/subscriptions/${subscribed.body.subscriptionID}`;
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await pastNow(clock);
  await subscriptions.tick();
  t.equal(failing.hits, 1, 'one delivery, failed');
  expectStatus(t, await world.admin.delete(`/api-keys/${issued.id}`), 200, 'the regulator key revoked');
  clock.ms += 60_000;
  await subscriptions.tick();
  clock.ms += 3 * 86_400_000;
  const again = client(world.app, (await issue()).key);
  await subscriptions.tick();
  t.equal(failing.hits, 2, 'tried again once the party holds a key again');
  t.match(
    (await again.get(path)).body,
    { status: 'active', failures: 2, failingSince: new Date(clock.ms).toISOString() },
    'three days paused are not a day of failures: still active, failing since the attempt after the pause',
  );
});
