// Migration 0033: subscriptions record the role of the key that made them. One made before named
// queries were kept to their role, by a regulator party's operator key on its regulator key's query,
// is paused where the keys the party held then tell it; where they do not, it is left as it was.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { countingWebhook, observedPack } from '../fixtures/epcis.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const PAUSED =
  'paused: subscribed with a key of another role than the regulator key that made the named query; a regulator key may delete it and subscribe again';

t.test('a subscription made with a key of another role than its query’s is paused, where the keys held then tell it', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const { db } = world.database;
  const hook = await countingWebhook(t);
  const since = new Date(Date.now() - 60_000);
  const plant = await world.party('slaughterhouse');
  // a regulator party: its operator key records its tests, its regulator keys read every party's events
  const bureau = await world.party('regulator');
  const issue = () => world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }));
  const first = await issue();
  const regulator = client(world.app, first.key);
  expectStatus(t, await regulator.post('/epcis/queries', { name: 'all', query: {} }), 201, 'the regulator’s named query');
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'mine', query: {} }), 201, 'the plant’s named query');
  expectStatus(t, await world.admin.delete(`/api-keys/${first.id}`), 200, 'its regulator key revoked');

  // as an earlier version stored them, with no role: subscribing to a query then checked only its owner
  const legacy = (path: string, owner: string, name: string) =>
    queryRows(
      db,
      sql`insert into epcis_subscriptions (id, owner, query_name, dest, stream, cursor)
        values (${path}, ${owner}, ${name}, ${`${hook.dest}/${path}`}, 1, ${since.toISOString()}::timestamptz)`,
    );
  // the party held its operator key alone: its operator key made it
  await legacy('operator-made', bureau.code, 'all');
  await legacy('plant', plant.code, 'mine');
  const second = client(world.app, (await issue()).key);
  // the party held both roles' keys: which one made it is not known
  await legacy('either', bureau.code, 'all');
  // as made now, recording its role
  const made = await second.post('/epcis/queries/all/subscriptions', { dest: `${hook.dest}/regulator-made`, stream: true });
  expectStatus(t, made, 201, 'a regulator key subscribes');
  await queryRows(db, sql`update epcis_subscriptions set cursor = ${since.toISOString()}::timestamptz`);

  await queryRows(db, sql.raw(migrationStatement('0033_subscription_role.sql', 1)));
  const rows = await queryRows<{ id: string; role: string | null; lastError: string | null }>(
    db,
    sql`select id, role, last_error as "lastError" from epcis_subscriptions order by created_at`,
  );
  t.same(
    rows.map((row) => [row.id.length > 20 ? 'regulator-made' : row.id, row.role, row.lastError]),
    [
      ['operator-made', 'operator', PAUSED],
      ['plant', 'operator', null],
      ['either', null, null],
      ['regulator-made', 'regulator', null],
    ],
    'paused where another role’s key made it; the role recorded where the keys tell it; left unknown where they do not',
  );

  expectStatus(t, await plant.api.post('/epcis/events', observedPack(1)), 201, 'the plant captures');
  await world.app.services.subscriptions.tick();
  t.same(
    Object.fromEntries(hook.deliveries),
    { '/plant': 1, '/regulator-made': 1 },
    'the paused subscriptions deliver nothing, though the party holds a regulator key again: neither the one another role made nor the one whose role is unknown',
  );
  const listed = (await second.get('/epcis/queries/all/subscriptions')).body.items;
  t.match(
    listed.find((item: { dest: string }) => item.dest.endsWith('/operator-made')),
    { lastError: PAUSED },
    'the regulator key’s holder sees it paused, and why',
  );
  t.match(
    listed.find((item: { dest: string }) => item.dest.endsWith('/either')),
    { lastError: /^paused: made before subscriptions recorded the role of their key/ },
    'one whose role is unknown is paused as well, saying why',
  );
  expectStatus(t, await second.delete('/epcis/queries/all/subscriptions/operator-made'), 204, 'and ends it');
  expectStatus(t, await bureau.api.get('/epcis/queries/all/subscriptions'), 404, 'the operator key reaches none of them');
});
