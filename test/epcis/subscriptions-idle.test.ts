// Every process looks for due webhook subscriptions every second; a subscription is written to
// (claimed, then let go) only when it has something to send. A paused one, or one with nothing new,
// is read at each look and left as it is, then delivered once it has work again.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { heldWebhook, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const QUIET = { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } };
const LOOKS = 3;

const event = (bizStep: string, serial: number) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
  ...observation(serial, { bizStep, epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`] }),
});

/** The subscription's row version (xmin: any write changes it, even of the same values) and lease. */
async function rowState(world: World) {
  const rows = await queryRows<{ xmin: string; claimed_by: string | null; lease_until: string | null }>(
    world.database.db,
    sql`select xmin::text as xmin, claimed_by, lease_until from epcis_subscriptions`,
  );
  return rows;
}

/** The serials of the events each delivery carried. */
const serials = (deliveries: { events: { epcList?: string[] }[] }[]) =>
  deliveries.map((delivery) => delivery.events.map((e) => Number(e.epcList?.[0].split('/').pop())));

t.test('a paused subscription is not written to at each look, and delivers once it goes on', async (t) => {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('slaughterhouse');
  const bureau = await world.party('regulator');
  const issue = async () => world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }));
  const issued = await issue();
  const regulator = client(world.app, issued.key);
  const hook = await heldWebhook(t);
  expectStatus(t, await regulator.post('/epcis/queries', { name: 'all', query: {} }), 201, 'the regulator’s named query');
  expectStatus(t, await regulator.post('/epcis/queries/all/subscriptions', { dest: hook.dest, stream: true }), 201, 'subscribed');
  const subscriptions = world.app.services.subscriptions;
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [[1]], 'delivered while the key is valid');

  expectStatus(t, await world.admin.delete(`/api-keys/${issued.id}`), 200, 'the regulator key revoked');
  expectStatus(t, await plant.api.post('/epcis/events', event('receiving', 2)), 201, 'captured');
  await subscriptions.tick();
  const paused = await rowState(world);
  t.match(paused, [{ claimed_by: null, lease_until: null }], 'paused, held by nobody');
  for (let look = 0; look < LOOKS; look++) await subscriptions.tick();
  t.same(await rowState(world), paused, 'the paused subscription’s row is not written to, look after look');
  t.same(serials(hook.deliveries), [[1]], 'nor delivered');

  const again = client(world.app, (await issue()).key);
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [[1], [2]], 'with a regulator key again, it goes on from where it stopped');
  t.match((await again.get('/epcis/queries/all/subscriptions')).body.items, [{ lastError: null }], 'no longer said to be paused');
});

t.test('a subscription with nothing new to send is not written to at each look', async (t) => {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('slaughterhouse');
  const hook = await heldWebhook(t);
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'shipped', query: { EQ_bizStep: 'shipping' } }), 201, 'named query');
  expectStatus(t, await plant.api.post('/epcis/queries/shipped/subscriptions', { dest: hook.dest, stream: true }), 201, 'subscribed');
  const subscriptions = world.app.services.subscriptions;
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'captured');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [[1]], 'delivered');

  const idle = await rowState(world);
  t.match(idle, [{ claimed_by: null, lease_until: null }], 'let go');
  for (let look = 0; look < LOOKS; look++) await subscriptions.tick();
  t.same(await rowState(world), idle, 'nothing recorded since: not written to');
  expectStatus(t, await plant.api.post('/epcis/events', event('receiving', 2)), 201, 'an event the query does not select');
  for (let look = 0; look < LOOKS; look++) await subscriptions.tick();
  t.same(await rowState(world), idle, 'nothing it selects recorded since: not written to either');
  t.same(serials(hook.deliveries), [[1]], 'nor delivered');

  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 3)), 201, 'an event it selects');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [[1], [3]], 'delivered, each event once');
  t.notSame(await rowState(world), idle, 'its cursor moved with the delivery');
});
