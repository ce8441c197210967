import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse as Response } from 'fastify';
import type { Test } from 'tap';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { eventHashId } from '../../src/epcis/event-hash.js';
import { EPCIS_CONTEXT as CONTEXT, captured, epcisDocument as doc, epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const FARM_LOT = 'https://id.gs1.org/01/06901234000016/10/FARM-1';
const CARCASS = 'https://id.gs1.org/01/06901234000023/10/TZ-0310';
const item = (serial: number) => `https://id.gs1.org/01/06901234000030/21/${serial}`;
const SSCC_URN = 'urn:epc:id:sscc:6901234.0000000017';
const time = (day: number) => `2026-03-0${day}T08:00:00+08:00`;

/** A capture refused at the door (400), with one error at each of `pointers`, in order, each saying `detail`. */
function refusedAt(t: Test, reply: Response, pointers: string[], detail: RegExp) {
  t.equal(reply.statusCode, 400, 'refused at the door');
  const errors: { pointer: string; detail: string }[] = reply.json().errors ?? [];
  t.same(
    errors.map((error) => error.pointer),
    pointers,
    'each at its element',
  );
  for (const error of errors) t.match(error.detail, detail, error.pointer);
}

/** A meat chain told purely in EPCIS: commission, ship, receive, slaughter (split transformation), pack, aggregate. */
const chain = doc([
  {
    type: 'ObjectEvent',
    eventTime: time(1),
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass: FARM_LOT, quantity: 10, uom: 'H87' }],
  },
  {
    type: 'ObjectEvent',
    eventTime: time(2),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    quantityList: [{ epcClass: FARM_LOT, quantity: 10 }],
  },
  {
    type: 'ObjectEvent',
    eventTime: time(3),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'receiving',
    quantityList: [{ epcClass: FARM_LOT, quantity: 10 }],
    readPoint: { id: 'urn:epc:id:sgln:6901234.00001.0' },
  },
  {
    type: 'TransformationEvent',
    eventTime: time(4),
    eventTimeZoneOffset: '+08:00',
    transformationID: 'urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-000000000001',
    inputQuantityList: [{ epcClass: FARM_LOT, quantity: 10, uom: 'H87' }],
    bizStep: 'urn:county-trace:bizstep:slaughter',
  },
  {
    type: 'TransformationEvent',
    eventTime: time(5),
    eventTimeZoneOffset: '+08:00',
    transformationID: 'urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-000000000001',
    outputQuantityList: [{ epcClass: CARCASS, quantity: 812.5, uom: 'KGM' }],
    bizStep: 'urn:county-trace:bizstep:slaughter',
  },
  {
    type: 'TransformationEvent',
    eventTime: time(6),
    eventTimeZoneOffset: '+08:00',
    inputQuantityList: [{ epcClass: CARCASS, quantity: 10, uom: 'KGM' }],
    outputEPCList: [item(1), item(2)],
    bizStep: 'commissioning',
  },
  {
    type: 'AggregationEvent',
    eventTime: time(7),
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    bizStep: 'packing',
    parentID: SSCC_URN,
    childEPCs: [item(1), item(2)],
  },
]);

t.test('backward, a transformationID brings in its own inputs half only, never another transformation or a sibling output', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const farmLot = 'https://id.gs1.org/01/06901234000016/10/FARM-9';
  const carcass = (lot: string) => `https://id.gs1.org/01/06901234000023/10/${lot}`;
  const transformation = (day: number, id: string, parts: object) => ({
    type: 'TransformationEvent',
    eventTime: time(day),
    eventTimeZoneOffset: '+08:00',
    transformationID: `urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-00000000000${id}`,
    bizStep: 'urn:county-trace:bizstep:slaughter',
    ...parts,
  });
  const farmInput = { inputQuantityList: [{ epcClass: farmLot, quantity: 5, uom: 'H87' }] };
  const made = (lot: string) => ({ outputQuantityList: [{ epcClass: carcass(lot), quantity: 400, uom: 'KGM' }] });
  const { job } = await captured(
    world,
    plant.key,
    doc([
      {
        type: 'ObjectEvent',
        eventTime: time(1),
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: farmLot, quantity: 15, uom: 'H87' }],
      },
      // two whole transformations of the farm lot
      transformation(2, '1', { ...farmInput, ...made('CARC-A') }),
      transformation(3, '2', { ...farmInput, ...made('CARC-B') }),
      // one told in three events: its inputs, then each of its two outputs
      transformation(4, '3', farmInput),
      transformation(5, '3', made('CARC-C')),
      transformation(6, '3', made('CARC-D')),
    ]),
  );
  t.match(job, { success: true, captured: 6 });
  const eventDays = async (lot: string, query = '') =>
    (await plant.api.get(`/trace/${encodeURIComponent(carcass(lot))}${query}`)).body.events.map((event: { eventTime: string }) =>
      new Date(event.eventTime).getUTCDate(),
    );
  t.same(await eventDays('CARC-A'), [1, 2], 'CARC-A: the farm lot made, and CARC-A made from it; not CARC-B');
  t.same(await eventDays('CARC-C'), [1, 4, 5], 'CARC-C: the farm lot, the inputs half and the event that made it; not CARC-D');
  t.same(await eventDays('CARC-C', '?depth=0'), [5], 'at depth 0, only the event that made it');
});

t.test('EPCIS 2.0 capture and query', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const other = await world.party('processor');
  const api = plant.key;

  const { reply, job } = await captured(world, api, chain);
  t.equal(reply.statusCode, 202, 'accepted');
  t.equal(reply.headers.location, `/epcis/capture/${reply.json().captureID}`);
  t.equal(reply.headers['gs1-epcis-version'], '2.0.0');
  t.equal(reply.headers['gs1-cbv-version'], '2.0.0');
  t.match(job, { success: true, running: false, captured: 7, duplicates: 0, errors: [] });
  const expectedFirstId = eventHashId(chain.epcisBody.eventList[0] as Record<string, unknown>, CONTEXT);
  t.equal(job.eventIDs[0], expectedFirstId, 'events without an eventID get the CBV 2.0 hash');
  t.match(expectedFirstId, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);

  const again = await captured(world, api, chain);
  t.match(again.job, { success: true, captured: 0, duplicates: 7 }, 'capturing the same document again stores nothing twice');

  const back = await plant.api.get(`/trace/${encodeURIComponent(item(2))}`);
  expectStatus(t, back, 200, 'trace from the retail item (a Digital Link)');
  const epcs = back.body.nodes.map((n: { code: string }) => n.code);
  const farmLot = (await plant.api.get(`/trace/${encodeURIComponent(FARM_LOT)}`)).body.query.lotCodes[0];
  t.ok(epcs.includes(farmLot), 'backward from the retail item reaches the farm lot across the split transformation');
  const inputsOnly = back.body.events.filter(
    (event: { lots: { lotCode: string; role: string }[] }) =>
      event.lots.length === 1 && event.lots[0].lotCode === farmLot && event.lots[0].role === 'input',
  );
  t.equal(inputsOnly.length, 1, 'the inputs half of the split transformation is part of the backward trace');
  const forward = await plant.api.get(`/trace/${encodeURIComponent(FARM_LOT)}?direction=forward`);
  const reached = forward.body.nodes.map((n: { code: string }) => n.code);
  const retailItem = (await plant.api.get(`/trace/${encodeURIComponent(item(1))}`)).body.query.lotCodes[0];
  const pallet = (await plant.api.get('/trace/069012340000000177')).body.query.lotCodes?.[0];
  t.ok(reached.includes(retailItem), 'forward from the farm lot reaches the retail item');
  t.ok(pallet && reached.includes(pallet), 'and the SSCC it was packed into (EPC URN normalized to one stored form)');

  const q = async (query: string) => {
    const result = await world.app.inject({
      method: 'GET',
      url: `/epcis/events?${query}`,
      headers: { authorization: `Bearer ${plant.key}` },
    });
    return { status: result.statusCode, body: result.statusCode === 200 ? result.json() : result.json(), headers: result.headers };
  };
  const all = await q('perPage=100');
  t.equal(all.body.type, 'EPCISQueryDocument');
  t.equal(all.body.epcisBody.queryResults.resultsBody.eventList.length, 7);
  const first = all.body.epcisBody.queryResults.resultsBody.eventList[0];
  t.same(
    { ...first, recordTime: undefined, eventID: undefined },
    { ...chain.epcisBody.eventList[0], recordTime: undefined, eventID: undefined },
    'an event comes back with the content captured',
  );
  const countOf = async (query: string) => (await q(query)).body.epcisBody?.queryResults.resultsBody.eventList.length;
  t.equal(await countOf('eventType=TransformationEvent'), 3);
  t.equal(await countOf('eventType=ObjectEvent|AggregationEvent'), 4, 'lists separated by |');
  t.equal(await countOf('EQ_bizStep=shipping'), 1);
  t.equal(
    await countOf(`EQ_bizStep=${encodeURIComponent('https://ref.gs1.org/cbv/BizStep-receiving')}`),
    1,
    'CBV URIs and short names are the same step',
  );
  t.equal(await countOf('EQ_disposition=in_transit'), 1);
  t.equal(await countOf(`EQ_readPoint=${encodeURIComponent('urn:epc:id:sgln:6901234.00001.0')}`), 1);
  t.equal(await countOf(`GE_eventTime=${encodeURIComponent(time(4))}&LT_eventTime=${encodeURIComponent(time(6))}`), 2);
  // the farm lot and the carcass are named in quantity lists: classes, never EPCs
  t.equal(await countOf(`MATCH_epcClass=${encodeURIComponent(FARM_LOT)}`), 3, 'MATCH_epcClass');
  t.equal(await countOf(`MATCH_epc=${encodeURIComponent(FARM_LOT)}`), 0, 'MATCH_epc looks at instances only');
  t.equal(await countOf(`MATCH_anyEPCClass=${encodeURIComponent(FARM_LOT)}`), 4, 'MATCH_anyEPCClass includes transformation inputs');
  t.equal(await countOf(`MATCH_anyEPC=${encodeURIComponent(FARM_LOT)}`), 0);
  t.equal(await countOf(`MATCH_inputEPCClass=${encodeURIComponent(CARCASS)}`), 1);
  t.equal(await countOf(`MATCH_outputEPCClass=${encodeURIComponent(CARCASS)}`), 1);
  t.equal(await countOf(`MATCH_inputEPC=${encodeURIComponent(CARCASS)}`), 0);
  t.equal(await countOf(`MATCH_anyEPC=${encodeURIComponent(item(1))}`), 2, 'a retail item: made as an output EPC, packed as a child EPC');
  t.equal(await countOf(`MATCH_parentID=${encodeURIComponent(SSCC_URN)}`), 1, 'URN and Digital Link name the same SSCC');
  t.equal(await countOf(`EQ_eventID=${encodeURIComponent(expectedFirstId)}`), 1);
  expectStatus(t, (await q('eventType=Nonsense')) as never, 400, 'unknown event type');
  expectStatus(t, (await q('GE_eventTime=yesterday')) as never, 400, 'bad time');
  for (const query of [
    'GE_eventTime=1',
    'LT_eventTime=2026',
    'GE_recordTime=March%201%2C%202026',
    'GE_eventTime=2026-03-01T00:00:00',
    `LT_recordTime=${encodeURIComponent(time(4))}&LT_recordTime=${encodeURIComponent(time(6))}`,
    'perPage=0x10',
    'perPage=1e1',
  ]) {
    const refused = await q(query);
    expectStatus(t, refused as never, 400, query);
    t.equal(refused.body.errors[0].pointer, `/${query.split('=')[0]}`);
  }

  const page1 = await q('perPage=3');
  t.equal(page1.body.epcisBody.queryResults.resultsBody.eventList.length, 3);
  t.match(page1.headers.link, /nextPageToken=.*rel="next"/);
  const token = /nextPageToken=([^&>]+)/.exec(String(page1.headers.link))![1];
  const page2 = await q(`perPage=3&nextPageToken=${token}`);
  t.notSame(
    page2.body.epcisBody.queryResults.resultsBody.eventList[0],
    page1.body.epcisBody.queryResults.resultsBody.eventList[0],
    'the next page continues',
  );
  expectStatus(t, (await q('nextPageToken=garbage')) as never, 400, 'a forged page token');
  // once a 500: the database refused what a forged token carried
  const forged = (content: object) => Buffer.from(JSON.stringify(content)).toString('base64url');
  for (const [what, content] of [
    ['a time in year 0', { t: '0000-01-01T00:00:00Z', id: 'x' }],
    ['a NUL in the id', { t: '2026-03-01T00:00:00Z', id: 'a\u0000b' }],
  ] as const)
    expectStatus(t, (await q(`nextPageToken=${forged(content)}`)) as never, 400, `a forged page token with ${what}`);

  const one = await world.app.inject({
    method: 'GET',
    url: `/epcis/events/${encodeURIComponent(expectedFirstId)}`,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.equal(one.statusCode, 200);
  t.equal(one.json().eventID, expectedFirstId);
  const unknownId = 'urn:uuid:00000000-0000-0000-0000-000000000000';
  const getEvent = (id: string, key: string) =>
    world.app.inject({ method: 'GET', url: `/epcis/events/${encodeURIComponent(id)}`, headers: { authorization: `Bearer ${key}` } });
  const unknown = await getEvent(unknownId, plant.key);
  t.equal(unknown.statusCode, 404);
  const theirs = await getEvent(expectedFirstId, other.key);
  t.equal(theirs.statusCode, 404, 'another party’s event is not found, so event ids (hashes of guessable content) cannot be probed');
  t.same(
    { ...theirs.json(), detail: theirs.json().detail.replace(expectedFirstId, '?'), instance: null },
    { ...unknown.json(), detail: unknown.json().detail.replace(unknownId, '?'), instance: null },
    'answered as an unknown id',
  );
  t.equal((await world.regulator.get(`/epcis/events/${encodeURIComponent(expectedFirstId)}`)).status, 200, 'regulators read every event');
  t.equal(
    await (async () =>
      (await world.app.inject({ method: 'GET', url: '/epcis/events', headers: { authorization: `Bearer ${other.key}` } })).json().epcisBody
        .queryResults.resultsBody.eventList.length)(),
    0,
    'a party reads its own events',
  );

  const steps = await world.app.inject({ method: 'GET', url: '/epcis/bizSteps', headers: { authorization: `Bearer ${plant.key}` } });
  t.ok(steps.json()['@set'].includes('shipping'));
  const byStep = await world.app.inject({
    method: 'GET',
    url: '/epcis/bizSteps/receiving/events',
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.equal(byStep.json().epcisBody.queryResults.resultsBody.eventList.length, 1);
  // the path gives the bizStep (or type, …): the same parameter in the query would be overridden, so it is refused by name
  for (const [url, parameter] of [
    ['/epcis/bizSteps/receiving/events?EQ_bizStep=shipping', 'EQ_bizStep'],
    ['/epcis/eventTypes/ObjectEvent/events?eventType=AggregationEvent', 'eventType'],
    ['/epcis/dispositions/in_progress/events?EQ_disposition=in_transit&EQ_disposition=sold', 'EQ_disposition'],
  ]) {
    const refused = await world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${plant.key}` } });
    t.equal(refused.statusCode, 400, `${url}: a 400, not the path's events alone`);
    t.match(
      refused.json(),
      { errors: [{ in: 'querystring', pointer: `/${parameter}`, detail: /the path gives it/ }] },
      'naming the parameter',
    );
  }
  const types = await world.app.inject({ method: 'GET', url: '/epcis/eventTypes', headers: { authorization: `Bearer ${plant.key}` } });
  t.ok(types.json()['@set'].includes('AssociationEvent'));

  const single = {
    '@context': CONTEXT,
    type: 'ObjectEvent',
    eventTime: time(8),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'inspecting',
    epcList: [item(1)],
  };
  const created = await world.app.inject({
    method: 'POST',
    url: '/epcis/events',
    payload: single,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.equal(created.statusCode, 201, 'one event');
  const repeated = await world.app.inject({
    method: 'POST',
    url: '/epcis/events',
    payload: single,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.equal(repeated.statusCode, 200, 'the same event again');
  t.equal(repeated.json().duplicate, true, 'reported as a duplicate, not an error');
});

t.test('capture rules: validation, limits, error behaviour, access', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const api = plant.key;
  const inject = (method: 'POST' | 'GET' | 'OPTIONS', url: string, payload?: object, headers: Record<string, string> = {}) =>
    world.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { authorization: `Bearer ${plant.key}`, ...headers } });

  const options = await inject('OPTIONS', '/epcis/capture');
  t.equal(options.headers['gs1-epcis-capture-limit'], '10000');
  t.ok(Number(options.headers['gs1-epcis-capture-file-size-limit']) > 0);
  // Allow names every method /epcis/capture answers (GET lists the capture jobs), and no other
  const answered = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((method) =>
    world.app.hasRoute({ method: method as 'GET', url: '/epcis/capture' }),
  );
  t.same(String(options.headers.allow).split(', ').sort(), answered.sort(), 'Allow names the methods served');

  const invalid = await inject(
    'POST',
    '/epcis/capture',
    doc([{ type: 'ObjectEvent', eventTime: time(1), eventTimeZoneOffset: '+08:00', action: 'ADDED', epcList: [item(9)] }]),
  );
  t.equal(invalid.statusCode, 400, 'an invalid document is rejected before capture');
  t.match(JSON.stringify(invalid.json().errors), /action/);
  /** A document of one observation of item 9, with `fields` over it. */
  const observation = (fields: object) =>
    doc([{ type: 'ObjectEvent', eventTime: time(1), eventTimeZoneOffset: '+08:00', action: 'OBSERVE', epcList: [item(9)], ...fields }]);
  const longType = await inject(
    'POST',
    '/epcis/capture',
    observation({ bizTransactionList: [{ type: `urn:example:${'x'.repeat(100_000)}`, bizTransaction: 'urn:example:po:1' }] }),
  );
  t.equal(longType.statusCode, 400, 'a vocabulary URI longer than 2000 characters is refused before capture');
  t.same(longType.json().errors, [
    {
      in: 'body',
      pointer: '/epcisBody/eventList/0/bizTransactionList/0/type',
      detail: 'bizTransactionList[0].type must be at most 2000 characters, not 100012',
    },
  ]);
  const longEpc = await inject('POST', '/epcis/capture', observation({ epcList: [item(9), `${item(10)}${'0'.repeat(100_000)}`] }));
  t.equal(longEpc.statusCode, 400, 'an EPC longer than 2000 characters is refused before capture');
  t.same(longEpc.json().errors, [
    { in: 'body', pointer: '/epcisBody/eventList/0/epcList/1', detail: 'epcList[1] must be at most 2000 characters, not 100042' },
  ]);
  const tooMany = await inject(
    'POST',
    '/epcis/capture',
    doc(
      Array.from({ length: 10_001 }, () => ({
        type: 'ObjectEvent',
        eventTime: time(1),
        eventTimeZoneOffset: '+08:00',
        action: 'OBSERVE',
        epcList: [item(9)],
      })),
    ),
  );
  t.equal(tooMany.statusCode, 413, 'over the capture limit');

  const future = new Date(Date.now() + 86_400_000).toISOString();
  const mixed = doc([
    { type: 'ObjectEvent', eventTime: time(1), eventTimeZoneOffset: '+08:00', action: 'ADD', epcList: [item(10)] },
    { type: 'ObjectEvent', eventTime: future, eventTimeZoneOffset: '+00:00', action: 'OBSERVE', epcList: [item(10)] },
    { type: 'ObjectEvent', eventTime: time(3), eventTimeZoneOffset: '+08:00', action: 'OBSERVE', epcList: [item(11)] },
  ]);
  const rollback = await captured(world, api, mixed);
  t.match(rollback.job, { success: false, captured: 0 }, 'rollback: all or nothing');
  t.equal(rollback.job.errors[0].eventIndex, 1);
  t.match(rollback.job.errors[0].message, /future/);
  t.match(rollback.job.errors[0], { type: /^\/problems\/[a-z-]+$/, status: 422 }, 'each refusal names its problem type and status');
  t.equal((await world.regulator.get(`/trace/${encodeURIComponent(item(10))}`)).status, 404, 'nothing of it was stored');
  const proceed = await captured(world, api, mixed, { 'gs1-capture-error-behaviour': 'proceed' });
  t.match(proceed.job, { success: false, captured: 2, captureErrorBehaviour: 'proceed' }, 'proceed: the good events are stored');
  t.equal(proceed.job.errors.length, 1);

  expectStatus(t, await world.regulator.post('/epcis/capture', mixed), 403, 'regulators read, they do not capture');
  const stranger = await world.party('farm');
  const jobId = proceed.reply.json().captureID;
  const asStranger = (id: string) =>
    world.app.inject({ method: 'GET', url: `/epcis/capture/${id}`, headers: { authorization: `Bearer ${stranger.key}` } });
  const theirs = await asStranger(jobId);
  const unknown = await asStranger('00000000-0000-0000-0000-000000000000');
  t.equal(theirs.statusCode, 404, "another party's capture job is not found, so ids cannot be probed");
  t.equal(unknown.statusCode, 404);
  t.same(
    { ...theirs.json(), detail: theirs.json().detail.replace(jobId, '?'), instance: null },
    { ...unknown.json(), detail: unknown.json().detail.replace('00000000-0000-0000-0000-000000000000', '?'), instance: null },
    'answered as an unknown id',
  );
  const seen = await world.regulator.get(`/epcis/capture/${jobId}`);
  t.equal(seen.status, 200, 'regulators read every capture job');
  t.equal(seen.body.captureID, jobId);
});

t.test('an eventList that is no array is a 400 saying so, never the capture limit’s 413', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  for (const [what, eventList] of [
    ['an object with a length', { length: 20_000 }],
    ['a long string', 'x'.repeat(20_000)],
  ] as const) {
    const { reply } = await captured(world, plant.key, { ...doc([]), epcisBody: { eventList } });
    t.equal(reply.statusCode, 400, what);
    t.match(reply.json().detail, /array/, `${what}: the answer says it must be an array`);
    t.match(reply.json().errors, [{ in: 'body', pointer: /eventList/ }], `${what}: and points at it`);
  }
  const { reply } = await captured(world, plant.key, doc(Array.from({ length: 10_001 }, () => observation(1, { epcList: [item(1)] }))));
  t.equal(reply.statusCode, 413, 'an array over the limit is still a 413');
  t.same(
    reply.json().errors,
    [{ in: 'body', pointer: '/epcisBody/eventList', detail: '10001 events; at most 10000' }],
    'pointing at the event list',
  );
});

t.test('a capture makes lots of the capturing party’s own products only', async (t) => {
  const world = await createWorld(t);
  const brandOwner = await world.party('processor');
  const other = await world.party('processor');
  await brandOwner.product('kg', { gtin: '06901234000016' });
  const commission = doc([
    {
      type: 'ObjectEvent',
      eventTime: time(1),
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: 'commissioning',
      quantityList: [{ epcClass: FARM_LOT, quantity: 5, uom: 'KGM' }],
    },
  ]);
  const foreign = await captured(world, other.key, commission);
  t.match(foreign.job, { success: false, captured: 0 }, 'a lot of another party’s GTIN is refused');
  t.match(foreign.job.errors[0], {
    message: new RegExp(`under GTIN 06901234000016 of party ${brandOwner.code}`),
    type: '/problems/forbidden',
    status: 403,
  });
  t.equal((await world.regulator.get(`/trace/${encodeURIComponent(FARM_LOT)}`)).status, 404, 'and not made');
  t.match((await captured(world, brandOwner.key, commission)).job, { success: true, captured: 1 }, 'its owner makes it');
});

t.test('an explicit eventID names one event: re-sent alike it is a duplicate, reused for other content a conflict', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const eventID = 'urn:uuid:6c1f1f52-0f0e-4d1e-9c55-3f0d7a2b9e01';
  const observed = {
    type: 'ObjectEvent',
    eventID,
    eventTime: time(1),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'inspecting',
    epcList: [item(20)],
  };
  const post = (event: object) => epcisRequests(world).post(plant.key, '/epcis/events', { '@context': CONTEXT, ...event });

  t.equal((await post(observed)).statusCode, 201);
  const again = await post({ ...observed, recordTime: '2026-03-02T00:00:00Z' });
  t.equal(again.statusCode, 200, 'the same event (recordTime aside) is a duplicate');
  const other = await post({ ...observed, epcList: [item(21)] });
  t.equal(other.statusCode, 409, 'the same eventID for other objects');
  t.equal(other.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(other.json(), { type: '/problems/conflict', errors: [{ in: 'body', pointer: '/eventID' }] });
  t.match(other.json().detail, /already captured for a different event/);

  const inDocument = await captured(world, plant.key, doc([{ ...observed, eventTime: time(2) }]));
  t.match(inDocument.job, { success: false, captured: 0, duplicates: 0 }, 'a document reusing it fails');
  t.equal(inDocument.job.errors[0].eventIndex, 0);
  t.match(inDocument.job.errors[0].message, /already captured for a different event/);

  // a long eventID is quoted cut, in the answer and in the job
  const longId = `urn:example:event:${'x'.repeat(1900)}`;
  t.equal((await post({ ...observed, eventID: longId })).statusCode, 201);
  const longClash = await post({ ...observed, eventID: longId, epcList: [item(21)] });
  t.equal(longClash.statusCode, 409);
  t.equal(longClash.json().detail, `eventID urn:example:event:${'x'.repeat(81)}… is already captured for a different event`);
  const longInDocument = await captured(world, plant.key, doc([{ ...observed, eventID: longId, eventTime: time(2) }]));
  t.equal(
    longInDocument.job.errors[0].message,
    `event 0: eventID urn:example:event:${'x'.repeat(81)}… is already captured for a different event`,
  );

  const stored = await world.app.inject({
    method: 'GET',
    url: `/epcis/events/${encodeURIComponent(eventID)}`,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.same(stored.json().epcList, [item(20)], 'the stored event is unchanged');
  t.equal(stored.json().eventTime, time(1));

  const future = await post({ ...observed, eventID: undefined, eventTime: new Date(Date.now() + 86_400_000).toISOString() });
  t.equal(future.statusCode, 422, 'an event in the future is refused, not a server error');
  t.match(future.json(), { type: '/problems/future-event', errors: [{ pointer: '/eventTime' }] });
});

t.test('an eventID is matched as its standard compares it: a urn:uuid in any case, a hash by its value as written', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const post = (event: object) => epcisRequests(world).post(plant.key, '/epcis/events', { '@context': CONTEXT, ...event });
  const getEvent = (id: string) => plant.api.get(`/epcis/events/${encodeURIComponent(id)}`);
  const byEqEventId = async (id: string) =>
    (await plant.api.get(`/epcis/events?EQ_eventID=${encodeURIComponent(id)}`)).body.epcisBody.queryResults.resultsBody.eventList.map(
      (event: { eventID: string }) => event.eventID,
    );

  const lower = 'urn:uuid:6c1f1f52-0f0e-4d1e-9c55-3f0d7a2b9eaa';
  t.equal((await post(observation(1, { eventID: lower, epcList: [item(30)] }))).statusCode, 201);
  for (const asked of [lower.toUpperCase(), `URN:UUID:${lower.slice(9)}`, `urn:uuid:${lower.slice(9).toUpperCase()}`]) {
    t.equal(expectStatus(t, await getEvent(asked), 200, `GET ${asked}`).body.eventID, lower);
    t.same(await byEqEventId(asked), [lower], `EQ_eventID=${asked}`);
  }

  // an eventID sent in upper case is the same id: stored in lower case, a duplicate however it is written again
  const upper = 'urn:uuid:6C1F1F52-0F0E-4D1E-9C55-3F0D7A2B9EBB';
  const sent = await post(observation(2, { eventID: upper, epcList: [item(31)] }));
  t.equal(sent.statusCode, 201);
  t.equal(sent.json().eventID, upper.toLowerCase(), 'answered in its canonical form');
  t.equal(expectStatus(t, await getEvent(upper), 200, 'found as sent').body.eventID, upper.toLowerCase());
  expectStatus(t, await getEvent(upper.toLowerCase()), 200, 'and in lower case');
  const again = await post(observation(2, { eventID: upper.toLowerCase(), epcList: [item(31)] }));
  t.match(
    { status: again.statusCode, body: again.json() },
    { status: 200, body: { duplicate: true } },
    're-sent in lower case: a duplicate',
  );
  const clash = await post(observation(2, { eventID: `URN:UUID:${upper.slice(9)}`, epcList: [item(32)] }));
  t.equal(clash.statusCode, 409, 'and for other content in another case, a conflict');

  // a native event's id is a UUID: its urn:uuid in upper case finds it
  const lotCode = await plant.commission(await plant.product(), 10);
  const [native] = (await plant.api.get(`/events?lotCode=${lotCode}`)).body.items;
  const asUrn = `urn:uuid:${native.id}`;
  t.equal(expectStatus(t, await getEvent(asUrn.toUpperCase()), 200, 'a native event by its urn:uuid in upper case').body.eventID, asUrn);

  // a CBV event hash: the scheme and hash algorithm in any case, the value only as written
  const hashed = await post(observation(3, { epcList: [item(33)] }));
  const hash: string = hashed.json().eventID;
  t.match(hash, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  const shouted = hash.replace('ni:///sha-256;', 'NI:///SHA-256;');
  t.equal(expectStatus(t, await getEvent(shouted), 200, 'scheme and algorithm in upper case').body.eventID, hash);
  t.same(await byEqEventId(shouted), [hash]);
  expectStatus(
    t,
    await getEvent(hash.replace(/;([0-9a-f]+)/, (_, value: string) => `;${value.toUpperCase()}`)),
    404,
    'the value in another case is another id',
  );
});

t.test('an event captured before eventIDs were stored in lower case keeps its id, and is found and known again by it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const post = (event: object) => epcisRequests(world).post(plant.key, '/epcis/events', { '@context': CONTEXT, ...event });
  const lower = 'urn:uuid:6c1f1f52-0f0e-4d1e-9c55-3f0d7a2b9ecc';
  const upper = `urn:uuid:${lower.slice(9).toUpperCase()}`;
  // an observation naming nothing has no rows that refer to it: stored as an earlier capture stored an upper-case eventID
  const seen = observation(1, { eventID: lower, epcList: [] });
  t.equal((await post(seen)).statusCode, 201);
  await queryRows(
    world.database.db,
    sql`update events set id = ${upper}, payload = jsonb_set(payload, '{epcis,eventID}', to_jsonb(${upper}::text)) where id = ${lower}`,
  );

  for (const asked of [upper, lower]) {
    t.equal(expectStatus(t, await plant.api.get(`/epcis/events/${encodeURIComponent(asked)}`), 200, `GET ${asked}`).body.eventID, upper);
  }
  const again = await post({ ...seen, eventID: lower });
  t.match(
    { status: again.statusCode, body: again.json() },
    { status: 200, body: { eventID: upper, duplicate: true } },
    're-sent: a duplicate of it',
  );
  t.equal((await post({ ...seen, eventID: lower, epcList: [item(40)] })).statusCode, 409, 'for other content, a conflict');
  const stored = await queryRows<{ id: string }>(world.database.db, sql`select id from events where lower(id) = ${lower}`);
  t.same(
    stored.map((row) => row.id),
    [upper],
    'stored once',
  );
});

t.test('events recorded through the native API are queryable as EPCIS events; error declarations', async (t) => {
  const world = await createWorld(t);
  const demo = await seedDemoChain(world.app.services);
  const packLgtin = `https://id.gs1.org/01/06901234567014/10/${demo.retailLotNumber}`;
  const regulatorQuery = async (query: string) =>
    (await world.regulator.get(`/epcis/events?${query}`)).body.epcisBody.queryResults.resultsBody.eventList as Record<string, any>[];
  const transforms = await regulatorQuery('eventType=TransformationEvent&perPage=100');
  t.equal(transforms.length, 4, 'slaughter, cutting, curing, packing');
  const packing = transforms.find((event) => event.bizStep === 'packing')!;
  t.same(
    packing.outputQuantityList,
    [{ epcClass: packLgtin, quantity: 300, uom: 'H87' }],
    'native lots render as GTIN + lot Digital Links',
  );
  const byLgtin = await regulatorQuery(`MATCH_anyEPCClass=${encodeURIComponent(packLgtin)}&perPage=100`);
  t.ok(byLgtin.length >= 8, 'MATCH_anyEPCClass finds native events of that lot, rendered in quantity lists');
  const asEpc = await regulatorQuery(`MATCH_anyEPC=${encodeURIComponent(packLgtin)}&perPage=100`);
  t.equal(asEpc.length, 0, 'and MATCH_anyEPC none: a native lot is an instance only as a container');
  const byPattern = await regulatorQuery(`MATCH_anyEPCClass=${encodeURIComponent('urn:epc:idpat:sgtin:6901234.056701.*')}&perPage=100`);
  t.same(
    byPattern.map((event) => event.eventID),
    byLgtin.map((event) => event.eventID),
    'a class pattern of the GTIN finds them too',
  );
  const shipping = await regulatorQuery('EQ_bizStep=shipping&perPage=100');
  t.ok(
    shipping.every((event) => event.type === 'ObjectEvent' && event.destinationList?.length === 1),
    'shipments with their destination',
  );
  const pallet = await regulatorQuery('eventType=AggregationEvent&perPage=100');
  t.match(pallet[0].parentID, /^https:\/\/id\.gs1\.org\/00\/\d{18}$/, 'the pallet by its SSCC');
  t.equal(
    (await regulatorQuery(`MATCH_parentID=${encodeURIComponent(pallet[0].parentID)}&perPage=100`)).length,
    pallet.length,
    'a native pallet is an instance: MATCH_parentID finds it',
  );

  const plant = await world.party('slaughterhouse');
  const original = {
    type: 'ObjectEvent',
    eventID: 'urn:uuid:6d3f1c2a-0000-4000-8000-000000000001',
    eventTime: time(1),
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    epcList: [item(20)],
  };
  const post = (payload: object) =>
    world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: { '@context': CONTEXT, ...payload },
      headers: { authorization: `Bearer ${plant.key}` },
    });
  t.equal((await post(original)).statusCode, 201);
  const declared = await post({ ...original, errorDeclaration: { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data' } });
  t.equal(declared.statusCode, 200, 'an error declaration for a stored event');
  const fetched = await world.app.inject({
    method: 'GET',
    url: `/epcis/events/${encodeURIComponent(original.eventID)}`,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.match(
    fetched.json().errorDeclaration,
    { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data' },
    'the original is marked as declared in error',
  );
});

t.test('an error declaration sent for another party’s event is the sender’s own event, and declares nothing of the other’s', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('slaughterhouse');
  const other = await world.party('slaughterhouse');
  const observed = { '@context': CONTEXT, ...observation(1, { epcList: [item(30)] }) };
  const post = (key: string, payload: object) =>
    world.app.inject({ method: 'POST', url: '/epcis/events', payload, headers: { authorization: `Bearer ${key}` } });
  const recorded = await post(owner.key, observed);
  t.equal(recorded.statusCode, 201);
  const id = recorded.json().eventID as string;
  const declaration = { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data' };

  // event ids are each party's own: the sender's event is answered as a new event of its own is
  // (here: it names a lot the sender neither owns nor holds), whoever holds the same eventID
  const declared = await post(other.key, { ...observed, errorDeclaration: declaration });
  const plain = await post(other.key, observed);
  const answer = (reply: typeof plain) => ({ status: reply.statusCode, type: reply.json().type, detail: reply.json().detail });
  t.same(answer(declared), answer(plain), 'answered as the same event without its declaration');
  t.notMatch(declared.body, owner.code, 'the owner is not named');
  const native = await other.event({ type: 'correction', correctsEventId: id, reason: 'x' });
  t.same(
    { status: native.status, detail: native.body.detail },
    { status: 422, detail: `no event ${id}` },
    'as the native door answers it, and an unknown id',
  );
  const { job } = await captured(world, other.key, doc([{ ...observation(1, { epcList: [item(30)] }), errorDeclaration: declaration }]), {
    'gs1-capture-error-behaviour': 'proceed',
  });
  t.match(job.errors, [{ eventIndex: 0, message: `event 0: ${plain.json().detail}` }], 'in a capture job too');

  const stored = await world.app.inject({
    method: 'GET',
    url: `/epcis/events/${encodeURIComponent(id)}`,
    headers: { authorization: `Bearer ${owner.key}` },
  });
  t.equal(stored.json().errorDeclaration, undefined, 'the owner’s event is not declared in error');
});

t.test('GS1-EPC-Format: identifiers captured as EPC URNs come back as captured, or as GS1 Digital Links', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const urnEvent = {
    '@context': CONTEXT,
    type: 'ObjectEvent',
    eventTime: time(1),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    epcList: ['urn:epc:id:sgtin:0614141.812345.6789'],
    readPoint: { id: 'urn:epc:id:sgln:0614141.12345.400' },
  };
  const created = await world.app.inject({
    method: 'POST',
    url: '/epcis/events',
    payload: urnEvent,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  const url = `/epcis/events/${encodeURIComponent(created.json().eventID)}`;
  const asCaptured = await world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${plant.key}` } });
  t.same(asCaptured.json().epcList, ['urn:epc:id:sgtin:0614141.812345.6789']);
  t.equal(asCaptured.headers['gs1-epc-format'], 'No_Preference');
  const asLinks = await world.app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${plant.key}`, 'gs1-epc-format': 'Always_GS1_Digital_Link' },
  });
  t.same(asLinks.json().epcList, ['https://id.gs1.org/01/80614141123458/21/6789']);
  t.same(asLinks.json().readPoint, { id: 'https://id.gs1.org/414/0614141123452/254/400' });
  t.equal(asLinks.headers['gs1-epc-format'], 'Always_GS1_Digital_Link');
  const found = await world.app.inject({
    method: 'GET',
    url: `/epcis/events?MATCH_epc=${encodeURIComponent('https://id.gs1.org/01/80614141123458/21/6789')}`,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.equal(found.json().epcisBody.queryResults.resultsBody.eventList.length, 1, 'a URN-captured EPC is found by its Digital Link');

  const linkEvent = { ...urnEvent, eventTime: time(2), epcList: ['https://id.gs1.org/01/80614141123458/21/7000'], readPoint: undefined };
  const linkCaptured = await world.app.inject({
    method: 'POST',
    url: '/epcis/events',
    payload: linkEvent,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  const linkUrl = `/epcis/events/${encodeURIComponent(linkCaptured.json().eventID)}`;
  const asUrn = () =>
    world.app.inject({
      method: 'GET',
      url: linkUrl,
      headers: { authorization: `Bearer ${plant.key}`, 'gs1-epc-format': 'Always_EPC_URN' },
    });
  t.same(
    (await asUrn()).json().epcList,
    ['https://id.gs1.org/01/80614141123458/21/7000'],
    'without a known company prefix a Digital Link stays one',
  );
  expectStatus(
    t,
    await world.admin.post('/parties', { kind: 'processor', name: 'GS1 member', regionCode: '500236', gs1CompanyPrefix: '0614141' }),
    201,
    'a party registers its GS1 company prefix',
  );
  t.same((await asUrn()).json().epcList, ['urn:epc:id:sgtin:0614141.812345.7000'], 'then its keys render as EPC URNs');

  // the discovery lists keep one form per object (a GS1 key as its Digital Link, however captured)
  // and write it as the events are written
  const listed = async (path: string, format?: string) => {
    const reply = await world.app.inject({
      method: 'GET',
      url: `/epcis/${path}`,
      headers: { authorization: `Bearer ${plant.key}`, ...(format ? { 'gs1-epc-format': format } : {}) },
    });
    t.equal(reply.headers['gs1-epc-format'], format ?? 'No_Preference');
    return reply.json()['@set'];
  };
  const links = ['https://id.gs1.org/01/80614141123458/21/6789', 'https://id.gs1.org/01/80614141123458/21/7000'];
  // /epcis/epcs lists objects in the order of their codes here, which are random: compared as sets
  for (const format of [undefined, 'Never_Translates', 'Always_GS1_Digital_Link'])
    t.same((await listed('epcs', format)).sort(), links, `/epcis/epcs: ${format}`);
  t.same(
    (await listed('epcs', 'Always_EPC_URN')).sort(),
    ['urn:epc:id:sgtin:0614141.812345.6789', 'urn:epc:id:sgtin:0614141.812345.7000'],
    '/epcis/epcs: as EPC URNs',
  );
  t.same(await listed('readPoints'), ['https://id.gs1.org/414/0614141123452/254/400'], '/epcis/readPoints');
  t.same(await listed('readPoints', 'Always_EPC_URN'), ['urn:epc:id:sgln:0614141.12345.400'], '/epcis/readPoints: as EPC URNs');
  expectStatus(
    t,
    await world.admin.post('/parties', { kind: 'processor', name: 'x', regionCode: '500236', gs1CompanyPrefix: '12' }),
    400,
    'a company prefix has 6 to 12 digits',
  );
});

t.test('/epcis/readPoints and /epcis/bizLocations name native sites as events do, and find their events by that name', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const gln = completeGs1('690123400001');
  const bare = await plant.location();
  const withGln = (
    await world.ok(plant.api.post('/locations', { partyCode: plant.code, name: 'GLN site', kind: 'plant', regionCode: '500236', gln }))
  ).code;
  const secondGln = completeGs1('690123400002');
  const second = (
    await world.ok(
      plant.api.post('/locations', { partyCode: plant.code, name: 'second GLN site', kind: 'plant', regionCode: '500236', gln: secondGln }),
    )
  ).code;
  const product = await plant.product('kg');
  const native = (
    await world.ok(
      plant.event({ type: 'commission', lots: [{ productCode: product, quantity: 5 }], readPoint: bare, bizLocation: withGln }),
    )
  ).event;
  // a captured event naming the same GLN: one place, listed once
  const { job } = await captured(
    world,
    plant.key,
    doc([observation(2, { epcList: [item(1)], bizLocation: { id: `https://id.gs1.org/414/${gln}` } })]),
  );
  t.match(job, { success: true, captured: 1 });
  // the plant's company prefix, which its sites' GLNs carry, so that EPC URNs can be written (set here
  // after its sites: another party's prefix covering them is refused, as a prefix is set only at registration)
  await world.database.db.execute(sql`update parties set gs1_company_prefix = '6901234' where code = ${plant.code}`);

  const get = (url: string, format?: string) =>
    world.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${plant.key}`, ...(format ? { 'gs1-epc-format': format } : {}) },
    });
  for (const format of [undefined, 'Always_GS1_Digital_Link', 'Always_EPC_URN']) {
    const events = (await get('/epcis/events', format)).json().epcisBody.queryResults.resultsBody.eventList as Record<string, any>[];
    const named = (field: string) => [...new Set(events.flatMap((event) => (event[field] ? [event[field].id as string] : [])))].sort();
    const listed = async (path: string) => (await get(`/epcis/${path}`, format)).json()['@set'] as string[];
    t.same(await listed('readPoints'), named('readPoint'), `${format}: read points as the events name them`);
    t.same(await listed('bizLocations'), named('bizLocation'), `${format}: business locations as the events name them`);
    for (const [path, field] of [
      ['readPoints', 'readPoint'],
      ['bizLocations', 'bizLocation'],
    ]) {
      for (const value of await listed(path)) {
        const found = (await get(`/epcis/${path}/${encodeURIComponent(value)}/events`, format)).json().epcisBody.queryResults.resultsBody
          .eventList as Record<string, any>[];
        t.ok(found.length > 0 && found.every((event) => event[field].id === value), `${format}: /epcis/${path}/${value}/events`);
      }
    }
  }
  t.same(
    (await get('/epcis/readPoints')).json()['@set'],
    [`${TEST_BASE_URL}/locations/${bare}`],
    'a site without a GLN by its URI here, not its code',
  );
  t.same((await get('/epcis/bizLocations')).json()['@set'], [`https://id.gs1.org/414/${gln}`], 'a site with a GLN by its GLN, once');
  t.same(
    (await get('/epcis/bizLocations', 'Always_EPC_URN')).json()['@set'],
    ['urn:epc:id:sgln:6901234.00001.0'],
    'written per GS1-EPC-Format',
  );
  const byNativeSite = (await get(`/epcis/events?EQ_bizLocation=${encodeURIComponent('urn:epc:id:sgln:6901234.00001.0')}`)).json().epcisBody
    .queryResults.resultsBody.eventList as { eventID: string }[];
  t.equal(byNativeSite.length, 2, 'EQ_bizLocation finds the native event and the captured one by the GLN they share');
  t.ok(byNativeSite.some((event) => event.eventID === `urn:uuid:${native.id}`));

  // several values, each named its own way, find the events at any of them
  const atSecond = (
    await world.ok(
      plant.event({ type: 'commission', lots: [{ productCode: product, quantity: 3 }], readPoint: second, bizLocation: second }),
    )
  ).event;
  const idsWhere = async (parameter: string, values: string[]) =>
    (
      (await get(`/epcis/events?${parameter}=${encodeURIComponent(values.join('|'))}`)).json().epcisBody.queryResults.resultsBody
        .eventList as { eventID: string }[]
    )
      .map((event) => event.eventID)
      .sort();
  const capturedId = (await get('/epcis/events'))
    .json()
    .epcisBody.queryResults.resultsBody.eventList.map((event: { eventID: string }) => event.eventID)
    .find((id: string) => !id.startsWith('urn:uuid:'));
  t.strictSame(
    await idsWhere('EQ_bizLocation', [
      `https://id.gs1.org/414/${gln}`,
      'urn:epc:id:sgln:6901234.00002.0',
      `${TEST_BASE_URL}/locations/${bare}`,
    ]),
    [capturedId, `urn:uuid:${native.id}`, `urn:uuid:${atSecond.id}`].sort(),
    'EQ_bizLocation with several values: both GLN sites (as a Digital Link and as an EPC URN), and the captured event',
  );
  t.strictSame(
    await idsWhere('EQ_readPoint', [
      `${TEST_BASE_URL}/locations/${bare}`,
      `https://id.gs1.org/414/${secondGln}`,
      'urn:epc:id:sgln:6901234.00009.0',
    ]),
    [`urn:uuid:${native.id}`, `urn:uuid:${atSecond.id}`].sort(),
    'EQ_readPoint with several values: a site by its URI here, one by its GLN, and a GLN no site has',
  );
});

t.test(
  'GS1-EPC-Format takes the standard values only: Never_Translates keeps identifiers as captured, an unknown value is a 400',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('slaughterhouse');
    const urn = 'urn:epc:id:sgtin:0614141.812345.6789';
    const created = await world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: { ...observation(1, { epcList: [urn] }), '@context': CONTEXT },
      headers: { authorization: `Bearer ${plant.key}` },
    });
    t.equal(created.statusCode, 201);
    const get = (url: string, format: string) =>
      world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${plant.key}`, 'gs1-epc-format': format } });
    const eventUrl = `/epcis/events/${encodeURIComponent(created.json().eventID)}`;
    const kept = await get(eventUrl, 'Never_Translates');
    t.equal(kept.statusCode, 200);
    t.same(kept.json().epcList, [urn], 'never translated: as captured');
    t.equal(kept.headers['gs1-epc-format'], 'Never_Translates');
    for (const url of [
      eventUrl,
      '/epcis/events',
      `/epcis/epcs/${encodeURIComponent(urn)}/events`,
      '/epcis/bizSteps/receiving/events',
      '/epcis/epcs',
    ]) {
      for (const format of ['Always_Digital_Link', 'no_preference']) {
        const refused = await get(url, format);
        t.equal(refused.statusCode, 400, `${url} with GS1-EPC-Format ${JSON.stringify(format)}`);
        t.match(refused.json(), { status: 400, detail: /gs1-epc-format/i, errors: [{ in: 'headers', pointer: '/gs1-epc-format' }] });
        t.notOk(refused.headers['gs1-epc-format'], 'an unknown format is not echoed as if it were used');
      }
    }
  },
);

t.test(
  'fidelity: declaration extensions and document @context come back; malformed GS1 EPC URNs and reused eventIDs are reported',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('slaughterhouse');
    const authorization = `Bearer ${plant.key}`;
    const example = { example: 'https://ns.example.com/epcis/' };
    const eventID = 'urn:uuid:7a1e2b3c-0000-4000-8000-000000000001';
    const observed = {
      type: 'ObjectEvent',
      eventID,
      eventTime: time(1),
      eventTimeZoneOffset: '+08:00',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      epcList: [item(30)],
      'example:grade': { 'example:scale': 'A', 'example:by': ['inspector-7'] },
    };
    const withContext = (eventList: object[]) => ({ ...doc(eventList), '@context': [...CONTEXT, example] });
    t.match((await captured(world, plant.key, withContext([observed]))).job, { success: true, captured: 1 });
    const declaration = {
      declarationTime: '2026-03-02T00:00:00Z',
      reason: 'incorrect_data',
      'example:ticket': { 'example:id': 'QA-17', 'example:lines': [3, 4] },
    };
    t.match((await captured(world, plant.key, withContext([{ ...observed, errorDeclaration: declaration }]))).job, {
      success: true,
      duplicates: 1,
    });

    const query = await world.app.inject({ method: 'GET', url: '/epcis/events?eventType=ObjectEvent', headers: { authorization } });
    const body = query.json();
    const [returned] = body.epcisBody.queryResults.resultsBody.eventList;
    t.same(returned['@context'], [example], 'the captured namespace prefix comes with the event');
    t.same(returned.errorDeclaration, declaration, 'the declaration comes back exactly, extension fields included');
    t.same(returned['example:grade'], observed['example:grade'], 'nested event extensions too');

    const badSscc = await world.app.inject({
      method: 'POST',
      url: '/epcis/capture',
      payload: doc([{ ...observed, eventID: undefined, epcList: ['urn:epc:id:sscc:08600031303.0005'] }]),
      headers: { 'content-type': 'application/ld+json', authorization },
    });
    t.equal(badSscc.statusCode, 400, 'an SSCC with too few digits is refused, not stored as an opaque container');
    t.match(badSscc.json(), { errors: [{ pointer: '/epcisBody/eventList/0/epcList/0' }] });
    t.match(badSscc.json().errors[0].detail ?? badSscc.json().errors[0].message, /SSCC/);

    const reused = 'urn:uuid:7a1e2b3c-0000-4000-8000-000000000002';
    const clash = (serial: number) => ({ ...observed, eventID: reused, epcList: [item(serial)] });
    for (const behaviour of ['rollback', 'proceed']) {
      const { job } = await captured(world, plant.key, doc([clash(40), clash(41), { ...observed, eventID: undefined }, clash(42)]), {
        'GS1-Capture-Error-Behaviour': behaviour,
      });
      const clashing = job.errors.filter((error: { message: string }) => /already captured for a different event/.test(error.message));
      t.same(
        clashing.map((error: { eventIndex: number }) => error.eventIndex),
        [1, 3],
        `${behaviour}: every clashing index in one job result`,
      );
      t.ok(
        clashing.every((error: { message: string }) => error.message.includes('(event 0 of this document)')),
        `${behaviour}: each names the event it clashes with`,
      );
      t.equal(job.captured, behaviour === 'rollback' ? 0 : 2, `${behaviour}: ${behaviour === 'rollback' ? 'nothing' : 'the rest'} stored`);
    }
  },
);

t.test(
  'an object named twice in one event, as EPC URN and as Digital Link: a sighting names its lot once, a sale refuses it',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('slaughterhouse');
    const twice = (day: number, fields: object) => ({
      type: 'ObjectEvent',
      eventTime: time(day),
      eventTimeZoneOffset: '+08:00',
      action: 'OBSERVE',
      ...fields,
      epcList: [item(40), 'urn:epc:id:sgtin:6901234.000003.40'],
    });
    const commission = { type: 'ObjectEvent', eventTime: time(1), eventTimeZoneOffset: '+08:00', action: 'ADD', epcList: [item(40)] };
    t.match((await captured(world, plant.key, doc([commission]))).job, { success: true, captured: 1 });
    const lotCode = (await plant.api.get('/events?type=commission')).body.items[0].lots[0].lotCode;

    // GS1's examples name one SSCC both ways in an observation: it is captured
    for (const [what, fields] of [
      ['observing', {}],
      ['inspecting', { bizStep: 'inspecting' }],
    ] as const) {
      t.match((await captured(world, plant.key, doc([twice(2, fields)]))).job, { success: true, captured: 1 }, what);
    }
    const sightings = (await plant.api.get(`/events?lotCode=${lotCode}&type=observe`)).body.items;
    t.equal(sightings.length, 1, 'the observation');
    t.same(
      sightings[0].lots.map((lot: { lotCode: string }) => lot.lotCode),
      [lotCode],
      'names the lot once',
    );
    const { job: sold } = await captured(world, plant.key, doc([twice(3, { bizStep: 'retail_selling' })]));
    t.match(sold, { success: false, errors: [{ message: /listed twice/ }] }, 'a sale naming it twice is refused');
    t.equal(sold.errors[0].pointer, '/epcisBody/eventList/0/epcList/1', 'at its second name');
  },
);

t.test('identifiers with broken %-escapes never fail a capture job or an event', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const commission = (epcClass: string) => ({
    type: 'ObjectEvent',
    eventTime: time(1),
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
  });
  const brokenDigitalLink = await world.app.inject({
    method: 'POST',
    url: '/epcis/capture',
    payload: doc([commission('https://id.gs1.org/01/06901234000016/10/A%ED%A0%80')]),
    headers: { 'content-type': 'application/ld+json', authorization: `Bearer ${plant.key}` },
  });
  t.equal(brokenDigitalLink.statusCode, 400, 'a Digital Link whose lot is no text is refused at the door');
  t.match(brokenDigitalLink.json().errors, [{ pointer: '/epcisBody/eventList/0/quantityList/0/epcClass' }]);
  for (const broken of ['https://fj.example/lots/%ED%A0%80']) {
    const { job } = await captured(world, plant.key, doc([commission(`${FARM_LOT}-A`), commission(broken), commission(`${FARM_LOT}-B`)]), {
      'GS1-Capture-Error-Behaviour': 'proceed',
    });
    t.match(job, { running: false, success: true, errors: [] }, `${broken}: the job ends normally`);
    t.equal(job.captured + job.duplicates, 3, `${broken}: every event is accounted for`);
    const single = await world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: commission(broken.replace('%ED', '%EE')),
      headers: { 'content-type': 'application/ld+json', authorization: `Bearer ${plant.key}` },
    });
    t.ok(single.statusCode < 500, `${broken}: a single event is answered without a server error (${single.statusCode})`);
  }
});

t.test('a GS1 Digital Link whose key does not match its AI format is a 400 naming each field, wherever the event names it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const headers = { 'content-type': 'application/ld+json', authorization: `Bearer ${plant.key}` };
  const observe = (fields: object) => ({ ...observation(1, { epcList: [item(90)] }), ...fields });
  const reply = await world.app.inject({
    method: 'POST',
    url: '/epcis/capture',
    payload: doc([
      observe({ epcList: ['https://id.gs1.org/01/123'] }),
      observe({ quantityList: [{ epcClass: 'https://id.gs1.org/00/10614141234567890', quantity: 1 }] }),
      observe({ bizTransactionList: [{ type: 'po', bizTransaction: 'https://id.gs1.org/253/401234500005' }] }),
      observe({ sourceList: [{ type: 'location', source: 'https://id.gs1.org/414/061414100000' }] }),
      observe({ destinationList: [{ type: 'owning_party', destination: 'https://id.gs1.org/417/06141410000051' }] }),
      observe({
        sensorElementList: [
          { sensorMetadata: { deviceID: 'https://id.gs1.org/8004/12' }, sensorReport: [{ type: 'Temperature', value: 4 }] },
        ],
      }),
      observe({ readPoint: { id: 'https://id.gs1.org/8006/040123451234560302' } }),
    ]),
    headers,
  });
  t.equal(reply.statusCode, 400, 'refused at the door');
  t.same(
    reply.json().errors.map((error: { pointer: string }) => error.pointer),
    [
      '/epcisBody/eventList/0/epcList/0',
      '/epcisBody/eventList/1/quantityList/0/epcClass',
      '/epcisBody/eventList/2/bizTransactionList/0/bizTransaction',
      '/epcisBody/eventList/3/sourceList/0/source',
      '/epcisBody/eventList/4/destinationList/0/destination',
      '/epcisBody/eventList/5/sensorElementList/0/sensorMetadata/deviceID',
      '/epcisBody/eventList/6/readPoint/id',
    ],
  );
  t.match(reply.json().errors[6].detail, /ITIP does not match its AI's format: .*a piece number not above the total/);
  const opaque = observe({
    bizTransactionList: [{ type: 'po', bizTransaction: 'https://erp.example/party/acme/po/17' }],
    sourceList: [{ type: 'owning_party', source: 'https://example.com/party/acme' }],
  });
  t.match((await captured(world, plant.key, doc([opaque]))).job, { success: true, captured: 1 }, 'URIs that are no Digital Link pass');
  const trace = await world.app.inject({
    method: 'GET',
    url: `/trace/${encodeURIComponent('https://id.gs1.org/00/10614141234567890')}`,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.equal(trace.statusCode, 400, 'a lookup of the malformed key is a 400 too');
  t.match(trace.json().detail, /SSCC does not match its AI's format/);
});

t.test('an SSCC names one logistic unit, not a class: in a quantity list it is a 400 naming the epcClass', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const post = (url: string, payload: object) => epcisRequests(world).post(plant.key, url, payload);
  const reply = await post(
    '/epcis/capture',
    doc([
      observation(1, { quantityList: [{ epcClass: SSCC_URN, quantity: 500, uom: 'KGM' }] }),
      {
        type: 'AggregationEvent',
        eventTime: time(2),
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        bizStep: 'packing',
        parentID: 'urn:epc:id:sscc:6901234.0000000024',
        childQuantityList: [{ epcClass: 'https://id.gs1.org/00/069012340000000313', quantity: 1 }],
      },
    ]),
  );
  t.equal(reply.statusCode, 400, 'refused at the door');
  t.same(
    reply.json().errors.map((error: { pointer: string }) => error.pointer),
    ['/epcisBody/eventList/0/quantityList/0/epcClass', '/epcisBody/eventList/1/childQuantityList/0/epcClass'],
  );
  t.match(reply.json().errors[0].detail, /epcClass .*SSCC.*instance.*epcList/);
  const single = await post('/epcis/events', {
    '@context': CONTEXT,
    ...observation(1, { quantityList: [{ epcClass: SSCC_URN, quantity: 1 }] }),
  });
  t.equal(single.statusCode, 400, 'as one event too');
  t.match(single.json().errors, [{ pointer: '/quantityList/0/epcClass' }]);
  t.match(
    (await captured(world, plant.key, doc([observation(1, { epcList: [SSCC_URN] })]))).job,
    { success: true, captured: 1 },
    'named as the instance it is, it is taken',
  );
});

/** Captures one observation whose quantity list names each value as its epcClass: refused whole, each value at its element as an SSCC. */
async function expectRefusedAsClasses(t: Test, world: World, key: string, values: string[]) {
  const reply = await epcisRequests(world).post(
    key,
    '/epcis/capture',
    doc([observation(1, { quantityList: values.map((epcClass) => ({ epcClass, quantity: 1 })) })]),
  );
  refusedAt(
    t,
    reply,
    values.map((_, i) => `/epcisBody/eventList/0/quantityList/${i}/epcClass`),
    /epcClass .*SSCC.*instance.*epcList/,
  );
}

t.test('an SSCC in any of its spellings is refused as an epcClass, and named as an instance it is the one container', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const { capture } = epcisRequests(world);
  // 6901234.0000000017 is the SSCC 069012340000000177: its pure identity in other cases (RFC 8141
  // leaves urn: and the NID epc free, TDS's keywords differ by no case), its tag and raw URIs, and
  // Digital Links on another host, by AI and by short name
  const spellings = [
    'URN:EPC:ID:SSCC:6901234.0000000017',
    'Urn:Epc:id:Sscc:6901234.0000000017',
    'urn:epc:tag:sscc-96:0.6901234.0000000017',
    'URN:EPC:TAG:SSCC-96:0.6901234.0000000017',
    'urn:epc:raw:96.x3115A537C800000011000000',
    'https://id.example/00/069012340000000177',
    'https://id.example/sscc/069012340000000177',
  ];
  await expectRefusedAsClasses(t, world, plant.key, spellings);

  // named as instances, the spellings name the one container the lower-case URN names
  const job = await capture(plant.key, [
    observation(1, { epcList: [SSCC_URN] }),
    ...spellings.map((epc, i) => observation(2 + i, { epcList: [epc] })),
  ]);
  t.match(job, { success: true, captured: spellings.length + 1 });
  const trace = await plant.api.get('/trace/069012340000000177');
  t.equal(trace.status, 200);
  t.equal(trace.body.query.lotCodes.length, 1, 'one container');
  t.equal(trace.body.events.length, spellings.length + 1, 'every event names it');
});

t.test('an SSCC pattern is no class either: as an epcClass it is refused like the SSCC', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const patterns = ['urn:epc:idpat:sscc:6901234.0000000017', 'URN:EPC:IDPAT:SSCC:6901234.*', 'urn:epc:idpat:sscc:*.*'];
  await expectRefusedAsClasses(t, world, plant.key, patterns);
});

t.test('an empty document ends as a success in either error behaviour, never a job left running', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  for (const behaviour of ['rollback', 'proceed']) {
    const { job } = await captured(world, plant.key, doc([]), { 'gs1-capture-error-behaviour': behaviour });
    t.match(job, { running: false, success: true, total: 0, captured: 0 }, behaviour);
  }
});

// A transformation id is the capturing party's own: events of another party that name the same id
// join nothing of its lineage, and neither do its events declared in error.
t.test('a transformationID groups one party’s events still in force', async (t) => {
  const world = await createWorld(t);
  const a = await world.party('processor');
  const b = await world.party('processor');
  const post = async (key: string, event: object) => {
    const reply = await world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: { '@context': CONTEXT, eventTimeZoneOffset: '+08:00', ...event },
      headers: { authorization: `Bearer ${key}` },
    });
    t.ok(reply.statusCode === 200 || reply.statusCode === 201, `${reply.statusCode} ${reply.body}`);
  };
  const lgtin = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${lot}`;
  const [aIn, aOut, bIn, bOut, aIn2, aOut2] = [
    lgtin('06901234000016', 'A-IN'),
    lgtin('06901234000023', 'A-OUT'),
    lgtin('06901234000047', 'B-IN'),
    lgtin('06901234000054', 'B-OUT'),
    lgtin('06901234000016', 'A-IN-2'),
    lgtin('06901234000023', 'A-OUT-2'),
  ];
  const commission = (epcClass: string) => ({
    type: 'ObjectEvent',
    eventTime: time(1),
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
  });
  const half = (transformationID: string, day: number, side: 'input' | 'output', epcClass: string) => ({
    type: 'TransformationEvent',
    eventTime: time(day),
    transformationID,
    [`${side}QuantityList`]: [{ epcClass, quantity: side === 'input' ? 10 : 8, uom: 'KGM' }],
  });
  const shared = 'urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-0000000000aa';
  await post(a.key, commission(aIn));
  await post(a.key, half(shared, 2, 'input', aIn));
  await post(b.key, commission(bIn));
  await post(b.key, {
    ...half(shared, 3, 'input', bIn),
    inputQuantityList: [{ epcClass: bIn, quantity: 10, uom: 'KGM' }],
    outputQuantityList: [{ epcClass: bOut, quantity: 8, uom: 'KGM' }],
  });
  await post(a.key, half(shared, 4, 'output', aOut));

  const labels = new Map<string, string>();
  const edges = async (epc: string) => {
    for (const [label, named] of Object.entries({ aIn, aOut, bIn, bOut, aIn2, aOut2 })) {
      const start = await world.regulator.get(`/trace/${encodeURIComponent(named)}?depth=0`);
      if (start.status === 200) labels.set(start.body.query.lotCodes[0], label);
    }
    const trace = await world.regulator.get(`/trace/${encodeURIComponent(epc)}?direction=backward`);
    return trace.body.edges
      .filter((edge: { kind: string }) => edge.kind === 'transform')
      .map((edge: { from: string; to: string }) => `${labels.get(edge.from)}→${labels.get(edge.to)}`)
      .sort();
  };
  t.strictSame(await edges(aOut), ['aIn→aOut'], 'A’s two halves, captured apart, are one transformation; B’s lot is not among its inputs');
  t.strictSame(await edges(bOut), ['bIn→bOut'], 'B’s outputs were not made of A’s input');

  // an inputs half declared in error takes no part in the outputs half told after it
  const withdrawn = {
    ...half('urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-0000000000bb', 2, 'input', aIn2),
    eventID: 'urn:uuid:6d3f1c2a-0000-4000-8000-0000000000bb',
  };
  await post(a.key, commission(aIn2));
  await post(a.key, withdrawn);
  await post(a.key, { ...withdrawn, errorDeclaration: { declarationTime: '2026-03-03T00:00:00Z', reason: 'incorrect_data' } });
  await post(a.key, half('urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-0000000000bb', 4, 'output', aOut2));
  t.strictSame(await edges(aOut2), [], 'no input of the withdrawn half');
});

t.test('orderBy eventTime or recordTime, ASC or DESC: pages follow the order, a token only its own', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const observed = (id: number, day: number) => ({
    type: 'ObjectEvent',
    eventID: `urn:uuid:6d3f1c2a-0000-4000-8000-00000000010${id}`,
    eventTime: time(day),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    epcList: [item(100 + id)],
  });
  // recorded 1, 2, 3; happened on days 3, 1, 1 (2 and 3 tie in eventTime)
  for (const [id, day] of [
    [1, 3],
    [2, 1],
    [3, 1],
  ])
    t.match((await captured(world, plant.key, doc([observed(id, day)]))).job, { success: true, captured: 1 });
  const get = (url: string) => world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${plant.key}` } });
  /** The events' numbers, one page of one event at a time, following the Link header. */
  const paged = async (path: string, query: string) => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const reply = await get(`${path}?perPage=1${query}${token ? `&nextPageToken=${token}` : ''}`);
      t.equal(reply.statusCode, 200, `${query} ${token ?? ''}`);
      seen.push(...reply.json().epcisBody.queryResults.resultsBody.eventList.map((event: { eventID: string }) => event.eventID.slice(-1)));
      token = /nextPageToken=([^&>]+)/.exec(String(reply.headers.link ?? ''))?.[1];
    } while (token && seen.length < 10);
    return seen.join('');
  };
  t.equal(await paged('/epcis/events', ''), '231', 'without orderBy: eventTime ascending');
  t.equal(await paged('/epcis/events', '&orderBy=eventTime&orderDirection=ASC'), '231');
  t.equal(await paged('/epcis/events', '&orderBy=eventTime'), '132', 'DESC when orderDirection is omitted');
  t.equal(await paged('/epcis/events', '&orderBy=eventTime&orderDirection=DESC'), '132');
  t.equal(await paged('/epcis/events', '&orderBy=recordTime&orderDirection=ASC'), '123');
  t.equal(await paged('/epcis/events', '&orderBy=recordTime&orderDirection=DESC'), '321');
  t.equal(await paged('/epcis/eventTypes/ObjectEvent/events', ''), '231', 'events of one event type page on too');
  t.equal(await paged(`/epcis/epcs/${encodeURIComponent(item(102))}/events`, ''), '2', 'events of one EPC');

  const first = await get('/epcis/events?perPage=1&orderBy=recordTime');
  const token = /nextPageToken=([^&>]+)/.exec(String(first.headers.link))![1];
  for (const query of ['orderBy=eventTime', 'orderBy=recordTime&orderDirection=ASC', '']) {
    const refused = await get(`/epcis/events?perPage=1&${query}&nextPageToken=${token}`);
    t.equal(refused.statusCode, 400, `a recordTime DESC token with ${query || 'no order'}`);
    t.equal(refused.json().errors[0].pointer, '/nextPageToken');
  }
  const unknown = await get('/epcis/events?orderBy=bizStep');
  t.equal(unknown.statusCode, 400);
  t.match(unknown.json().errors[0], { pointer: '/orderBy', detail: 'one of eventTime, recordTime' });

  const post = (name: string, query: object) =>
    world.app.inject({
      method: 'POST',
      url: '/epcis/queries',
      payload: { name, query },
      headers: { authorization: `Bearer ${plant.key}` },
    });
  t.equal((await post('latest', { orderBy: 'recordTime' })).statusCode, 201, 'a named query with an order');
  t.equal(await paged('/epcis/queries/latest/events', ''), '321', 'runs in its order');
  const refused = await post('odd', { orderBy: 'quantity' });
  t.equal(refused.statusCode, 400, 'a named query with an order this service does not have');
  t.match(refused.json().errors[0], { in: 'body', pointer: '/query/orderBy' }, 'in the body, where the query is');
});

t.test('MATCH_epc looks at EPCs, MATCH_epcClass at classes; both take EPC patterns', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const sgtin = (serial: number) => `urn:epc:id:sgtin:0614141.812345.${serial}`;
  t.match(
    (
      await captured(
        world,
        plant.key,
        doc([
          observation(1, { epcList: [sgtin(6789), sgtin(6790)] }),
          observation(2, { quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.812345.LOT1', quantity: 5 }] }),
          observation(3, { epcList: [sgtin(6789)] }),
          observation(4, { epcList: ['urn:epc:id:sgtin:0614141.712345.1'] }),
          observation(5, { epcList: ['urn:epc:id:sscc:0614141.1234567890'] }),
        ]),
      )
    ).job,
    { success: true, captured: 5 },
  );
  const days = async (query: string) =>
    (await world.app.inject({ method: 'GET', url: `/epcis/events?${query}`, headers: { authorization: `Bearer ${plant.key}` } }))
      .json()
      .epcisBody.queryResults.resultsBody.eventList.map((event: { eventTime: string }) => Number(event.eventTime.slice(8, 10)));
  const match = (name: string, value: string) => days(`${name}=${encodeURIComponent(value)}`);
  const pattern = 'urn:epc:idpat:sgtin:0614141.812345.*';
  t.same(await match('MATCH_epc', pattern), [1, 3], 'an EPC pattern: the instances of that GTIN');
  t.same(await match('MATCH_anyEPC', pattern), [1, 3]);
  t.same(await match('MATCH_epc', 'urn:epc:class:lgtin:0614141.812345.LOT1'), [], 'a class is no EPC');
  t.same(await match('MATCH_epcClass', 'urn:epc:class:lgtin:0614141.812345.LOT1'), [2]);
  t.same(await match('MATCH_epcClass', sgtin(6789)), [], 'an EPC is no class');
  t.same(await match('MATCH_epc', sgtin(6789)), [1, 3]);
  t.same(await match('MATCH_epcClass', pattern), [2], 'a class pattern: the LGTINs of that GTIN');
  t.same(await match('MATCH_anyEPCClass', pattern), [2]);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sgtin:0614141.712345.*'), [4], 'another GTIN of the same company');
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sgtin:0614141.812345.6789'), [1, 3], 'a pattern naming every field: that one EPC');
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sgtin:0614141.*.*'), [1, 3, 4], 'a company prefix: every GTIN of it');
  t.same(await match('MATCH_epcClass', 'urn:epc:idpat:sgtin:0614141.*.*'), [2]);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sgtin:0614142.*.*'), [], 'another company prefix');
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sgtin:*.*.*'), [1, 3, 4], 'every SGTIN');
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sscc:0614141.*'), [5], 'the SSCCs of a company prefix');
  t.same(await match('MATCH_anyEPC', 'urn:epc:idpat:sscc:*.*'), [5], 'every SSCC');
  const afterWildcard = await world.app.inject({
    method: 'GET',
    url: `/epcis/events?MATCH_epc=${encodeURIComponent('urn:epc:idpat:sgtin:0614141.*.6789')}`,
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.match(
    { status: afterWildcard.statusCode, errors: afterWildcard.json().errors },
    { status: 400, errors: [{ pointer: '/MATCH_epc', detail: /is no EPC pattern this service reads/ }] },
    'a field after a wildcard: no pattern, a 400 naming the parameter',
  );

  // every scheme an EPC is stored under: GLNs, GSRNs, party GLNs as Digital Links, GID, USDOD, ADI as the URN written
  const others = [
    'urn:epc:id:sgln:0614141.12345.400',
    'urn:epc:id:gsrn:0614141.1234567890',
    'urn:epc:id:gsrnp:0614141.1234567890',
    'urn:epc:id:pgln:0614141.12345',
    'urn:epc:id:gid:95100000.12345.400',
    'urn:epc:id:usdod:2S194.12345678901',
    'urn:epc:id:adi:W81X9C.3KL984PX1.%2351',
  ];
  t.match((await captured(world, plant.key, doc(others.map((epc, i) => observation(10 + i, { epcList: [epc] }))))).job, {
    success: true,
    captured: others.length,
  });
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sgln:0614141.12345.*'), [10]);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sgln:0614141.*.*'), [10]);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:sgln:0614141.12345.0'), [], 'the GLN without extension alone');
  t.same(await match('MATCH_epc', 'urn:epc:idpat:gsrn:0614141.*'), [11]);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:gsrnp:*.*'), [12]);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:pgln:0614141.*'), [13]);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:gid:95100000.12345.*'), [14]);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:gid:95100000.12346.*'), []);
  t.same(await match('MATCH_epc', 'urn:epc:idpat:usdod:2S194.*'), [15]);
  t.same(await match('MATCH_anyEPC', 'urn:epc:idpat:adi:W81X9C.*.*'), [16]);
  t.same(
    await days(
      `MATCH_anyEPC=${encodeURIComponent('urn:epc:idpat:sgtin:0614141.812345.*')}|${encodeURIComponent('urn:epc:idpat:sgln:0614141.*.*')}`,
    ),
    [1, 3, 10],
    'patterns of two schemes: what either matches',
  );

  // a container packed through the native API, by the SSCC on its label
  const product = await plant.product('piece');
  const lot = await plant.commission(product, 10);
  const sscc = completeGs1('00614141000000077');
  const packed = await plant.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: lot }] });
  t.equal(packed.status, 201);
  const events = async (query: string) =>
    (await world.app.inject({ method: 'GET', url: `/epcis/events?${query}`, headers: { authorization: `Bearer ${plant.key}` } }))
      .json()
      .epcisBody.queryResults.resultsBody.eventList.map(
        (event: { type: string; parentID?: string }) => `${event.type} ${event.parentID ?? ''}`,
      );
  t.same(
    await events(`MATCH_parentID=${encodeURIComponent('urn:epc:idpat:sscc:0614141.*')}`),
    [`AggregationEvent https://id.gs1.org/00/${sscc}`],
    'natively packed',
  );
  t.same(await events(`MATCH_parentID=${encodeURIComponent('urn:epc:idpat:sscc:0614142.*')}`), []);
});

t.test('/epcis/epcs/{epc}/events finds what /epcis/epcs lists: EPCs and classes alike', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const lot = 'https://id.gs1.org/01/06901234000030/10/L1';
  const { job } = await captured(
    world,
    plant.key,
    doc([
      observation(1, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: lot, quantity: 5, uom: 'KGM' }] }),
      observation(2, { action: 'ADD', bizStep: 'commissioning', epcList: [item(1)] }),
    ]),
  );
  t.match(job, { success: true, captured: 2 });
  const listed = (await plant.api.get('/epcis/epcs')).body['@set'];
  t.ok(listed.includes(lot) && listed.includes(item(1)), 'both are listed');
  const eventsOf = async (epc: string) =>
    (await plant.api.get(`/epcis/epcs/${encodeURIComponent(epc)}/events`)).body.epcisBody.queryResults.resultsBody.eventList;
  t.match(await eventsOf(lot), [{ quantityList: [{ epcClass: lot }] }], 'the class: its event');
  t.equal((await eventsOf(lot)).length, 1);
  t.match(await eventsOf(item(1)), [{ epcList: [item(1)] }], 'the instance: its event');
  t.equal((await eventsOf(item(1))).length, 1);
  const byMatch = async (query: string) =>
    (await plant.api.get(`/epcis/events?${query}`)).body.epcisBody.queryResults.resultsBody.eventList.length;
  t.equal(await byMatch(`MATCH_anyEPC=${encodeURIComponent(lot)}`), 0, 'MATCH_anyEPC still looks at instances only');
  t.equal(await byMatch(`MATCH_anyEPCClass=${encodeURIComponent(lot)}`), 1);
});

t.test('a captured event keeps its document’s @context: one party’s prefix never redefines another’s', async (t) => {
  const world = await createWorld(t);
  const [a, b] = [await world.party('processor'), await world.party('processor')];
  const withPrefix = (iri: string, serial: number) => ({
    ...doc([observation(serial, { 'ex:temperature': serial, epcList: [item(serial)] })]),
    '@context': [...CONTEXT, { ex: iri }],
  });
  const { job } = await captured(world, a.key, withPrefix('https://a.example/', 1));
  t.match(job, { success: true });
  t.match((await captured(world, b.key, withPrefix('https://b.example/', 2))).job, { success: true });

  const both = (await world.regulator.get('/epcis/events')).body;
  t.notOk(
    both['@context'].some((entry: unknown) => typeof entry === 'object' && entry !== null && 'ex' in entry),
    'the query document defines no captured prefix for every event',
  );
  t.same(
    both.epcisBody.queryResults.resultsBody.eventList.map((event: Record<string, unknown>) => [event['ex:temperature'], event['@context']]),
    [
      [1, [{ ex: 'https://a.example/' }]],
      [2, [{ ex: 'https://b.example/' }]],
    ],
    'each event carries the prefixes its own document declared',
  );
  const one = (await a.api.get(`/epcis/events/${encodeURIComponent(job.eventIDs[0])}`)).body;
  t.match(one['@context'], [...CONTEXT, {}, { ex: 'https://a.example/' }], 'one event by its id: the standard context and its own');
});

t.test('/epcis/readPoints and the other value lists are paged, never cut off at a thousand values', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const count = 1_005;
  const { job } = await captured(
    world,
    plant.key,
    doc(
      Array.from({ length: count }, (_, index) =>
        observation(1, { epcList: [item(5_000 + index)], readPoint: { id: `urn:epc:id:sgln:0614141.00001.${index}` } }),
      ),
    ),
    { 'gs1-capture-error-behaviour': 'proceed' },
  );
  t.match(job, { success: true, captured: count });
  const get = (url: string) => world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${plant.key}` } });

  const listed: string[] = [];
  let url: string | undefined = '/epcis/readPoints?perPage=400';
  let pages = 0;
  while (url) {
    const page = await get(url);
    t.equal(page.statusCode, 200, url);
    listed.push(...(page.json()['@set'] as string[]));
    url = /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link ?? ''))?.[1];
    pages++;
  }
  t.equal(pages, 3, 'three pages of 400');
  t.equal(listed.length, count, 'every read point listed');
  t.equal(new Set(listed).size, count, 'each once');

  const first = await get('/epcis/readPoints');
  t.equal(first.json()['@set'].length, 30, 'perPage is 30 when omitted, as for events');
  t.ok(first.headers.link, 'with a Link to the next page');
  const steps = await get('/epcis/bizSteps?perPage=1');
  t.equal(steps.json()['@set'].length, 1, 'bizSteps are paged too');
  const types: string[] = [];
  for (let next: string | undefined = '/epcis/eventTypes?perPage=2'; next; ) {
    const page = await get(next);
    types.push(...page.json()['@set']);
    next = /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link ?? ''))?.[1];
  }
  t.same(types, ['ObjectEvent', 'AggregationEvent', 'TransformationEvent', 'TransactionEvent', 'AssociationEvent'], 'and event types');
  const noType = Buffer.from(JSON.stringify({ by: 'eventType', dir: 'ASC', id: 'Nothing' })).toString('base64url');
  t.same((await get(`/epcis/eventTypes?nextPageToken=${noType}`)).json()['@set'], [], 'nothing follows a value that is no type');
  for (const [query, pointer] of [
    ['perPage=0', '/perPage'],
    ['nextPageToken=garbage', '/nextPageToken'],
    ['EQ_bizStep=x', '/EQ_bizStep'],
  ]) {
    const refused = await get(`/epcis/readPoints?${query}`);
    t.equal(refused.statusCode, 400, query);
    t.equal(refused.json().errors[0].pointer, pointer, `naming ${pointer}`);
  }
  const forged = Buffer.from(JSON.stringify({ by: 'readPoint', dir: 'ASC', id: 'a\u0000b' })).toString('base64url');
  t.equal((await get(`/epcis/readPoints?nextPageToken=${forged}`)).statusCode, 400, 'a forged token carrying a NUL');
  const other = Buffer.from(JSON.stringify({ by: 'bizStep', dir: 'ASC', id: 'storing' })).toString('base64url');
  t.equal((await get(`/epcis/readPoints?nextPageToken=${other}`)).statusCode, 400, 'a token of another list');
});

t.test('an EPC pattern names many objects: an instance list refuses it naming the element, an epcClass takes a GTIN’s', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const post = (url: string, payload: object) => epcisRequests(world).post(plant.key, url, payload);
  const pattern = 'urn:epc:idpat:sgtin:0614141.812345.*';
  const upper = 'URN:EPC:IDPAT:SGTIN:0614141.812345.*';
  const one = 'urn:epc:id:sgtin:0614141.812345.6789';
  const reply = await post(
    '/epcis/capture',
    doc([
      observation(1, { epcList: [one, pattern] }),
      observation(2, { epcList: [upper] }),
      {
        type: 'AggregationEvent',
        eventTime: time(3),
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        bizStep: 'packing',
        parentID: 'urn:epc:idpat:sscc:0614141.*',
        childEPCs: [one, 'urn:epc:idpat:sgtin:0614141.*.*'],
      },
      {
        type: 'TransformationEvent',
        eventTime: time(4),
        eventTimeZoneOffset: '+08:00',
        bizStep: 'commissioning',
        inputEPCList: [pattern],
        outputEPCList: ['urn:epc:idpat:sgtin:0614141.812345.6789'],
      },
    ]),
  );
  refusedAt(
    t,
    reply,
    [
      '/epcisBody/eventList/0/epcList/1',
      '/epcisBody/eventList/1/epcList/0',
      '/epcisBody/eventList/2/childEPCs/1',
      '/epcisBody/eventList/2/parentID',
      '/epcisBody/eventList/3/inputEPCList/0',
      '/epcisBody/eventList/3/outputEPCList/0',
    ],
    /EPC pattern.*one object/,
  );

  const single = await post('/epcis/events', { '@context': CONTEXT, ...observation(1, { epcList: [pattern] }) });
  t.equal(single.statusCode, 400, 'as one event too');
  t.match(single.json().errors, [{ pointer: '/epcList/0', detail: /EPC pattern/ }]);
  t.equal((await plant.api.get('/epcis/events')).body.epcisBody.queryResults.resultsBody.eventList.length, 0, 'nothing stored');

  // CBV's class-level identifier of a GTIN is its EPC pattern of every serial: an epcClass takes it, in any case
  const { job } = await captured(
    world,
    plant.key,
    doc([
      observation(5, { quantityList: [{ epcClass: pattern, quantity: 2 }] }),
      observation(6, { quantityList: [{ epcClass: upper, quantity: 3 }] }),
      observation(7, { epcList: [one] }),
    ]),
  );
  t.match(job, { success: true, captured: 3 }, 'a GTIN’s pattern as an epcClass is taken');
  const classes = await plant.api.get(`/epcis/events?MATCH_epcClass=${encodeURIComponent('https://id.gs1.org/01/80614141123458')}`);
  t.same(
    classes.body.epcisBody.queryResults.resultsBody.eventList.map((event: { eventTime: string }) => Number(event.eventTime.slice(8, 10))),
    [5, 6],
    'both spellings name the one GTIN',
  );
});

t.test(
  'an EPC pattern is no place, party or document: as a read point, business location, source, destination or business transaction it is refused naming the element',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('slaughterhouse');
    const post = (url: string, payload: object) => epcisRequests(world).post(plant.key, url, payload);
    const pattern = 'urn:epc:idpat:sgln:0614141.12345.*';
    const upper = 'URN:EPC:IDPAT:SGLN:0614141.12345.*';
    const one = 'urn:epc:id:sgtin:0614141.812345.6789';
    const reply = await post(
      '/epcis/capture',
      doc([
        observation(1, { epcList: [one], readPoint: { id: pattern } }),
        observation(2, { epcList: [one], bizLocation: { id: upper } }),
        observation(3, {
          epcList: [one],
          sourceList: [
            { type: 'location', source: 'urn:epc:id:sgln:0614141.12345.0' },
            { type: 'location', source: 'urn:epc:idpat:sgln:0614141.*.*' },
          ],
          destinationList: [{ type: 'location', destination: upper }],
        }),
        observation(4, { epcList: [one], bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epc:idpat:gdti:0614141.12345.*' }] }),
      ]),
    );
    refusedAt(
      t,
      reply,
      [
        '/epcisBody/eventList/0/readPoint/id',
        '/epcisBody/eventList/1/bizLocation/id',
        '/epcisBody/eventList/2/destinationList/0/destination',
        '/epcisBody/eventList/2/sourceList/1/source',
        '/epcisBody/eventList/3/bizTransactionList/0/bizTransaction',
      ],
      /EPC pattern.*not one (place|party or place|business transaction)/,
    );

    const single = await post('/epcis/events', { '@context': CONTEXT, ...observation(1, { epcList: [one], readPoint: { id: upper } }) });
    refusedAt(t, single, ['/readPoint/id'], /EPC pattern.*not one place/);
    t.equal((await plant.api.get('/epcis/events')).body.epcisBody.queryResults.resultsBody.eventList.length, 0, 'nothing stored');
  },
);

t.test('a lot a capture makes takes its production date from its ilmd, refused as natively when a day to come', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const farmLot = 'https://id.gs1.org/01/06901234000016/10/FARM-ILMD';
  const commissioning = (productionDate: string) => ({
    type: 'ObjectEvent',
    eventTime: '2026-12-06T16:30:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass: farmLot, quantity: 10, uom: 'H87' }],
    ilmd: { 'cbvmda:productionDate': productionDate },
  });
  const refused = await captured(world, farm.key, doc([commissioning('2026-12-26')]));
  t.match(refused.job, { success: false, errors: [{ pointer: '/epcisBody/eventList/0/ilmd/cbvmda:productionDate' }] }, 'a day to come');
  const { job } = await captured(world, farm.key, doc([commissioning('2026-12-06')]));
  t.match(job, { success: true, captured: 1 });
  const trace = expectStatus(t, await farm.api.get(`/trace/${encodeURIComponent(farmLot)}`), 200, 'the lot it made').body;
  t.match(trace.nodes, [{ depth: 0, productionDate: '2026-12-06', expiryDate: null }]);
});
