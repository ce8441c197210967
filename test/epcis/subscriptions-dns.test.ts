// A destination's name is resolved by asking the name servers, a query that is cancelled once its
// time is up: a name server that never answers holds none of the process's threads (dns.lookup's
// getaddrinfo, on libuv's four, could not be stopped), and a party at its limit asks DNS nothing.
import { randomBytes, scrypt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createSubscriptionService } from '../../src/epcis/subscriptions.js';
import { createWebhookSender, nameServerResolver, type ResolveAddresses } from '../../src/epcis/webhooks.js';
import { shippingSighting } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A resolver that answers a public address for every name, counting what it was asked. */
function countingResolver() {
  const asked: string[] = [];
  const resolve: ResolveAddresses = async (host) => {
    asked.push(host);
    return ['93.184.215.14'];
  };
  return { asked, resolve };
}

/** A resolver that never answers, counting the lookups given up (their signal aborted). */
function silentResolver() {
  const seen = { started: 0, cancelled: 0 };
  const resolve: ResolveAddresses = (_host, signal) =>
    new Promise((_resolve, reject) => {
      seen.started++;
      signal.addEventListener('abort', () => {
        seen.cancelled++;
        reject(signal.reason);
      });
    });
  return { seen, resolve };
}

t.test('a party at its limit is told so before its destination is looked up', async (t) => {
  const { asked, resolve } = countingResolver();
  const world = await createWorld(t, undefined, {
    subscriptionTickMs: 3_600_000,
    subscriptionsPerParty: 1,
    webhooks: { allowInsecure: false, resolve },
  });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  expectStatus(t, await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'https://hook.example/a', stream: true }), 201, 'one');
  t.same(asked, ['hook.example'], 'its name was looked up');
  const over = await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'https://other.example/b', stream: true });
  expectStatus(t, over, 409, 'one more than the limit');
  t.match(over.body, { type: /subscription-limit/ });
  t.same(asked, ['hook.example'], 'and no name was looked up for it');
});

t.test('a name that never resolves is given up and its lookup cancelled, when subscribing and when delivering', async (t) => {
  const { seen, resolve } = silentResolver();
  const policy = { allowInsecure: false, resolve, lookupTimeoutMs: 50 };
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: policy });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const reply = await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'https://silent.example/hook', stream: true });
  expectStatus(t, reply, 400, 'refused');
  t.match(reply.body.errors?.[0], { pointer: '/dest', detail: 'silent.example does not resolve within 0.05 s' });
  t.same(seen, { started: 1, cancelled: 1 }, 'the lookup was cancelled, not left running');

  await t.rejects(
    createWebhookSender(policy)('https://silent.example/hook', '{}', {}),
    /silent\.example does not resolve within 0\.05 s/,
    'the lookup of a delivery connecting is given up too',
  );
  t.same(seen, { started: 2, cancelled: 2 }, 'and cancelled');
});

t.test('destinations are checked a bounded number at a time when subscribing', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000 });
  const plant = await world.party('processor');
  const pending: ((addresses: string[]) => void)[] = [];
  const resolve: ResolveAddresses = () => new Promise((answer) => pending.push(answer));
  const subscriptions = createSubscriptionService({
    db: world.database.db,
    epcis: world.app.services.epcis,
    webhooks: { allowInsecure: false, resolve },
    destinationChecksAtOnce: 2,
  });
  t.teardown(() => subscriptions.stop());
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  await subscriptions.createQuery(principal, 'all', {});
  const first = subscriptions.subscribe(principal, 'all', { dest: 'https://one.example/', stream: true });
  const second = subscriptions.subscribe(principal, 'all', { dest: 'https://two.example/', stream: true });
  while (pending.length < 2) await new Promise((next) => setImmediate(next));
  const refused = await subscriptions.subscribe(principal, 'all', { dest: 'https://three.example/', stream: true }).catch((error) => error);
  t.match(refused, { status: 429 }, 'a third while two are being checked is refused at once');
  t.equal(pending.length, 2, 'without being looked up');
  for (const answer of pending) answer(['93.184.215.14']);
  await Promise.all([first, second]);
  const third = subscriptions.subscribe(principal, 'all', { dest: 'https://three.example/', stream: true });
  while (pending.length < 3) await new Promise((next) => setImmediate(next));
  pending[2](['93.184.215.14']);
  t.ok(await third, 'once they are done, another is checked');
});

t.test(
  'names are resolved by asking the name servers: one that never answers holds no thread, and its queries are cancelled',
  async (t) => {
    // a name server that takes every query and answers none
    const server = createSocket('udp4');
    let queries = 0;
    server.on('message', () => queries++);
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const resolve = nameServerResolver([`127.0.0.1:${(server.address() as AddressInfo).port}`]);

    // more lookups than libuv has threads, each waiting on the silent server
    const giveUp = new AbortController();
    const lookups = Array.from({ length: 8 }, (_, i) =>
      resolve(`host${i}.example`, giveUp.signal).then(
        () => 'answered',
        (error: Error) => error,
      ),
    );
    while (queries < 8) await new Promise((next) => setTimeout(next, 5));
    // work on the thread pool goes on meanwhile
    let settled = 0;
    for (const lookup of lookups) void lookup.then(() => settled++);
    const hashed = await Promise.all(
      Array.from(
        { length: 4 },
        () => new Promise<Buffer>((done, fail) => scrypt(randomBytes(8), 'salt', 16, (error, key) => (error ? fail(error) : done(key)))),
      ),
    );
    t.equal(hashed.length, 4, 'four hashes on the thread pool completed');
    t.equal(settled, 0, 'while every lookup was still waiting');
    giveUp.abort(new Error('given up'));
    for (const outcome of await Promise.all(lookups)) t.match(outcome, { message: 'given up' }, 'each lookup ends when given up');
  },
);

t.test('resuming checks destinations within the same bound: past it a 429, and the subscription stays stopped', async (t) => {
  // names resolve to `address` at once, or wait for the test to answer while `held`
  let address = '93.184.215.14';
  let held = false;
  const pending: ((addresses: string[]) => void)[] = [];
  const resolve: ResolveAddresses = async () => (held ? new Promise((answer) => pending.push(answer)) : [address]);
  const webhooks = { allowInsecure: false, resolve };
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, subscriptionLagMs: 0, webhooks });
  const plant = await world.party('processor');
  const subscriptions = createSubscriptionService({
    db: world.database.db,
    epcis: world.app.services.epcis,
    webhooks,
    lagMs: 0,
    retry: { maxFailures: 1 },
    destinationChecksAtOnce: 1,
  });
  t.teardown(() => subscriptions.stop());
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  await subscriptions.createQuery(principal, 'all', {});
  const since = new Date(Date.now() - 60_000).toISOString();
  const one = await subscriptions.subscribe(principal, 'all', { dest: 'https://one.example/', stream: true, initialRecordTime: since });
  const two = await subscriptions.subscribe(principal, 'all', { dest: 'https://two.example/', stream: true, initialRecordTime: since });
  // both stop at their first failed delivery: their names resolve to a private address meanwhile
  address = '10.0.0.7';
  await world.ok(plant.api.post('/epcis/events', shippingSighting));
  await new Promise((next) => setTimeout(next, 5));
  await subscriptions.tick();
  const status = async (id: string) => (await plant.api.get(`/epcis/queries/all/subscriptions/${id}`)).body.status;
  t.same([await status(one.id), await status(two.id)], ['stopped', 'stopped'], 'both stopped');

  address = '93.184.215.14';
  held = true;
  const first = subscriptions.resume(principal, 'all', one.id);
  while (pending.length < 1) await new Promise((next) => setImmediate(next));
  const refused = await subscriptions.resume(principal, 'all', two.id).catch((error) => error);
  t.match(refused, { status: 429, slug: 'too-many-requests' }, 'a second resume while one destination is being checked is refused at once');
  t.equal(pending.length, 1, 'without being looked up');
  t.equal(await status(two.id), 'stopped', 'the refused one stays stopped');

  pending[0]([address]);
  t.match(await first, { id: one.id, stoppedAt: null }, 'the first is resumed once its destination passes');
  held = false;
  t.match(await subscriptions.resume(principal, 'all', two.id), { id: two.id, stoppedAt: null }, 'then the second, asked again');
  t.same([await status(one.id), await status(two.id)], ['active', 'active']);
});
