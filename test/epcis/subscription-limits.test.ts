// A party keeps at most SUBSCRIPTIONS_PER_PARTY webhook subscriptions, and a round delivers a few
// subscriptions at a time, so that one slow webhook does not hold back the others' deliveries.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { createSubscriptionService } from '../../src/epcis/subscriptions.js';
import { shippingSighting } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const QUIET = { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } };

/** A webhook on 127.0.0.1 whose answers `onRequest` gives when it likes: it gets each request's response. */
async function webhook(t: Test, onRequest: (response: ServerResponse) => void) {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => onRequest(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

t.test('a party has at most the configured number of subscriptions, whatever its queries', async (t) => {
  const world = await createWorld(t, undefined, { ...QUIET, subscriptionsPerParty: 2 });
  const plant = await world.party('processor');
  const other = await world.party('processor');
  const dest = 'http://127.0.0.1:1/hook';
  for (const actor of [plant, other]) {
    expectStatus(t, await actor.api.post('/epcis/queries', { name: 'a', query: {} }), 201, 'query a');
    expectStatus(t, await actor.api.post('/epcis/queries', { name: 'b', query: {} }), 201, 'query b');
  }
  expectStatus(t, await plant.api.post('/epcis/queries/a/subscriptions', { dest, stream: true }), 201, 'the first');
  const second = await plant.api.post('/epcis/queries/b/subscriptions', { dest, stream: true });
  expectStatus(t, second, 201, 'the second, on another query');
  const refused = await plant.api.post('/epcis/queries/a/subscriptions', { dest, stream: true });
  expectStatus(t, refused, 409, 'the third');
  t.match(refused.body, {
    type: '/problems/subscription-limit',
    status: 409,
    detail: /at most 2 subscriptions .*SUBSCRIPTIONS_PER_PARTY/,
  });
  t.match(refused.headers['content-type'], /application\/problem\+json/);
  t.equal((await plant.api.get('/epcis/queries/a/subscriptions')).body.items.length, 1, 'nothing stored');
  expectStatus(t, await other.api.post('/epcis/queries/a/subscriptions', { dest, stream: true }), 201, 'another party’s count is its own');

  expectStatus(t, await plant.api.delete(`/epcis/queries/b/subscriptions/${second.body.subscriptionID}`), 204, 'one ended');
  expectStatus(t, await plant.api.post('/epcis/queries/a/subscriptions', { dest, stream: true }), 201, 'makes room for another');
});

t.test('subscriptions made at once are counted one after the other', async (t) => {
  const world = await createWorld(t, undefined, { ...QUIET, subscriptionsPerParty: 3 });
  const plant = await world.party('processor');
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'a', query: {} }), 201, 'query');
  const answers = await Promise.all(
    Array.from({ length: 6 }, () => plant.api.post('/epcis/queries/a/subscriptions', { dest: 'http://127.0.0.1:1/hook', stream: true })),
  );
  t.strictSame(answers.map((answer) => answer.status).sort(), [201, 201, 201, 409, 409, 409]);
  t.equal((await plant.api.get('/epcis/queries/a/subscriptions')).body.items.length, 3, 'three stored, not more');
});

/**
 * Delivers six due subscriptions with `deliveriesAtOnce` places (the default unless given), the
 * webhooks answering so that the places are filled whenever they can be, and checks how many were
 * open at once.
 */
async function roundDelivers(t: Test, places: number, deliveriesAtOnce?: number) {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('slaughterhouse');
  const subscriptions = createSubscriptionService({
    db: world.database.db,
    epcis: world.app.services.epcis,
    webhooks: { allowInsecure: true },
    lagMs: 0,
    deliveriesAtOnce,
    // a webhook left unanswered fails within this, so a round without concurrency ends (and fails the test)
    deliveryLimits: { timeoutMs: 5_000, maxResponseBytes: 1024 },
  });
  t.teardown(() => subscriptions.stop());
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  await subscriptions.createQuery(principal, 'all', {});
  const since = new Date(Date.now() - 60_000).toISOString();

  // Both webhooks hold their requests. The fast one answers one of them (a while later, so that a
  // delivery beyond the bound would have come in by then) whenever `places` deliveries are open, or all
  // that are left; the slow one answers only once every delivery to the fast one was answered.
  const FAST = 5;
  const held: ServerResponse[] = [];
  let slowHeld: ServerResponse | undefined;
  let fastAnswered = 0;
  let mostOpen = 0;
  let answering = false;
  const openNow = () => held.length + (slowHeld ? 1 : 0);
  const check = () => {
    mostOpen = Math.max(mostOpen, openNow());
    if (fastAnswered === FAST && slowHeld) {
      slowHeld.writeHead(204).end();
      slowHeld = undefined;
    } else if (!answering && held.length > 0 && openNow() >= Math.min(places, FAST - fastAnswered + 1)) {
      answering = true;
      setTimeout(() => {
        answering = false;
        held.shift()?.writeHead(204).end();
        fastAnswered++;
        check();
      }, 100);
    }
  };
  const slow = await webhook(t, (response) => {
    slowHeld = response;
    check();
  });
  const fast = await webhook(t, (response) => {
    held.push(response);
    check();
  });
  await subscriptions.subscribe(principal, 'all', { dest: slow, stream: true, initialRecordTime: since });
  for (let i = 0; i < FAST; i++) await subscriptions.subscribe(principal, 'all', { dest: fast, stream: true, initialRecordTime: since });
  expectStatus(t, await plant.api.post('/epcis/events', shippingSighting), 201, 'an event for every subscription');

  await subscriptions.tick();
  t.equal(fastAnswered, FAST, 'every subscription of the fast webhook delivered');
  t.equal(mostOpen, places, `${places} deliveries at a time, never more`);
  const rows = await subscriptions.subscriptions(principal, 'all');
  t.strictSame(
    rows.map((row) => row.failures),
    Array(FAST + 1).fill(0),
    'and the slow one too, within its time: it answered only after every other delivery',
  );
}

t.test('a round delivers four subscriptions at a time, and a slow webhook holds back none of the others', (t) => roundDelivers(t, 4));

t.test('a process delivers as many subscriptions at a time as configured', (t) => roundDelivers(t, 2, 2));
