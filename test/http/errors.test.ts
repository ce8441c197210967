import { type AddressInfo, connect } from 'node:net';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('bad input always gets a 4xx problem+json with the field path, never a 5xx', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const inject = (options: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }) =>
    world.app.inject(options);
  const auth = { authorization: `Bearer ${farm.key}` };

  const malformed = await inject({
    method: 'POST',
    url: '/events',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"type": "commission",',
  });
  t.equal(malformed.statusCode, 400, 'malformed JSON');
  t.equal(malformed.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(malformed.json(), { type: '/problems/malformed-json', status: 400, instance: '/events', errors: [{ in: 'body', pointer: '/' }] });
  const empty = await inject({ method: 'POST', url: '/events', headers: { ...auth, 'content-type': 'application/json' }, payload: '' });
  t.match(empty.json(), { type: '/problems/malformed-json', status: 400, errors: [{ in: 'body', pointer: '/' }] }, 'an empty JSON body');

  const wrongType = await farm.api.post('/events', {
    type: 'commission',
    eventTime: '2026-03-01T08:00:00+08:00',
    lots: [{ productCode: 'M', quantity: 'ten' }],
  });
  expectStatus(t, wrongType, 400, 'wrong type');
  t.same(
    wrongType.body.errors.map((e: { in: string; pointer: string }) => `${e.in}${e.pointer}`),
    ['body/lots/0/quantity'],
  );

  const unknownType = await farm.api.post('/events', { type: 'teleport', eventTime: '2026-03-01T08:00:00+08:00' });
  expectStatus(t, unknownType, 400, 'unknown event type');
  t.equal(unknownType.body.errors[0].pointer, '/type');

  const badQuery = await farm.api.get('/lots?limit=0');
  expectStatus(t, badQuery, 400, 'query out of range');
  t.equal(badQuery.body.errors[0].in, 'querystring');
  expectStatus(t, await farm.api.get('/trace/BAAAAAAAAAAA?direction=sideways'), 400, 'unknown direction');

  const huge = await inject({
    method: 'POST',
    url: '/events',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }),
  });
  t.equal(huge.statusCode, 413, 'oversize body');
  t.equal(huge.json().type, '/problems/body-too-large');

  const text = await inject({
    method: 'POST',
    url: '/events',
    headers: { ...auth, 'content-type': 'application/xml' },
    payload: '<event/>',
  });
  t.equal(text.statusCode, 415, 'unsupported media type');
  // no route reads plain text: a JSON route given it is refused like any other type, not validated as a string
  for (const url of ['/events', '/holds', '/complaints', '/recalls']) {
    const plain = await inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'text/plain' }, payload: '{"lotCodes":[]}' });
    t.equal(plain.statusCode, 415, `text/plain to ${url}`);
    t.match(plain.json(), {
      type: '/problems/unsupported-media-type',
      status: 415,
      errors: [{ in: 'headers', pointer: '/content-type' }],
    });
  }

  expectStatus(t, await farm.api.get('/nowhere'), 404, 'unknown route');
  expectStatus(t, await farm.api.get('/parties/Y500236PBPQCCJ2'), 404, 'unknown party code');
  expectStatus(t, await farm.api.get('/lots/BAAAAAAAAAA1'), 404, 'unknown lot code');
  expectStatus(t, await farm.api.get('/trace/BAAAAAAAAAAA'), 400, 'lot code with a wrong check character');
  expectStatus(t, await farm.api.get('/trace/hello'), 400, 'not an identifier');
  expectStatus(t, await farm.api.get('/trace/150023699999999'), 404, 'unregistered ear tag');
  expectStatus(t, await farm.api.get('/trace/106141411234567897'), 404, 'unregistered SSCC');
  expectStatus(t, await farm.api.get('/trace/106141411234567890'), 400, 'SSCC with a wrong check digit');
  expectStatus(t, await farm.api.get(`/trace/${farm.code}:NO-SUCH-LOT`), 404, 'unknown party lot number');

  // the router's own errors, before any route runs: once answered as plain JSON
  for (const [url, status, type] of [
    ['/parties/%ZZ', 400, '/problems/malformed-url'],
    ['/locations/%E0%A4%A', 400, '/problems/malformed-url'],
    [`/parties/${'x'.repeat(200)}`, 414, '/problems/uri-too-long'],
  ] as const) {
    const reply = await inject({ method: 'GET', url, headers: auth });
    t.equal(reply.statusCode, status, url.slice(0, 30));
    t.match(reply.headers['content-type'], /^application\/problem\+json/);
    t.match(reply.json(), { type, status });
  }

  const requestId = await inject({ method: 'GET', url: '/health' });
  t.match(requestId.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'every response carries its request id');
});

t.test('a request the HTTP parser refuses before routing gets problem+json too', async (t) => {
  const { app } = await buildTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  /** Sends raw bytes and returns the status, headers and body of the answer, read until the server closes. */
  const send = (request: string) =>
    new Promise<{ status: number; headers: string; body: string }>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request, 'latin1'));
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('error', () => {});
      socket.on('close', () => {
        const [head, body] = answer.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
      });
    });

  const del = await send('GET /lots HTTP/1.1\r\nHost: x\r\nAccept: a\x7fb\r\nConnection: close\r\n\r\n');
  t.equal(del.status, 400, 'a DEL in a header value');
  t.match(del.headers, /\r\ncontent-type: application\/problem\+json/);
  t.match(JSON.parse(del.body), { type: '/problems/malformed-request', title: 'Malformed request', status: 400, detail: /header value/ });

  const huge = await send(`GET /lots HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
  t.equal(huge.status, 431, 'headers over the limit');
  t.match(huge.headers, /\r\ncontent-type: application\/problem\+json/);
  t.match(JSON.parse(huge.body), { type: '/problems/headers-too-large', status: 431 });
});

t.test('public endpoints: docs and the OpenAPI 3.1 document', async (t) => {
  const world = await createWorld(t);
  const openapi = await world.app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(openapi.statusCode, 200);
  t.equal(openapi.json().openapi, '3.1.0');
  t.ok(openapi.json().paths['/trace/{code}'], 'documents the trace');
  const epcisParameters = openapi.json().paths['/epcis/events'].get.parameters.map((parameter: { name: string }) => parameter.name);
  t.ok(
    ['eventType', 'GE_eventTime', 'EQ_bizStep', 'MATCH_anyEPC', 'perPage', 'nextPageToken'].every((name) => epcisParameters.includes(name)),
    'EPCIS query parameters are documented one by one',
  );
  t.notOk(epcisParameters.includes('propertyNames'), 'not the keywords of a JSON schema');
  const docs = await world.app.inject({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200, 'Swagger UI');
  t.match(docs.body, /swagger/i);
});
