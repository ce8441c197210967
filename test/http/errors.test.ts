import { type AddressInfo, connect } from 'node:net';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { buildTestApp, SENT_URI_REFERENCE, sendRequestLine } from '../helper.js';
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

t.test('a problem’s instance names the URL as sent as an RFC 3986 URI reference, bounded, with no user name or password', async (t) => {
  const logged: Record<string, any>[] = [];
  const stream = { write: (line: string) => logged.push(JSON.parse(line)) };
  const { app } = await buildTestApp(t, undefined, { logger: { level: 'info', stream } });
  const problemOf = async (target: string) => {
    const answer = await sendRequestLine(app, target);
    const problem = JSON.parse(answer.body);
    const named = (text: string) => (text.length > 60 ? `${text.slice(0, 60)}…` : text);
    t.match(problem.instance, SENT_URI_REFERENCE, `${named(target)}: its instance, ${named(problem.instance)}, an RFC 3986 URI reference`);
    return { status: answer.status, ...problem };
  };
  // what no URI may carry raw, and a stray "%", escaped, valid escapes kept: a route's own 400, the router's, a 404
  for (const [target, status, instance] of [
    ['/t/ABC?format=x&a=<"x">%zz&b=%41', 400, '/t/ABC?format=x&a=%3C%22x%22%3E%25zz&b=%41'],
    ['/parties/%ZZ<"', 400, '/parties/%25ZZ%3C%22'],
    ['/nowhere/{x}|^`#a"b', 404, '/nowhere/%7Bx%7D%7C%5E%60#a%22b'],
    ['http://trace.county.example:abc/nowhere', 404, 'http://trace.county.example%3Aabc/nowhere'],
    ['http://[::1]:8080/nowhere', 404, 'http://[::1]:8080/nowhere'],
  ] as const) {
    t.match(await problemOf(target), { status, instance }, `${target}: ${status}`);
  }
  // bounded, as the router answers before the input guard's 8,192 characters, and cut at a character's end: never
  // inside an escape, nor between the escapes of one character's UTF-8 bytes (`%E8%85` of 腊, `%E8%85%8A`); the
  // logs name it as sent, cut so too
  logged.length = 0;
  for (const [target, status] of [
    [`/x%zz${'A'.repeat(12_000)}`, 400],
    [`/t/${'A'.repeat(12_000)}`, 414],
    [`/nowhere/${'%C3%A9'.repeat(1000)}`, 404],
    [`/nowhere/${encodeURIComponent('腊肉'.repeat(400))}`, 404],
    [`/nowhere/abcdefgh${encodeURIComponent('腊🐄'.repeat(300))}`, 404],
  ] as const) {
    const problem = await problemOf(target);
    t.equal(problem.status, status, `${target.slice(0, 30)}…: ${status}`);
    t.ok(problem.instance.length <= 2048 && problem.instance.length >= 2040, `its instance cut to ${problem.instance.length} characters`);
    const sent = target.replace('%zz', '%25zz');
    t.ok(sent.startsWith(problem.instance), 'the first of them');
    t.notMatch(problem.instance, /%[0-9A-Fa-f]?$/, 'not inside an escape');
    t.notMatch(sent.slice(problem.instance.length), /^%[89ABab]/, 'nor before the next byte of a character');
    const lines = logged.splice(0);
    const urls = lines.flatMap((line) => [line.req?.url, line.url]).filter((url) => url !== undefined);
    t.ok(
      lines.some((line) => line.msg === 'incoming request'),
      'the request is logged',
    );
    for (const url of urls) {
      t.ok(url.length <= 2048 && url.length >= 2040 && target.startsWith(url), `logged as sent, cut to ${url.length} characters`);
      t.notMatch(url, /%[0-9A-Fa-f]?$/, 'not inside an escape');
      t.notMatch(target.slice(url.length), /^%[89ABab]/, 'nor before the next byte of a character');
    }
  }
  // a user name and password in a target in absolute form are neither answered nor logged
  logged.length = 0;
  for (const [target, status, instance] of [
    ['https://u:p@evil.example/parties', 401, 'https://evil.example/parties'],
    ['http://u:p@trace.county.example/nowhere?x', 404, 'http://trace.county.example/nowhere?x'],
    ['http://u:p@trace.county.example/parties/%ZZ', 400, 'http://trace.county.example/parties/%25ZZ'],
    ['http://u:p@x@trace.county.example:8080/nowhere', 404, 'http://trace.county.example:8080/nowhere'],
    ['ftp://u:p@h.example/x', 404, 'ftp://h.example/x'],
  ] as const) {
    const problem = await problemOf(target);
    t.match(problem, { status, instance }, `${target}: ${status}, named without them`);
    t.notMatch(JSON.stringify(problem), 'u:p', 'its detail too');
  }
  t.ok(logged.length > 0);
  t.notOk(
    logged.some((line) => JSON.stringify(line).includes('u:p')),
    'no log line names them',
  );
  t.match(
    logged.find((line) => line.msg === 'incoming request'),
    { req: { url: 'https://evil.example/parties' } },
    'the request logged as sent, less them',
  );
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
