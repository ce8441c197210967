// Every query string is read one way (src/http/query.ts): the names of the object machinery are
// never parameters (the scan routes pass them over, as any parameter they do not read), and every
// paging number is plain decimal digits within its bounds, given once.
// The routes come from the app's own OpenAPI document, so a route added later is covered too.
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { queryInteger } from '../../src/http/query.js';
import { isScanPath } from '../../src/resolver/routes.js';
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Schema = { type?: string; format?: string; minimum?: number; maximum?: number };
type Parameter = { name: string; in: string; schema?: Schema };
type Operation = { path: string; parameters: Parameter[] };

/** Named paging parameters the EPCIS routes read themselves (the document types them as text). */
const PAGING_NAMES = new Set(['limit', 'offset', 'page', 'perPage']);

/** A path parameter's value that its own schema takes, so that the request reaches its query string. */
const PATH_VALUES: Record<string, string> = {
  '/epcis/eventTypes/{value}/events': 'ObjectEvent',
  '/epcis/bizSteps/{value}/events': 'shipping',
  '/epcis/dispositions/{value}/events': 'in_transit',
};
const pathValue = (path: string, parameter: Parameter) =>
  PATH_VALUES[path] ?? (parameter.schema?.format === 'uuid' ? randomUUID() : parameter.name === '*' ? '09506000134352' : 'A1');

const urlOf = (operation: Operation, query: string) =>
  `${operation.parameters
    .filter((parameter) => parameter.in === 'path')
    .reduce(
      (path, parameter) => path.replace(`{${parameter.name}}`, encodeURIComponent(pathValue(operation.path, parameter))),
      operation.path,
    )}?${query}`;

/** Values `Number()` reads as a number and that are not one plain decimal integer within bounds. */
function badValues(name: string, schema: Schema | undefined): [string, string][] {
  const min = schema?.minimum ?? (name === 'offset' ? 0 : 1);
  const max = schema?.maximum ?? (name === 'perPage' ? 1000 : undefined);
  return [
    ['1e2', 'an exponent'],
    ['%2B5', 'a plus sign'],
    ['+5', 'a plus (a space in a query string)'],
    ['%205', 'a leading space'],
    ['5%20', 'a trailing space'],
    ['5.0', 'a decimal point'],
    ['0x10', 'hexadecimal'],
    ['-0', 'minus zero'],
    ['', 'an empty value'],
    ['%EF%BC%95', 'a full-width digit'],
    [`${min}&${name}=${min}`, 'given twice'],
    [String(min - 1), 'below the minimum'],
    ...(max === undefined || max >= Number.MAX_SAFE_INTEGER ? [] : [[String(max + 1), 'above the maximum'] as [string, string]]),
    ['9'.repeat(400), 'beyond any bound'],
  ];
}

/** An unknown parameter as a parser that reads brackets would make it a member of the prototype. */
const BRACKETED: [string, string] = ['__proto__%5Bpolluted%5D=yes', '__proto__[polluted]'];

/** The object machinery, and `__proto__` given twice (an array, which an assignment would make a prototype). */
const MACHINERY: [string, string][] = [
  ['__proto__=x', '__proto__'],
  ['__proto__=a&__proto__=b', '__proto__'],
  ['constructor=x', 'constructor'],
  ['prototype=x', 'prototype'],
  ['hasOwnProperty=x', 'hasOwnProperty'],
  ['toString=x', 'toString'],
  ['valueOf=x', 'valueOf'],
];

function expectRefusedAt(
  t: Test,
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  pointer: string,
  what: string,
) {
  const body = response.headers['content-type']?.toString().includes('json') ? JSON.parse(response.body) : undefined;
  const errors: { in: string; pointer: string }[] = body?.errors ?? [];
  const named = errors.some((error) => error.in === 'querystring' && error.pointer === pointer);
  if (response.statusCode === 400 && response.headers['content-type'] === 'application/problem+json; charset=utf-8' && named) t.pass(what);
  else t.fail(`${what}: expected 400 problem+json at querystring ${pointer}, got ${response.statusCode} ${response.body.slice(0, 300)}`);
}

/** A scan route passes over what it does not read: the answer is the path's own, never a refusal of the query. */
function expectPassedOver(t: Test, response: { statusCode: number; body: string }, what: string) {
  const refused = response.body.includes('"in":"querystring"');
  if (response.statusCode < 500 && !refused) t.pass(what);
  else t.fail(`${what}: expected the parameter passed over, got ${response.statusCode} ${response.body.slice(0, 300)}`);
}

t.test('queryInteger takes decimal digits alone, within its bounds, once', async (t) => {
  const limit = queryInteger(1, 1000).prefault(100);
  t.equal(limit.parse(undefined), 100, 'the default when not given');
  t.equal(limit.parse('1000'), 1000);
  t.equal(limit.parse('007'), 7, 'leading zeros are still decimal');
  for (const value of ['1e2', '+5', ' 5', '5 ', '5.0', '0x10', '-0', '', '0', '1001', '١', ['1', '2']])
    t.notOk(limit.safeParse(value).success, `refuses ${JSON.stringify(value)}`);
  t.match(limit.safeParse(['1', '2']).error?.issues[0].message, 'more than once');
  t.match(queryInteger(0).safeParse('-1').error?.issues[0].message, 'at least 0');
});

t.test('every GET route refuses bad paging numbers and the object machinery with 400 at the parameter, never 5xx', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  await app.ready();
  const document = app.swagger() as unknown as { paths: Record<string, Record<string, { parameters?: Parameter[] }>> };
  const operations: Operation[] = Object.entries(document.paths).flatMap(([path, item]) =>
    item.get ? [{ path, parameters: item.get.parameters ?? [] }] : [],
  );
  const paged = operations.filter((operation) =>
    operation.parameters.some(
      (parameter) => parameter.in === 'query' && (parameter.schema?.type === 'integer' || PAGING_NAMES.has(parameter.name)),
    ),
  );
  t.ok(
    paged.some((operation) => operation.path === '/rfid/reads'),
    'the paged routes include GET /rfid/reads',
  );
  t.ok(
    paged.some((operation) => operation.path === '/epcis/events'),
    'and the EPCIS query',
  );
  // the dashboard's pages look at their session before their query (without one: to the sign-in form)
  const regulator = await app.inject({
    method: 'POST',
    url: '/api-keys',
    headers: { authorization: `Bearer ${adminKey}` },
    payload: { role: 'regulator' },
  });
  const signedIn = await app.inject({
    method: 'POST',
    url: '/regulator/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `key=${encodeURIComponent(regulator.json().key)}`,
  });
  const cookie = String(signedIn.headers['set-cookie']).split(';')[0];
  const get = (url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${adminKey}`, cookie, accept: 'application/json' } });
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype);

  for (const operation of paged) {
    const [query, name] = BRACKETED;
    expectRefusedAt(t, await get(urlOf(operation, query)), `/${name}`, `GET ${operation.path}?${query}`);
  }
  for (const operation of paged)
    for (const parameter of operation.parameters.filter(
      (parameter) => parameter.in === 'query' && (parameter.schema?.type === 'integer' || PAGING_NAMES.has(parameter.name)),
    ))
      for (const [value, what] of badValues(parameter.name, parameter.schema)) {
        const url = urlOf(operation, `${parameter.name}=${value}`);
        expectRefusedAt(t, await get(url), `/${parameter.name}`, `GET ${operation.path} ${parameter.name}: ${what}`);
      }

  for (const operation of operations)
    for (const [query, name] of MACHINERY) {
      const response = await get(urlOf(operation, query));
      // the lookup page passes over what it does not read, as the scan pages do (links people share carry such parameters)
      if (isScanPath(operation.path) || operation.path === '/') expectPassedOver(t, response, `GET ${operation.path}?${query}`);
      else expectRefusedAt(t, response, `/${name}`, `GET ${operation.path}?${query}`);
    }

  t.same(Object.getOwnPropertyNames(Object.prototype), prototypeNames, 'Object.prototype is as it was');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no object gained a member');
});

t.test('a route that declares no query string refuses any parameter by name', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/api-keys?limit=5', headers: { authorization: `Bearer ${adminKey}` } });
  expectRefusedAt(t, response, '/limit', 'GET /api-keys?limit=5');
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, 'and answers as before without one');
});

t.test('a POST route refuses the object machinery in its query string with 400 at the parameter, never 5xx', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype);
  // bodies their schemas take, so that the request reaches its query string: one route declares none, one its own
  const posts = [
    { url: '/api-keys', headers: { authorization: `Bearer ${adminKey}` }, payload: { role: 'regulator' } },
    { url: '/complaints', headers: {}, payload: { code: 'J5002360000000A', category: 'quality', text: 'smells off' } },
  ];
  for (const post of posts)
    for (const [query, name] of [...MACHINERY, BRACKETED]) {
      const response = await app.inject({
        method: 'POST',
        url: `${post.url}?${query}&lang=en`,
        headers: post.headers,
        payload: post.payload,
      });
      expectRefusedAt(t, response, `/${name}`, `POST ${post.url}?${query}`);
    }
  const keys = await app.inject({ method: 'GET', url: '/api-keys', headers: { authorization: `Bearer ${adminKey}` } });
  t.notOk(JSON.stringify(keys.json()).includes('"regulator"'), 'no key was made by a refused post');
  t.same(Object.getOwnPropertyNames(Object.prototype), prototypeNames, 'Object.prototype is as it was');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no object gained a member');
});
