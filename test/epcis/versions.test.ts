// The EPCIS 2.0 REST binding's version negotiation: a client names the EPCIS and CBV versions it
// takes with GS1-EPCIS-Min / GS1-EPCIS-Max and GS1-CBV-Min / GS1-CBV-Max; a range that leaves out
// the one this service answers in (EPCIS 2.0.0, CBV 2.0.0) is a 406 problem (the binding's
// NotAcceptable), never an answer in a version the client said it cannot read.
import { compareVersions, versionRangeProblem } from '../../src/epcis/versions.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('versions compare number by number', async (t) => {
  t.equal(compareVersions('2.0', '2.0.0'), 0, 'a missing number is 0');
  t.equal(compareVersions('2', '2.0.0'), 0);
  t.equal(compareVersions('1.2', '2.0.0'), -1);
  t.equal(compareVersions('2.0.1', '2.0.0'), 1);
  t.equal(compareVersions('10.0', '2.0.0'), 1, 'as numbers, not text');
  t.equal(versionRangeProblem({}), null, 'no range asked for');
  t.equal(versionRangeProblem({ 'gs1-epcis-min': '1.2', 'gs1-epcis-max': '2.0', 'gs1-cbv-min': '2', 'gs1-cbv-max': '2.0.0' }), null);
  t.match(versionRangeProblem({ 'gs1-epcis-min': '2.0.1' }), { status: 406, errors: [{ pointer: '/gs1-epcis-min' }] });
  t.match(versionRangeProblem({ 'gs1-cbv-max': '1.2.0' }), { status: 406, errors: [{ pointer: '/gs1-cbv-max' }] });
  t.match(versionRangeProblem({ 'gs1-epcis-min': 'two', 'gs1-epcis-max': '9' }), { status: 400, errors: [{ pointer: '/gs1-epcis-min' }] });
  t.match(versionRangeProblem({ 'gs1-epcis-max': '2.0, 3.0' }), { status: 400 }, 'two values are no version');
});

t.test('a version is any GS1 version (numbers separated by dots), compared as numbers of any length', async (t) => {
  t.equal(compareVersions('0000000002', '2.0.0'), 0, 'leading zeros');
  t.equal(compareVersions('2.0.0.0.0.0.0.0.0.0.0', '2'), 0, 'eleven numbers');
  t.equal(compareVersions('99999999999999999999', '99999999999999999998'), 1, 'past a safe integer');
  t.equal(compareVersions('99999999999999999998', '99999999999999999999'), -1);
  t.equal(compareVersions('1.99999999999999999999', '2'), -1);
  t.equal(compareVersions('000', '0.0'), 0);
  t.equal(versionRangeProblem({ 'gs1-epcis-min': '0000000002', 'gs1-epcis-max': '2.0.0.0.0.0.0.0.0.0.0' }), null);
  t.equal(versionRangeProblem({ 'gs1-epcis-max': '100000000000000000000' }), null, 'a huge upper bound holds 2.0.0');
  t.match(versionRangeProblem({ 'gs1-epcis-min': '2.0.0.0.0.0.0.0.0.0.1' }), { status: 406 });
  t.match(
    versionRangeProblem({ 'gs1-cbv-min': `1.${'0'.repeat(63)}` }),
    { status: 400, errors: [{ pointer: '/gs1-cbv-min', detail: /64/ }] },
    'over 64 characters',
  );
  t.equal(versionRangeProblem({ 'gs1-cbv-min': `1.${'0'.repeat(62)}` }), null, '64 characters');
  for (const value of ['2.', '.2', '2..0', '+2', '2.0-beta', ''])
    t.match(versionRangeProblem({ 'gs1-epcis-min': value }), { status: 400 }, `${JSON.stringify(value)} is no version`);
});

t.test('a version header sent more than once is a 400 saying so', async (t) => {
  for (const headers of [{ 'gs1-epcis-min': ['2.0.0', '2.0.0'] }, { 'gs1-epcis-min': '2.0.0, 2.0.0' }])
    t.match(
      versionRangeProblem(headers),
      { status: 400, errors: [{ in: 'headers', pointer: '/gs1-epcis-min', detail: /GS1-EPCIS-Min was sent more than once/ }] },
      JSON.stringify(headers),
    );
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  // as Node reads two of them on the wire: one value, joined by a comma
  const repeated = await plant.api.get('/epcis/events', { 'GS1-CBV-Max': ['2.0.0', '2.0.0'] as unknown as string });
  expectStatus(t, repeated, 400, 'GS1-CBV-Max twice');
  t.match(repeated.body, { errors: [{ pointer: '/gs1-cbv-max', detail: /GS1-CBV-Max was sent more than once/ }] });
  t.notMatch(repeated.body.detail, /a version such as/, 'not told its value is no version');
  const long = await plant.api.get('/epcis/events', { 'GS1-EPCIS-Min': '0000000002', 'GS1-EPCIS-Max': '2.0.0.0.0.0.0.0.0.0.0' });
  expectStatus(t, long, 200, 'GS1 versions of leading zeros and many numbers are answered');
});

t.test('OPTIONS of every EPCIS path applies the version range', async (t) => {
  const world = await createWorld(t);
  const id = '0b6f2a3e-7c1d-4f3a-9e2b-5d8c1a0f4e6b';
  for (const url of ['/epcis/capture', '/epcis/events', `/epcis/capture/${id}`, '/epcis/queries', '/epcis/epcs']) {
    const refused = await world.app.inject({ method: 'OPTIONS', url, headers: { 'GS1-EPCIS-Max': '1.2' } });
    t.equal(refused.statusCode, 406, `OPTIONS ${url} with GS1-EPCIS-Max 1.2`);
    t.match(refused.json(), { type: '/problems/not-acceptable', errors: [{ in: 'headers', pointer: '/gs1-epcis-max' }] });
    t.equal(refused.headers['gs1-epcis-version'], '2.0.0', 'saying the version it answers in');
    const malformed = await world.app.inject({ method: 'OPTIONS', url, headers: { 'GS1-CBV-Min': 'latest' } });
    t.equal(malformed.statusCode, 400, `OPTIONS ${url} with a value that is no version`);
    t.match(malformed.json(), { errors: [{ pointer: '/gs1-cbv-min' }] });
    const answered = await world.app.inject({ method: 'OPTIONS', url, headers: { 'GS1-EPCIS-Min': '2', 'GS1-CBV-Max': '3' } });
    t.equal(answered.statusCode, 204, `OPTIONS ${url} with a range that holds 2.0.0`);
  }
  const lots = await world.app.inject({ method: 'OPTIONS', url: '/lots/B23456789ABC', headers: { 'GS1-EPCIS-Max': '1.2' } });
  t.equal(lots.statusCode, 204, 'outside /epcis the headers mean nothing');
});

t.test('a range without EPCIS 2.0.0 or CBV 2.0.0 is a 406 problem naming the header', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');

  for (const [headers, pointer] of [
    [{ 'GS1-EPCIS-Min': '3.0.0', 'GS1-EPCIS-Max': '3.0.0' }, '/gs1-epcis-min'],
    [{ 'GS1-EPCIS-Max': '1.2' }, '/gs1-epcis-max'],
    [{ 'GS1-CBV-Min': '2.1' }, '/gs1-cbv-min'],
    [{ 'GS1-CBV-Max': '1.2.0' }, '/gs1-cbv-max'],
  ] as const) {
    const what = JSON.stringify(headers);
    const refused = await plant.api.get('/epcis/events', headers);
    expectStatus(t, refused, 406, what);
    t.match(refused.headers['content-type'], /^application\/problem\+json/);
    t.match(refused.body, { type: '/problems/not-acceptable', status: 406, detail: /EPCIS 2\.0\.0 and CBV 2\.0\.0/ });
    t.same(
      refused.body.errors.map((error: { in: string; pointer: string }) => [error.in, error.pointer]),
      [['headers', pointer]],
      `${what}: names the header that leaves the version out`,
    );
    t.equal(refused.headers['gs1-epcis-version'], '2.0.0', 'and says the version it does answer in');
  }

  for (const headers of [
    { 'GS1-EPCIS-Min': '1.2', 'GS1-EPCIS-Max': '2.0' } as Record<string, string>,
    { 'GS1-EPCIS-Min': '2.0.0', 'GS1-EPCIS-Max': '2.0.0', 'GS1-CBV-Min': '2.0', 'GS1-CBV-Max': '3' },
    { 'GS1-EPCIS-Min': '2' },
  ]) {
    const answered = await plant.api.get('/epcis/events', headers);
    expectStatus(t, answered, 200, `${JSON.stringify(headers)}: the range holds 2.0.0`);
    t.equal(answered.headers['gs1-epcis-version'], '2.0.0');
  }

  const malformed = await plant.api.get('/epcis/events', { 'GS1-EPCIS-Max': 'latest' });
  expectStatus(t, malformed, 400, 'a value that is no version');
  t.same(malformed.body.errors[0].pointer, '/gs1-epcis-max', 'is named');

  // every EPCIS route: a capture is refused before anything is stored, OPTIONS and the named queries too
  const capture = await world.app.inject({
    method: 'POST',
    url: '/epcis/capture',
    headers: { authorization: `Bearer ${plant.key}`, 'content-type': 'application/ld+json', 'GS1-EPCIS-Min': '3.0' },
    payload: JSON.stringify({
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-03-01T00:00:00Z',
      epcisBody: { eventList: [] },
    }),
  });
  t.equal(capture.statusCode, 406, 'a capture asking for EPCIS 3.0 or later');
  t.same((await plant.api.get('/epcis/capture')).body.items, [], 'and no capture job was made');
  const options = await world.app.inject({ method: 'OPTIONS', url: '/epcis/capture', headers: { 'GS1-EPCIS-Max': '1.2' } });
  t.equal(options.statusCode, 406, 'OPTIONS /epcis/capture');
  expectStatus(t, await plant.api.get('/epcis/queries', { 'GS1-CBV-Min': '2.1' }), 406, 'the named queries');
  expectStatus(t, await plant.api.get('/lots', { 'GS1-EPCIS-Min': '3.0' }), 200, 'outside /epcis the headers mean nothing');
});

t.test('the OpenAPI document declares the version headers and the 406 on every EPCIS operation', async (t) => {
  const world = await createWorld(t);
  const document = (await world.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const [path, method] of [
    ['/epcis/events', 'get'],
    ['/epcis/capture', 'post'],
    ['/epcis/capture', 'options'],
    ['/epcis/queries/{queryName}/subscriptions', 'post'],
  ]) {
    const operation = document.paths[path][method];
    const headers = operation.parameters.filter((parameter: { in: string }) => parameter.in === 'header');
    t.same(
      headers
        .map((parameter: { name: string }) => parameter.name)
        .filter((name: string) => /^gs1-(epcis|cbv)-(min|max)$/.test(name))
        .sort(),
      ['gs1-cbv-max', 'gs1-cbv-min', 'gs1-epcis-max', 'gs1-epcis-min'],
      `${method} ${path}: the range headers`,
    );
    t.ok(operation.responses['406'], `${method} ${path}: the 406`);
  }
});
