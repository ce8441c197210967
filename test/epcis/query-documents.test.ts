// What queries answer and webhooks are sent are EPCISQueryDocuments: each passes GS1's own JSON
// Schema (the bundled EPCIS-Document-JSON-Schema.json, #/definitions/epcisQueryDocument), which
// keeps the top level to @context, id, type, schemaVersion, creationDate and epcisBody, and has
// queryResults name the query (and a subscription's delivery its subscriptionID).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { epcisValidators } from '../../src/epcis/validation/schema.js';
import { observedPack } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Pack `serial` observed on day `serial` of March 2026 at the business step. */
const event = (bizStep: string, serial: number) => ({ ...observedPack(serial), bizStep });

/** Passes the bundled GS1 schema, or fails the test with ajv's errors. */
function conforms(t: Test, document: unknown, what: string) {
  const validate = epcisValidators().queryDocument;
  const valid = validate(document);
  t.ok(valid, `${what}: an EPCISQueryDocument by GS1's JSON Schema`);
  if (!valid) t.comment(JSON.stringify(validate.errors?.slice(0, 3)));
}

t.test('the schema check itself refuses what GS1 refuses', async (t) => {
  const validate = epcisValidators().queryDocument;
  const body = { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: [] } } };
  const document = {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    type: 'EPCISQueryDocument',
    epcisBody: body,
  };
  t.ok(validate(document), 'a query document');
  t.notOk(validate({ ...document, subscriptionID: 'x' }), 'a subscriptionID at the top level');
  t.notOk(validate({ ...document, queryName: 'x' }), 'a queryName at the top level');
  t.notOk(validate({ ...document, epcisBody: { queryResults: { resultsBody: { eventList: [] } } } }), 'results naming no query');
});

t.test('query answers name their query, and pass GS1’s schema', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  for (const [index, bizStep] of ['shipping', 'receiving'].entries())
    expectStatus(t, await plant.api.post('/epcis/events', event(bizStep, index + 1)), 201, `${bizStep} captured`);
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'shipments', query: { EQ_bizStep: 'shipping' } }), 201, 'named query');

  for (const [url, queryName, count] of [
    ['/epcis/events', 'SimpleEventQuery', 2],
    ['/epcis/bizSteps/shipping/events', 'SimpleEventQuery', 1],
    ['/epcis/queries/shipments/events', 'shipments', 1],
  ] as const) {
    const answer = await plant.api.get(url);
    expectStatus(t, answer, 200, url);
    conforms(t, answer.body, url);
    t.equal(answer.body.epcisBody.queryResults.queryName, queryName, `${url} names ${queryName}`);
    t.notOk('subscriptionID' in answer.body.epcisBody.queryResults, 'no subscription');
    t.equal(answer.body.epcisBody.queryResults.resultsBody.eventList.length, count, 'with its events');
  }
});

t.test('a webhook delivery names the subscription and its query inside queryResults, and passes GS1’s schema', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const plant = await world.party('slaughterhouse');
  const received: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const dest = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'shipments', query: { EQ_bizStep: 'shipping' } }), 201, 'named query');
  const streamed = await plant.api.post('/epcis/queries/shipments/subscriptions', { dest, stream: true });
  expectStatus(t, streamed, 201, 'a stream');
  const another = await plant.api.post('/epcis/queries/shipments/subscriptions', { dest: `${dest}/2`, stream: true });
  expectStatus(t, another, 201, 'another');
  expectStatus(t, await plant.api.post('/epcis/events', event('shipping', 1)), 201, 'an event');
  await world.app.services.subscriptions.tick();

  t.equal(received.length, 2, 'each subscription delivered');
  const deliveries = received.map((body) => JSON.parse(body));
  for (const delivery of deliveries) conforms(t, delivery, 'a delivery');
  t.same(
    deliveries.map((delivery) => delivery.epcisBody.queryResults.subscriptionID).sort(),
    [streamed.body.subscriptionID, another.body.subscriptionID].sort(),
    'each names its subscription',
  );
  for (const delivery of deliveries) {
    t.equal(delivery.epcisBody.queryResults.queryName, 'shipments', 'and the named query it runs');
    t.same(
      Object.keys(delivery).sort(),
      ['@context', 'creationDate', 'epcisBody', 'schemaVersion', 'type'],
      'nothing else at the top level',
    );
    t.equal(delivery.epcisBody.queryResults.resultsBody.eventList.length, 1, 'with the event');
  }
});
