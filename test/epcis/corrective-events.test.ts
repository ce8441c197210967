// Corrective events (EPCIS 2.0 errorDeclaration.correctiveEventIDs): EQ_correctiveEventID finds the
// events whose declaration names one of them (§8.2.7.1), a native correction's replacement is named
// as its corrective event, and an event found by the declaration a recordTime window holds is
// rendered with that declaration's recordTime.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
const observed = (serial: number) => ({
  '@context': CONTEXT,
  type: 'ObjectEvent',
  eventID: `urn:uuid:5c0e1d2f-0000-4000-8000-00000000000${serial}`,
  eventTime: `2026-03-0${serial}T08:00:00+08:00`,
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'shipping',
  epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`],
});

type Rendered = { eventID: string; recordTime: string; errorDeclaration?: { correctiveEventIDs?: string[] } };

t.test('EQ_correctiveEventID finds the events whose error declaration names one of its ids', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  for (const serial of [1, 2, 3, 4]) expectStatus(t, await plant.api.post('/epcis/events', observed(serial)), 201, `captured ${serial}`);
  // the corrective eventID sent in upper case: eventIDs are compared as their standard compares them
  const declaration = {
    declarationTime: '2026-03-05T00:00:00Z',
    reason: 'incorrect_data',
    correctiveEventIDs: [observed(3).eventID.toUpperCase().replace('URN:UUID:', 'urn:uuid:')],
  };
  expectStatus(t, await plant.api.post('/epcis/events', { ...observed(1), errorDeclaration: declaration }), 200, 'declared 1 in error');
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      ...observed(2),
      errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', correctiveEventIDs: [observed(4).eventID] },
    }),
    200,
    'declared 2 in error',
  );

  const ids = async (query: string) => {
    const response = expectStatus(t, await plant.api.get(`/epcis/events?${query}`), 200, query);
    return response.body.epcisBody.queryResults.resultsBody.eventList.map((event: Rendered) => event.eventID);
  };
  const param = (...values: string[]) => `EQ_correctiveEventID=${encodeURIComponent(values.join('|'))}`;
  t.same(await ids(param(observed(3).eventID)), [observed(1).eventID], 'the event whose declaration names it');
  t.same(await ids(param(observed(3).eventID.toUpperCase())), [observed(1).eventID], 'named in any case of its urn:uuid');
  t.same(await ids(param(observed(4).eventID, observed(3).eventID)), [observed(1).eventID, observed(2).eventID], 'any of a list');
  t.same(await ids(param(observed(1).eventID)), [], 'an event named by no declaration finds nothing');
  t.same(await ids(`${param(observed(3).eventID)}&EQ_errorReason=did_not_occur`), [], 'with the other declaration parameters');

  expectStatus(
    t,
    await plant.api.post('/epcis/queries', { name: 'replaced', query: { EQ_correctiveEventID: [observed(4).eventID] } }),
    201,
    'a named query takes it',
  );
  const named = expectStatus(t, await plant.api.get('/epcis/queries/replaced/events'), 200, 'ran');
  t.same(
    named.body.epcisBody.queryResults.resultsBody.eventList.map((event: Rendered) => event.eventID),
    [observed(2).eventID],
    'the named query finds the event its corrective event replaced',
  );
});

t.test('a native correction names its replacement as its corrective event', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const pigs = await farm.product('head');
  const original = expectStatus(
    t,
    await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 20, lotNumber: 'W-1' }] }),
    201,
    'commissioned',
  ).body;
  const corrected = expectStatus(
    t,
    await farm.event({
      type: 'correction',
      correctsEventId: original.event.id,
      reason: 'typed 20 for 2',
      replacement: {
        type: 'commission',
        eventTime: original.event.eventTime,
        lots: [{ productCode: pigs, quantity: 2, lotNumber: 'W-1' }],
      },
    }),
    201,
    'corrected with a replacement',
  ).body;
  const corrective = `urn:uuid:${corrected.replacement.id}`;
  t.same(corrected.event.details.correctiveEventIDs, [corrective], 'the correction as recorded names it');
  const stored = expectStatus(t, await farm.api.get(`/events/${corrected.event.id}`), 200, 'the correction').body;
  t.same(stored.details.correctiveEventIDs, [corrective], 'and as stored');

  const declared = expectStatus(t, await farm.api.get('/epcis/events?EXISTS_errorDeclaration'), 200, 'declared events').body.epcisBody
    .queryResults.resultsBody.eventList as Rendered[];
  t.same(
    declared.map((event) => [event.eventID, event.errorDeclaration?.correctiveEventIDs]),
    [[`urn:uuid:${original.event.id}`, [corrective]]],
    'EPCIS renders the corrected event with its corrective event, as a captured declaration would',
  );
  const found = expectStatus(t, await farm.api.get(`/epcis/events?EQ_correctiveEventID=${encodeURIComponent(corrective)}`), 200, 'by it')
    .body.epcisBody.queryResults.resultsBody.eventList as Rendered[];
  t.same(
    found.map((event) => event.eventID),
    [`urn:uuid:${original.event.id}`],
    'EQ_correctiveEventID finds it by its replacement',
  );

  // without a replacement there is no corrective event to name
  const other = expectStatus(t, await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 3 }] }), 201, 'another').body;
  const withdrawn = expectStatus(
    t,
    await farm.event({ type: 'correction', correctsEventId: other.event.id, reason: 'never happened' }),
    201,
    'corrected without a replacement',
  ).body;
  t.same(withdrawn.event.details, { reason: 'never happened' }, 'names none');
});

t.test('an event found by its declaration within recordTime bounds has the declaration’s recordTime', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  for (const serial of [1, 2, 3]) expectStatus(t, await plant.api.post('/epcis/events', observed(serial)), 201, `captured ${serial}`);
  const since = new Date().toISOString();
  // declared in the other order than captured
  for (const serial of [2, 1]) {
    expectStatus(
      t,
      await plant.api.post('/epcis/events', { ...observed(serial), errorDeclaration: { declarationTime: new Date().toISOString() } }),
      200,
      `declared ${serial} in error`,
    );
  }
  const until = new Date(Date.now() + 60_000).toISOString();

  const page = async (query: string) =>
    expectStatus(t, await plant.api.get(`/epcis/events?${query}`), 200, query).body as {
      epcisBody: { queryResults: { resultsBody: { eventList: Rendered[] } } };
    };
  const window = `GE_recordTime=${encodeURIComponent(since)}&LT_recordTime=${encodeURIComponent(until)}`;
  const found = (await page(window)).epcisBody.queryResults.resultsBody.eventList;
  t.same(
    found.map((event) => event.eventID),
    [observed(1).eventID, observed(2).eventID],
    'the events declared within the window',
  );
  for (const event of found) {
    t.ok(
      event.recordTime >= since && event.recordTime < until,
      `${event.eventID} recorded ${event.recordTime}, within the window asked for`,
    );
  }

  // ordered by recordTime, the declarations' order, page by page
  const ascending = `${window}&orderBy=recordTime&orderDirection=ASC&perPage=1`;
  const first = await expectStatus(t, await plant.api.get(`/epcis/events?${ascending}`), 200, 'first page');
  const next = first.body.epcisBody.queryResults.resultsBody.eventList as Rendered[];
  const token = /nextPageToken=([^&>]+)/.exec(String(first.headers.link))?.[1];
  t.ok(token, 'a next page');
  const second = (await page(`${ascending}&nextPageToken=${token}`)).epcisBody.queryResults.resultsBody.eventList;
  t.same(
    [...next, ...second].map((event) => event.eventID),
    [observed(2).eventID, observed(1).eventID],
    'in the order they were declared, each once',
  );

  // without bounds, each as captured
  const all = (await page('orderBy=recordTime&orderDirection=ASC')).epcisBody.queryResults.resultsBody.eventList;
  t.same(
    all.map((event) => event.eventID),
    [1, 2, 3].map((serial) => observed(serial).eventID),
    'without bounds, in the order captured',
  );
  t.ok(
    all.every((event) => event.recordTime < since),
    'with the recordTime of their capture',
  );
});
