// EPC patterns in MATCH_ parameters: each is read as ranges of an index, however many a query holds
// (more than the few dozen regular expressions PostgreSQL keeps compiled), and finds what it finds on
// its own; a parameter holds each value once and at most MAX_MATCH_VALUES of them, in a URL query as
// in a named query. A party keeps a bounded number of named queries, listed a page at a time.
import { sql } from 'drizzle-orm';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { MAX_MATCH_VALUES, MAX_STORED_QUERY_LENGTH } from '../../src/epcis/query-params.js';
import { captured, epcisDocument as doc, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const eventList = (reply: { body: any }) => (reply.body.epcisBody?.queryResults.resultsBody.eventList ?? []) as Record<string, any>[];
const days = (reply: { body: any }) => eventList(reply).map((event) => Number(String(event.eventTime).slice(8, 10)));
const query = (name: string, values: string[]) => `${name}=${values.map(encodeURIComponent).join('|')}&perPage=1000`;
/** Patterns that name nothing stored: GTINs of the company 0614141 no event names. */
const others = (count: number) => Array.from({ length: count }, (_, i) => `urn:epc:idpat:sgtin:0614141.${700000 + i}.*`);

t.test('many patterns at once find what each finds alone', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const sgtin = (reference: string, serial: number) => `urn:epc:id:sgtin:0614141.${reference}.${serial}`;
  const { job } = await captured(
    world,
    plant.key,
    doc([
      observation(1, { epcList: [sgtin('812345', 1), sgtin('812345', 2)] }),
      observation(2, { epcList: [sgtin('812346', 1)] }),
      observation(3, { epcList: ['urn:epc:id:sscc:0614141.1234567890'] }),
      observation(4, { quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.812345.LOT1', quantity: 5 }] }),
      // a UPUI of the first GTIN: the key's digits start as the SGTINs' do, its /235/ is no SGTIN's
      observation(5, { epcList: ['urn:epc:id:upui:0614141.812345.ABC'] }),
      observation(6, { epcList: ['urn:epc:id:gid:95100000.12345.400', 'urn:epc:id:gid:95100000.123456.1'] }),
      observation(7, { epcList: ['urn:epc:id:sgtin:0614142.812345.1'] }),
    ]),
  );
  t.match(job, { success: true, captured: 7 });
  const asked = async (name: string, values: string[]) =>
    days(expectStatus(t, await plant.api.get(`/epcis/events?${query(name, values)}`), 200, `${name}: ${values.length} values`));

  const alone: [string, string, number[]][] = [
    ['MATCH_epc', 'urn:epc:idpat:sgtin:0614141.812345.*', [1]],
    ['MATCH_epc', 'urn:epc:idpat:sgtin:0614141.812346.1', [2]],
    ['MATCH_epc', 'urn:epc:idpat:sgtin:0614141.*.*', [1, 2]],
    // a shorter company prefix, which 0614142 begins with too
    ['MATCH_epc', 'urn:epc:idpat:sgtin:061414.*.*', [1, 2, 7]],
    ['MATCH_epc', 'urn:epc:idpat:sgtin:*.*.*', [1, 2, 7]],
    ['MATCH_epc', 'urn:epc:idpat:upui:0614141.812345.*', [5]],
    ['MATCH_epc', 'urn:epc:idpat:sscc:0614141.*', [3]],
    ['MATCH_epc', 'urn:epc:idpat:sscc:*.*', [3]],
    ['MATCH_epc', 'urn:epc:idpat:gid:95100000.12345.*', [6]],
    ['MATCH_epc', 'urn:epc:idpat:gid:95100000.1234.*', []],
    ['MATCH_epc', 'urn:epc:idpat:gid:*.*.*', [6]],
    ['MATCH_epcClass', 'urn:epc:idpat:sgtin:0614141.812345.*', [4]],
  ];
  for (const [name, pattern, expected] of alone) {
    t.same(await asked(name, [pattern]), expected, `${pattern} alone`);
    // among 60 others naming nothing: more than PostgreSQL keeps compiled, before and after it
    t.same(await asked(name, [...others(30), pattern, ...others(60).slice(30)]), expected, `${pattern} among 60 others`);
  }
  const every = alone.filter(([name]) => name === 'MATCH_epc').map(([, pattern]) => pattern);
  t.same(await asked('MATCH_anyEPC', [...others(40), ...every]), [1, 2, 3, 5, 6, 7], 'each pattern finds its own, together');
  t.same(await asked('MATCH_anyEPC', others(MAX_MATCH_VALUES)), [], `${MAX_MATCH_VALUES} patterns naming nothing find nothing`);

  expectStatus(
    t,
    await plant.api.post('/epcis/queries', { name: 'many', query: { MATCH_anyEPC: [...others(40), ...every] } }),
    201,
    'a named query of them',
  );
  t.same(days(expectStatus(t, await plant.api.get('/epcis/queries/many/events?perPage=1000'), 200, 'runs')), [1, 2, 3, 5, 6, 7]);
});

t.test('patterns find native lots by their GTIN and containers by their SSCC among many others', async (t) => {
  const world = await createWorld(t);
  await seedDemoChain(world.app.services);
  const ids = async (name: string, values: string[]) =>
    eventList(expectStatus(t, await world.regulator.get(`/epcis/events?${query(name, values)}`), 200, `${name}: ${values.length}`))
      .map((event) => event.eventID)
      .sort();
  for (const [name, pattern] of [
    ['MATCH_anyEPCClass', 'urn:epc:idpat:sgtin:6901234.056701.*'],
    ['MATCH_anyEPCClass', 'urn:epc:idpat:sgtin:6901234.*.*'],
    ['MATCH_parentID', 'urn:epc:idpat:sscc:6901234.*'],
    ['MATCH_anyEPC', 'urn:epc:idpat:sscc:*.*'],
  ]) {
    const found = await ids(name, [pattern]);
    t.ok(found.length > 0, `${pattern} finds native events`);
    t.same(await ids(name, [...others(50), pattern]), found, `${pattern} finds them among 50 others`);
  }
});

t.test('a MATCH_ parameter holds each value once, and at most MAX_MATCH_VALUES of them', async (t) => {
  const world = await createWorld(t, undefined, { bodyLimit: 1024 * 1024 });
  const plant = await world.party('slaughterhouse');
  const { job } = await captured(world, plant.key, doc([observation(1, { epcList: ['urn:epc:id:sgtin:0614141.812345.1'] })]));
  t.match(job, { success: true });
  const pattern = 'urn:epc:idpat:sgtin:0614141.812345.*';

  // the same value over and over is one value (as many as a URL holds)
  const repeated = [...others(MAX_MATCH_VALUES - 1), ...Array.from({ length: 40 }, () => pattern)];
  t.same(days(expectStatus(t, await plant.api.get(`/epcis/events?${query('MATCH_epc', repeated)}`), 200, 'repeated')), [1]);

  const tooMany = [...others(MAX_MATCH_VALUES), pattern];
  const refused = expectStatus(t, await plant.api.get(`/epcis/events?${query('MATCH_anyEPC', tooMany)}`), 400, 'one value too many');
  t.match(refused.headers['content-type'], /application\/problem\+json/);
  t.match(refused.body, {
    detail: new RegExp(`MATCH_anyEPC: at most ${MAX_MATCH_VALUES} different values \\(${MAX_MATCH_VALUES + 1} given\\)`),
    errors: [{ in: 'querystring', pointer: '/MATCH_anyEPC' }],
  });
  // each parameter counts its own (more than a URL holds: a named query)
  const both = { MATCH_epc: others(MAX_MATCH_VALUES), MATCH_epcClass: others(MAX_MATCH_VALUES) };
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'both', query: both }), 201, `${MAX_MATCH_VALUES} in each of two`);
  expectStatus(t, await plant.api.delete('/epcis/queries/both'), 204, 'deleted again');

  // a named query: refused as it is made, naming where in the body
  const made = await plant.api.post('/epcis/queries', { name: 'too-many', query: { MATCH_anyEPC: tooMany } });
  expectStatus(t, made, 400, 'a named query of one value too many');
  t.match(made.body, { errors: [{ in: 'body', pointer: '/query/MATCH_anyEPC', detail: /at most 100 different values/ }] });
  // 20,000 patterns (780 KB): refused before anything is stored or run
  const flood = await plant.api.post('/epcis/queries', {
    name: 'flood',
    query: { MATCH_anyEPC: Array.from({ length: 20_000 }, (_, i) => `urn:epc:idpat:sgtin:0614141.${800000 + i}.*`) },
  });
  expectStatus(t, flood, 400, 'a named query of 20,000 patterns');
  t.match(flood.body, { errors: [{ pointer: '/query/MATCH_anyEPC' }] });
  const stored = await plant.api.post('/epcis/queries', { name: 'repeated', query: { MATCH_epc: repeated } });
  expectStatus(t, stored, 201, 'a named query of one value repeated');
  t.equal(stored.body.query.MATCH_epc.length, MAX_MATCH_VALUES, 'stored once each');
  t.same(days(expectStatus(t, await plant.api.get('/epcis/queries/repeated/events'), 200, 'runs')), [1]);
  t.same(
    (await plant.api.get('/epcis/queries')).body.items.map((item: { name: string }) => item.name),
    ['repeated'],
    'nothing else stored',
  );

  // one stored before the limit is listed, but running it is a 422 naming the parameter (as a
  // subscription's delivery reads it: paused, never resolved again and again)
  await world.database.db.execute(
    sql`insert into epcis_queries (owner, name, role, party_code, params)
      values (${plant.code}, 'old', 'operator', ${plant.code}, ${JSON.stringify({ MATCH_anyEPC: tooMany })}::jsonb)`,
  );
  const old = await plant.api.get('/epcis/queries/old/events');
  expectStatus(t, old, 422, 'a stored query of one value too many');
  t.match(old.body, {
    type: '/problems/named-query-invalid',
    errors: [{ in: 'named query', pointer: '/query/MATCH_anyEPC', detail: /at most 100 different values/ }],
  });
  expectStatus(t, await plant.api.delete('/epcis/queries/old'), 204, 'deleted');

  // other lists are bounded by what a named query stores
  const long = await plant.api.post('/epcis/queries', {
    name: 'long',
    query: { EQ_bizStep: Array.from({ length: 20_000 }, (_, i) => `step-${i}`) },
  });
  expectStatus(t, long, 400, 'parameters longer than a named query stores');
  t.match(long.body, {
    errors: [{ in: 'body', pointer: '/query', detail: new RegExp(`at most ${MAX_STORED_QUERY_LENGTH} characters`) }],
  });
});

t.test('a party keeps at most NAMED_QUERIES_PER_PARTY named queries, listed a page at a time', async (t) => {
  const world = await createWorld(t, undefined, { namedQueriesPerParty: 5 });
  const plant = await world.party('slaughterhouse');
  const other = await world.party('slaughterhouse');
  const names = ['q-e', 'q-a', 'Q-b', 'q-d', 'q-c'];
  for (const name of names) expectStatus(t, await plant.api.post('/epcis/queries', { name, query: {} }), 201, `query ${name}`);
  const refused = await plant.api.post('/epcis/queries', { name: 'q-f', query: {} });
  expectStatus(t, refused, 409, 'one more');
  t.match(refused.body, {
    type: '/problems/named-query-limit',
    status: 409,
    detail: /at most 5 named queries .*NAMED_QUERIES_PER_PARTY/,
  });
  t.match(refused.headers['content-type'], /application\/problem\+json/);
  expectStatus(t, await plant.api.get('/epcis/queries/q-f'), 404, 'not stored');
  expectStatus(t, await other.api.post('/epcis/queries', { name: 'q-f', query: {} }), 201, 'another party’s count is its own');

  // pages in the order of the names, each link leading to the next
  const listed: string[] = [];
  let url: string | undefined = '/epcis/queries?perPage=2';
  let pages = 0;
  while (url) {
    const page = expectStatus(t, await plant.api.get(url), 200, `page ${++pages}`);
    t.ok(page.body.items.length <= 2, 'at most perPage');
    listed.push(...page.body.items.map((item: { name: string }) => item.name));
    url = /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link ?? ''))?.[1];
  }
  t.same(listed, [...names].sort(), 'every query once, in the order of their names');
  t.equal(pages, 3);
  const all = expectStatus(t, await plant.api.get('/epcis/queries'), 200, 'one page by default');
  t.equal(all.body.items.length, 5);
  t.notOk(all.headers.link, 'and no link');
  t.match(all.body.items[0], { name: 'Q-b', query: {}, createdAt: String });

  expectStatus(t, await plant.api.get('/epcis/queries?nextPageToken=nonsense'), 400, 'a token of no listing');
  expectStatus(t, await plant.api.get('/epcis/queries?name=q-a'), 400, 'a parameter of no paging');

  expectStatus(t, await plant.api.delete('/epcis/queries/q-a'), 204, 'one deleted');
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'q-f', query: {} }), 201, 'makes room for another');
});

t.test('an EPC pattern is read in any case of its URN head, as the lower-case spelling is', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const { job } = await captured(
    world,
    plant.key,
    doc([
      observation(1, { epcList: ['urn:epc:id:sgtin:0614141.812345.6789'] }),
      // the bare GTIN of the same item reference, no serial
      observation(2, { epcList: ['https://id.gs1.org/01/80614141123458'] }),
      observation(3, { quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.812345.LOT1', quantity: 5 }] }),
    ]),
  );
  t.match(job, { success: true, captured: 3 });
  const asked = async (name: string, values: string[]) =>
    days(expectStatus(t, await plant.api.get(`/epcis/events?${query(name, values)}`), 200, `${name}=${values.join('|')}`));

  const cases: [string, string, number[]][] = [
    ['MATCH_epc', 'urn:epc:idpat:sgtin:0614141.812345.*', [1, 2]],
    ['MATCH_epc', 'urn:epc:idpat:sgtin:*.*.*', [1, 2]],
    ['MATCH_epc', 'urn:epc:idpat:sgtin:0614141.*.*', [1, 2]],
    ['MATCH_epc', 'urn:epc:idpat:sgtin:0614141.812345.6789', [1]],
    ['MATCH_epcClass', 'urn:epc:idpat:sgtin:0614141.812345.*', [3]],
    ['MATCH_anyEPC', 'urn:epc:idpat:sgtin:0614141.812345.*', [1, 2]],
    ['MATCH_anyEPCClass', 'urn:epc:idpat:sgtin:0614141.812345.*', [3]],
  ];
  const upper = (pattern: string) => pattern.replace(/^urn:epc:idpat:sgtin:/, 'URN:EPC:IDPAT:SGTIN:');
  const mixed = (pattern: string) => pattern.replace(/^urn:epc:idpat:sgtin:/, 'Urn:Epc:IdPat:SGtin:');
  for (const [name, pattern, expected] of cases) {
    t.same(await asked(name, [pattern]), expected, `${name} ${pattern}`);
    t.same(await asked(name, [upper(pattern)]), expected, `${name} ${upper(pattern)}: as in lower case`);
    t.same(await asked(name, [mixed(pattern)]), expected, `${name} ${mixed(pattern)}: as in lower case`);
  }

  // a named query of an upper-case pattern is made and runs alike
  expectStatus(
    t,
    await plant.api.post('/epcis/queries', { name: 'upper', query: { MATCH_epc: ['URN:EPC:IDPAT:SGTIN:0614141.812345.*'] } }),
    201,
    'a named query of an upper-case pattern',
  );
  t.same(days(expectStatus(t, await plant.api.get('/epcis/queries/upper/events?perPage=1000'), 200, 'runs')), [1, 2]);

  // an upper-case pattern this service does not read is refused as the lower-case one is, as a pattern
  for (const pattern of ['urn:epc:idpat:sgtin:0614141.*.6789', 'URN:EPC:IDPAT:SGTIN:0614141.*.6789']) {
    const reply = expectStatus(t, await plant.api.get(`/epcis/events?${query('MATCH_epc', [pattern])}`), 400, pattern);
    t.match(reply.body, { errors: [{ pointer: '/MATCH_epc', detail: /is no EPC pattern this service reads/ }] }, pattern);
  }
});
