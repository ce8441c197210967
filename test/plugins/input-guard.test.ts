// Every hostile input that once reached the database or a response header answers a 4xx
// problem that names the field, never a 5xx.
import { gzipSync } from 'node:zlib';
import { MAX_NESTING, unacceptableInput } from '../../src/plugins/input-guard.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

t.test('unacceptableInput finds NUL characters, lone surrogates and deep nesting, with a pointer', async (t) => {
  t.equal(unacceptableInput({ a: ['ok', 'fine'], b: { c: 1 } }), null);
  t.equal(unacceptableInput('😀 a pair is fine'), null);
  t.same(unacceptableInput({ contact: { person: 'a\u0000b' } }), {
    pointer: '/contact/person',
    detail: 'contains a NUL character or a lone surrogate',
  });
  t.same(unacceptableInput({ list: ['x', '\ud800'] })?.pointer, '/list/1');
  t.same(unacceptableInput({ list: ['\udc00 trailing half'] })?.pointer, '/list/0');
  t.same(unacceptableInput({ reading: [1, Number.POSITIVE_INFINITY] })?.pointer, '/reading/1', 'a number JSON parsed as Infinity');
  t.match(unacceptableInput({ 'a/b~': '\u0000' })?.pointer, '/a~1b~0', 'pointer parts are escaped');
  let deep: unknown = 'leaf';
  for (let i = 0; i < 10_000; i++) deep = { deeper: deep };
  t.match(
    unacceptableInput(deep)?.detail,
    `nested deeper than ${MAX_NESTING} levels`,
    'ten thousand levels are refused without a stack overflow',
  );
});

t.test(
  'no 5xx from the reproducers: NUL, lone surrogates, odd characters in codes, dates and numbers out of range, deep nesting',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('processor');
    const regulatorKey = (await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key;
    const json = (url: string, method: 'GET' | 'POST', body?: unknown, key = plant.key, type = 'application/json') =>
      world.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': type }) },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    const cases: [string, Awaited<ReturnType<typeof json>>, string?][] = [
      ['NUL in a path id', await json('/lots/B%00X', 'GET'), '/code'],
      ['NUL in a query parameter', await json('/lots?partyCode=a%00b', 'GET'), '/partyCode'],
      ['NUL in lotCode', await json('/events?lotCode=a%00b', 'GET'), '/lotCode'],
      ['NUL in an EPCIS query parameter', await json('/epcis/events?EQ_bizStep=a%00b', 'GET'), '/EQ_bizStep'],
      ['NUL in MATCH_epc', await json('/epcis/events?MATCH_epc=urn%00x', 'GET'), '/MATCH_epc'],
      [
        'NUL in a product name',
        await json('/products', 'POST', { partyCode: plant.code, name: 'a\u0000b', category: 'other', unit: 'kg' }),
        '/name',
      ],
      [
        'lone surrogate in a party contact',
        await json('/parties', 'POST', { kind: 'farm', name: 'x', regionCode: '500236', contact: { person: '\ud800' } }, undefined),
        '/contact/person',
      ],
      [
        'NUL in a location name',
        await json('/locations', 'POST', { partyCode: plant.code, name: 'a\u0000', kind: 'plant', regionCode: '500236' }),
        '/name',
      ],
      ['NUL in an API key party', await json('/api-keys', 'POST', { role: 'operator', partyCode: 'P\u0000' }), '/partyCode'],
      [
        'NUL in a complaint transition note',
        await json('/regulator/complaints/T1/transitions', 'POST', { status: 'investigating', note: 'a\u0000b' }, regulatorKey),
        '/note',
      ],
      [
        'NUL in a subscription destination',
        await json('/epcis/queries/all/subscriptions', 'POST', { dest: 'https://a\u0000.example/', stream: true }),
        '/dest',
      ],
      [
        'NUL in an event',
        await json('/events', 'POST', { type: 'observe', eventTime: '2026-03-01T08:00:00+08:00', lotCodes: ['a\u0000'] }),
        '/lotCodes/0',
      ],
      [
        'NUL in a named-query parameter',
        await json('/epcis/queries', 'POST', { name: 'q', query: { EQ_bizStep: ['\u0000'] } }),
        '/query/EQ_bizStep/0',
      ],
      ['public: NUL in a complaint ticket', await json('/complaints/%00', 'GET', undefined, ''), '/ticket'],
      [
        'public: NUL in complaint text',
        await json('/complaints', 'POST', { code: 'K7QM2XR9P4D', category: 'quality', text: 'a\u0000b' }, ''),
        '/text',
      ],
      ['event time in year 0', await json('/events?to=0000-01-01T00:00:00Z', 'GET'), '/to'],
      ['record time past year 9999', await json('/epcis/events?GE_recordTime=%2B275760-09-13T00:00:00Z', 'GET'), '/GE_recordTime'],
      ['an unknown EPCIS query parameter', await json(`/epcis/events?bogus=${'x'.repeat(5000)}`, 'GET')],
      ['a URL longer than 8 KiB', await json(`/epcis/events?EQ_bizStep=${'x'.repeat(9000)}`, 'GET')],
    ];
    const epcis = (event: object) => json('/epcis/events', 'POST', { '@context': [CONTEXT], ...event }, plant.key, 'application/ld+json');
    const object = { type: 'ObjectEvent', action: 'ADD', eventTimeZoneOffset: '+00:00', epcList: ['urn:epc:id:sgtin:0614141.107346.2018'] };
    cases.push(['EPCIS eventTime in year 0', await epcis({ ...object, eventTime: '0000-01-01T00:00:00Z' }), '/eventTime']);
    cases.push([
      'EPCIS quantity 1e308',
      await epcis({
        ...object,
        epcList: undefined,
        eventTime: '2026-03-01T00:00:00Z',
        quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 1e308, uom: 'KGM' }],
      }),
      '/quantityList/0/quantity',
    ]);
    // written as text: JSON.stringify itself recurses
    const deep = `${'{"example:deeper":'.repeat(10_000)}"leaf"${'}'.repeat(10_000)}`;
    const event = JSON.stringify({ '@context': [CONTEXT], ...object, eventTime: '2026-03-01T00:00:00Z', 'example:ext': 0 });
    cases.push([
      'an EPCIS extension nested 10,000 levels',
      await json('/epcis/events', 'POST', event.replace('"example:ext":0', `"example:ext":${deep}`), plant.key, 'application/ld+json'),
    ]);
    const document = JSON.stringify({
      '@context': [CONTEXT],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-03-01T00:00:00Z',
      epcisBody: { eventList: [JSON.parse(event)] },
    });
    const deepJob = await json(
      '/epcis/capture',
      'POST',
      document.replace('"example:ext":0', `"example:ext":${deep}`),
      plant.key,
      'application/ld+json',
    );
    t.match(deepJob.json().detail, /nested deeper than/, 'a capture job is refused for its depth, before any job starts');
    cases.push(['an EPCIS extension nested 10,000 levels in a capture job', deepJob]);
    cases.push([
      'a lone surrogate in an EPCIS extension',
      await epcis({ ...object, eventTime: '2026-03-01T00:00:00Z', 'example:ext': '\udfff' }),
      '/example:ext',
    ]);
    cases.push([
      'a number that overflows to infinity in an EPCIS extension',
      await json(
        '/epcis/events',
        'POST',
        JSON.stringify({ ...object, eventTime: '2026-03-01T00:00:00Z', 'example:ext': 0 }).replace(
          '"example:ext":0',
          '"example:ext":1e400',
        ),
        plant.key,
        'application/ld+json',
      ),
      '/example:ext',
    ]);
    for (const code of ['%E2%80%AE', '%E4%B8%AD', '%7F', 'abc%00def']) {
      cases.push([
        `scan code ${code}`,
        await world.app.inject({ method: 'GET', url: `/t/${code}`, headers: { accept: 'application/json' } }),
      ]);
    }

    for (const [what, reply, pointer] of cases) {
      const problem = reply.json();
      t.ok(reply.statusCode >= 400 && reply.statusCode < 500, `${what}: ${reply.statusCode} (not a server error)`);
      t.match(reply.headers['content-type'], /application\/problem\+json/, `${what}: problem+json`);
      if (pointer)
        t.ok(
          problem.errors?.some((error: { pointer: string }) => error.pointer.endsWith(pointer)),
          `${what}: names ${pointer}`,
        );
    }
    for (const code of ['%E2%80%AE', '%7F', 'abc%00def']) {
      const page = await world.app.inject({ method: 'GET', url: `/t/${code}`, headers: { accept: 'text/html' } });
      t.equal(page.statusCode, 400, `scan code ${code} opened in a browser: 400`);
      t.match(page.headers['content-type'], /^text\/html/, `scan code ${code} opened in a browser: the error page`);
    }
    const longName = await json(`/epcis/events?${'x'.repeat(15_000)}=1`, 'GET');
    t.equal(longName.statusCode, 414, 'a 15,000-character unknown query parameter is refused before it can reach a Link header');
    t.notOk(longName.headers.link);
    const link = (await json('/epcis/events?perPage=1&EQ_bizStep=commissioning', 'GET')).headers.link;
    t.ok(link === undefined || String(link).length < 9000, 'a Link header stays bounded');
  },
);

t.test('only capture routes take large bodies', async (t) => {
  const world = await createWorld(t, undefined, { bodyLimit: 1024 * 1024 });
  const plant = await world.party('processor');
  const big = JSON.stringify({ name: 'q', query: { EQ_bizStep: ['x'.repeat(10 * 1024 * 1024)] } });
  const reply = await world.app.inject({
    method: 'POST',
    url: '/epcis/queries',
    payload: big,
    headers: { authorization: `Bearer ${plant.key}`, 'content-type': 'application/ld+json' },
  });
  t.equal(reply.statusCode, 413, 'a 10 MB named query in JSON-LD is refused by the server-wide limit');
  t.match(reply.headers['content-type'], /application\/problem\+json/);
  t.equal(
    (await world.app.inject({ method: 'GET', url: '/epcis/queries', headers: { authorization: `Bearer ${plant.key}` } })).json().items
      .length,
    0,
  );

  // a 2 MB document: over the server-wide limit, within the capture limit
  const document = {
    '@context': [CONTEXT],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-03-01T00:00:00Z',
    epcisBody: {
      eventList: [
        {
          type: 'ObjectEvent',
          action: 'ADD',
          eventTime: '2026-03-01T00:00:00Z',
          eventTimeZoneOffset: '+00:00',
          epcList: ['urn:epc:id:sgtin:0614141.107346.2018'],
          'example:note': 'x'.repeat(2 * 1024 * 1024),
        },
      ],
    },
  };
  const capture = await world.app.inject({
    method: 'POST',
    url: '/epcis/capture',
    payload: JSON.stringify(document),
    headers: { authorization: `Bearer ${plant.key}`, 'content-type': 'application/ld+json' },
  });
  t.equal(capture.statusCode, 202, 'the capture route takes it');
  const job = `/epcis/capture/${capture.json().captureID}`;
  let state = capture.json();
  while (state.running) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = (await world.app.inject({ method: 'GET', url: job, headers: { authorization: `Bearer ${plant.key}` } })).json();
  }
  t.match(state, { success: true, captured: 1 });
});

t.test('a body in a content coding the service does not decode is a 415 naming Content-Encoding, not malformed JSON', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: '*' }]);
  const read = JSON.stringify({ data: { eventNum: 1, format: 'epc', idHex: 'E2806894000040017790E471' }, type: 'SIMPLE' });
  const post = (payload: string | Buffer, encoding: string) =>
    world.app.inject({
      method: 'POST',
      url: '/rfid/zebra',
      payload,
      headers: { authorization: `Bearer ${reader.key}`, 'content-type': 'application/json', 'content-encoding': encoding },
    });
  for (const [what, reply] of [
    ['gzip', await post(gzipSync(read), 'gzip')],
    ['a plain body labelled gzip', await post(read, 'gzip')],
    ['deflate, then gzip', await post(read, 'deflate, gzip')],
  ] as const) {
    t.equal(reply.statusCode, 415, what);
    t.match(reply.json(), {
      type: '/problems/unsupported-content-encoding',
      errors: [{ in: 'headers', pointer: '/content-encoding' }],
    });
    t.equal(reply.headers['accept-encoding'], 'identity', 'and says which coding is taken');
  }
  t.equal((await post(read, 'Identity')).statusCode, 202, 'identity is no coding at all');
  const bodiless = await world.app.inject({
    method: 'GET',
    url: '/rfid/reads',
    headers: { authorization: `Bearer ${store.key}`, 'content-encoding': 'gzip' },
  });
  t.equal(bodiless.statusCode, 200, 'a request without a body has nothing to decode');
  t.equal((await reader.api.post('/rfid/zebra', JSON.parse(read))).status, 202, 'nor is none');
  const listed: { readCount: number }[] = (await store.api.get('/rfid/reads')).body.items;
  t.equal(
    listed.reduce((sum, row) => sum + row.readCount, 0),
    2,
    'only the two bodies taken were stored',
  );
});

// Fastify reads no body of a GET or HEAD, so there is nothing to decode: a client or proxy that
// frames every request as chunked, or labels every request gzip, still reads a page or a status.
t.test('a GET or HEAD labelled with a content coding is answered: its body is never read', async (t) => {
  const world = await createWorld(t);
  for (const method of ['GET', 'HEAD'] as const) {
    for (const [what, headers, payload] of [
      ['framed chunked, empty', { 'transfer-encoding': 'chunked' }, ''],
      ['with a body', {}, 'x'],
    ] as const) {
      const reply = await world.app.inject({ method, url: '/health', headers: { 'content-encoding': 'gzip', ...headers }, payload });
      t.equal(reply.statusCode, 200, `${method} ${what}`);
    }
  }
});
