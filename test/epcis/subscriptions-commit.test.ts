// Stream subscriptions and transactions that take long to commit (PostgreSQL, real concurrency):
// an event's recordTime is taken when its write starts, but it can be read only once its
// transaction commits. A round must not move its window past a write still in flight.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { holdWriting } from '../fixtures/locks.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { client, postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A webhook on this host that accepts every delivery and keeps the event ids of each. */
async function webhook(t: Test) {
  const deliveries: string[][] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const events: { eventID: string }[] = JSON.parse(body).epcisBody.queryResults.resultsBody.eventList;
      deliveries.push(events.map((event) => event.eventID));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { dest: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];

const onPostgres = await postgresOnly();
/** A world on PostgreSQL whose subscriptions deliver only when ticked, with no lag, to webhooks on this host. */
const streamingWorld = (t: Test) =>
  createWorld(t, 'postgres', { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
t.test(
  'a stream subscription delivers the events of a transaction that commits long after their recordTime, each once',
  onPostgres,
  async (t) => {
    const world = await streamingWorld(t);
    const plant = await world.party('processor');
    const kg = await plant.product('kg');
    const lot = await plant.commission(kg, 100);
    // another party captures while the writer holds on (its own party's chain stays locked meanwhile)
    const farm = await world.party('farm');
    const hook = await webhook(t);
    // a regulator reads every party's events
    const issued = await world.ok(world.admin.post('/api-keys', { role: 'regulator' }));
    const regulator = client(world.app, issued.key);
    expectStatus(t, await regulator.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
    expectStatus(t, await regulator.post('/epcis/queries/all/subscriptions', { dest: hook.dest, stream: true }), 201, 'subscribed');
    const subscriptions = world.app.services.subscriptions;
    await sleep(5);
    await subscriptions.tick();
    const delivered = () => hook.deliveries.flat();
    t.same(delivered(), [], 'nothing recorded since subscribing');

    // a writer transaction (as a capture job's) stores its events, then holds on before committing
    const slow = await holdWriting(
      world,
      [1, 2, 3].map((i) => ({
        actor: plant.code,
        action: { type: 'sell', lines: [{ lotCode: lot, quantity: i }] },
        context: { eventTime: at(100 + i) },
      })),
    );
    const slowIds = slow.ids.map((id) => `urn:uuid:${id}`);

    // meanwhile, a transaction that only reads stays open, and other events are captured and committed
    let endReading!: () => void;
    const reading = world.database.db.transaction(async (tx) => {
      await tx.execute(sql`select count(*) from events`);
      await new Promise<void>((resolve) => (endReading = resolve));
    });
    const quick = await farm.api.post('/epcis/events', {
      '@context': CONTEXT,
      type: 'ObjectEvent',
      eventTime: '2026-03-01T08:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      epcList: ['https://id.gs1.org/01/06901234000030/21/1'],
    });
    expectStatus(t, quick, 201, 'an event captured and committed while the writer holds on');
    const quickId = quick.body.eventID as string;
    for (let round = 0; round < 4; round++) {
      await sleep(100);
      await subscriptions.tick();
    }
    t.same(delivered(), [], 'while the writer holds on, the window stays before its record time (later commits wait with it)');

    await slow.commit();
    await subscriptions.tick();
    t.same(delivered().sort(), [...slowIds, quickId].sort(), 'once it commits, one round delivers every event');
    await subscriptions.tick();
    t.equal(delivered().length, 4, 'each once');

    // nor does another program's transaction left open after writing (an administrator's psql session)
    let endOutside!: () => void;
    let outsideWrote!: () => void;
    const wroteOutside = new Promise<void>((resolve) => (outsideWrote = resolve));
    const outside = world.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local application_name = 'psql'`);
      await tx.execute(sql`select pg_current_xact_id()`);
      outsideWrote();
      await new Promise<void>((resolve) => (endOutside = resolve));
    });
    await wroteOutside;

    // a transaction that only reads does not hold deliveries back
    const later = await plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] });
    expectStatus(t, later, 201, 'sold');
    await sleep(5);
    await subscriptions.tick();
    t.equal(delivered().length, 5, 'delivered while a reading transaction and another program’s writing one are open');
    endReading();
    endOutside();
    await Promise.all([reading, outside]);
  },
);

t.test(
  'a stream subscription ticking through large capture jobs (rollback, then proceed in chunks) delivers every event once',
  onPostgres,
  async (t) => {
    const world = await streamingWorld(t);
    const plant = await world.party('processor');
    const hook = await webhook(t);
    expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
    expectStatus(t, await plant.api.post('/epcis/queries/all/subscriptions', { dest: hook.dest, stream: true }), 201, 'subscribed');
    const subscriptions = world.app.services.subscriptions;
    const eventId = (tag: string, index: number) => `urn:uuid:6c1f1f52-0f0e-4d1e-9c55-${tag}${index.toString(16).padStart(11, '0')}`;
    const observe = (tag: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({
        type: 'ObjectEvent',
        eventID: eventId(tag, index),
        eventTime: '2026-03-01T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'OBSERVE',
        bizStep: 'inspecting',
        epcList: [`https://id.gs1.org/01/06901234000030/21/${tag}${index}`],
      }));

    const expected: string[] = [];
    for (const [tag, behaviour, count] of [
      ['a', 'rollback', 1500],
      ['b', 'proceed', 2500],
    ] as const) {
      const eventList = observe(tag, count);
      expected.push(...eventList.map((event) => event.eventID));
      const reply = await world.app.inject({
        method: 'POST',
        url: '/epcis/capture',
        payload: {
          '@context': CONTEXT,
          type: 'EPCISDocument',
          schemaVersion: '2.0',
          creationDate: '2026-03-10T00:00:00Z',
          epcisBody: { eventList },
        },
        headers: { authorization: `Bearer ${plant.key}`, 'content-type': 'application/ld+json', 'gs1-capture-error-behaviour': behaviour },
      });
      t.equal(reply.statusCode, 202, `${behaviour} capture accepted`);
      const id = reply.json().captureID as string;
      // the subscription ticks all through the job, as the background loop would
      let ticks = 0;
      for (;;) {
        await subscriptions.tick();
        ticks++;
        const job = (await plant.api.get(`/epcis/capture/${id}`)).body;
        if (!job.running) {
          t.match(job, { success: true, captured: count }, `${behaviour} job succeeded`);
          break;
        }
        await sleep(25);
      }
      t.ok(ticks > 1, `${ticks} rounds while the ${behaviour} job ran`);
    }
    await subscriptions.tick();
    const delivered = hook.deliveries.flat();
    t.equal(delivered.length, expected.length, `${delivered.length} of ${expected.length} events delivered`);
    t.same(delivered.sort(), expected.sort(), 'every event, each once');
  },
);
