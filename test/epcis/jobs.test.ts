// Capture jobs as a party sees them: all or nothing (rollback) or every good event (proceed) when
// one event breaks a ledger rule, parties taking turns for the job slots, error texts that are
// storable and never leak SQL, and jobs that end (failed or partial) when the service fails in
// them. PGlite, or PostgreSQL when DATABASE_URL is set.
import { eq, inArray, sql } from 'drizzle-orm';
import { createRepositories } from '../../src/app.js';
import type { Db } from '../../src/db/client.js';
import { epcisCaptures } from '../../src/db/schema.js';
import { eventHashId } from '../../src/epcis/event-hash.js';
import { createEpcisService, DEFAULT_QUERY_TIMEOUT_SECONDS } from '../../src/epcis/service.js';
import { unprocessable } from '../../src/errors/problem.js';
import { BatchRejected, type EventWriter } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { EPCIS_CONTEXT, epcisDocument } from '../fixtures/epcis.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { type Client, postgresOnly, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const TIME = { eventTime: '2026-03-01T08:00:00+08:00', eventTimeZoneOffset: '+08:00' };
const pack = (tag: string, serial: number) => `https://id.gs1.org/01/06901234000030/21/${tag}${serial}`;
const added = (tag: string, serial: number, extra: object = {}) => ({
  type: 'ObjectEvent',
  ...TIME,
  action: 'ADD',
  bizStep: 'commissioning',
  epcList: [pack(tag, serial)],
  ...extra,
});
/** An event commissioning `count` packs: enough of them end a part of the capture (about 5,000 objects). */
const packs = (tag: string, count: number) => ({
  type: 'ObjectEvent',
  ...TIME,
  action: 'ADD',
  bizStep: 'commissioning',
  epcList: Array.from({ length: count }, (_, serial) => pack(tag, serial)),
});
const eventId = (tag: string, index: number) =>
  `urn:uuid:6c1f1f52-0f0e-4d1e-9c55-${tag}${index.toString(16).padStart(12 - tag.length, '0')}`;
/** No statement, clause or driver text: what a database error would bring along. */
const SQL_TEXT = /\b(select|insert|update|delete)\b|\bfrom\s+"?\w+|\bwhere\b|\$\d|failed query|syntax|violates|constraint|encoding/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what is looked for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

async function post(world: World, key: string, body: object, behaviour: 'rollback' | 'proceed') {
  const reply = await world.app.inject({
    method: 'POST',
    url: '/epcis/capture',
    payload: body,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/ld+json', 'gs1-capture-error-behaviour': behaviour },
  });
  if (reply.statusCode !== 202) throw new Error(`capture: ${reply.statusCode} ${reply.body}`);
  return reply.json().captureID as string;
}

async function finished(api: Client, id: string) {
  for (let i = 0; i < 2000; i++) {
    const job = (await api.get(`/epcis/capture/${id}`)).body;
    if (!job.running) return job;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`capture job ${id} did not finish`);
}

/** The eventIDs of a party's stored events, through the EPCIS query interface. */
async function storedIds(api: Client): Promise<string[]> {
  const reply = await api.get('/epcis/events?perPage=1000');
  if (reply.status !== 200) throw new Error(`query: ${reply.status}`);
  return reply.body.epcisBody.queryResults.resultsBody.eventList.map((event: { eventID: string }) => event.eventID);
}

t.test('one event breaking a ledger rule: rollback stores nothing of the document, proceed stores every other event', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const CARCASS = 'https://id.gs1.org/01/06901234000023/10/TZ-0310';
  const CUTS = 'https://id.gs1.org/01/06901234000047/10/CUT-0310';
  const events: object[] = Array.from({ length: 100 }, (_, index) => added('doc-', index, { eventID: eventId('a', index) }));
  // 100 kg of carcass come into being first…
  events[0] = {
    type: 'ObjectEvent',
    eventID: eventId('a', 0),
    ...TIME,
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass: CARCASS, quantity: 100, uom: 'KGM' }],
  };
  // …and the 57th event cuts 250 kg of it
  events[56] = {
    type: 'TransformationEvent',
    eventID: eventId('a', 56),
    ...TIME,
    bizStep: 'commissioning',
    inputQuantityList: [{ epcClass: CARCASS, quantity: 250, uom: 'KGM' }],
    outputQuantityList: [{ epcClass: CUTS, quantity: 240, uom: 'KGM' }],
  };
  const document = epcisDocument(events);
  // the carcass as the document wrote it, not by the lot code it maps to here
  const theRule = `event 56: only 100 KGM of ${CARCASS} remain with ${plant.code}; 250 requested`;

  const rollback = await finished(plant.api, await post(world, plant.key, document, 'rollback'));
  t.match(rollback, { success: false, running: false, captureErrorBehaviour: 'rollback', total: 100, captured: 0, duplicates: 0 });
  t.equal(rollback.errors.length, 1, 'one error');
  t.match(rollback.errors[0], { eventIndex: 56, eventId: eventId('a', 56) });
  t.equal(rollback.errors[0].pointer, '/epcisBody/eventList/56/inputQuantityList/0/quantity', 'the error names the quantity in event 56');
  t.equal(rollback.errors[0].message, theRule, 'the error names event 56 and the rule it broke');
  t.same(rollback.eventIDs, []);
  t.same(await storedIds(plant.api), [], 'nothing of the document is stored');
  expectStatus(t, await plant.api.get(`/trace/${encodeURIComponent(CARCASS)}`), 404, 'not even the lot its first event made');

  const proceed = await finished(plant.api, await post(world, plant.key, document, 'proceed'));
  const others = Array.from({ length: 100 }, (_, index) => eventId('a', index)).filter((_, index) => index !== 56);
  t.match(proceed, { success: false, running: false, captureErrorBehaviour: 'proceed', captured: 99, duplicates: 0 });
  t.equal(proceed.errors.length, 1, 'the one error');
  t.match(proceed.errors[0], { eventIndex: 56, eventId: eventId('a', 56) });
  t.equal(proceed.errors[0].pointer, '/epcisBody/eventList/56/inputQuantityList/0/quantity');
  t.equal(proceed.errors[0].message, theRule);
  t.same([...proceed.eventIDs].sort(), [...others].sort(), 'the job lists the 99 events');
  t.same((await storedIds(plant.api)).sort(), [...others].sort(), 'exactly those 99 events are stored');
  const carcassLot = (await plant.api.get(`/trace/${encodeURIComponent(CARCASS)}`)).body.query.lotCodes[0];
  t.equal((await plant.lot(carcassLot)).quantity, 100, 'of which nothing was taken');
});

t.test('an event without an eventID is named by its hash in the errors of rollback and proceed jobs alike', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const LOT = 'https://id.gs1.org/01/06901234000023/10/HASH-1';
  const overdraw = {
    type: 'ObjectEvent',
    ...TIME,
    action: 'DELETE',
    bizStep: 'destroying',
    quantityList: [{ epcClass: LOT, quantity: 9, uom: 'KGM' }],
  };
  const document = epcisDocument([
    { type: 'ObjectEvent', ...TIME, action: 'ADD', quantityList: [{ epcClass: LOT, quantity: 5, uom: 'KGM' }] },
    overdraw,
  ]);
  const hash = eventHashId(overdraw, EPCIS_CONTEXT);
  for (const behaviour of ['rollback', 'proceed'] as const) {
    const job = await finished(plant.api, await post(world, plant.key, document, behaviour));
    t.strictSame(
      job.errors.map(({ eventIndex, eventId, pointer }: Record<string, unknown>) => ({ eventIndex, eventId, pointer })),
      [{ eventIndex: 1, eventId: hash, pointer: '/epcisBody/eventList/1/quantityList/0/quantity' }],
      `${behaviour}: the event's hash`,
    );
  }
});

t.test('a capture written in parts (thousands of EPCs) still rolls back whole when its last part breaks a rule', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const CARCASS = 'https://id.gs1.org/01/06901234000023/10/TZ-0311';
  // two events of 3,000 packs each fill more than one part; the cut comes in the next one
  const events = [
    {
      type: 'ObjectEvent',
      ...TIME,
      action: 'ADD',
      bizStep: 'commissioning',
      quantityList: [{ epcClass: CARCASS, quantity: 100, uom: 'KGM' }],
    },
    packs('part-a-', 3000),
    packs('part-b-', 3000),
    {
      type: 'TransformationEvent',
      ...TIME,
      bizStep: 'commissioning',
      inputQuantityList: [{ epcClass: CARCASS, quantity: 250, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000047/10/CUT-0311', quantity: 240, uom: 'KGM' }],
    },
  ];
  const rollback = await finished(plant.api, await post(world, plant.key, epcisDocument(events), 'rollback'));
  t.match(rollback, { success: false, captured: 0 });
  t.match(rollback.errors, [{ eventIndex: 3 }], 'the last event is the one refused');
  t.same(await storedIds(plant.api), [], 'nothing of the earlier parts is stored');
  expectStatus(t, await plant.api.get(`/trace/${encodeURIComponent(pack('part-a-', 0))}`), 404, 'not one of the 6,000 packs');

  const stores: string[] = [];
  const stop = world.database.stats.observe((query) => {
    if (/^\s*with new_lots as \(insert into lots/.test(query.text)) stores.push(query.text);
  });
  const smallerCut = {
    type: 'TransformationEvent',
    ...TIME,
    bizStep: 'commissioning',
    inputQuantityList: [{ epcClass: CARCASS, quantity: 50, uom: 'KGM' }],
    outputQuantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000047/10/CUT-0312', quantity: 48, uom: 'KGM' }],
  };
  const withoutTheBadCut = await finished(
    plant.api,
    await post(world, plant.key, epcisDocument([...events.slice(0, 3), smallerCut]), 'rollback'),
  );
  stop();
  t.match(withoutTheBadCut, { success: true, captured: 4 }, 'the same parts with a cut that fits are stored');
  // the first part goes once 1,000 objects are checked; the next holds what was checked while it was
  // stored (the other pack event, and the cut when that statement was still running)
  t.ok(stores.length >= 2 && stores.length <= 3, `in parts, each by one statement (${stores.length} statements for 4 events)`);
  expectStatus(t, await plant.api.get(`/trace/${encodeURIComponent(pack('part-b-', 2999))}`), 200, 'down to the last pack');
});

t.test('a later part of a capture sees what the earlier parts made: their containers and their lineage', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const CASE = 'https://id.gs1.org/01/06901234000030/21/CASE-1';
  const caseOf = (child: string) => ({
    type: 'AggregationEvent',
    ...TIME,
    action: 'ADD',
    bizStep: 'packing',
    parentID: CASE,
    childEPCs: [child],
  });
  const packing = epcisDocument([
    added('case-', 0),
    caseOf(pack('case-', 0)),
    packs('fill-a-', 5000),
    added('case-', 1),
    caseOf(pack('case-', 1)),
  ]);
  const packed = await finished(plant.api, await post(world, plant.key, packing, 'rollback'));
  t.match(packed, { success: true, captured: 5 }, 'the case made in the first part takes the second pack in the next one');
  const trace = (await plant.api.get(`/trace/${encodeURIComponent(CASE)}`)).body;
  t.equal(trace.query.lotCodes.length, 1, 'one case, not two');

  const A = 'https://id.gs1.org/01/06901234000023/10/LOOP-A';
  const B = 'https://id.gs1.org/01/06901234000047/10/LOOP-B';
  const make = (from: string, to: string) => ({
    type: 'TransformationEvent',
    ...TIME,
    bizStep: 'commissioning',
    inputQuantityList: [{ epcClass: from, quantity: 5, uom: 'KGM' }],
    outputQuantityList: [{ epcClass: to, quantity: 5, uom: 'KGM' }],
  });
  const commissionA = { type: 'ObjectEvent', ...TIME, action: 'ADD', quantityList: [{ epcClass: A, quantity: 100, uom: 'KGM' }] };
  const loop = epcisDocument([commissionA, make(A, B), packs('fill-b-', 5000), make(B, A)]);
  const refused = await finished(plant.api, await post(world, plant.key, loop, 'rollback'));
  t.match(refused, { success: false, captured: 0 });
  t.match(refused.errors, [{ eventIndex: 3, message: /lineage cycle/ }], 'B made back into A, across parts, is a cycle');
});

t.test('parties take turns: a one-event capture finishes while a large one is still running', async (t) => {
  const world = await createWorld(t);
  const big = await world.party('processor');
  const small = await world.party('farm');
  const large = await post(world, big.key, epcisDocument(Array.from({ length: 3000 }, (_, index) => added('big-', index))), 'proceed');
  const quick = await post(world, small.key, epcisDocument([added('small-', 1)]), 'proceed');

  // poll both until both are done, noting the order they were seen to finish in
  const order: string[] = [];
  while (order.length < 2) {
    for (const [name, api, id] of [
      ['large', big.api, large],
      ['small', small.api, quick],
    ] as const) {
      if (!order.includes(name) && !(await api.get(`/epcis/capture/${id}`)).body.running) order.push(name);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const rows = await world.database.db
    .select({ id: epcisCaptures.id, finishedAt: epcisCaptures.finishedAt, captured: epcisCaptures.captured })
    .from(epcisCaptures)
    .where(inArray(epcisCaptures.id, [large, quick]));
  const row = (id: string) => rows.find((candidate) => candidate.id === id)!;
  t.equal(row(large).captured, 3000, 'the large capture stored all its events');
  t.equal(row(quick).captured, 1, 'the small one its event');
  t.ok(row(quick).finishedAt! < row(large).finishedAt!, 'the small capture finished first');
  t.equal(order[0], 'small', 'and was seen finished while the large one still ran');
});

const onPostgres = await postgresOnly();
t.test('on PostgreSQL a small capture does not wait for a large all-or-nothing one (20,000 EPCs)', onPostgres, async (t) => {
  // PGlite runs one transaction at a time, so there a rollback document holds everyone until it ends
  const world = await createWorld(t, 'postgres');
  const big = await world.party('processor');
  const small = await world.party('farm');
  const many = Array.from({ length: 20 }, (_, e) =>
    added('many-', e, { epcList: Array.from({ length: 1000 }, (_, i) => pack(`many-${e}-`, i)) }),
  );
  const large = await post(world, big.key, epcisDocument(many), 'rollback');
  const quick = await post(world, small.key, epcisDocument([added('alone-', 1)]), 'rollback');
  const job = await finished(small.api, quick);
  t.match(job, { success: true, captured: 1 }, 'the small capture is done');
  t.ok((await big.api.get(`/epcis/capture/${large}`)).body.running, 'while the large one still runs');
  t.match(await finished(big.api, large), { success: true, captured: 20 }, 'which then stores all of its events');
});

t.test('stored error texts: the event and the rule, never SQL, never NUL or lone surrogates', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const LOT = 'https://id.gs1.org/01/06901234000023/10/LOT-7';
  const overdrawn = await finished(
    plant.api,
    await post(
      world,
      plant.key,
      epcisDocument([
        { type: 'ObjectEvent', ...TIME, action: 'ADD', quantityList: [{ epcClass: LOT, quantity: 5, uom: 'KGM' }] },
        added('ok-', 1),
        {
          type: 'ObjectEvent',
          ...TIME,
          action: 'DELETE',
          bizStep: 'destroying',
          quantityList: [{ epcClass: LOT, quantity: 9, uom: 'KGM' }],
        },
      ]),
      'proceed',
    ),
  );
  t.match(overdrawn, { captured: 2, errors: [{ eventIndex: 2 }] });
  t.equal(overdrawn.errors[0].pointer, '/epcisBody/eventList/2/quantityList/0/quantity');
  t.equal(
    overdrawn.errors[0].message,
    `event 2: only 5 KGM of ${LOT} remain with ${plant.code}; 9 requested`,
    'event N: the rule, with the lot',
  );
  t.notMatch(overdrawn.errors[0].message, SQL_TEXT, 'no SQL in a rule error');

  // identifiers that percent-decode to NUL or to no text at all are refused at the door, not in the job
  for (const [what, epc] of [
    ['NUL', pack('A%00', 1)],
    ['a lone surrogate', pack('A%ED%A0%80', 1)],
  ] as const) {
    const reply = await world.app.inject({
      method: 'POST',
      url: '/epcis/capture',
      payload: epcisDocument([added('fine-', what.length), added('', 0, { epcList: [epc] })]),
      headers: { authorization: `Bearer ${plant.key}`, 'content-type': 'application/ld+json' },
    });
    t.equal(reply.statusCode, 400, `${what}: refused`);
    t.match(
      reply.json(),
      { errors: [{ pointer: '/epcisBody/eventList/1/epcList/0', detail: /not GS1 text once %-decoded/ }] },
      `${what}: named`,
    );
    t.notMatch(reply.body, UNSTORABLE, `${what}: the answer is storable text`);
  }
});

t.test('a job the service fails in ends as failed or partial, reporting exactly what it stored and no SQL', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const principal = { keyId: 'test', role: 'operator' as const, partyCode: plant.code };
  const repos = createRepositories(world.database);
  const real = eventWriterOn(world.database);
  /** The capture service on the test database, its writer replaced by `write`. */
  const serviceWith = (write: EventWriter['write']) =>
    createEpcisService({
      transaction: (work) => world.database.db.transaction((tx) => work(tx as unknown as Db)),
      capture: {
        writer: { ...real, write },
        identifiers: world.app.services.identifiers,
        epcis: repos.epcis,
        products: repos.products,
        lots: repos.lots,
        publicBaseUrl: TEST_BASE_URL,
      },
      epcis: repos.epcis,
      identifiers: world.app.services.identifiers,
      events: repos.events,
      lots: repos.lots,
      products: repos.products,
      locations: repos.locations,
      prefixes: async () => [],
      publicBaseUrl: TEST_BASE_URL,
      boundedReads: (work) => work(repos.epcis),
      queryTimeoutMs: DEFAULT_QUERY_TIMEOUT_SECONDS * 1000,
    });
  const run = async (service: ReturnType<typeof serviceWith>, document: object, behaviour: 'rollback' | 'proceed') => {
    const job = await service.capture(principal, document as Record<string, unknown>, behaviour);
    await service.idle();
    return service.captureJob(principal, job.id);
  };
  // what a database error brings along: its statement, its parameters, a NUL
  const databaseError = () => new Error('insert into "events" ("id", "payload") values ($1, $2) -- params: \u0000; violates constraint');

  // the second chunk of a proceed job fails: the first chunk's 1,000 events stay stored and counted
  let writes = 0;
  const proceed = await run(
    serviceWith(async (tx, requests, onError) => {
      if (++writes > 1) throw databaseError();
      return real.write(tx, requests, onError);
    }),
    epcisDocument(Array.from({ length: 1500 }, (_, index) => added('cut-', index))),
    'proceed',
  );
  t.match(proceed, { status: 'partial', finishedAt: Date, captured: 1000, document: null }, 'partial, finished');
  t.equal((await storedIds(plant.api)).length, 1000, 'exactly the 1,000 events it reports are stored');
  t.equal(proceed.errors.length, 1);
  t.match(proceed.errors[0].message, /failed while storing this document/);
  t.notMatch(JSON.stringify(proceed.errors), SQL_TEXT, 'no SQL, no parameters');

  const rollback = await run(
    serviceWith(async () => {
      throw databaseError();
    }),
    epcisDocument([added('gone-', 1), added('gone-', 2)]),
    'rollback',
  );
  t.match(rollback, { status: 'failed', captured: 0, finishedAt: Date }, 'a rollback job the service fails in is failed');
  t.notMatch(JSON.stringify(rollback.errors), SQL_TEXT);

  // a rule's text that jsonb cannot store (NUL, a lone surrogate) is stored made safe; the job still ends
  const unstorable = await run(
    serviceWith(async () => {
      throw new BatchRejected(1, unprocessable('test-rule', 'lot A\u0000B broke a rule \uD800'));
    }),
    epcisDocument([added('nul-', 1), added('nul-', 2)]),
    'rollback',
  );
  t.match(unstorable, { status: 'failed', captured: 0, finishedAt: Date, errors: [{ eventIndex: 1 }] }, 'failed, naming the event');
  t.match(unstorable.errors[0].message, /^event 1: lot A.B broke a rule/, 'and the rule');
  t.notMatch(unstorable.errors[0].message, UNSTORABLE, 'in text that can be stored');
  t.equal((await storedIds(plant.api)).length, 1000, 'neither rollback job stored anything');
});

t.test('GET /epcis/capture lists a party’s own capture jobs, newest first and paged; regulators list every party’s', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const other = await world.party('processor');
  const post = (key: string, events: object[], behaviour = 'proceed') =>
    world.app.inject({
      method: 'POST',
      url: '/epcis/capture',
      payload: epcisDocument(events),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/ld+json', 'gs1-capture-error-behaviour': behaviour },
    });
  const mine: string[] = [];
  for (let index = 0; index < 3; index++) {
    const reply = await post(plant.key, [added('LIST', index)]);
    t.equal(reply.statusCode, 202);
    mine.push(reply.json().captureID);
    await world.app.services.epcis.idle();
  }
  // a job that ends with an error: lots are recalled through POST /recalls only
  const failing = await post(plant.key, [added('LIST', 9, { disposition: 'recalled' })]);
  mine.push(failing.json().captureID);
  const theirs = (await post(other.key, [added('THEIRS', 1)])).json().captureID;
  await world.app.services.epcis.idle();

  const get = (key: string, url: string) => world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const listed: { captureID: string }[] = [];
  let pages = 0;
  for (let url: string | undefined = '/epcis/capture?perPage=3'; url; pages++) {
    const page = await get(plant.key, url);
    t.equal(page.statusCode, 200, url);
    listed.push(...page.json().items);
    url = /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link ?? ''))?.[1];
  }
  t.equal(pages, 2, 'two pages of 3');
  t.same(
    listed.map((job) => job.captureID),
    [...mine].reverse(),
    'the party’s own jobs, newest first, each once; not another party’s',
  );
  t.match(listed[3], { running: false, success: true, captured: 1, errorCount: 0 }, 'a job as it ended');
  t.match(listed[0], { running: false, success: false, errorCount: 1 }, 'one that failed, with its number of errors');
  t.notOk('eventIDs' in listed[0], 'without its event ids, which its own URL gives');
  const regulatorKey = (await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key as string;
  const everyone = (await get(regulatorKey, '/epcis/capture?perPage=1000')).json().items as { captureID: string }[];
  t.ok(
    everyone.some((job) => job.captureID === theirs) && mine.every((id) => everyone.some((job) => job.captureID === id)),
    'regulators list every party’s',
  );
  for (const [query, pointer] of [
    ['perPage=0', '/perPage'],
    ['nextPageToken=garbage', '/nextPageToken'],
    ['status=running', '/status'],
  ]) {
    const refused = await get(plant.key, `/epcis/capture?${query}`);
    t.equal(refused.statusCode, 400, query);
    t.equal(refused.json().errors[0].pointer, pointer, `naming ${pointer}`);
  }
});

t.test('a nextPageToken naming another party’s capture job lists as one naming no job: job ids cannot be probed', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const other = await world.party('processor');
  const post = async (key: string, tag: string) => {
    const reply = await world.app.inject({
      method: 'POST',
      url: '/epcis/capture',
      payload: epcisDocument([added(tag, 1)]),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/ld+json' },
    });
    t.equal(reply.statusCode, 202);
    await world.app.services.epcis.idle();
    return reply.json().captureID as string;
  };
  const older = await post(plant.key, 'PROBE1');
  const theirs = await post(other.key, 'PROBE2');
  await post(plant.key, 'PROBE3');
  const after = async (id: string) => {
    const token = Buffer.from(JSON.stringify({ by: 'createdAt', dir: 'DESC', id })).toString('base64url');
    const page = await world.app.inject({
      method: 'GET',
      url: `/epcis/capture?nextPageToken=${token}`,
      headers: { authorization: `Bearer ${plant.key}` },
    });
    t.equal(page.statusCode, 200);
    return (page.json().items as { captureID: string }[]).map((job) => job.captureID);
  };
  t.same(await after('00000000-0000-4000-8000-000000000000'), [], 'after no job: nothing');
  t.same(await after(theirs), [], 'after another party’s job: nothing either, not the jobs older than it');
  const regulatorKey = (await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key as string;
  const token = Buffer.from(JSON.stringify({ by: 'createdAt', dir: 'DESC', id: theirs })).toString('base64url');
  const everyone = await world.app.inject({
    method: 'GET',
    url: `/epcis/capture?nextPageToken=${token}`,
    headers: { authorization: `Bearer ${regulatorKey}` },
  });
  t.ok(
    (everyone.json().items as { captureID: string }[]).some((job) => job.captureID === older),
    'a regulator, who lists every party’s jobs, goes on after any',
  );
});

t.test('a capture accepted while the start takes over unfinished jobs runs once', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const principal = { keyId: 'test', role: 'operator' as const, partyCode: plant.code };
  const repos = createRepositories(world.database);
  const real = eventWriterOn(world.database);
  let writes = 0;
  let answer: () => void = () => {};
  const answered = new Promise<void>((resolve) => {
    answer = resolve;
  });
  const service = createEpcisService({
    transaction: (work) => world.database.db.transaction((tx) => work(tx as unknown as Db)),
    capture: {
      writer: {
        ...real,
        write: (...args) => {
          writes++;
          return real.write(...args);
        },
      },
      identifiers: world.app.services.identifiers,
      epcis: repos.epcis,
      products: repos.products,
      lots: repos.lots,
      publicBaseUrl: TEST_BASE_URL,
    },
    epcis: {
      ...repos.epcis,
      // the job's row is stored, but the request goes on only after the start's claim (as when its
      // answer comes back from the database later than the claim's)
      async insertCapture(...args) {
        const job = await repos.epcis.insertCapture(...args);
        await answered;
        return job;
      },
    },
    identifiers: world.app.services.identifiers,
    events: repos.events,
    lots: repos.lots,
    products: repos.products,
    locations: repos.locations,
    prefixes: async () => [],
    publicBaseUrl: TEST_BASE_URL,
    boundedReads: (work) => work(repos.epcis),
    queryTimeoutMs: DEFAULT_QUERY_TIMEOUT_SECONDS * 1000,
  });
  const capturing = service.capture(principal, epcisDocument([added('once-', 1), added('once-', 2)]), 'proceed');
  while (
    (
      await world.database.db
        .select()
        .from(epcisCaptures)
        .where(inArray(epcisCaptures.partyCode, [plant.code]))
    ).length === 0
  ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await service.resumeInterruptedJobs();
  answer();
  const job = await capturing;
  await service.idle();
  t.match(await service.captureJob(principal, job.id), { status: 'success', captured: 2, duplicates: 0 });
  t.equal(writes, 1, 'its events are written by one run');
});

t.test(
  'on PostgreSQL a job the lease timer takes over while the service closes is run before the close ends, not left claimed',
  onPostgres,
  async (t) => {
    // a lease of 0.3 s: the timer looks for jobs to take over every 100 ms
    const world = await createWorld(t, 'postgres', { jobLeaseSeconds: 0.3 });
    const plant = await world.party('processor');
    // the timer's next look is held up (code jobs first, then capture jobs) until the close is under way
    let unlock: () => void = () => {};
    const unlocked = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = world.database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table code_jobs in exclusive mode`);
      locked();
      await unlocked;
    });
    await isLocked;
    // a capture job whose process stopped renewing its lease
    const job = await createRepositories(world.database).epcis.insertCapture({
      id: 'c0ffee00-0000-4000-8000-000000000001',
      partyCode: plant.code,
      status: 'queued',
      errorBehaviour: 'proceed',
      total: 3000,
      document: epcisDocument(Array.from({ length: 3000 }, (_, index) => added('late-', index))),
      claimedBy: 'a stopped process',
      leaseUntil: new Date(0),
    });
    for (;;) {
      const waiting = await world.database.db.execute(sql`select 1 from pg_locks where relation = 'code_jobs'::regclass and not granted
          and database = (select oid from pg_database where datname = current_database())`);
      if ((waiting as unknown as { rows: unknown[] }).rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const closing = world.app.close();
    // the close has waited for the service's (no) jobs and now waits for the timer's look
    await new Promise((resolve) => setTimeout(resolve, 300));
    unlock();
    await holder;
    await closing;
    const [row] = await world.database.db.select().from(epcisCaptures).where(eq(epcisCaptures.id, job.id));
    t.match(row, { status: 'success', captured: 3000 }, 'the job it took over ran to its end before the close ended');
  },
);

t.test(
  'on PostgreSQL a starting service takes over no job before it has resumed those the last stop left, so its start reports them all',
  onPostgres,
  async (t) => {
    // a lease of 0.3 s: the timer looks for jobs to take over every 100 ms
    const world = await createWorld(t, 'postgres', { jobLeaseSeconds: 0.3, resumesJobsAtStart: true });
    const plant = await world.party('processor');
    const job = await createRepositories(world.database).epcis.insertCapture({
      id: 'c0ffee00-0000-4000-8000-000000000003',
      partyCode: plant.code,
      status: 'queued',
      errorBehaviour: 'proceed',
      total: 1,
      document: epcisDocument([added('left-', 0)]),
      claimedBy: 'the process the last stop ended',
      leaseUntil: new Date(0),
    });
    const claimant = async () =>
      (await world.database.db.select({ claimedBy: epcisCaptures.claimedBy }).from(epcisCaptures).where(eq(epcisCaptures.id, job.id)))[0]
        .claimedBy;
    // a slow start: the timer has looked several times before the start resumes anything
    await new Promise((resolve) => setTimeout(resolve, 600));
    t.equal(await claimant(), 'the process the last stop ended', 'the timer left the job to the start');
    t.match(await world.app.resumeJobsLeftByLastStop(), { captureJobs: 1 }, 'the start resumes it and says so');
    await world.app.services.epcis.idle();
    const [row] = await world.database.db.select().from(epcisCaptures).where(eq(epcisCaptures.id, job.id));
    t.match(row, { status: 'success', captured: 1 }, 'and runs it');
  },
);

t.test('a job queued by a process from before job_document (its document in the jsonb column) is run by a restart', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const job = await createRepositories(world.database).epcis.insertCapture({
    id: 'c0ffee00-0000-4000-8000-000000000002',
    partyCode: plant.code,
    status: 'queued',
    errorBehaviour: 'rollback',
    total: 2,
    documentAsJsonb: epcisDocument([added('older-', 1), added('older-', 2)]),
    claimedBy: 'a stopped process',
    leaseUntil: new Date(0),
  });
  t.equal(await world.app.services.epcis.resumeInterruptedJobs('expired'), 1, 'the job is taken over');
  await world.app.services.epcis.idle();
  const [row] = await world.database.db.select().from(epcisCaptures).where(eq(epcisCaptures.id, job.id));
  t.match(row, { status: 'success', captured: 2, document: null, documentAsJsonb: null }, 'its events are stored and its document let go');
});
