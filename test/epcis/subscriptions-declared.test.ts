// An event declared in error after it was delivered is delivered again, carrying its
// errorDeclaration: a declaration is recorded when it is made, and queries by recordTime see it then.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
const observed = (serial: number) => ({
  '@context': CONTEXT,
  type: 'ObjectEvent',
  eventID: `urn:uuid:6d3f1c2a-0000-4000-8000-00000000000${serial}`,
  eventTime: `2026-03-0${serial}T08:00:00+08:00`,
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'shipping',
  epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`],
});

type Delivered = { eventID: string; errorDeclaration?: { reason?: string } };

/** A webhook on this host that accepts every delivery and keeps the events of each. */
async function webhook(t: Test) {
  const deliveries: Delivered[][] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      deliveries.push(JSON.parse(body).epcisBody.queryResults.resultsBody.eventList);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { dest: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries };
}

const summary = (deliveries: Delivered[][]) =>
  deliveries.map((events) => events.map((e) => `${e.eventID}${e.errorDeclaration ? ` declared ${e.errorDeclaration.reason}` : ''}`));

t.test('an event declared in error after its delivery is delivered again, with its errorDeclaration', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('slaughterhouse');
  const hook = await webhook(t);
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'shipping', query: { EQ_bizStep: 'shipping' } }), 201, 'named query');
  expectStatus(t, await plant.api.post('/epcis/queries/shipping/subscriptions', { dest: hook.dest, stream: true }), 201, 'subscribed');
  const subscriptions = world.app.services.subscriptions;

  expectStatus(t, await plant.api.post('/epcis/events', observed(1)), 201, 'captured');
  expectStatus(t, await plant.api.post('/epcis/events', observed(2)), 201, 'captured');
  await subscriptions.tick();
  t.same(summary(hook.deliveries), [[observed(1).eventID, observed(2).eventID]], 'delivered as captured');

  const declaredAt = new Date().toISOString();
  const declaration = { declarationTime: '2026-03-05T00:00:00Z', reason: 'incorrect_data' };
  expectStatus(t, await plant.api.post('/epcis/events', { ...observed(1), errorDeclaration: declaration }), 200, 'declared in error');
  await subscriptions.tick();
  t.same(
    summary(hook.deliveries),
    [[observed(1).eventID, observed(2).eventID], [`${observed(1).eventID} declared incorrect_data`]],
    'the declared event comes again, carrying its declaration; the other does not',
  );
  await subscriptions.tick();
  t.equal(hook.deliveries.length, 2, 'and once');

  // a native correction of a native event is a declaration as well
  const native = await plant.event({ type: 'commission', lots: [{ productCode: await plant.product(), quantity: 5 }] });
  t.equal(native.status, 201);
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query of every event');
  expectStatus(t, await plant.api.post('/epcis/queries/all/subscriptions', { dest: `${hook.dest}?all`, stream: true }), 201, 'subscribed');
  await subscriptions.tick();
  t.equal(hook.deliveries.length, 2, 'nothing recorded since subscribing');
  expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: native.body.event.id, reason: 'entered twice' }),
    201,
    'corrected',
  );
  await subscriptions.tick();
  t.match(
    hook.deliveries.at(-1),
    [{ eventID: `urn:uuid:${native.body.event.id}`, errorDeclaration: { declarationTime: String } }],
    'the corrected native event is delivered, declared in error',
  );

  const since = await plant.api.get(`/epcis/events?GE_recordTime=${encodeURIComponent(declaredAt)}&EQ_bizStep=shipping`);
  t.same(
    since.body.epcisBody.queryResults.resultsBody.eventList.map((e: Delivered) => e.eventID),
    [observed(1).eventID],
    'GE_recordTime after the capture finds the event declared in error since',
  );
  const before = await plant.api.get(`/epcis/events?LT_recordTime=${encodeURIComponent(declaredAt)}&EQ_bizStep=shipping`);
  t.same(
    before.body.epcisBody.queryResults.resultsBody.eventList.map((e: Delivered) => e.eventID),
    [observed(1).eventID, observed(2).eventID],
    'and LT_recordTime before the declaration still finds both as recorded',
  );
});
