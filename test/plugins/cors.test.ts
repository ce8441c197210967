// Every route may be called from another origin (keys travel in headers, never cookies), so a CORS
// preflight is answered on every path the service has, with that path's methods; OPTIONS of a path
// it does not have is a 404 problem like any other request there.
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const PREFLIGHT = {
  origin: 'https://shop.example',
  'access-control-request-method': 'DELETE',
  'access-control-request-headers': 'authorization',
};

t.test('OPTIONS of a path no route serves is the 404 problem a GET there gets', async (t) => {
  const { app } = await buildTestApp(t);
  const get = await app.inject({ method: 'GET', url: '/no/such/path' });
  t.equal(get.statusCode, 404);
  for (const headers of [{}, PREFLIGHT]) {
    const options = await app.inject({ method: 'OPTIONS', url: '/no/such/path?x=1', headers });
    t.equal(options.statusCode, 404, `${Object.keys(headers).length ? 'a preflight' : 'a plain OPTIONS'}: not found`);
    t.match(options.headers['content-type'], /^application\/problem\+json/);
    t.match(options.json(), { type: '/problems/not-found', status: 404, detail: 'No route OPTIONS /no/such/path' });
    t.notOk(options.headers['access-control-allow-methods'], 'and no methods offered');
  }
});

t.test('a preflight of a path the service has is allowed that path’s methods, and the headers asked for', async (t) => {
  const { app } = await buildTestApp(t);
  const id = '0b6f2a3e-7c1d-4f3a-9e2b-5d8c1a0f4e6b';
  const preflight = await app.inject({ method: 'OPTIONS', url: `/api-keys/${id}`, headers: PREFLIGHT });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.body, '');
  t.equal(preflight.headers['access-control-allow-origin'], '*');
  t.strictSame(String(preflight.headers['access-control-allow-methods']).split(', '), ['DELETE'], 'a key is revoked cross-origin too');
  t.equal(preflight.headers['access-control-allow-headers'], 'authorization');
  t.match(preflight.headers.vary, /Access-Control-Request-Headers/, 'the answer depends on the headers asked for');

  const lot = await app.inject({
    method: 'OPTIONS',
    url: '/lots/B23456789ABC',
    headers: { ...PREFLIGHT, 'access-control-request-method': 'GET' },
  });
  t.equal(lot.statusCode, 204);
  t.strictSame(
    String(lot.headers['access-control-allow-methods']).split(', ').sort(),
    ['GET', 'HEAD'],
    'no method the path does not serve',
  );

  const plain = await app.inject({ method: 'OPTIONS', url: '/lots/B23456789ABC' });
  t.equal(plain.statusCode, 204, 'a plain OPTIONS is answered too');
  t.strictSame(String(plain.headers.allow).split(', ').sort(), ['GET', 'HEAD', 'OPTIONS'], 'naming the methods in Allow');
  t.notOk(plain.headers['access-control-allow-methods'], 'not a preflight, no preflight headers');

  const capture = await app.inject({
    method: 'OPTIONS',
    url: '/epcis/capture',
    headers: { ...PREFLIGHT, 'access-control-request-method': 'POST' },
  });
  t.equal(capture.statusCode, 204, 'the capture limits route answers a preflight');
  t.equal(capture.headers['gs1-epcis-capture-limit'], '10000', 'with its limits');
  t.strictSame(String(capture.headers['access-control-allow-methods']).split(', ').sort(), ['GET', 'HEAD', 'POST']);
  t.equal(capture.headers['access-control-allow-origin'], '*');

  const unserved = await app.inject({ method: 'PUT', url: '/lots/B23456789ABC', headers: { origin: 'https://shop.example' } });
  t.equal(unserved.statusCode, 404, 'a method the path does not serve is not found, as before');
  t.equal(unserved.headers['access-control-allow-origin'], '*', 'and a page elsewhere may read why');
});

t.test('a preflight or OPTIONS of an EPCIS path is refused a version range without 2.0.0, readable cross-origin', async (t) => {
  const { app } = await buildTestApp(t);
  for (const url of ['/epcis/events', '/epcis/capture', '/epcis/queries']) {
    const refused = await app.inject({
      method: 'OPTIONS',
      url,
      headers: { ...PREFLIGHT, 'access-control-request-method': 'GET', 'GS1-EPCIS-Min': '3.0' },
    });
    t.equal(refused.statusCode, 406, `${url}: 406`);
    t.equal(refused.headers['access-control-allow-origin'], '*', `${url}: a page elsewhere may read why`);
    t.notOk(refused.headers['access-control-allow-methods'], `${url}: and no methods offered`);
    const allowed = await app.inject({ method: 'OPTIONS', url, headers: { ...PREFLIGHT, 'access-control-request-method': 'GET' } });
    t.equal(allowed.statusCode, 204, `${url}: without a range, a preflight as before`);
  }
});

t.test('the OpenAPI document says how OPTIONS is answered', async (t) => {
  const { app } = await buildTestApp(t);
  const description = String((await app.inject({ method: 'GET', url: '/openapi.json' })).json().info.description);
  t.match(description, /OPTIONS/);
  t.match(description, /preflight/);
});

t.test('a page on another origin may read the EPCIS headers the service sends', async (t) => {
  const { app } = await buildTestApp(t);
  const origin = { origin: 'https://shop.example' };
  const exposed = (headers: Record<string, unknown>) =>
    String(headers['access-control-expose-headers'])
      .split(',')
      .map((name) => name.trim().toLowerCase());
  const answer = await app.inject({ method: 'GET', url: '/epcis/events', headers: { ...origin, 'GS1-EPC-Format': 'Never_Translates' } });
  const capture = await app.inject({ method: 'OPTIONS', url: '/epcis/capture', headers: origin });
  for (const [what, reply] of [
    ['GET /epcis/events', answer],
    ['OPTIONS /epcis/capture', capture],
  ] as const) {
    const names = exposed(reply.headers);
    for (const name of Object.keys(reply.headers).filter((header) => header.startsWith('gs1-')))
      t.ok(names.includes(name), `${what}: ${name} is exposed`);
  }
  t.ok(exposed(answer.headers).includes('gs1-epc-format'), 'the format identifiers are written in');
  t.ok(exposed(capture.headers).includes('gs1-epcis-capture-limit'), 'the capture limits');
  t.ok(exposed(answer.headers).includes('link'), 'and those exposed before');
});
