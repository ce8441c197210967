// Two service processes on one PostgreSQL database (as `docker compose up --scale` runs them)
// deliver a webhook subscription together: one process at a time holds it, so each event reaches
// the webhook once; the subscription of a process killed while delivering is taken over by the
// other once its lease ends, and that of a process stopped while delivering at once. (A PGlite
// directory is opened by one process only.)
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { type HeldDelivery, heldWebhook, observedPack } from '../fixtures/epcis.js';
import { client, documentOf, type Service, until } from '../fixtures/service-http.js';
import { ADMIN_KEY, serviceStorage, startService } from '../fixtures/service-process.js';
import { usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
// service processes compiling and opening the database on a busy machine
t.setTimeout(360_000);

const onPostgres = { skip: !usingPostgres() && 'PGlite: a data directory is opened by one process only, so no two deliver' };
const env = { WEBHOOKS_ALLOW_INSECURE: 'true', JOB_LEASE_SECONDS: '2' };

/** A party with an operator key, made through `service`, subscribed to all its events at `dest`. */
async function subscriber(service: () => Service, dest: string) {
  const admin = client(service, ADMIN_KEY);
  const party = await admin('POST', '/parties', { kind: 'processor', name: 'subscriber', regionCode: '500236' });
  const { key } = await admin('POST', '/api-keys', { role: 'operator', partyCode: party.code });
  const call = client(service, key);
  await call('POST', '/epcis/queries', { name: 'all', query: {} });
  await call('POST', '/epcis/queries/all/subscriptions', { dest, stream: true });
  return key as string;
}

/** The serials of the events the deliveries carried, in the order delivered. */
const serials = (deliveries: HeldDelivery[]) =>
  deliveries.flatMap((delivery) => delivery.events.map((event) => Number(event.epcList?.[0].split('/').pop())));

t.test('two processes on one database deliver each event of a subscription once', onPostgres, async (t) => {
  const data = await serviceStorage(t);
  // No process dies here, so no lease needs to end. A 2 s lease, renewed before the 1.5 s post and
  // then every 0.67 s by a timer, has 0.5 s to spare: on a loaded machine a late renewal lets it end
  // while the post is under way, and the other process sends the window again.
  const longerLease = { ...env, JOB_LEASE_SECONDS: '30' };
  const [first, second] = [await startService(t, data, longerLease), await startService(t, data, longerLease)];
  // answering after a while, so that both processes look for due subscriptions while one delivers
  const hook = await heldWebhook(t, { answerAfterMs: 1500 });
  const key = await subscriber(() => first, `${hook.dest}/all`);
  const callers = [client(() => first, key), client(() => second, key)];
  const sent: number[] = [];
  for (let serial = 1; serial <= 6; serial++) {
    await callers[serial % 2]('POST', '/epcis/events', observedPack(serial));
    sent.push(serial);
    await until(`event ${serial} to be delivered`, async () => (serials(hook.deliveries).includes(serial) ? true : undefined));
  }
  // every delivery that began has ended once the subscription is let go with its cursor past the last event
  const database = await data.open();
  t.teardown(() => database.close());
  await until('the subscription to be let go past the last event', async () => {
    const [row] = await queryRows<{ settled: boolean }>(
      database.db,
      sql`select s.claimed_by is null and s.cursor >= (select max(record_time) from events) as settled from epcis_subscriptions s`,
    );
    return row?.settled ? true : undefined;
  });
  t.same(
    serials(hook.deliveries).sort((a, b) => a - b),
    sent,
    'each event delivered once, whichever process captured it',
  );
  t.ok(
    hook.deliveries.every((delivery) => delivery.answered),
    'every delivery was answered',
  );
});

t.test('a subscription whose process was killed while delivering is taken over once its lease ends', onPostgres, async (t) => {
  const data = await serviceStorage(t);
  const first = await startService(t, data, env);
  const hook = await heldWebhook(t, { held: true });
  const key = await subscriber(() => first, `${hook.dest}/all`);
  await client(() => first, key)('POST', '/epcis/events', observedPack(1));
  const hanging = await until('the first process to deliver', async () => hook.deliveries[0]);
  const second = await startService(t, data, env);
  await client(() => second, key)('POST', '/epcis/events', observedPack(2));
  await first.stop('SIGKILL');
  await until('the killed process’s delivery to be cut off', async () => (hanging.closed ? true : undefined));
  hook.release();
  await until('the other process to deliver both events', async () =>
    serials(hook.deliveries.filter((delivery) => delivery.answered)).includes(2) ? true : undefined,
  );
  t.same(
    serials(hook.deliveries.filter((delivery) => delivery.answered)).sort((a, b) => a - b),
    [1, 2],
    'the events the killed process did not deliver arrive, each once in the answered deliveries',
  );
  t.same(serials([hanging]), [1], 'its cut-off delivery is sent again: at least once after a crash');
});

t.test(
  'a stop lets go of a delivery it cannot wait for: another process sends it at once, not once its lease ends',
  onPostgres,
  async (t) => {
    const data = await serviceStorage(t);
    // a lease far longer than the test: the subscription reaches the other process only if let go
    const longLease = { ...env, JOB_LEASE_SECONDS: '600' };
    const first = await startService(t, data, { ...longLease, LOG_LEVEL: 'info' });
    const hook = await heldWebhook(t, { held: true });
    const admin = client(() => first, ADMIN_KEY);
    const party = await admin('POST', '/parties', { kind: 'processor', name: 'subscriber', regionCode: '500236' });
    const { key } = await admin('POST', '/api-keys', { role: 'operator', partyCode: party.code });
    const call = client(() => first, key);
    // more events than a page holds (1000): the delivery posts a second page once the first is answered
    const { captureID } = await call('POST', '/epcis/capture', documentOf('stopped-', 1001));
    await until('the capture to end', async () => ((await call('GET', `/epcis/capture/${captureID}`)).running ? undefined : true));
    await call('POST', '/epcis/queries', { name: 'all', query: {} });
    await call('POST', '/epcis/queries/all/subscriptions', {
      dest: `${hook.dest}/all`,
      stream: true,
      initialRecordTime: '2026-01-01T00:00:00Z',
    });
    const firstPage = await until('the first page to be posted', async () => hook.deliveries[0]);
    t.equal(firstPage.events.length, 1000, 'a whole page first');

    const stopped = first.stop('SIGTERM');
    await first.waitFor(/"msg":"shutting down"/);
    // the first page answered once the stop has begun: the second is posted during the stop, and held
    hook.release();
    hook.hold();
    const secondPage = await until('the second page to be posted', async () => hook.deliveries[1]);
    t.same(await stopped, { code: 0, signal: null }, 'the stop ends within its grace period');
    t.ok(secondPage.closed && !secondPage.answered, 'cutting off the delivery it could not wait for');

    const second = await startService(t, data, longLease);
    hook.release();
    const resent = await until('the other process to deliver the window again', async () => {
      const answered = hook.deliveries.slice(2).filter((delivery) => delivery.answered);
      return answered.reduce((count, delivery) => count + delivery.events.length, 0) >= 1001 ? answered : undefined;
    });
    const epcs = resent.flatMap((delivery) => delivery.events.map((event) => event.epcList?.[0]));
    t.equal(new Set(epcs).size, 1001, 'every event of the window, the page answered before the stop too: at least once');
    t.equal(epcs.length, 1001, 'each once');
    t.ok(second.child.exitCode === null, 'by the process still running');
  },
);
