// An EPCIS query's lists travel to the database whole, whatever their length: a named query may
// store as many values as its 64 KiB of parameters hold (an event's ids, each looked up under its
// party's keys, more), and an EPC pattern may stand for more lots than a statement has bind parameters
// (65,535). Each list is one array parameter, so such a query answers, never a 500.
import { EPCIS_CONTEXT } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const eventIds = (reply: { body: any }) =>
  (reply.body.epcisBody?.queryResults.resultsBody.eventList ?? []).map((event: { eventID: string }) => event.eventID);

t.test('a named query of as many values as it may store runs', async (t) => {
  const world = await createWorld(t, undefined, { bodyLimit: 1024 * 1024 });
  const plant = await world.party('processor');
  const event = {
    '@context': EPCIS_CONTEXT,
    type: 'ObjectEvent',
    eventID: 'urn:uuid:5d0c7a52-0000-4000-8000-000000000001',
    eventTime: '2026-03-02T08:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'shipping',
    epcList: ['https://id.gs1.org/01/06901234000030/21/1'],
  };
  expectStatus(t, await plant.api.post('/epcis/events', event), 201, 'captured');
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      ...event,
      errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', reason: 'incorrect_data' },
    }),
    200,
    'declared in error',
  );
  // each list holds 15,000 values (60 KB stored), among them the one that finds the event
  const many = (value: string, filler: string) => [...Array.from({ length: 15_000 }, () => filler), value].join('|');
  for (const [name, query] of [
    ['steps', { EQ_bizStep: many('shipping', 'x') }],
    ['reasons', { EQ_errorReason: many('incorrect_data', 'x') }],
    ['ids', { EQ_eventID: many(event.eventID, 'x') }],
    ['steps-recorded', { EQ_bizStep: many('shipping', 'x'), GE_recordTime: '2026-01-01T00:00:00Z' }],
  ] as const) {
    expectStatus(t, await plant.api.post('/epcis/queries', { name, query }), 201, `named query ${name}`);
    const reply = expectStatus(t, await plant.api.get(`/epcis/queries/${name}/events`), 200, `named query ${name} runs`);
    t.same(eventIds(reply), [event.eventID], `named query ${name} finds the event`);
  }
});

t.test('an EPC pattern standing for more lots than a statement takes parameters matches them', async (t) => {
  const world = await createWorld(t, undefined, { bodyLimit: 1024 * 1024 });
  const plant = await world.party('processor');
  // 7,000 packs in one event: the five instance MATCH_ parameters, each naming all of them, twice over
  // (the events recorded within the recordTime bounds and those declared in error within them), pass 70,000 lots
  const epcList = Array.from({ length: 7000 }, (_, serial) => `https://id.gs1.org/01/06901234000030/21/${serial + 1}`);
  const event = {
    '@context': EPCIS_CONTEXT,
    type: 'ObjectEvent',
    eventID: 'urn:uuid:5d0c7a52-0000-4000-8000-000000000002',
    eventTime: '2026-03-02T08:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    bizStep: 'commissioning',
    epcList,
  };
  expectStatus(t, await plant.api.post('/epcis/events', event), 201, 'captured');
  const pattern = encodeURIComponent('urn:epc:idpat:sgtin:*.*.*');
  const matches = ['MATCH_epc', 'MATCH_anyEPC', 'MATCH_epcClass', 'MATCH_anyEPCClass'];
  const classes = matches.filter((name) => name.endsWith('Class'));
  const instances = matches.filter((name) => !name.endsWith('Class'));
  const query = (names: string[]) => [...names.map((name) => `${name}=${pattern}`), 'GE_recordTime=2026-01-01T00:00:00Z'].join('&');
  const found = expectStatus(t, await plant.api.get(`/epcis/events?${query(instances)}`), 200, 'instances matched');
  t.same(eventIds(found), [event.eventID], 'the event names them as instances');
  const everyMatch = Object.keys((await import('../../src/epcis/query-params.js')).MATCHES).filter((name) => !classes.includes(name));
  const all = expectStatus(
    t,
    await plant.api.post('/epcis/queries', {
      name: 'every-match',
      query: {
        ...Object.fromEntries(everyMatch.map((name) => [name, 'urn:epc:idpat:sgtin:*.*.*'])),
        GE_recordTime: '2026-01-01T00:00:00Z',
      },
    }),
    201,
    'named query of every instance match',
  );
  t.ok(all);
  const reply = expectStatus(t, await plant.api.get('/epcis/queries/every-match/events'), 200, 'runs');
  t.same(eventIds(reply), [], 'no event names them as input, output and parent at once');
});
