// A subscription request is checked for its shape (dest, schedule, stream or schedule) before
// anything is looked up: a malformed request is a 400 naming each of its faults, whatever its named
// query or its destination's name in DNS, which is asked only of a request otherwise sound.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { countingWebhook, observedPack } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A name no DNS resolves (RFC 6761): were it looked up, the answer would be a 400 naming /dest. */
const UNRESOLVED = 'https://webhook.nowhere.invalid/hook';

t.test('a malformed subscription is a 400 naming its faults before its destination is looked up', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000 });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const pointers = (reply: { body: { errors?: { pointer: string }[] } }) => (reply.body.errors ?? []).map((error) => error.pointer).sort();

  const badHour = await plant.api.post('/epcis/queries/all/subscriptions', { dest: UNRESOLVED, schedule: { hour: '99' } });
  expectStatus(t, badHour, 400, 'a schedule never met');
  t.same(pointers(badHour), ['/schedule/hour'], 'names the schedule, not the destination it never looked up');

  const both = await plant.api.post('/epcis/queries/all/subscriptions', { dest: UNRESOLVED, stream: true, schedule: { minute: '0' } });
  expectStatus(t, both, 400, 'stream and schedule');
  t.same(pointers(both), ['/stream'], 'names stream');

  const neither = await plant.api.post('/epcis/queries/all/subscriptions', { dest: UNRESOLVED });
  expectStatus(t, neither, 400, 'neither stream nor schedule');
  t.same(pointers(neither), ['/stream'], 'names stream');

  const several = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: 'https://user:secret@webhook.nowhere.invalid/hook',
    schedule: { hour: '24', minute: '[5-1]' },
  });
  expectStatus(t, several, 400, 'several faults');
  t.same(pointers(several), ['/dest', '/schedule/hour', '/schedule/minute'], 'each named at once');

  const plainHttp = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: 'http://webhook.nowhere.invalid/',
    schedule: { hour: 'x' },
  });
  t.same(pointers(plainHttp), ['/dest', '/schedule/hour'], 'plain http and the schedule');
  t.match(
    plainHttp.body.errors.find((error: { pointer: string }) => error.pointer === '/dest'),
    { detail: 'must be an https URL' },
  );

  const unknownQuery = await plant.api.post('/epcis/queries/none/subscriptions', { dest: UNRESOLVED, schedule: { hour: '99' } });
  expectStatus(t, unknownQuery, 400, 'a malformed request is a 400 whatever the query it names');

  const sound = await plant.api.post('/epcis/queries/all/subscriptions', { dest: UNRESOLVED, stream: true });
  expectStatus(t, sound, 400, 'a sound request whose destination does not resolve');
  t.same(pointers(sound), ['/dest'], 'names /dest');
  expectStatus(t, await plant.api.post('/epcis/queries/none/subscriptions', { dest: UNRESOLVED, stream: true }), 404, 'an unknown query');
  t.same((await plant.api.get('/epcis/queries/all/subscriptions')).body.items, [], 'nothing was subscribed');
});

t.test('a schedule field the standard does not have is refused, not read as every minute', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const reply = await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'http://127.0.0.1:1/hook', schedule: { hours: '9' } });
  expectStatus(t, reply, 400, 'hours is no schedule field');
  t.equal(reply.body.errors?.[0]?.pointer, '/schedule/hours');
  t.same((await plant.api.get('/epcis/queries/all/subscriptions')).body.items, [], 'nothing was subscribed');
});

t.test('what a subscription stores from its request is bounded', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const long = await plant.api.post('/epcis/queries/all/subscriptions', { dest: `http://127.0.0.1:1/${'a'.repeat(3000)}`, stream: true });
  expectStatus(t, long, 400, 'a 3,000-character dest');
  t.equal(long.body.errors?.[0]?.pointer, '/dest');
  const longField = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: 'http://127.0.0.1:1/hook',
    schedule: { minute: Array(5000).fill('1').join(',') },
  });
  expectStatus(t, longField, 400, 'a schedule field of 10,000 characters');
  t.equal(longField.body.errors?.[0]?.pointer, '/schedule/minute');
  t.same((await plant.api.get('/epcis/queries/all/subscriptions')).body.items, [], 'nothing was subscribed');
});

t.test('a subscription is created where it is read: its Location, and one party’s are not another’s', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  const other = await world.party('retailer');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  await world.ok(other.api.post('/epcis/queries', { name: 'all', query: {} }));
  const made = await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'http://127.0.0.1:1/hook', stream: true });
  expectStatus(t, made, 201, 'subscribed');
  const location = made.headers.location;
  t.equal(location, `/epcis/queries/all/subscriptions/${made.body.subscriptionID}`, 'Location names the subscription');
  const read = await plant.api.get(String(location));
  expectStatus(t, read, 200, 'read where Location says');
  t.same(read.body, made.body, 'the subscription as made');
  expectStatus(t, await other.api.get(String(location)), 404, 'another party’s, under a query of the same name, is unknown');
  expectStatus(t, await other.api.delete(String(location)), 404, 'nor may it delete it');
  t.same((await other.api.get('/epcis/queries/all/subscriptions')).body.items, [], 'nor list it');
  expectStatus(t, await plant.api.get('/epcis/queries/none/subscriptions'), 404, 'the subscriptions of a named query that does not exist');
  expectStatus(t, await plant.api.get(`/epcis/queries/none/subscriptions/${made.body.subscriptionID}`), 404, 'nor one of them');
  expectStatus(t, await plant.api.delete(String(location)), 204, 'unsubscribed');
  expectStatus(t, await plant.api.get(String(location)), 404, 'and gone');
});

t.test('a stream sends when events are recorded: reportIfEmpty, an empty report at every look, is for a schedule', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  const hook = await countingWebhook(t);
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const refused = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: `${hook.dest}/empty`,
    stream: true,
    reportIfEmpty: true,
  });
  expectStatus(t, refused, 400, 'a stream with reportIfEmpty');
  t.equal(refused.body.errors?.[0]?.pointer, '/reportIfEmpty');
  expectStatus(
    t,
    await plant.api.post('/epcis/queries/all/subscriptions', { dest: `${hook.dest}/empty`, stream: true, reportIfEmpty: false }),
    201,
    'a stream without it',
  );

  // one stored before: it sends no empty report at each look, only the events recorded
  await queryRows(world.database.db, sql`update epcis_subscriptions set report_if_empty = 1`);
  await world.app.services.subscriptions.tick();
  await world.app.services.subscriptions.tick();
  t.equal(hook.deliveries.get('/empty') ?? 0, 0, 'nothing recorded, nothing sent');
  await world.ok(plant.api.post('/epcis/events', observedPack(1)));
  await new Promise((resolve) => setTimeout(resolve, 20));
  await world.app.services.subscriptions.tick();
  t.equal(hook.deliveries.get('/empty'), 1, 'the event recorded is sent');
  await world.app.services.subscriptions.tick();
  t.equal(hook.deliveries.get('/empty'), 1, 'and nothing after it');
});

t.test('named queries of one name made at once: one is made, the others are a 409, none a 500', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000 });
  const plant = await world.party('processor');
  const replies = await Promise.all(Array.from({ length: 5 }, () => plant.api.post('/epcis/queries', { name: 'same', query: {} })));
  t.same(replies.map((reply) => reply.status).sort(), [201, 409, 409, 409, 409], replies.map((reply) => reply.status).join(' '));
  for (const reply of replies.filter((reply) => reply.status === 409))
    t.match(reply.body, { errors: [{ pointer: '/name', detail: 'already used' }] }, 'names /name');
});

t.test('a named query deleted while a subscription to it is made leaves no subscription behind', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  const subscriptions = world.app.services.subscriptions;
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  for (let round = 0; round < 5; round++) {
    await subscriptions.createQuery(principal, 'racing', {});
    const [made] = await Promise.allSettled([
      subscriptions.subscribe(principal, 'racing', { dest: 'http://127.0.0.1:1/hook', stream: true }),
      subscriptions.deleteQuery(principal, 'racing'),
    ]);
    if (made.status === 'rejected') t.match(made.reason, { status: 404 }, `round ${round}: the subscription finds no query`);
  }
  const left = await queryRows<{ id: string }>(world.database.db, sql`select id from epcis_subscriptions where query_name = 'racing'`);
  t.same(left, [], 'no subscription outlives its query');
  await subscriptions.createQuery(principal, 'racing', {});
  t.same(await subscriptions.subscriptions(principal, 'racing'), [], 'a query made again under the name has none');
});

t.test('the OpenAPI document says a schedule takes no field but its own, as the route does', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000 });
  const document = (await world.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const body = document.paths['/epcis/queries/{queryName}/subscriptions'].post.requestBody.content['application/json'].schema;
  t.equal(body.properties.schedule.additionalProperties, false, 'additionalProperties: false');
});

t.test('a stream stored with reportIfEmpty, which it does not send, shows reportIfEmpty false', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const made = await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'http://127.0.0.1:1/hook', stream: true });
  expectStatus(t, made, 201, 'a stream');
  await queryRows(world.database.db, sql`update epcis_subscriptions set report_if_empty = 1`);
  t.equal((await plant.api.get(String(made.headers.location))).body.reportIfEmpty, false, 'read alone');
  t.equal((await plant.api.get('/epcis/queries/all/subscriptions')).body.items[0].reportIfEmpty, false, 'and listed');
});

t.test('a named query is not named by dots alone: its Location would be a path clients cannot follow', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000 });
  const plant = await world.party('processor');
  for (const name of ['.', '..', '...']) {
    const reply = await plant.api.post('/epcis/queries', { name, query: {} });
    expectStatus(t, reply, 400, `${name} is refused`);
    t.equal(reply.body.errors?.[0]?.pointer, '/name', 'naming /name');
  }
  expectStatus(t, await plant.api.post('/epcis/queries', { name: '.hidden', query: {} }), 201, 'dots with other characters are fine');
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'a..b', query: {} }), 201, 'within a name too');
  t.same((await plant.api.get('/epcis/queries')).body.items.map((query: { name: string }) => query.name).sort(), ['.hidden', 'a..b']);
});
