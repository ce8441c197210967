// The OpenAPI document declares every error as the service sends it: RFC 9457 problem+json (and,
// on the paths a label links to, the scan error page a browser gets).
import { type AddressInfo, connect, type Socket } from 'node:net';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { problemSchema } from '../../src/errors/problem.js';
import { MAX_URL_LENGTH } from '../../src/http/request.js';
import { committedOpenApi, conformsTo, mediaTypeOf, type OpenApiDocument, operationsOf, servedOpenApi } from '../fixtures/openapi.js';
import { createWorld } from '../fixtures/world.js';
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const PROBLEM = { schema: { $ref: '#/components/schemas/Problem' } };
const SCAN_PATH = /^\/(t|01|00|414|8003)\//;

/** Every declared 4xx, and every 5xx declared as a problem, by operation and status. */
const errorResponsesOf = (document: OpenApiDocument) =>
  Object.fromEntries(
    operationsOf(document).flatMap(({ path, method, responses }) =>
      Object.entries(responses)
        .filter(([status, response]) => status.startsWith('4') || (status.startsWith('5') && JSON.stringify(response).includes('Problem')))
        .map(([status, response]) => [`${method.toUpperCase()} ${path} ${status}`, response]),
    ),
  );

/** The scan page's complaint form: a browser's form post refused gets a page saying what to correct. */
const FORM_ERROR_PAGE = /^POST \/complaints \d+$/;

/** The dashboard's sign-in answers a wrong key (401) or one not a regulator's (403) with its form again, a page. */
const SIGN_IN_FORM_AGAIN = ['POST /regulator/login 401', 'POST /regulator/login 403'];
/** The dashboard's pages answer filters they cannot apply with the form again for a browser, problem+json for a JSON client. */
const DASHBOARD_FORM_AGAIN = [
  'GET /regulator/dashboard 400',
  'GET /regulator/dashboard/recalls 400',
  'GET /regulator/dashboard/events.csv 400',
];
/** A ticket no complaint has is a page for the consumer's browser, problem+json for a JSON client. */
const COMPLAINT_NOT_FOUND = ['GET /complaints/{ticket} 404'];
/** The lookup page answers a code that leads nowhere with its form again for a browser, problem+json for a JSON client. */
const LOOKUP_FORM_AGAIN = ['GET / 400'];

t.test(
  "every error the OpenAPI document declares is application/problem+json, and HTML too where a scan, the complaint form, an unknown complaint ticket, the dashboard's filters or the lookup page's code answer with a page",
  async (t) => {
    const { app } = await buildTestApp(t);
    const served = await servedOpenApi(app);
    const errors = errorResponsesOf(served);
    t.ok(Object.keys(errors).length > 200, 'the errors of every route');
    for (const [operation, response] of Object.entries(errors)) {
      // Node's 408 and 431 leave on the connection before any route, a scan's page included, could answer
      const [, path, status] = operation.split(' ');
      const scan =
        (SCAN_PATH.test(path) ||
          FORM_ERROR_PAGE.test(operation) ||
          DASHBOARD_FORM_AGAIN.includes(operation) ||
          COMPLAINT_NOT_FOUND.includes(operation) ||
          LOOKUP_FORM_AGAIN.includes(operation)) &&
        !['408', '431'].includes(status);
      const page = { 'text/html': { schema: { type: 'string' } } };
      t.strictSame(
        response.content,
        SIGN_IN_FORM_AGAIN.includes(operation)
          ? page
          : scan
            ? { 'application/problem+json': PROBLEM, ...page }
            : { 'application/problem+json': PROBLEM },
        operation,
      );
      t.not(response.description, 'Default Response', `${operation}: described`);
    }
    t.strictSame(errorResponsesOf(committedOpenApi()), errors, 'openapi/openapi.json declares them so too');
  },
);

t.test('a 5xx that is not a problem keeps its own content type', async (t) => {
  const { app } = await buildTestApp(t);
  const health = (await servedOpenApi(app)).paths['/health'].get.responses['503'];
  t.strictSame(Object.keys(health.content ?? {}), ['application/json'], '/health answers 503 with its state as JSON');
});

t.test(
  'every operation declares the errors the service sends whatever the route: 400, 401, 403, 408, 413, 414, 415, 429, 431 and 500',
  async (t) => {
    const { app } = await buildTestApp(t);
    const served = await servedOpenApi(app);
    const documents = { served, committed: committedOpenApi() } as Record<string, OpenApiDocument>;
    for (const [name, document] of Object.entries(documents)) {
      const wrong: string[] = [];
      for (const { path, method, responses } of operationsOf(document)) {
        const operation = (document.paths[path] as Record<string, Record<string, unknown>>)[method];
        const security = (operation.security as Record<string, unknown>[] | undefined) ?? [];
        const takesKey = security.some((requirement) => 'bearerAuth' in requirement);
        const hasBody = operation.requestBody !== undefined;
        // status → whether it must be declared (true), must not be (false), or may be (undefined)
        const expected: Record<string, boolean | undefined> = {
          // the input guard and the router refuse bad input on every route: a NUL anywhere, a malformed URL
          400: true,
          // the dashboard's sign-in takes its key in the form, and answers a wrong one with the form again
          401: takesKey || (`${method.toUpperCase()} ${path}` === 'POST /regulator/login' ? undefined : false),
          403: takesKey || undefined,
          413: hasBody || undefined,
          // Node's answers before routing: headers too slow, or too large
          408: true,
          414: true,
          415: hasBody,
          431: true,
          500: true,
        };
        for (const [status, must] of Object.entries(expected))
          if (must !== undefined && must !== Boolean(responses[status]))
            wrong.push(`${method.toUpperCase()} ${path} ${must ? 'does not declare' : 'declares'} ${status}`);
      }
      t.strictSame(wrong, [], `${name}: every operation declares them where the service sends them`);
    }
    // the rate-limited routes: the scans, QR images, complaints, their status and applications to join
    for (const path of [
      '/t/{code}',
      '/01/{*}',
      '/00/{*}',
      '/414/{*}',
      '/8003/{*}',
      '/items/{code}/qr.svg',
      '/items/{code}/qr.png',
      '/complaints/{ticket}',
    ])
      t.ok(served.paths[path].get.responses['429'], `GET ${path} declares 429`);
    for (const path of ['/complaints', '/registrations']) t.ok(served.paths[path].post.responses['429'], `POST ${path} declares 429`);
    t.notOk(served.paths['/registrations/{id}'].get.responses['429'], 'a route that is not rate-limited declares no 429');
    t.notOk(served.paths['/health'].get.responses['401'], 'a public route declares no 401');
    t.notOk(served.paths['/parties'].get.responses['413'], 'a route without a body declares no 413');
  },
);

t.test(
  'real 400, 401, 403, 413, 414 and 415 answers are declared for their route, with their content type and the Problem schema',
  async (t) => {
    const world = await createWorld(t);
    const { app } = world;
    const document = await servedOpenApi(app);
    const office = (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key as string;
    const farm = await world.party('farm');
    const lotCode = await farm.commission(await farm.product(), 10);
    const unissued = `0000000001${mod31CheckChar('0000000001')}`;
    const epc = '/epc/urn:epc:id:sgtin:0614141.107346.2018';
    const longQuery = `?lang=${'x'.repeat(MAX_URL_LENGTH)}`;
    const tooLarge = JSON.stringify({ name: 'x'.repeat(300 * 1024) });
    const as = (key: string, contentType?: string) => ({
      authorization: `Bearer ${key}`,
      ...(contentType ? { 'content-type': contentType } : {}),
    });
    const typed = (contentType: string) => ({ 'content-type': contentType });

    // status, operation as the document names it, URL, headers, body
    const asks: [number, string, string, Record<string, string>?, string?][] = [
      // bad input: a query or path parameter its schema refuses, a NUL, a malformed URL
      [400, 'GET /events', '/events?from=yesterday', as(farm.key)],
      [400, 'GET /events/{id}', '/events/%00', as(farm.key)],
      [400, 'GET /lots', '/lots?limit=0', as(farm.key)],
      [400, 'GET /shipments', '/shipments?status=lost', as(farm.key)],
      [400, 'GET /locations', '/locations', as(farm.key)],
      [400, 'GET /parties', '/parties?kind=bank', as(farm.key)],
      [400, 'GET /products', `/products?partyCode=${farm.code.slice(0, -1)}${farm.code.endsWith('A') ? 'B' : 'A'}`, as(farm.key)],
      [400, 'GET /health', '/health?x=%00'],
      [400, 'DELETE /api-keys/{id}', '/api-keys/%E0%A4%A', as(farm.key)],
      // no key, or one never issued
      [401, 'GET /parties', '/parties'],
      [401, 'GET /trace/{code}', `/trace/${lotCode}`],
      [401, 'POST /events', '/events', as('no-such-key', 'application/json'), '{}'],
      [401, 'POST /epcis/capture', '/epcis/capture', typed('application/json'), '{}'],
      [401, 'GET /epc/{value}', epc, as('no-such-key')],
      // a brand office's key reaches only the brand routes
      [403, 'GET /parties', '/parties', as(office)],
      [403, 'GET /lots/{code}', `/lots/${lotCode}`, as(office)],
      [403, 'GET /epcis/epcs', '/epcis/epcs', as(office)],
      [403, 'GET /epc/{value}', epc, as(office)],
      // a body over the server's limit
      [413, 'POST /events', '/events', as(farm.key, 'application/json'), tooLarge],
      [413, 'POST /locations', '/locations', as(farm.key, 'application/json'), tooLarge],
      [413, 'POST /complaints', '/complaints', typed('application/json'), tooLarge],
      [413, 'POST /regulator/login', '/regulator/login', typed('application/json'), tooLarge],
      // a content type the route does not read
      [415, 'POST /events', '/events', as(farm.key, 'application/xml'), '<a/>'],
      [415, 'POST /epcis/queries', '/epcis/queries', as(farm.key, 'text/plain'), 'q'],
      [415, 'POST /complaints', '/complaints', typed('text/plain'), 'bad'],
      [415, 'POST /regulator/login', '/regulator/login', typed('text/xml'), '<a/>'],
      // a URL too long, or a path parameter too long; on a scan path a browser gets the page
      [414, 'GET /lots/{code}', `/lots/${lotCode}${longQuery}`, as(farm.key)],
      [414, 'GET /lots/{code}', `/lots/${'B'.repeat(101)}`, as(farm.key)],
      [414, 'GET /t/{code}', `/t/${unissued}${longQuery}`],
      [414, 'GET /t/{code}', `/t/${unissued}${longQuery}`, { accept: 'text/html' }],
      [414, 'GET /01/{*}', `/01/09506000134352${longQuery}`],
    ];
    for (const [status, operation, url, headers, payload] of asks) {
      const [method, path] = operation.split(' ');
      const response = await app.inject({ method: method as 'GET' | 'POST' | 'DELETE', url, headers, payload });
      const what = `${method} ${url.slice(0, 60)} (${status})`;
      t.equal(response.statusCode, status, what);
      const declared = document.paths[path][method.toLowerCase()].responses[String(response.statusCode)];
      if (!declared) {
        t.fail(`${what}: ${response.statusCode} is not declared for ${operation}`);
        continue;
      }
      const mediaType = mediaTypeOf(response.headers);
      t.ok(declared.content?.[mediaType], `${what}: ${mediaType} is declared`);
      if (mediaType === 'text/html') continue;
      t.equal(mediaType, 'application/problem+json', what);
      t.strictSame(declared.content?.[mediaType], PROBLEM, `${what}: declared as a Problem`);
      conformsTo(t, problemSchema, response.json(), what);
    }
  },
);

t.test('the 408 and 431 Node answers before any route runs are declared for every operation, as problem+json', async (t) => {
  const { app } = await buildTestApp(t);
  const document = await servedOpenApi(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  /** Sends raw bytes, runs `then` with the server's side of the connection, and reads the answer until the server closes. */
  const send = (request: string, then: (socket: Socket) => void = () => {}) =>
    new Promise<{ status: number; contentType: string; body: string }>((resolve) => {
      app.server.once('connection', (socket: Socket) => socket.once('data', () => then(socket)));
      const client = connect(port, '127.0.0.1', () => client.write(request, 'latin1'));
      let answer = '';
      client.setEncoding('utf8');
      client.on('data', (chunk) => (answer += chunk));
      client.on('error', () => {});
      client.on('close', () => {
        const [head, body] = answer.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), contentType: /\r\ncontent-type: ([^;\r]+)/i.exec(head)?.[1] ?? '', body });
      });
    });
  const answers: [string, Awaited<ReturnType<typeof send>>][] = [
    // headers over Node's limit (16 KiB)
    ['GET /lots', await send(`GET /lots HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20 * 1024)}\r\n\r\n`)],
    ['GET /epcis/events', await send(`GET /epcis/events HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20 * 1024)}\r\n\r\n`)],
    ['POST /events', await send(`POST /events HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20 * 1024)}\r\n\r\n`)],
    // headers that never end: what Node raises on the connection once its headersTimeout (60 s) has passed
    ...(await Promise.all(
      ['GET /t/00000000001', 'POST /epcis/capture'].map(
        async (request) =>
          [
            request.replace(/\/00000000001$/, '/{code}'),
            await send(`${request} HTTP/1.1\r\nHost: x\r\n`, (socket) =>
              app.server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket),
            ),
          ] as [string, Awaited<ReturnType<typeof send>>],
      ),
    )),
  ];
  t.strictSame(
    answers.map(([, answer]) => answer.status),
    [431, 431, 431, 408, 408],
  );
  for (const [operation, answer] of answers) {
    const [method, path] = operation.split(' ');
    const declared = document.paths[path][method.toLowerCase()].responses[String(answer.status)];
    t.ok(declared, `${operation} ${answer.status}: declared`);
    t.equal(answer.contentType, 'application/problem+json', `${operation} ${answer.status}`);
    t.strictSame(
      declared?.content,
      { 'application/problem+json': PROBLEM },
      `${operation} ${answer.status}: declared as a Problem, and only so`,
    );
    conformsTo(t, problemSchema, JSON.parse(answer.body), `${operation} ${answer.status}`);
  }
  const undeclared = operationsOf(document).flatMap(({ path, method, responses }) =>
    ['408', '431'].filter((status) => !responses[status]).map((status) => `${method.toUpperCase()} ${path} ${status}`),
  );
  t.strictSame(undeclared, [], 'every operation declares both');
});
