import type { LightMyRequestResponse as Response } from 'fastify';
import type { Test } from 'tap';
import type { Principal } from '../../src/access/index.js';
import type { EpcFormat } from '../../src/epcis/render.js';
import { epcisQueryDocumentSchema, epcisStandaloneEventSchema, epcisValueSetSchema } from '../../src/epcis/schemas.js';
import { EPCIS_CONTEXT as CONTEXT, captured, epcisDocument as doc, epcisRequests, observation } from '../fixtures/epcis.js';
import {
  committedOpenApi,
  conformsTo,
  declaredFor,
  declaredMediaTypes,
  declaredResponse,
  sentAsDeclared as heldToDeclaration,
  mediaTypeOf,
  type OpenApiDocument,
  operationsOf,
  servedOpenApi,
  undeclaredHeaders,
} from '../fixtures/openapi.js';
import { createWorld, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const FARM_LOT = 'https://id.gs1.org/01/06901234000016/10/FARM-1';
const SGLN = 'urn:epc:id:sgln:6901234.00001.0';
const FORMATS: EpcFormat[] = ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'];
/** The headers of the EPCIS 2.0 query interface the service sends. */
const EPCIS_HEADERS = ['Link', 'GS1-EPCIS-Version', 'GS1-CBV-Version', 'GS1-EPC-Format'];

/** A 200 whose content type and EPCIS headers the document declares for its path. */
function answeredAsDeclared(t: Test, document: OpenApiDocument, path: string, response: Response, what: string) {
  t.equal(response.statusCode, 200, what);
  t.ok(declaredMediaTypes(document, path)['200']?.includes(mediaTypeOf(response.headers)), `${what}: its content type is declared`);
  t.strictSame(undeclaredHeaders(declaredResponse(document, path, 200), response.headers, EPCIS_HEADERS), [], `${what}: headers declared`);
}

/** Captured events with extension fields and a prefix of their own, and native events (commission, inspection, transformation). */
async function plantWithEvents(t: Test, world: World) {
  const plant = await world.party('slaughterhouse');
  const example = { example: 'https://ns.example.com/epcis/' };
  const { job } = await captured(world, plant.key, {
    ...doc([
      observation(1, {
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: FARM_LOT, quantity: 10, uom: 'H87' }],
        'example:grade': { 'example:scale': 'A', 'example:by': ['inspector-7'] },
      }),
      { 'example:first': 1, ...observation(2, { bizStep: 'inspecting', quantityList: [{ epcClass: FARM_LOT, quantity: 10 }] }) },
      observation(3, { bizStep: 'inspecting', readPoint: { id: SGLN }, quantityList: [{ epcClass: FARM_LOT, quantity: 10 }] }),
    ]),
    '@context': [...CONTEXT, example],
  });
  t.match(job, { success: true, captured: 3 }, 'captured');
  const product = await plant.product('kg');
  const carcass = await plant.product('kg');
  const lot = await plant.commission(product, 100);
  await world.ok(plant.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } }));
  await plant.transform([{ lotCode: lot, quantity: 50 }], [{ productCode: carcass, quantity: 40 }]);
  await world.ok(plant.api.post('/epcis/queries', { name: 'inspections', query: { EQ_bizStep: 'inspecting' } }));
  return plant;
}

t.test('EPCIS event queries answer JSON-LD the OpenAPI document declares, as the declared schemas describe it', async (t) => {
  const world = await createWorld(t);
  const plant = await plantWithEvents(t, world);
  const document = await servedOpenApi(world.app);
  const queries: [string, string][] = [
    ['/epcis/events', '/epcis/events'],
    ['/epcis/events', '/epcis/events?perPage=2'],
    ['/epcis/events', '/epcis/events?eventType=TransformationEvent'],
    ['/epcis/eventTypes/{value}/events', '/epcis/eventTypes/ObjectEvent/events'],
    ['/epcis/epcs/{value}/events', `/epcis/epcs/${encodeURIComponent(FARM_LOT)}/events`],
    ['/epcis/bizSteps/{value}/events', '/epcis/bizSteps/inspecting/events'],
    ['/epcis/readPoints/{value}/events', `/epcis/readPoints/${encodeURIComponent(SGLN)}/events`],
    ['/epcis/dispositions/{value}/events', '/epcis/dispositions/in_progress/events'],
    ['/epcis/bizLocations/{value}/events', '/epcis/bizLocations/nowhere/events'],
    ['/epcis/queries/{queryName}/events', '/epcis/queries/inspections/events'],
  ];
  const eventIDs = new Set<string>();
  let linked = 0;
  for (const format of FORMATS) {
    const headers = { authorization: `Bearer ${plant.key}`, 'gs1-epc-format': format };
    for (const [path, url] of queries) {
      const response = await world.app.inject({ method: 'GET', url, headers });
      const what = `${url} (${format})`;
      answeredAsDeclared(t, document, path, response, what);
      if (response.headers.link) linked++;
      const body = response.json();
      conformsTo(t, epcisQueryDocumentSchema, body, what);
      for (const event of body.epcisBody.queryResults.resultsBody.eventList) eventIDs.add(event.eventID);
    }
    for (const eventID of eventIDs) {
      const response = await world.app.inject({ method: 'GET', url: `/epcis/events/${encodeURIComponent(eventID)}`, headers });
      const what = `event ${eventID} (${format})`;
      answeredAsDeclared(t, document, '/epcis/events/{eventID}', response, what);
      conformsTo(t, epcisStandaloneEventSchema, response.json(), what);
    }
  }
  t.equal(eventIDs.size, 6, 'captured and native events alike');
  t.equal(linked, FORMATS.length, 'a page with a next one links to it, with the Link header declared');
});

const LIST_PATHS = [
  '/epcis/eventTypes',
  '/epcis/epcs',
  '/epcis/bizSteps',
  '/epcis/bizLocations',
  '/epcis/readPoints',
  '/epcis/dispositions',
];

t.test('the EPCIS vocabulary lists answer as the OpenAPI document declares, headers and bodies', async (t) => {
  const world = await createWorld(t);
  const plant = await plantWithEvents(t, world);
  const document = await servedOpenApi(world.app);
  let linked = 0;
  for (const format of FORMATS) {
    const headers = { authorization: `Bearer ${plant.key}`, 'gs1-epc-format': format };
    for (const path of LIST_PATHS) {
      for (const url of [path, `${path}?perPage=1`]) {
        const response = await world.app.inject({ method: 'GET', url, headers });
        const what = `${url} (${format})`;
        answeredAsDeclared(t, document, path, response, what);
        if (response.headers.link) linked++;
        const body = response.json();
        conformsTo(t, epcisValueSetSchema, body, what);
        if (path !== '/epcis/bizLocations') t.ok(body['@set'].length > 0, `${what}: values`);
      }
    }
  }
  // a page of one links to the next wherever there are several values
  t.ok(linked >= FORMATS.length * 2, 'the lists link to their next page');
});

t.test('GET /epcis/capture answers with the headers the OpenAPI document declares, its Link to the next page among them', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  for (const day of [1, 2]) {
    const { reply } = await captured(world, plant.key, doc([observation(day, { epcList: [`urn:epc:id:sgtin:6901234.000002.${day}`] })]));
    t.equal(reply.statusCode, 202, 'a capture job');
  }
  const document = await servedOpenApi(world.app);
  const response = await world.app.inject({
    method: 'GET',
    url: '/epcis/capture?perPage=1',
    headers: { authorization: `Bearer ${plant.key}` },
  });
  t.ok(response.headers.link, 'a page of one of two links to the next');
  answeredAsDeclared(t, document, '/epcis/capture', response, 'GET /epcis/capture?perPage=1');
});

t.test('EPCIS query documents and events are sent as the service builds them, extension fields in their place', async (t) => {
  const world = await createWorld(t);
  const plant = await plantWithEvents(t, world);
  const { epcis } = world.app.services;
  const principal: Principal = { keyId: 'plant', role: 'operator', partyCode: plant.code };
  const sameDay = (json: string) => json.replace(/"creationDate":"[^"]+"/, '"creationDate":"…"');
  for (const format of FORMATS) {
    const headers = { authorization: `Bearer ${plant.key}`, 'gs1-epc-format': format };
    for (const query of [{}, { eventType: 'ObjectEvent' }, { perPage: '2' }] as Record<string, string>[]) {
      const url = `/epcis/events?${new URLSearchParams(query)}`;
      const response = await world.app.inject({ method: 'GET', url, headers });
      const built = epcis.queryDocument(await epcis.queryByParameters(principal, query, format));
      t.equal(sameDay(response.body), sameDay(JSON.stringify(built)), `${url} (${format})`);
    }
    const { eventList } = JSON.parse((await world.app.inject({ method: 'GET', url: '/epcis/events', headers })).body).epcisBody.queryResults
      .resultsBody;
    for (const { eventID } of eventList) {
      const response = await world.app.inject({ method: 'GET', url: `/epcis/events/${encodeURIComponent(eventID)}`, headers });
      const held = await epcis.event(principal, eventID);
      if (!('event' in held)) throw new Error(`${eventID} is held by several parties`);
      const built = (await epcis.formatter(format))(held.event);
      t.equal(response.body, JSON.stringify(built), `event ${eventID} (${format})`);
    }
    const extended = eventList.find((event: Record<string, unknown>) => 'example:grade' in event);
    t.strictSame(extended['example:grade'], { 'example:scale': 'A', 'example:by': ['inspector-7'] }, 'an extension field comes back');
  }
});

const EVENT_QUERY_PATHS = [
  '/epcis/events',
  '/epcis/events/{eventID}',
  '/epcis/queries/{queryName}/events',
  ...['eventTypes', 'epcs', 'bizSteps', 'bizLocations', 'readPoints', 'dispositions'].map((what) => `/epcis/${what}/{value}/events`),
];
/** The query routes and the vocabulary lists. */
const EPCIS_GET_PATHS = [...EVENT_QUERY_PATHS, ...LIST_PATHS];
const eventQueryResponsesOf = (document: OpenApiDocument) =>
  Object.fromEntries(EPCIS_GET_PATHS.map((path) => [path, document.paths[path].get.responses]));

t.test('the OpenAPI document declares the 200 answers of the EPCIS event queries as JSON-LD', async (t) => {
  const world = await createWorld(t);
  const served = await servedOpenApi(world.app);
  for (const path of EVENT_QUERY_PATHS) {
    t.strictSame(declaredMediaTypes(served, path)['200'], ['application/ld+json'], path);
    const headers = Object.keys(declaredResponse(served, path, 200)?.headers ?? {});
    const paged = path !== '/epcis/events/{eventID}';
    t.strictSame(headers, [...(paged ? ['Link'] : []), 'GS1-EPCIS-Version', 'GS1-CBV-Version', 'GS1-EPC-Format'], `${path}: its headers`);
  }
  const schemaOf = (path: string) => served.paths[path].get.responses['200'].content?.['application/ld+json'].schema;
  t.strictSame(schemaOf('/epcis/events'), { $ref: '#/components/schemas/EpcisQueryDocument' });
  t.strictSame(schemaOf('/epcis/events/{eventID}'), { $ref: '#/components/schemas/EpcisStandaloneEvent' });

  for (const path of LIST_PATHS) {
    t.strictSame(declaredResponse(served, path, 200)?.content, {
      'application/json': { schema: { $ref: '#/components/schemas/EpcisValueSet' } },
    });
    const headers = Object.keys(declaredResponse(served, path, 200)?.headers ?? {});
    // every list is paged
    t.strictSame(headers, ['Link', 'GS1-EPCIS-Version', 'GS1-CBV-Version', 'GS1-EPC-Format'], `${path}: its headers`);
    // only /epcis/epcs lists EPCs and classes; the others list values of their own field
    const description = declaredResponse(served, path, 200)?.description ?? '';
    if (path === '/epcis/epcs') t.match(description, /EPCs and classes/, `${path}: what it lists`);
    else t.notMatch(description, /EPCs and classes/, `${path}: what it lists`);
  }

  const committed = committedOpenApi();
  t.strictSame(eventQueryResponsesOf(committed), eventQueryResponsesOf(served), 'openapi/openapi.json declares them too');
  for (const name of ['EpcisQueryDocument', 'EpcisEvent', 'EpcisStandaloneEvent', 'EpcisValueSet'])
    t.strictSame(committed.components.schemas[name], served.components.schemas[name], `openapi/openapi.json has ${name}`);
});

t.test('the EPCIS routes’ error answers carry the headers the OpenAPI document declares for them', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const office = (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key as string;
  const document = await servedOpenApi(world.app);
  const as = (key: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...more });
  const json = { 'content-type': 'application/json' };
  const unknownId = '0190a0a0-0000-7000-8000-000000000000';
  // status, method, path as the document names it, URL, headers, body
  const asks: [number, 'GET' | 'POST' | 'DELETE', string, string, Record<string, string>, string?][] = [
    [400, 'GET', '/epcis/events', '/epcis/events?GE_eventTime=yesterday', as(plant.key)],
    [400, 'GET', '/epcis/bizSteps', '/epcis/bizSteps?perPage=0', as(plant.key, { 'gs1-epc-format': 'Always_EPC_URN' })],
    [400, 'GET', '/epcis/events', '/epcis/events', as(plant.key, { 'gs1-epc-format': 'Sometimes' })],
    [400, 'POST', '/epcis/capture', '/epcis/capture', as(plant.key, json), '{"type":'],
    [401, 'GET', '/epcis/events', '/epcis/events', {}],
    [401, 'POST', '/epcis/queries', '/epcis/queries', as('no-such-key', json), '{}'],
    [403, 'GET', '/epcis/readPoints', '/epcis/readPoints', as(office)],
    [404, 'GET', '/epcis/capture/{captureID}', `/epcis/capture/${unknownId}`, as(plant.key)],
    [404, 'GET', '/epcis/queries/{queryName}', '/epcis/queries/none', as(plant.key)],
    [404, 'DELETE', '/epcis/queries/{queryName}', '/epcis/queries/none', as(plant.key)],
    [413, 'POST', '/epcis/queries', '/epcis/queries', as(plant.key, json), JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) })],
    [414, 'GET', '/epcis/events', `/epcis/events?EQ_bizStep=${'x'.repeat(9000)}`, as(plant.key)],
    [415, 'POST', '/epcis/events', '/epcis/events', as(plant.key, { 'content-type': 'text/plain' }), 'x'],
  ];
  for (const [status, method, path, url, headers, payload] of asks) {
    const response = await world.app.inject({ method, url, headers, payload });
    const what = `${method} ${url.slice(0, 50)} (${status})`;
    t.equal(response.statusCode, status, what);
    t.equal(response.headers['gs1-epcis-version'], '2.0.0', `${what}: sent with the EPCIS version`);
    const declared = document.paths[path][method.toLowerCase()].responses[String(status)];
    t.ok(declared, `${what}: declared`);
    t.strictSame(undeclaredHeaders(declared, response.headers, EPCIS_HEADERS), [], `${what}: its headers declared`);
  }
  // every answer of every EPCIS route, success or error, declares them (the raw answers before routing aside)
  const missing: string[] = [];
  for (const [path, methods] of Object.entries(document.paths).filter(([path]) => path.startsWith('/epcis/')))
    for (const [method, operation] of Object.entries(methods))
      for (const [status, response] of Object.entries(operation.responses))
        if (!['408', '431'].includes(status) && !['GS1-EPCIS-Version', 'GS1-CBV-Version'].every((name) => response.headers?.[name]))
          missing.push(`${method.toUpperCase()} ${path} ${status}`);
  t.strictSame(missing, [], 'every EPCIS answer declares its version headers');
  t.strictSame(
    committedOpenApi().paths['/epcis/capture/{captureID}'].get.responses,
    document.paths['/epcis/capture/{captureID}'].get.responses,
    'openapi/openapi.json declares them too',
  );
});

/** An injected answer with a status its operation declares, every header it carries declared. */
const sentAsDeclared = (t: Test, document: OpenApiDocument, method: string, path: string, response: Response, status: number) =>
  heldToDeclaration(t, document, [method, path], { status: response.statusCode, headers: response.headers }, status);

t.test('OPTIONS /epcis/capture answers with the status and capture limits the OpenAPI document declares', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const document = await servedOpenApi(world.app);
  // the capture limits are the only OPTIONS operation; OPTIONS elsewhere (a CORS preflight) is
  // answered by src/plugins/cors.ts, which the document's description tells
  const options = operationsOf(document).filter(({ method }) => method === 'options');
  t.strictSame(
    options.map(({ path }) => path),
    ['/epcis/capture'],
    'the OPTIONS operations of the document',
  );
  const asks: Record<string, string>[] = [
    {},
    { authorization: `Bearer ${plant.key}`, 'gs1-epc-format': 'Always_EPC_URN' },
    { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  ];
  for (const { path } of options)
    for (const headers of asks) {
      const response = await world.app.inject({ method: 'OPTIONS', url: path, headers });
      sentAsDeclared(t, document, 'OPTIONS', path, response, 204);
    }
  const limits = await world.app.inject({ method: 'OPTIONS', url: '/epcis/capture' });
  t.match(
    limits.headers,
    {
      allow: 'OPTIONS, GET, HEAD, POST',
      'gs1-epcis-capture-limit': /^[1-9][0-9]*$/,
      'gs1-epcis-capture-file-size-limit': /^[1-9][0-9]*$/,
      'gs1-capture-error-behaviour': 'rollback, proceed',
    },
    'the capture limits',
  );
  t.strictSame(committedOpenApi().paths['/epcis/capture'].options, document.paths['/epcis/capture'].options, 'openapi/openapi.json too');
});

t.test('OPTIONS of every EPCIS path, and a path under /epcis no route serves, carry the EPCIS and CBV versions', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  // OPTIONS is how the REST binding has a client discover the versions a resource speaks
  const paths = [
    '/epcis/events',
    '/epcis/events/urn:uuid:4b9cfa5e-0000-4000-8000-000000000001',
    '/epcis/epcs',
    '/epcis/bizSteps/commissioning/events',
    '/epcis/queries',
    '/epcis/capture/4b9cfa5e-0000-4000-8000-000000000001',
  ];
  const asks: Record<string, string>[] = [
    {},
    { authorization: `Bearer ${plant.key}` },
    { origin: 'https://shop.example', 'access-control-request-method': 'GET' },
  ];
  for (const path of paths)
    for (const headers of asks) {
      const response = await world.app.inject({ method: 'OPTIONS', url: path, headers });
      t.equal(response.statusCode, 204, `OPTIONS ${path} ${JSON.stringify(headers)}`);
      t.match(response.headers, { 'gs1-epcis-version': '2.0.0', 'gs1-cbv-version': '2.0.0' }, `OPTIONS ${path}: the versions`);
    }
  const unknown = await world.app.inject({ method: 'GET', url: '/epcis/nothing?x=1', headers: { authorization: `Bearer ${plant.key}` } });
  t.equal(unknown.statusCode, 404);
  t.match(unknown.headers, { 'gs1-epcis-version': '2.0.0', 'gs1-cbv-version': '2.0.0' }, 'a path under /epcis no route serves');
  const other = await world.app.inject({ method: 'OPTIONS', url: '/lots/B23456789ABC' });
  t.equal(other.headers['gs1-epcis-version'], undefined, 'not an EPCIS path: no EPCIS version');
  const alike = await world.app.inject({ method: 'GET', url: '/epcisx' });
  t.equal(alike.headers['gs1-epcis-version'], undefined, 'a path that only starts with the letters of /epcis is none of its paths');
});

t.test('a query whose Accept takes neither JSON-LD nor JSON is a 406 the OpenAPI document declares', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const get = (url: string, accept?: string) =>
    world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${plant.key}`, ...(accept ? { accept } : {}) } });
  for (const url of ['/epcis/events', '/epcis/eventTypes', '/epcis/queries']) {
    const refused = await get(url, 'application/xml');
    t.equal(refused.statusCode, 406, `${url}: an XML-only reader`);
    t.match(refused.json(), { status: 406, errors: [{ in: 'headers', pointer: '/accept' }] });
    t.match(refused.headers, { 'gs1-epcis-version': '2.0.0' }, 'an EPCIS answer still');
    t.ok(declaredFor(await servedOpenApi(world.app), 'get', url, 406), `${url}: declared`);
    for (const accept of [undefined, 'application/json', 'application/ld+json', 'application/xml, */*;q=0.1', 'application/*'])
      t.equal((await get(url, accept)).statusCode, 200, `${url}: Accept ${accept ?? '(none)'}`);
    t.equal((await get(url, 'application/json;q=0')).statusCode, 406, `${url}: JSON refused by q=0`);
  }
});

t.test('the EPCIS writes answer with the Location the OpenAPI document declares, and it leads to what they made', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const document = await servedOpenApi(world.app);
  const { post } = epcisRequests(world);
  const authorization = { authorization: `Bearer ${plant.key}` };
  const event = { '@context': CONTEXT, ...observation(4, { epcList: ['urn:epc:id:sgtin:6901234.000002.4'] }) };
  const writes: [string, Response, number][] = [
    [
      '/epcis/capture',
      await post(plant.key, '/epcis/capture', doc([observation(3, { epcList: ['urn:epc:id:sgtin:6901234.000002.3'] })])),
      202,
    ],
    ['/epcis/events', await post(plant.key, '/epcis/events', event), 201],
    // the same event again: a duplicate, at the URL of the one stored
    ['/epcis/events', await post(plant.key, '/epcis/events', event), 200],
    ['/epcis/queries', await post(plant.key, '/epcis/queries', { name: 'observed', query: { eventType: 'ObjectEvent' } }), 201],
  ];
  await world.app.services.epcis.idle();
  for (const [path, response, status] of writes) {
    sentAsDeclared(t, document, 'POST', path, response, status);
    const location = response.headers.location as string;
    t.ok(declaredFor(document, 'POST', path, status)?.headers?.Location, `POST ${path} (${status}): Location declared`);
    const followed = await world.app.inject({ method: 'GET', url: location, headers: authorization });
    t.equal(followed.statusCode, 200, `POST ${path} (${status}): its Location ${location} answers`);
  }
  const committed = committedOpenApi();
  for (const path of ['/epcis/capture', '/epcis/events', '/epcis/queries'])
    t.strictSame(
      committed.paths[path].post.responses,
      document.paths[path].post.responses,
      `openapi/openapi.json declares POST ${path} so`,
    );
});
