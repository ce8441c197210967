// Webhook subscriptions never make the service send requests to itself, the private network or a
// cloud metadata service; only loopback listeners are used here, with the development setting on.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { createSubscriptionService } from '../../src/epcis/subscriptions.js';
import { createWebhookSender, destinationProblem, publicAddressLookup } from '../../src/epcis/webhooks.js';
import { observedPack } from '../fixtures/epcis.js';
import { createWorld } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A loopback listener answering with `handle`; `hits` counts the requests that reached it. */
async function listener(t: Test, handle: (response: ServerResponse) => void) {
  const counter = { hits: 0, url: '' };
  const server = createServer((_request, response) => {
    counter.hits++;
    handle(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  counter.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return counter;
}

const refused = [
  'http://127.0.0.1:3411/api-keys',
  'https://127.0.0.1:3411/api-keys',
  'https://localhost:5432/',
  'https://[::1]:22/',
  'https://127.1/',
  'https://2130706433/',
  'https://0x7f000001/',
  'https://169.254.169.254/latest/meta-data/',
  'https://[fd00:ec2::254]/',
  'https://10.0.0.1/',
  'https://192.168.1.1/',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://[::ffff:127.0.0.1]/',
  // the deprecated IPv4-compatible ::/96, whatever IPv4 address it embeds
  'https://[::127.0.0.1]/',
  'https://[::7f00:1]:8443/',
  'https://[::a9fe:a9fe]/',
  'https://[::808:808]/',
  // NAT64, Teredo, documentation, discard, and outside global unicast 2000::/3
  'https://[64:ff9b::a9fe:a9fe]/',
  'https://[64:ff9b:1::1]/',
  'https://[2001::1]/',
  'https://[2001:db8::1]/',
  'https://[100::1]/',
  'https://[4000::1]/',
  'https://0.0.0.0/',
  'https://user:secret@example.com/',
  'ftp://example.com/',
];

t.test('destinations on this host, the private network or a metadata service are refused', async (t) => {
  for (const dest of refused) t.ok(await destinationProblem(dest, { allowInsecure: false }), `${dest} is refused`);
  t.equal(await destinationProblem('https://93.184.215.14/hook', { allowInsecure: false }), null, 'a public address is fine');
  t.equal(await destinationProblem('https://[2606:2800:21f:cb07::1]/hook', { allowInsecure: false }), null, 'so is a public IPv6 address');
  t.equal(await destinationProblem('http://127.0.0.1:9/', { allowInsecure: true }), null, 'the development setting allows loopback http');
  t.ok(await destinationProblem('http://metadata.google.internal/', { allowInsecure: true }), 'metadata hosts stay refused even then');
});

t.test('the connect-time lookup refuses what destinationProblem refuses', async (t) => {
  const resolve = (hostname: string, all: boolean) =>
    new Promise((resolve, reject) =>
      publicAddressLookup()(hostname, { all }, (error, address) => (error ? reject(error) : resolve(address))),
    );
  await t.rejects(resolve('::7f00:1', true), /::7f00:1 is a ipv4Compatible address/);
  await t.rejects(resolve('::a9fe:a9fe', false), /::a9fe:a9fe is a ipv4Compatible address/);
  await t.rejects(resolve('4000::1', false), /a reserved address/);
  t.same(await resolve('93.184.215.14', true), [{ address: '93.184.215.14', family: 4 }], 'all addresses when all are asked for');
  t.equal(await resolve('93.184.215.14', false), '93.184.215.14', 'one address otherwise');
});

t.test('subscribing to a refused destination is a 400 naming /dest', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000 });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  for (const dest of refused.filter((url) => /^https?:/.test(url))) {
    const reply = await plant.api.post('/epcis/queries/all/subscriptions', { dest, stream: true });
    t.equal(reply.status, 400, `${dest}: 400`);
    t.equal(reply.body.errors?.[0]?.pointer, '/dest', `${dest}: names /dest`);
  }
  t.equal((await plant.api.get('/epcis/queries/all/subscriptions')).body.items.length, 0, 'nothing was subscribed');
});

t.test('a refused name is not answered with the address it resolves to: the service’s DNS is no lookup service', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000 });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const reply = await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'https://localhost/hook', stream: true });
  t.equal(reply.status, 400);
  t.match(reply.body.errors?.[0], { pointer: '/dest', detail: 'localhost resolves to a loopback address' }, 'its range, not its address');
  t.notMatch(JSON.stringify(reply.body), /127\.0\.0\.1|::1/, 'no address in the answer');
  t.equal(
    await destinationProblem('https://127.0.0.1/', { allowInsecure: false }),
    '127.0.0.1 is a loopback address',
    'an address written in the URL is named',
  );
});

t.test('a redirect is not followed: the signed delivery never reaches another address', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  let elsewhere = 0;
  const target = createServer((_request, response) => {
    elsewhere++;
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const redirecting = createServer((_request, response) => {
    response.writeHead(307, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/stolen` }).end();
  });
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  t.teardown(() => Promise.all([target, redirecting].map((server) => new Promise((resolve) => server.close(resolve)))));

  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const dest = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/hook`;
  await world.ok(plant.api.post('/epcis/queries/all/subscriptions', { dest, stream: true, signatureToken: 'secret-token-1' }));
  await world.ok(plant.api.post('/epcis/events', observedPack(1)));
  await world.app.services.subscriptions.tick();
  const [subscription] = (await plant.api.get('/epcis/queries/all/subscriptions')).body.items;
  t.equal(elsewhere, 0, 'the redirect target got nothing');
  t.equal(subscription.failures, 1, 'a redirect is a failed delivery, retried later');
  t.match(subscription.lastError, /307/);
});

t.test('each delivery checks its destination again: one that is refused now gets nothing', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  const hook = await listener(t, (response) => response.writeHead(204).end());
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  // https, so what refuses it below is the address, not the scheme
  const dest = hook.url.replace('http:', 'https:');
  await world.ok(plant.api.post('/epcis/queries/all/subscriptions', { dest, stream: true }));
  await world.ok(plant.api.post('/epcis/events', observedPack(1)));
  // the same subscriptions, delivered by an instance without the development setting
  const strict = await buildApp({
    database: world.database,
    publicBaseUrl: TEST_BASE_URL,
    subscriptionLagMs: 0,
    subscriptionTickMs: 3_600_000,
    webhooks: { allowInsecure: false },
  });
  t.teardown(() => strict.close());
  await strict.services.subscriptions.tick();
  const [subscription] = (await plant.api.get('/epcis/queries/all/subscriptions')).body.items;
  t.equal(hook.hits, 0, 'the loopback listener got nothing');
  t.equal(subscription.failures, 1, 'a failed delivery, retried later');
  t.match(subscription.lastError, /127\.0\.0\.1 is a loopback address/, 'refused for its address');
});

t.test('the sender refuses private addresses when it connects, and bounds time and answer size', async (t) => {
  const hook = await listener(t, (response) => response.writeHead(204).end());
  await t.rejects(
    createWebhookSender({ allowInsecure: false })(hook.url, '{}', {}),
    'a loopback address is refused at connect time, whatever the name resolved to before',
  );
  t.equal(hook.hits, 0);
  await t.rejects(
    createWebhookSender({ allowInsecure: false })('https://[::7f00:1]:8443/', '{}', {}),
    /::7f00:1 is a ipv4Compatible address/,
    'an IPv4-compatible address in the URL is refused before connecting',
  );
  await t.rejects(
    createWebhookSender({ allowInsecure: false })(hook.url.replace('127.0.0.1', 'localhost'), '{}', {}),
    /^localhost resolves to a loopback address$/,
    'a name is checked by what it resolves to when the connection is made',
  );

  const endless = await listener(t, (response) => {
    response.writeHead(200);
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const timer = setInterval(() => response.write(chunk), 1);
    response.on('close', () => clearInterval(timer));
  });
  const limits = { timeoutMs: 1_000, maxResponseBytes: 64 * 1024 };
  const send = createWebhookSender({ allowInsecure: true }, limits);
  t.equal(await send(endless.url, '{}', {}), 200, 'an endless answer is cut off after its first 64 KiB');

  // an answer trickled a byte at a time never goes silent long enough for the socket's idle timeout
  const trickling = await listener(t, (response) => {
    response.writeHead(200);
    const timer = setInterval(() => response.write('x'), 100);
    response.on('close', () => clearInterval(timer));
  });
  await t.rejects(
    send(trickling.url, '{}', {}),
    /answer not finished within 1 s/,
    'an answer trickled for longer than the time bound is cut off there, and is no answer: the time bound is of the whole delivery',
  );
  const slowHeaders = await listener(t, (response) => {
    // the head never completes: a header trickled a byte at a time
    const socket = response.socket;
    socket?.write('HTTP/1.1 200 OK\r\nX-Trickle: ');
    const timer = setInterval(() => socket?.write('x'), 100);
    socket?.on('close', () => clearInterval(timer));
  });
  await t.rejects(send(slowHeaders.url, '{}', {}), /no answer within 1 s/, 'an answer whose head never completes is given up');

  const silent = await listener(t, () => {});
  await t.rejects(send(silent.url, '{}', {}), /no answer within 1 s/, 'a destination that never answers is given up');
});

t.test('a delivery whose answer is cut off at the time bound failed: it is sent again later', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  let trickle = true;
  const hook = await listener(t, (response) => {
    response.writeHead(200);
    if (!trickle) return void response.end();
    // a 2xx begun, never finished: a byte now and then, never silent long enough for an idle timeout
    const timer = setInterval(() => response.write('x'), 100);
    response.on('close', () => clearInterval(timer));
  });
  const subscriptions = createSubscriptionService({
    db: world.database.db,
    epcis: world.app.services.epcis,
    webhooks: { allowInsecure: true },
    deliveryLimits: { timeoutMs: 1_000, maxResponseBytes: 64 * 1024 },
    lagMs: 0,
  });
  t.teardown(() => subscriptions.stop());
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  await subscriptions.createQuery(principal, 'all', {});
  const subscribed = await subscriptions.subscribe(principal, 'all', {
    dest: hook.url,
    stream: true,
    initialRecordTime: new Date(Date.now() - 60_000).toISOString(),
  });
  await world.ok(plant.api.post('/epcis/events', observedPack(1)));

  await subscriptions.tick();
  t.equal(hook.hits, 1, 'delivered once');
  const [failed] = await subscriptions.subscriptions(principal, 'all');
  t.match(failed, { failures: 1, lastError: 'answer not finished within 1 s' }, 'a failed delivery, with why');
  t.equal(failed.cursor.getTime(), subscribed.cursor.getTime(), 'its events are still to be delivered');

  trickle = false;
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  await subscriptions.tick();
  t.equal(hook.hits, 2, 'sent again once its backoff is over');
  const [delivered] = await subscriptions.subscriptions(principal, 'all');
  t.match(delivered, { failures: 0, lastError: null }, 'and delivered');
  t.ok(delivered.cursor > subscribed.cursor, 'its events are delivered');
});
