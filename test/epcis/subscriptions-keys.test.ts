// Whether the keys a subscription needs are still valid is read once per delivery round, however
// many subscriptions the round delivers, and by an index on the keys' party.
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../src/db/client.js';
import { apiKeys } from '../../src/db/schema.js';
import { createSubscriptionService } from '../../src/epcis/subscriptions.js';
import { countingWebhook, observedPack } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The database, counting the statements that read api_keys. */
function countingKeyReads(db: Db) {
  const counter = { reads: 0 };
  const wrap = <T extends object>(builder: T): T =>
    new Proxy(builder, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== 'from' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (table: unknown, ...rest: unknown[]) => {
          if (table === apiKeys) counter.reads++;
          return value.call(target, table, ...rest);
        };
      },
    });
  const counted = new Proxy(db, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if ((name === 'select' || name === 'selectDistinct') && typeof value === 'function')
        return (...args: unknown[]) => wrap(value.apply(target, args));
      return value;
    },
  });
  return { db: counted, counter };
}

t.test('a delivery round reads the keys once, however many subscriptions it delivers', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const hook = await countingWebhook(t);
  const { db, counter } = countingKeyReads(world.database.db);
  const subscriptions = createSubscriptionService({ db, epcis: world.app.services.epcis, webhooks: { allowInsecure: true }, lagMs: 0 });
  t.teardown(() => subscriptions.stop());
  const since = new Date(Date.now() - 60_000).toISOString();
  const plants = [await world.party('slaughterhouse'), await world.party('processor')];
  const keyless = await world.ok(world.admin.post('/api-keys', { role: 'regulator' }));
  const principals = [
    ...plants.map((plant) => ({ keyId: 'k', role: 'operator' as const, partyCode: plant.code })),
    { keyId: keyless.id as string, role: 'regulator' as const, partyCode: null },
  ];
  let n = 0;
  for (const principal of principals) {
    await subscriptions.createQuery(principal, 'all', {});
    for (let i = 0; i < 3; i++)
      await subscriptions.subscribe(principal, 'all', { dest: `${hook.dest}/${++n}`, stream: true, initialRecordTime: since });
  }
  for (const [i, plant] of plants.entries()) expectStatus(t, await plant.api.post('/epcis/events', observedPack(i + 1)), 201, 'captured');

  counter.reads = 0;
  await subscriptions.tick();
  t.equal(hook.deliveries.size, 9, 'every subscription delivered');
  t.ok(counter.reads <= 2, `the keys read once for the round, not once a subscription (${counter.reads} reads)`);

  // revoked keys still stop their subscriptions
  expectStatus(t, await world.admin.delete(`/api-keys/${keyless.id}`), 200, 'the key of no party revoked');
  expectStatus(t, await plants[0].api.post('/epcis/events', observedPack(3)), 201, 'captured');
  await subscriptions.tick();
  t.same(
    // by subscription, in the order subscribed (a round delivers several at once, in any order)
    Array.from({ length: 9 }, (_, i) => hook.deliveries.get(`/${i + 1}`)),
    [2, 2, 2, 1, 1, 1, 1, 1, 1],
    'the party’s subscriptions deliver its new event; the revoked key’s deliver nothing more',
  );
  t.same(await queryRows(world.database.db, sql`select id from epcis_subscriptions where owner like 'key:%'`), [], 'and are gone');
});

t.test('api keys are found by their party through an index', async (t) => {
  const world = await createWorld(t);
  const indexes = await queryRows<{ indexdef: string }>(
    world.database.db,
    sql`select indexdef from pg_indexes where tablename = 'api_keys'`,
  );
  t.ok(
    indexes.some((index) => /\(party_code\b/.test(index.indexdef)),
    `an index led by party_code: ${indexes.map((index) => index.indexdef).join('; ')}`,
  );
});
