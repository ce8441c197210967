// Property-based fuzz of the whole HTTP surface. Every operation of the app's own OpenAPI document
// gets requests in which one path parameter, query parameter, header or body field (found by
// walking the JSON schema) is replaced by a hostile value of the right or the wrong type — NUL,
// lone surrogates, huge and tiny numbers, out-of-range dates, deep nesting, long strings that
// compress and that do not — or whose body or content type is itself hostile. Every answer must be below 500, and every error a
// problem+json document; only the resolver's pages (and the complaint form, to a browser's form
// post, and the lookup page's form, to a code that leads nowhere) answer a browser with an HTML error page.
//
// Seeded and reproducible: FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> sets the number of requests
// (spread evenly over the operations). A failure prints the seed and the request that failed.
import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { preferredType } from '../src/http/negotiate.js';
import { MAX_NESTING } from '../src/plugins/input-guard.js';
import { at, createWorld, randomUscc } from './fixtures/world.js';
import { client } from './helper.js';
import { fileTest } from './root.js';

const t = fileTest();

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

type Schema = Record<string, any>;
type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; schema?: Schema };
type Operation = { method: string; path: string; parameters: Parameter[]; bodyTypes: string[]; bodySchema?: Schema };
type Request = { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer; remoteAddress: string };

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head'];

/** Every operation of an OpenAPI document, with its parameters and request body schema. */
function operationsOf(document: { paths: Record<string, Record<string, any>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => {
        const content: Record<string, { schema?: Schema }> = operation.requestBody?.content ?? {};
        return {
          method: method.toUpperCase(),
          path,
          parameters: operation.parameters ?? [],
          bodyTypes: Object.keys(content),
          bodySchema: Object.values(content)[0]?.schema,
        };
      }),
  );
}

/** The public resolver's pages: a browser asking for text/html gets an HTML error page there, by design. */
const isResolverPage = (operation: Operation) => /^\/(t|01|00|414|8003)\/|^\/\.well-known\/gs1resolver$/.test(operation.path);

// ---------------------------------------------------------------------------------------------
// Hostile values

/** A fragment written into a URL exactly as it is (bad percent-encodings and the like). */
class RawUrl {
  constructor(readonly text: string) {}
  toJSON() {
    return `raw URL text ${this.text}`;
  }
}

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { deeper: value };
  return value;
};

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'lone \udfff low',
  '\udbff\udbff',
  '😀',
  '\u202e\u202d',
  '中文批号',
  '\u007f\u0001\u001b[31m',
  '\r\nx-injected: 1',
  '\ufeff',
  'x'.repeat(257),
  'x'.repeat(10_000),
  '中'.repeat(5_000),
  '0000-01-01T00:00:00Z',
  '0000-01-01',
  '+275760-09-13T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '+010000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999-14:00',
  '0001-01-01T00:00:00+14:00',
  '2026-02-30T00:00:00Z',
  '2026-13-01',
  '2026-03-01T08:00:00+99:99',
  '1e308',
  '-1',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999',
  '0x10',
  'true',
  'null',
  '[]',
  '{}',
  '../../etc/passwd',
  '%00',
  '%',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  'urn:epc:id:sgtin:0614141.107346.2018',
  'https://id.gs1.org/01/00000000000000',
  'javascript:alert(1)',
  'http://169.254.169.254/latest/meta-data',
  '__proto__',
  'constructor',
  // page tokens as a forger would write them: base64url JSON with a year-0 time or a NUL in the id
  Buffer.from('{"t":"0000-01-01T00:00:00Z","id":"x"}').toString('base64url'),
  Buffer.from('{"t":"2026-03-01T00:00:00Z","id":"a\\u0000b"}').toString('base64url'),
];

const HOSTILE_NUMBERS = [
  0,
  -0,
  -1,
  0.5,
  1e-7,
  5e-324,
  1e-300,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32 + 1,
  2 ** 53 + 1,
  2 ** 63,
  1e21,
  1e308,
  -1e308,
  Number.MAX_VALUE,
];

const HOSTILE_STRUCTURES = [
  null,
  true,
  false,
  [],
  {},
  [null],
  ['\u0000'],
  { '': '' },
  { __proto__: null, polluted: true },
  Array.from({ length: 2_000 }, () => 'x'),
  Array.from({ length: 2_000 }, () => ({})),
  nested(MAX_NESTING + 1),
  nested(200),
];

const RAW_URL_FRAGMENTS = [
  '%ZZ',
  '%E0%A4%A',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%00',
  '..',
  '.',
  '%2e%2e%2f',
  '%E2%80%AE',
  '%E4%B8%AD',
  '%7F',
].map((text) => new RawUrl(text));

/**
 * Long strings that do not compress: random bytes of a few KB as hex or base64. 'x'.repeat(10_000) fits
 * a btree index entry (at most some 2,700 bytes) once PostgreSQL compresses it, these do not, so a field
 * stored in an index with no length limit on the way in answers them with a 500.
 */
const incompressibleString: fc.Arbitrary<string> = fc
  .tuple(fc.uint8Array({ minLength: 2_500, maxLength: 4_000 }), fc.constantFrom<BufferEncoding>('hex', 'base64'))
  .map(([bytes, encoding]) => Buffer.from(bytes).toString(encoding));

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: incompressibleString },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRUCTURES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
const hostileUrlValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileValue },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_FRAGMENTS) },
);

const deepText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const RAW_BODIES: (string | Buffer)[] = [
  '',
  '{',
  '[',
  'null',
  '"text"',
  '1e999',
  '{"quantity":1e999}',
  '\ufeff{}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  '{"\\u0000":1}',
  '{"a":1,"a":2}',
  deepText(10_000),
  `[${'['.repeat(5_000)}${']'.repeat(5_000)}]`,
  `"${'x'.repeat(300 * 1024)}"`,
  Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
  Buffer.from('{"name":"\xc0\xaf"}', 'latin1'),
  'a=1&b=%00&c=%ZZ',
];

const HOSTILE_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/ld+json',
  'application/merge-patch+json',
  'application/json;;;',
  'application/',
  `application/${'x'.repeat(2_000)}`,
];

const HOSTILE_HEADER_VALUES = [
  '',
  ' ',
  'x'.repeat(8_000),
  '\u0001\u007f',
  '中文',
  '😀',
  '\ud800',
  '*/*;q=abc',
  'text/html',
  'text/html;q=0, */*;q=0',
  'application/problem+json',
  'application/linkset+json',
  'Always_EPC_URN',
  'proceed',
  'Bearer ',
  `Bearer ${'x'.repeat(5_000)}`,
  'Basic Zm9vOmJhcg==',
  '0000-01-01T00:00:00Z',
  'regulator_session=%ZZ',
  'a=1; regulator_session=%ED%A0%80',
];

/** What a server reads from a header sent as UTF-8 bytes: Node decodes header bytes as latin1 (CR, LF and NUL never arrive). */
const asReceivedHeader = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''), 'utf8')
    .toString('latin1')
    .replace(/[\r\n\0]/g, '');

// ---------------------------------------------------------------------------------------------
// URLs

/** Percent-encodes every UTF-16 unit; a lone surrogate becomes the bytes a careless client would send (WTF-8). */
function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && /[\udc00-\udfff]/.test(text[i + 1]);
    if (pair) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(text[i]);
  }
  return out;
}

const urlText = (value: unknown): string =>
  value instanceof RawUrl ? value.text : percentEncode(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

function queryString(query: Record<string, unknown>): string {
  const parts = Object.entries(query).flatMap(([name, value]) =>
    (Array.isArray(value) && value.length < 5 ? value : [value]).map((item) => `${percentEncode(name)}=${urlText(item)}`),
  );
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

// ---------------------------------------------------------------------------------------------
// Valid baselines, so that a request with one hostile part gets past the others

type Known = Record<string, unknown>;
/** A known value that means: leave this optional member out (and fuzz its place). */
const ABSENT = Symbol('absent');

function resolveRef(schema: Schema, components: Record<string, Schema>): Schema {
  let current = schema;
  while (current?.$ref) current = components[current.$ref.split('/').pop() as string];
  return current ?? {};
}

type Path = (string | number)[];
type Sampler = { known: Known; components: Record<string, Schema>; pick: (n: number) => number; absent: Path[] };

/** Optional strings with no known value are left out (a made-up one would fail on its own); their places are fuzzed as `absent`. */
const isFreeString = (schema: Schema) => !schema.enum && !('const' in schema) && (schema.type === 'string' || schema.anyOf || schema.oneOf);

/**
 * A value the schema accepts, taking real codes from `known` by field name; `pick` chooses among
 * branches and enum values, and the places of optional members left out are collected in `absent`.
 */
function sampleOf(schema: Schema, name: string, sampler: Sampler, path: Path = []): unknown {
  const { known, components, pick } = sampler;
  const resolved = resolveRef(schema, components);
  if (name in known) return known[name];
  if ('const' in resolved) return resolved.const;
  if (resolved.enum) return resolved.enum[pick(resolved.enum.length)];
  const branches = resolved.oneOf ?? resolved.anyOf;
  if (branches) return sampleOf(branches[pick(branches.length)], name, sampler, path);
  const type = Array.isArray(resolved.type) ? resolved.type[0] : resolved.type;
  if (type === 'object' || resolved.properties) {
    const object: Record<string, unknown> = {};
    const required: string[] = resolved.required ?? [];
    for (const [key, property] of Object.entries<Schema>(resolved.properties ?? {})) {
      const value = known[key];
      if (!required.includes(key) && (value === ABSENT || (!(key in known) && isFreeString(resolveRef(property, components))))) {
        sampler.absent.push([...path, key]);
        continue;
      }
      object[key] = sampleOf(property, key, sampler, [...path, key]);
    }
    return object;
  }
  if (type === 'array') return [sampleOf(resolved.items ?? {}, name, sampler, [...path, 0])];
  if (type === 'integer' || type === 'number') return Math.min(resolved.maximum ?? 1, Math.max(1, resolved.minimum ?? 1));
  if (type === 'boolean') return true;
  if (resolved.format === 'date') return '2026-03-01';
  if (resolved.format === 'date-time') return '2026-03-01T08:00:00+08:00';
  return 'x'.repeat(Math.max(1, resolved.minLength ?? 1));
}

/** Every place in a JSON value, as a path of keys (the root is the empty path). */
function placesIn(value: unknown, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [path];
  const children = Object.entries(value).flatMap(([key, child]) => placesIn(child, [...path, Array.isArray(value) ? Number(key) : key]));
  return [path, ...children];
}

function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[path[0]] = replaceAt(copy[path[0]], path.slice(1), replacement);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// One fuzz case

type Role = 'admin' | 'operator' | 'regulator' | 'other operator' | 'anonymous' | 'unknown key';
const ROLES: Role[] = ['admin', 'operator', 'regulator', 'other operator', 'anonymous', 'unknown key'];

type Target =
  | { in: 'path' | 'query' | 'header'; name: string }
  | { in: 'query-extra' }
  | { in: 'body'; place: number }
  | { in: 'body-key'; place: number }
  | { in: 'raw-body' }
  | { in: 'content-type' };

type Case = { role: Role; target: number; value: unknown; urlValue: unknown; header: string; raw: number; pick: number[] };

const PROBLEM_FIELDS = ['type', 'title', 'status'];

t.test('every operation of the OpenAPI document answers hostile input with a 4xx problem, never a 5xx', async (t) => {
  // the error a 5xx was logged with, printed with the request that caused it
  let loggedError = '';
  const world = await createWorld(t, undefined, {
    logger: {
      level: 'error',
      stream: {
        write: (line: string) => {
          loggedError = line;
        },
      },
    },
    complaintsPerHour: 1_000_000,
    scansPerMinute: 1_000_000,
    subscriptionTickMs: 3_600_000,
    webhooks: { allowInsecure: true },
  });
  const { app, admin, ok } = world;
  const plant = await world.party('processor');
  const other = await world.party('retailer');
  const product = await plant.product('piece', { gtin: '06901234000030' });
  const location = await plant.location();
  const lot = await plant.commission(product, 50, { lotNumber: 'FUZZ-1', productionDate: '2026-03-01' });
  const events = await ok(plant.api.get(`/events?lotCode=${lot}`), 200);
  // corrections in the fuzz declare this one in error, never the commissioning of the lot the others read
  const spareLot = await plant.commission(product, 5);
  const spareEvent = (await ok(plant.api.get(`/events?lotCode=${spareLot}`), 200)).items[0].id;
  const job = await ok(plant.api.post(`/lots/${lot}/items`, { count: 3 }), 202);
  await app.services.items.idle();
  const csv = (await plant.api.get(`/code-jobs/${job.id}/codes.csv`)).body as string;
  const [itemCode, , digitalLink] = csv.trim().split('\n')[1].split(',');
  const complaint = await ok(client(app).post('/complaints', { code: itemCode, category: 'quality', text: 'smells off' }));
  const spareKey = await ok(admin.post('/api-keys', { role: 'regulator', label: 'spare' }));
  const epcisEvent = {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    type: 'ObjectEvent',
    eventTime: '2026-03-01T08:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'inspecting',
    epcList: ['https://id.gs1.org/01/06901234000030/21/FUZZ1'],
    readPoint: { id: 'urn:epc:id:sgln:6901234.00001.0' },
    quantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000030/10/FUZZ-1', quantity: 2, uom: 'H87' }],
    'example:ext': { 'example:inner': ['a', 1] },
  };
  const captured = await ok(
    plant.api.post('/epcis/capture', {
      '@context': epcisEvent['@context'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-03-10T00:00:00Z',
      epcisBody: { eventList: [epcisEvent] },
    }),
    202,
  );
  await app.services.epcis.idle();
  const captureJob = await ok(plant.api.get(`/epcis/capture/${captured.captureID}`), 200);
  await ok(plant.api.post('/epcis/queries', { name: 'fuzz', query: { eventType: 'ObjectEvent' } }));
  await ok(plant.api.post('/epcis/queries', { name: 'fuzz-spare', query: {} }));
  const subscription = await ok(plant.api.post('/epcis/queries/fuzz/subscriptions', { dest: 'http://127.0.0.1:1/hook', stream: true }));

  const keys: Record<Role, string | undefined> = {
    admin: (await ok(admin.post('/api-keys', { role: 'admin' }))).key,
    operator: plant.key,
    regulator: (await ok(admin.post('/api-keys', { role: 'regulator' }))).key,
    'other operator': other.key,
    anonymous: undefined,
    'unknown key': 'ct_0000000000000000000000000000000000000000',
  };

  // real codes and ids, by the name of the field or parameter that carries them
  const known: Known = {
    partyCode: plant.code,
    productCode: product,
    lotCode: lot,
    regionCode: '500236',
    uscc: randomUscc(),
    gs1CompanyPrefix: '6901234',
    eventTime: at(100),
    initialRecordTime: '2026-03-01T00:00:00Z',
    dest: 'http://127.0.0.1:1/hook',
    signatureToken: 'token-0123456789',
    email: 'fuzz@example.com',
    phone: '13800000000',
    productionDate: '2026-03-01',
    expiryDate: '2026-09-01',
    shipmentId: randomUUID(),
    toPartyCode: other.code,
    correctsEventId: spareEvent,
    lotCodes: [spareLot],
    parentCode: spareLot,
    children: [spareLot],
    schedule: ABSENT,
    '@context': epcisEvent['@context'],
  };
  // path parameters: the first entry whose path matches the start of the operation's path and names the parameter
  const knownPath: [string, string, string][] = [
    ['DELETE /api-keys/', 'id', spareKey.id],
    ['GET /api-keys/', 'id', spareKey.id],
    ['GET /parties/', 'code', plant.code],
    ['GET /locations/', 'code', location],
    ['GET /products/', 'code', product],
    ['GET /code-jobs/', 'id', job.id],
    ['GET /events/', 'id', events.items[0].id],
    ['GET /items/', 'code', itemCode],
    ['GET /t/', 'code', itemCode],
    ['GET /01/', '*', digitalLink.replace(/^https?:\/\/[^/]+\/01\//, '')],
    ['GET /00/', '*', '106141411234567897'],
    ['GET /414/', '*', '6901234000018'],
    ['GET /8003/', '*', '06901234000030ASSET1'],
    ['', 'ticket', complaint.ticket],
    ['', 'code', lot],
    ['', 'captureID', captured.captureID],
    ['', 'eventID', captureJob.eventIDs[0]],
    // the named query deleted is not the one the other operations read
    ['DELETE /epcis/queries/{queryName}', 'queryName', 'fuzz-spare'],
    ['', 'queryName', 'fuzz'],
    ['', 'subscriptionID', subscription.subscriptionID],
    ['', 'value', 'ObjectEvent'],
  ];
  const knownPathValue = (operation: Operation, name: string) => {
    const key = `${operation.method} ${operation.path}`;
    const found = knownPath.find(([prefix, parameter]) => parameter === name && key.startsWith(prefix))?.[2] ?? 'x';
    return name === '*' ? found : encodeURIComponent(found);
  };
  const knownBodies: Record<string, unknown> = {
    'POST /epcis/events': epcisEvent,
    'POST /epcis/capture': {
      '@context': epcisEvent['@context'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-03-10T00:00:00Z',
      epcisBody: { eventList: [epcisEvent, { ...epcisEvent, action: 'ADD', bizStep: 'commissioning' }] },
    },
  };
  const time = (day: number) => `2026-03-${String(day).padStart(2, '0')}T00:00:00Z`;
  const epc = epcisEvent.epcList[0];
  const knownQuery: Known = {
    partyCode: plant.code,
    lotCode: lot,
    productCode: product,
    eventType: 'ObjectEvent',
    LT_eventTime: time(28),
    GE_recordTime: time(1),
    LT_recordTime: '2027-01-01T00:00:00Z',
    GE_errorDeclarationTime: time(1),
    LT_errorDeclarationTime: '2027-01-01T00:00:00Z',
    EQ_errorReason: 'incorrect_data',
    EXISTS_errorDeclaration: '',
    EQ_disposition: 'in_progress',
    EQ_readPoint: 'urn:epc:id:sgln:6901234.00001.0',
    EQ_bizLocation: 'urn:epc:id:sgln:6901234.00001.0',
    MATCH_anyEPC: epc,
    MATCH_epcClass: epcisEvent.quantityList[0].epcClass,
    MATCH_anyEPCClass: epcisEvent.quantityList[0].epcClass,
    MATCH_inputEPC: epc,
    MATCH_outputEPC: epc,
    MATCH_parentID: 'urn:epc:id:sscc:6901234.0000000017',
    EQ_eventID: captureJob.eventIDs[0],
    linkType: 'linkset',
    limit: '5',
    offset: '0',
    depth: '2',
    from: '2026-01-01T00:00:00Z',
    to: '2026-12-31T00:00:00Z',
    GE_eventTime: time(1),
    EQ_bizStep: 'inspecting',
    MATCH_epc: 'https://id.gs1.org/01/06901234000030/21/FUZZ1',
    perPage: '2',
    size: '200',
    region: '500236',
    lang: 'en',
  };

  const document = app.swagger() as unknown as {
    paths: Record<string, Record<string, any>>;
    components: { schemas: Record<string, Schema> };
  };
  const operations = operationsOf(document);
  const components = document.components.schemas;
  t.ok(operations.length > 50, `${operations.length} operations in the document`);
  const perOperation = Math.max(10, Math.ceil(RUNS / operations.length));
  const exercised = new Map<string, number>();

  const caseArbitrary = fc.record({
    // mostly the roles that may write, so that most requests get past access checks to the rules
    role: fc.oneof(
      { weight: 4, arbitrary: fc.constant<Role>('operator') },
      { weight: 2, arbitrary: fc.constant<Role>('admin') },
      { weight: 2, arbitrary: fc.constantFrom<Role>(...ROLES) },
    ),
    target: fc.nat(),
    value: hostileValue,
    urlValue: hostileUrlValue,
    header: fc.oneof(fc.constantFrom(...HOSTILE_HEADER_VALUES), fc.string({ unit: 'binary', maxLength: 30 })),
    raw: fc.nat(),
    pick: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  });

  const HEADERS = ['accept', 'authorization', 'gs1-epc-format', 'accept-language', 'x-request-id', 'user-agent', 'origin', 'cookie'];

  function buildRequest(operation: Operation, fuzz: Case): { request: Request; target: Target } {
    let picks = 0;
    const pick = (n: number) => fuzz.pick[picks++ % fuzz.pick.length] % n;
    const key = `${operation.method} ${operation.path}`;
    const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path');
    const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
    const headerParameters = operation.parameters.filter((parameter) => parameter.in === 'header');
    const absent: Path[] = [];
    const body =
      operation.bodySchema === undefined
        ? undefined
        : key in knownBodies
          ? knownBodies[key]
          : sampleOf(operation.bodySchema, '', { known, components, pick, absent });
    const places = body === undefined ? [] : [...placesIn(body), ...absent];
    const objectPlaces = places.filter((place) => {
      const value = place.reduce<any>((current, part) => current[part], body);
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    });
    const targets: Target[] = [
      ...pathParameters.map((parameter) => ({ in: 'path' as const, name: parameter.name })),
      ...queryParameters.map((parameter) => ({ in: 'query' as const, name: parameter.name })),
      { in: 'query-extra' },
      ...[...headerParameters.map((parameter) => parameter.name), ...HEADERS].map((name) => ({ in: 'header' as const, name })),
      ...(body === undefined
        ? []
        : [
            ...places.map((_, place) => ({ in: 'body' as const, place })),
            ...places.map((_, place) => ({ in: 'body' as const, place })),
            ...objectPlaces.map((_, place) => ({ in: 'body-key' as const, place })),
            { in: 'raw-body' as const },
            { in: 'raw-body' as const },
            { in: 'content-type' as const },
          ]),
    ];
    const target = targets[fuzz.target % targets.length];

    let path = operation.path;
    for (const parameter of pathParameters) {
      const value =
        target.in === 'path' && target.name === parameter.name ? urlText(fuzz.urlValue) : knownPathValue(operation, parameter.name);
      path = path.replace(`{${parameter.name}}`, value);
    }
    const query: Record<string, unknown> = {};
    for (const parameter of queryParameters) {
      const targeted = target.in === 'query' && target.name === parameter.name;
      const enumerated = parameter.schema?.enum as string[] | undefined;
      if (targeted) query[parameter.name] = fuzz.urlValue;
      else if (pick(2) === 0 && parameter.name in knownQuery) query[parameter.name] = knownQuery[parameter.name];
      else if (pick(2) === 0 && enumerated) query[parameter.name] = enumerated[pick(enumerated.length)];
    }
    if (target.in === 'query-extra')
      query[pick(2) === 0 ? 'x'.repeat(15_000) : HOSTILE_STRINGS[pick(HOSTILE_STRINGS.length)]] = fuzz.urlValue;

    const headers: Record<string, string> = {};
    const apiKey = keys[fuzz.role];
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    for (const parameter of headerParameters) {
      const enumerated = parameter.schema?.enum as string[] | undefined;
      if (enumerated) headers[parameter.name] = enumerated[pick(enumerated.length)];
    }
    if (target.in === 'header') headers[target.name] = asReceivedHeader(fuzz.header);

    let payload: string | Buffer | undefined;
    if (body !== undefined) {
      headers['content-type'] = operation.bodyTypes[pick(operation.bodyTypes.length)];
      let sent: unknown = body;
      if (target.in === 'body') sent = replaceAt(body, places[target.place], fuzz.value);
      if (target.in === 'body-key') {
        const place = objectPlaces[target.place];
        const object = place.reduce<any>((current, part) => current[part], body);
        const name = [...HOSTILE_STRINGS, 'x'.repeat(100_000)][pick(HOSTILE_STRINGS.length + 1)];
        sent = replaceAt(body, place, { ...object, [name]: fuzz.value });
      }
      payload = JSON.stringify(sent);
      // a CSV body (POST /rfid/tags.csv): a header and one line whose first field is the value, so that it reaches a line's checks
      if (headers['content-type'] === 'text/csv')
        payload = `${['epc', 'tid'][pick(2)]},code\n${typeof sent === 'string' ? sent : payload},${lot}\n`;
      if (target.in === 'raw-body') payload = RAW_BODIES[fuzz.raw % RAW_BODIES.length];
      if (target.in === 'content-type') headers['content-type'] = HOSTILE_CONTENT_TYPES[fuzz.raw % HOSTILE_CONTENT_TYPES.length];
    }
    const remoteAddress = `10.${pick(250)}.${pick(250)}.${pick(250)}`;
    return { request: { method: operation.method, url: `${path}${queryString(query)}`, headers, payload, remoteAddress }, target };
  }

  /** Why an answer is wrong, or null when it is right. */
  function wrongIn(
    operation: Operation,
    request: Request,
    response: { statusCode: number; headers: Record<string, unknown>; body: string },
  ) {
    if (response.statusCode >= 500) return `answered ${response.statusCode}: ${response.body.slice(0, 300)}`;
    if (response.statusCode < 400) return null;
    const type = String(response.headers['content-type'] ?? '');
    if (type.startsWith('text/html')) {
      // the dashboard's sign-in form answers a refused key with the form again, saying so
      if (operation.method === 'POST' && operation.path === '/regulator/login' && [401, 403].includes(response.statusCode)) return null;
      // the scan page's complaint form: a browser's form post refused gets a page saying what to correct
      if (operation.method === 'POST' && operation.path === '/complaints') {
        const form = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i.test(
          String(request.headers['content-type'] ?? ''),
        );
        const wantsPage =
          preferredType(request.headers.accept, ['text/html', 'application/problem+json', 'application/json']) === 'text/html';
        if (!form || !wantsPage) return 'an HTML error page for a complaint that is not a browser’s form post';
        if (!/^<!doctype html>/i.test(response.body)) return 'an HTML error page that is not an HTML document';
        return null;
      }
      // the lookup page: a code that leads nowhere is the form again, saying so, for a client preferring a page
      if (operation.method === 'GET' && operation.path === '/') {
        const wantsPage =
          preferredType(request.headers.accept, ['text/html', 'application/json', 'application/problem+json']) === 'text/html';
        if (!wantsPage || response.statusCode !== 400)
          return 'an HTML error page from the lookup page for a request that did not ask for one';
        if (!/^<!doctype html>/i.test(response.body)) return 'an HTML error page that is not an HTML document';
        return null;
      }
      if (!isResolverPage(operation)) return `an HTML error page from a route that is not a resolver page`;
      const format = new URL(request.url, 'http://fuzz').searchParams.get('format');
      // format=json or certificates asks for data; another format (or none) leaves it to Accept
      const asksForPage =
        format === 'html' ||
        (format !== 'json' &&
          format !== 'certificates' &&
          preferredType(request.headers.accept, ['text/html', 'application/json', 'application/problem+json']) === 'text/html');
      if (!asksForPage) return 'an HTML error page for a request that did not ask for one';
      if (!/^<!doctype html>/i.test(response.body)) return 'an HTML error page that is not an HTML document';
      return null;
    }
    if (!type.startsWith('application/problem+json')) return `a ${response.statusCode} answered as ${type}, not application/problem+json`;
    let problem: Record<string, unknown>;
    try {
      problem = JSON.parse(response.body);
    } catch {
      return 'a problem+json body that is not JSON';
    }
    const missing = PROBLEM_FIELDS.filter((field) => problem[field] === undefined);
    if (missing.length > 0) return `a problem without ${missing.join(', ')}`;
    if (problem.status !== response.statusCode) return `a problem with status ${problem.status} in a ${response.statusCode} answer`;
    return null;
  }

  for (const [index, operation] of operations.entries()) {
    const name = `${operation.method} ${operation.path}`;
    const seed = SEED + index;
    let failure = '';
    try {
      await fc.assert(
        fc.asyncProperty(caseArbitrary, async (fuzz) => {
          loggedError = '';
          const { request, target } = buildRequest(operation, fuzz);
          const response = await app.inject(request as any);
          exercised.set(name, (exercised.get(name) ?? 0) + 1);
          const wrong = wrongIn(operation, request, response);
          if (wrong) {
            const payload = request.payload === undefined ? '' : String(request.payload).slice(0, 500);
            failure = `${wrong}${loggedError ? `\n  logged ${loggedError.slice(0, 1500)}` : ''}\n  target ${JSON.stringify(target)}, role ${fuzz.role}\n  ${request.method} ${request.url.slice(0, 500)}\n  headers ${JSON.stringify(request.headers).slice(0, 500)}\n  body ${payload}`;
            return false;
          }
          return true;
        }),
        // no shrinking: the failing request is reported as generated, and the seed replays it
        { seed, numRuns: perOperation, endOnFailure: true },
      );
      t.pass(`${name}: ${perOperation} hostile requests`);
    } catch (error) {
      const message = String((error as Error).message);
      const thrown = message.match(/Got error: (.*)/)?.[1] ?? '';
      t.fail(`${name} (FUZZ_SEED=${SEED}, operation seed ${seed}): ${failure || thrown}\n${message.split('\n')[0]}`);
    }
  }
  const cpu = process.cpuUsage();
  t.comment(
    `${operations.length * perOperation} requests; ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU since the process started`,
  );
  t.equal(exercised.size, operations.length, 'every operation of the document was exercised');
  await app.services.items.idle();
  await app.services.epcis.idle();

  // nothing a hostile request started is left half-done or half-written
  const count = async (query: SQL) => ((await world.database.db.execute(query)) as unknown as { rows: { n: number }[] }).rows[0].n;
  t.equal(
    await count(sql`select count(*)::int as n from epcis_captures where status in ('queued', 'running')`),
    0,
    'no capture job left running',
  );
  t.equal(
    await count(sql`select count(*)::int as n from code_jobs where status not in ('succeeded', 'failed')`),
    0,
    'no code job left running',
  );
  t.equal(
    await count(sql`select count(*)::int as n from code_jobs j
      where (j.status = 'succeeded') <> ((select count(*) from items i where i.job_id = j.id) = j.total)
         or (j.status = 'failed' and exists (select 1 from items i where i.job_id = j.id))`),
    0,
    'a code job has all its codes when it succeeded and none when it failed',
  );
  t.equal(
    await count(sql`select count(*)::int as n from lots l where not exists (select 1 from events e where e.id = l.created_by_event_id)`),
    0,
    'every lot was made by an event that is stored',
  );
  t.equal(
    await count(sql`select count(*)::int as n from events e
      where e.corrects_event_id is null and not exists (select 1 from event_lots l where l.event_id = e.id)
        and (e.epcis_type is null or e.epcis_type in ('ObjectEvent', 'AggregationEvent', 'AssociationEvent', 'TransactionEvent', 'TransformationEvent'))`),
    0,
    // an EPCIS extension event type (any URI) is stored as captured, about no lot the service knows
    'every event names the lots it is about',
  );
});
