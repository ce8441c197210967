// The EPCIS 2.0 query parameters on error declarations (§8.2.7.1): GE_/LT_errorDeclarationTime,
// EQ_errorReason and EXISTS_errorDeclaration find events by the declaration made of them.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
const observed = (serial: number) => ({
  '@context': CONTEXT,
  type: 'ObjectEvent',
  eventID: `urn:uuid:7a1e2b3c-0000-4000-8000-00000000000${serial}`,
  eventTime: `2026-03-0${serial}T08:00:00+08:00`,
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'shipping',
  epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`],
});

t.test('events are found by the error declaration made of them', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  expectStatus(t, await plant.api.post('/epcis/events', observed(1)), 201, 'captured');
  expectStatus(t, await plant.api.post('/epcis/events', observed(2)), 201, 'captured');
  const declaration = { declarationTime: '2026-03-05T00:00:00Z', reason: 'incorrect_data' };
  expectStatus(t, await plant.api.post('/epcis/events', { ...observed(1), errorDeclaration: declaration }), 200, 'declared in error');

  const ids = async (query: string) => {
    const response = await plant.api.get(`/epcis/events?${query}`);
    expectStatus(t, response, 200, query);
    return response.body.epcisBody.queryResults.resultsBody.eventList.map((event: { eventID: string }) => event.eventID);
  };
  const declared = [observed(1).eventID];
  t.same(await ids(''), [observed(1).eventID, observed(2).eventID], 'without them, every event');
  t.same(await ids('GE_errorDeclarationTime=2026-03-04T00:00:00Z'), declared, 'declared at or after: the declared one');
  t.same(await ids('GE_errorDeclarationTime=2026-03-05T00:00:00Z'), declared, 'the bound holds its own time');
  t.same(await ids('GE_errorDeclarationTime=2026-03-06T00:00:00Z'), [], 'none declared later');
  t.same(await ids('LT_errorDeclarationTime=2026-03-04T00:00:00Z'), [], 'none declared before');
  t.same(await ids('LT_errorDeclarationTime=2026-03-06T00:00:00Z'), declared, 'declared before: the declared one');
  t.same(await ids('EXISTS_errorDeclaration='), declared, 'EXISTS_errorDeclaration: the declared one');
  t.same(await ids('EXISTS_errorDeclaration=true'), declared, 'EXISTS_errorDeclaration=true alike');
  t.same(await ids('EQ_errorReason=incorrect_data'), declared, 'EQ_errorReason by the CBV short name');
  t.same(await ids(`EQ_errorReason=${encodeURIComponent('urn:epcglobal:cbv:er:incorrect_data')}`), declared, 'by its URN');
  t.same(await ids(`EQ_errorReason=${encodeURIComponent('https://ref.gs1.org/cbv/ER-incorrect_data')}`), declared, 'by its web URI');
  t.same(await ids('EQ_errorReason=did_not_occur'), [], 'another reason matches nothing');
  t.same(await ids('EQ_errorReason=did_not_occur|incorrect_data'), declared, 'a list matches any of its reasons');

  // a native correction is a declaration too, at the time it was recorded, with its own reason
  const native = await plant.event({ type: 'commission', lots: [{ productCode: await plant.product(), quantity: 5 }] });
  t.equal(native.status, 201);
  const before = new Date().toISOString();
  expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: native.body.event.id, reason: 'entered twice' }),
    201,
    'corrected',
  );
  const nativeId = `urn:uuid:${native.body.event.id}`;
  t.same(await ids(`GE_errorDeclarationTime=${encodeURIComponent(before)}`), [nativeId], 'a native correction by when it was made');
  t.same(await ids(`EQ_errorReason=${encodeURIComponent('entered twice')}`), [nativeId], 'and by its reason');
  t.same(await ids('EXISTS_errorDeclaration=true&orderBy=recordTime&orderDirection=ASC'), [...declared, nativeId], 'both declared');
});

t.test('bad values are a 400 naming the parameter', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  for (const [query, pointer] of [
    ['GE_errorDeclarationTime=yesterday', '/GE_errorDeclarationTime'],
    ['LT_errorDeclarationTime=2026-03-05', '/LT_errorDeclarationTime'],
    ['GE_errorDeclarationTime=2026-03-05T00:00:00Z&GE_errorDeclarationTime=2026-03-06T00:00:00Z', '/GE_errorDeclarationTime'],
    ['EXISTS_errorDeclaration=false', '/EXISTS_errorDeclaration'],
  ]) {
    const response = await plant.api.get(`/epcis/events?${query}`);
    t.equal(response.status, 400, query);
    t.equal(response.body.errors?.[0]?.pointer, pointer, `${query}: names the parameter`);
  }
  const named = await plant.api.post('/epcis/queries', { name: 'bad', query: { LT_errorDeclarationTime: 'soon' } });
  t.equal(named.status, 400, 'a named query with a bad time');
  t.equal(named.body.errors?.[0]?.pointer, '/query/LT_errorDeclarationTime', 'names it in the body');
});

t.test('a named query takes them', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  expectStatus(t, await plant.api.post('/epcis/events', observed(1)), 201, 'captured');
  expectStatus(t, await plant.api.post('/epcis/events', observed(2)), 201, 'captured');
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      ...observed(2),
      errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', reason: 'did_not_occur' },
    }),
    200,
    'declared in error',
  );
  expectStatus(
    t,
    await plant.api.post('/epcis/queries', {
      name: 'withdrawn',
      query: { EQ_errorReason: ['did_not_occur'], GE_errorDeclarationTime: '2026-03-01T00:00:00Z' },
    }),
    201,
    'named query',
  );
  const response = await plant.api.get('/epcis/queries/withdrawn/events');
  expectStatus(t, response, 200, 'ran');
  t.same(
    response.body.epcisBody.queryResults.resultsBody.eventList.map((event: { eventID: string }) => event.eventID),
    [observed(2).eventID],
    'the event declared for that reason',
  );
});

t.test('a recordTime bound before the declaration shows the event as it stood then', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  expectStatus(t, await plant.api.post('/epcis/events', observed(3)), 201, 'captured');
  const query = async (params: string) => {
    const response = await plant.api.get(`/epcis/events?${params}`);
    expectStatus(t, response, 200, params);
    return response.body.epcisBody.queryResults.resultsBody.eventList as {
      eventID: string;
      recordTime: string;
      errorDeclaration?: object;
    }[];
  };
  const [captured] = await query('');
  // a bound after the capture and before the declaration (a millisecond later: recordTime is finer than it renders)
  const between = new Date(new Date(captured.recordTime).getTime() + 1);
  while (Date.now() <= between.getTime() + 1) await new Promise((resolve) => setTimeout(resolve, 1));
  const declaration = {
    declarationTime: '2026-03-05T00:00:00Z',
    reason: 'incorrect_data',
    correctiveEventIDs: ['urn:uuid:7a1e2b3c-0000-4000-8000-0000000000c3'],
  };
  expectStatus(t, await plant.api.post('/epcis/events', { ...observed(3), errorDeclaration: declaration }), 200, 'declared in error');
  const [declared] = await query('');
  t.ok(declared.errorDeclaration && declared.recordTime === captured.recordTime, 'now: declared, recorded when captured');

  const before = `LT_recordTime=${encodeURIComponent(between.toISOString())}`;
  t.same(
    await query(before),
    [{ ...captured }],
    'LT_recordTime before the declaration: the event as captured, with its own recordTime and no errorDeclaration',
  );
  t.same(await query(`${before}&orderBy=recordTime`), [{ ...captured }], 'by recordTime alike');
  t.same(await query(`${before}&EXISTS_errorDeclaration`), [], 'not yet declared in error then');
  t.same(await query(`${before}&EQ_errorReason=incorrect_data`), [], 'nor for a reason');
  t.same(await query(`${before}&GE_errorDeclarationTime=2026-03-01T00:00:00Z`), [], 'nor at a time');
  t.same(
    await query(`${before}&EQ_correctiveEventID=${encodeURIComponent(declaration.correctiveEventIDs[0])}`),
    [],
    'nor with its corrective event',
  );

  const since = await query(`GE_recordTime=${encodeURIComponent(between.toISOString())}`);
  t.match(
    since,
    [{ eventID: observed(3).eventID, errorDeclaration: { reason: 'incorrect_data' } }],
    'GE_recordTime after the capture: as declared',
  );
  t.not(since[0].recordTime, captured.recordTime, 'with the declaration’s recordTime');
  const after = `LT_recordTime=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;
  t.match(
    await query(after),
    [{ recordTime: captured.recordTime, errorDeclaration: { reason: 'incorrect_data' } }],
    'a bound after both: as declared',
  );
  t.equal((await query(`${after}&EXISTS_errorDeclaration`)).length, 1, 'declared in error by then');
});
