// A scheduled subscription delivers once per slot of its schedule, at the slot: what was recorded
// until the slot began. A slot whose look finds nothing sends nothing, however many looks follow
// within it; the next slot delivers what came since.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createSubscriptionService, scheduleFieldProblem, scheduleMatches } from '../../src/epcis/subscriptions.js';
import { heldWebhook, observedPack } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The serials of the events each delivery carried. */
const serials = (deliveries: { events: { epcList?: string[] }[] }[]) =>
  deliveries.map((delivery) => delivery.events.map((e) => Number(e.epcList?.[0].split('/').pop())));

t.test('a slot whose look found nothing delivers nothing later in the slot; the next slot delivers it', async (t) => {
  let clock = new Date('2026-03-10T00:59:00Z');
  const now = () => clock;
  const world = await createWorld(t, undefined, {
    now,
    subscriptionLagMs: 0,
    subscriptionTickMs: 3_600_000,
    webhooks: { allowInsecure: true },
  });
  const plant = await world.party('slaughterhouse');
  const hook = await heldWebhook(t);
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
  const schedule = { minute: '0,30' };
  expectStatus(
    t,
    await plant.api.post('/epcis/queries/all/subscriptions', { dest: hook.dest, schedule }),
    201,
    'on the hour and half hour',
  );
  const subscriptions = world.app.services.subscriptions;

  clock = new Date('2026-03-10T01:00:00Z');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [], 'nothing recorded before the 01:00 slot: nothing sent');

  clock = new Date('2026-03-10T01:00:20Z');
  expectStatus(t, await plant.api.post('/epcis/events', observedPack(1)), 201, 'captured within the slot');
  clock = new Date('2026-03-10T01:00:40Z');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [], 'a later look within the slot sends nothing');
  // a process starting now, that has not looked before, does the same
  const fresh = createSubscriptionService({
    db: world.database.db,
    epcis: world.app.services.epcis,
    webhooks: { allowInsecure: true },
    lagMs: 0,
    now,
  });
  t.teardown(() => fresh.stop());
  await fresh.tick();
  t.same(serials(hook.deliveries), [], 'nor does another process looking within the slot');

  clock = new Date('2026-03-10T01:10:00Z');
  expectStatus(t, await plant.api.post('/epcis/events', observedPack(2)), 201, 'captured between slots');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [], 'nothing sent between slots');

  clock = new Date('2026-03-10T01:30:00Z');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [[1, 2]], 'the next slot delivers what came since the last, once');
  clock = new Date('2026-03-10T01:30:30Z');
  await subscriptions.tick();
  await fresh.tick();
  t.same(serials(hook.deliveries), [[1, 2]], 'and that slot is done');
});

t.test('a subscription with reportIfEmpty created within a slot sends its first empty report at the next slot', async (t) => {
  let clock = new Date('2026-03-10T01:10:00Z');
  const now = () => clock;
  const world = await createWorld(t, undefined, {
    now,
    subscriptionLagMs: 0,
    subscriptionTickMs: 3_600_000,
    webhooks: { allowInsecure: true },
  });
  const plant = await world.party('slaughterhouse');
  const hook = await heldWebhook(t);
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
  expectStatus(
    t,
    await plant.api.post('/epcis/queries/all/subscriptions', { dest: hook.dest, schedule: { minute: '0,30' }, reportIfEmpty: true }),
    201,
    'on the hour and half hour, empty reports too',
  );
  const subscriptions = world.app.services.subscriptions;

  clock = new Date('2026-03-10T01:10:30Z');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [], 'the slot it was created in, begun before it, sends nothing');
  clock = new Date('2026-03-10T01:30:00Z');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [[]], 'the next slot sends the empty report');
  clock = new Date('2026-03-10T02:00:00Z');
  await subscriptions.tick();
  t.same(serials(hook.deliveries), [[], []], 'and so does each slot after');
});

t.test('dayOfWeek is the standard’s, 1 (Monday) through 7 (Sunday), and a schedule never met is refused', async (t) => {
  const sunday = new Date('2026-12-06T10:00:00Z');
  const monday = new Date('2026-12-07T10:00:00Z');
  t.ok(scheduleMatches({ dayOfWeek: '7' }, sunday), '7 is Sunday');
  t.notOk(scheduleMatches({ dayOfWeek: '7' }, monday), 'not Monday');
  t.ok(scheduleMatches({ dayOfWeek: '1' }, monday), '1 is Monday');
  t.ok(scheduleMatches({ dayOfWeek: '[6-7]' }, sunday), 'a weekend');
  t.ok(scheduleFieldProblem('dayOfWeek', '0'), '0 is no day');
  t.equal(scheduleFieldProblem('dayOfWeek', '[1-7]'), null, 'every day');

  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const zero = await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'http://127.0.0.1:1/hook', schedule: { dayOfWeek: '0' } });
  expectStatus(t, zero, 400, 'dayOfWeek 0');
  t.equal(zero.body.errors?.[0]?.pointer, '/schedule/dayOfWeek');
  const never = await plant.api.post('/epcis/queries/all/subscriptions', {
    dest: 'http://127.0.0.1:1/hook',
    schedule: { dayOfMonth: '31', month: '2' },
  });
  expectStatus(t, never, 400, 'the 31st of February');
  t.equal(never.body.errors?.[0]?.pointer, '/schedule', 'names the schedule');
  expectStatus(
    t,
    await plant.api.post('/epcis/queries/all/subscriptions', {
      dest: 'http://127.0.0.1:1/hook',
      schedule: { dayOfMonth: '29', month: '2' },
    }),
    201,
    'the 29th of February comes in a leap year',
  );
});

t.test('a stored dayOfWeek 0 (Sunday, as it was numbered) becomes 7: every schedule keeps its days', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('processor');
  await world.ok(plant.api.post('/epcis/queries', { name: 'all', query: {} }));
  const made = await plant.api.post('/epcis/queries/all/subscriptions', { dest: 'http://127.0.0.1:1/hook', schedule: { dayOfWeek: '1' } });
  expectStatus(t, made, 201, 'scheduled');
  const before = { '0': '7', '0,3': '7,3', '[0-2]': '[1-2],7', '0-6': '1-6,7', '[0-0]': '7', '[1-5]': '[1-5]', '6,00': '6,7' };
  const migration = readFileSync(new URL('../../migrations/0060_subscription_day_of_week.sql', import.meta.url), 'utf8');
  for (const [stored, migrated] of Object.entries(before)) {
    await queryRows(
      world.database.db,
      sql`update epcis_subscriptions set schedule = ${JSON.stringify({ minute: '0', dayOfWeek: stored })}::jsonb`,
    );
    await queryRows(world.database.db, sql.raw(migration));
    const [row] = await queryRows<{ schedule: Record<string, string> }>(world.database.db, sql`select schedule from epcis_subscriptions`);
    t.same(row.schedule, { minute: '0', dayOfWeek: migrated }, `${stored} becomes ${migrated}`);
  }
});
