// Rate limits (complaints, scans) are counted in the database: a restart, or a second instance on
// the same database, does not give a client a fresh allowance.
import { buildApp } from '../../src/app.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { buildTestApp, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A well-formed short code that was never issued. */
const UNISSUED = `0000000001${mod31CheckChar('0000000001')}`;

t.test('the complaint limit holds across a restart and across instances', async (t) => {
  const { app, database } = await buildTestApp(t, undefined, { complaintsPerHour: 3 });
  // each says something else: the same complaint posted again within ten minutes is the one filed, counted once
  let said = 0;
  const complain = (instance: typeof app, remoteAddress: string) =>
    instance.inject({
      method: 'POST',
      url: '/complaints',
      remoteAddress,
      payload: { code: 'K7QM2XR9P4D', category: 'quality', text: `包装破损 ${++said}` },
    });
  for (let i = 0; i < 3; i++) t.equal((await complain(app, '203.0.113.7')).statusCode, 201, `complaint ${i + 1} of 3 is accepted`);
  t.equal((await complain(app, '203.0.113.7')).statusCode, 429, 'the fourth within the hour is refused');
  await app.close();

  const restarted = await buildApp({ database, publicBaseUrl: TEST_BASE_URL, complaintsPerHour: 3 });
  t.teardown(() => restarted.close());
  const refused = await complain(restarted, '203.0.113.7');
  t.equal(refused.statusCode, 429, 'after a restart the client is still over its limit');
  t.match(refused.headers['content-type'], /application\/problem\+json/);
  t.equal((await complain(restarted, '198.51.100.2')).statusCode, 201, 'another client has its own allowance');

  const second = await buildApp({ database, publicBaseUrl: TEST_BASE_URL, complaintsPerHour: 3 });
  t.teardown(() => second.close());
  for (let i = 0; i < 2; i++) await complain(second, '198.51.100.2');
  t.equal((await complain(restarted, '198.51.100.2')).statusCode, 429, 'hits on one instance count on the other');
});

t.test('the scan limit holds across a restart, for short codes and Digital Links alike', async (t) => {
  const { app, database } = await buildTestApp(t, undefined, { scansPerMinute: 3 });
  const scan = (instance: typeof app, url: string, remoteAddress = '203.0.113.9', accept = 'application/json') =>
    instance.inject({ method: 'GET', url, remoteAddress, headers: { accept } });
  // unknown codes: a 404 counts like any answer, or guessing codes would be free
  t.equal((await scan(app, `/t/${UNISSUED}`)).statusCode, 404);
  t.equal((await scan(app, '/01/06901234000030/21/X1')).statusCode, 404);
  t.equal((await scan(app, `/t/${UNISSUED}`)).statusCode, 404, 'the third scan of the minute is answered');
  const over = await scan(app, '/01/06901234000030/21/X1');
  t.equal(over.statusCode, 429, 'the fourth, by Digital Link, is refused');
  t.match(over.headers['content-type'], /application\/problem\+json/);
  await app.close();

  const restarted = await buildApp({ database, publicBaseUrl: TEST_BASE_URL, scansPerMinute: 3 });
  t.teardown(() => restarted.close());
  const page = await scan(restarted, `/t/${UNISSUED}`, '203.0.113.9', 'text/html');
  t.equal(page.statusCode, 429, 'after a restart the phone is still over its limit');
  t.match(page.body, /查询过于频繁/, 'and a browser is told so on a page');
  t.equal((await scan(restarted, `/t/${UNISSUED}`, '198.51.100.2')).statusCode, 404, 'another phone has its own allowance');

  const second = await buildApp({ database, publicBaseUrl: TEST_BASE_URL, scansPerMinute: 3 });
  t.teardown(() => second.close());
  for (let i = 0; i < 2; i++) await scan(second, `/t/${UNISSUED}`, '198.51.100.2');
  t.equal((await scan(restarted, `/t/${UNISSUED}`, '198.51.100.2')).statusCode, 429, 'scans on one instance count on the other');
});

t.test('hits arriving together are each counted', async (t) => {
  const { app } = await buildTestApp(t, undefined, { scansPerMinute: 5 });
  const replies = await Promise.all(
    Array.from({ length: 8 }, () => app.inject({ method: 'GET', url: `/t/${UNISSUED}`, remoteAddress: '203.0.113.10' })),
  );
  t.same(
    replies.map((reply) => reply.statusCode),
    [404, 404, 404, 404, 404, 429, 429, 429],
    'five answered, three refused, in the order they came',
  );
});

t.test('behind a reverse proxy named in TRUST_PROXY, each client behind it has its own allowance', async (t) => {
  // each says something else: the same complaint posted again within ten minutes is the one filed, counted once
  let said = 0;
  const complain = (instance: Awaited<ReturnType<typeof buildApp>>, client: string, remoteAddress = '10.0.0.5') =>
    instance.inject({
      method: 'POST',
      url: '/complaints',
      remoteAddress,
      headers: { 'x-forwarded-for': client },
      payload: { code: 'K7QM2XR9P4D', category: 'quality', text: `包装破损 ${++said}` },
    });
  for (const trustProxy of [['10.0.0.0/8'], 1]) {
    const { app } = await buildTestApp(t, undefined, { complaintsPerHour: 2, trustProxy });
    for (let i = 0; i < 2; i++) t.equal((await complain(app, '203.0.113.20')).statusCode, 201);
    t.equal((await complain(app, '203.0.113.20')).statusCode, 429, `${trustProxy}: the client over its limit is refused`);
    t.equal((await complain(app, '198.51.100.20')).statusCode, 201, `${trustProxy}: another client behind the same proxy is not`);
    await app.close();
  }
  // a proxy not trusted cannot make its clients up: the address it connects from counts
  const { app } = await buildTestApp(t, undefined, { complaintsPerHour: 2, trustProxy: ['10.0.0.0/8'] });
  for (let i = 0; i < 2; i++) await complain(app, `192.0.2.${i}`, '203.0.113.99');
  t.equal((await complain(app, '192.0.2.9', '203.0.113.99')).statusCode, 429, 'X-Forwarded-For from an untrusted address is ignored');
});

t.test('QR images are limited per client address, SVG and PNG from one allowance', async (t) => {
  const { app } = await buildTestApp(t, undefined, { qrImagesPerMinute: 3 });
  const draw = (format: 'svg' | 'png', remoteAddress = '203.0.113.30') =>
    app.inject({ method: 'GET', url: `/items/${UNISSUED}/qr.${format}?size=2048`, remoteAddress });
  // a code never issued counts like a drawn one, or probing which codes exist would be free
  t.equal((await draw('svg')).statusCode, 404);
  t.equal((await draw('png')).statusCode, 404);
  t.equal((await draw('svg')).statusCode, 404, 'the third image of the minute is answered');
  const over = await draw('png');
  t.equal(over.statusCode, 429, 'the fourth, as a PNG, is refused');
  t.match(over.headers['content-type'], /application\/problem\+json/);
  t.match(over.json(), { status: 429, type: '/problems/too-many-requests' });
  t.ok(Number(over.headers['retry-after']) > 0, 'with the seconds to wait');
  t.equal((await draw('svg', '198.51.100.30')).statusCode, 404, 'another client has its own allowance');
});

t.test('complaint status lookups are limited per client address', async (t) => {
  const { app } = await buildTestApp(t, undefined, { complaintLookupsPerMinute: 2 });
  const look = (remoteAddress = '203.0.113.40') =>
    app.inject({ method: 'GET', url: '/complaints/TS20261130ABC123', remoteAddress, headers: { accept: 'application/json' } });
  // an unknown ticket counts too: guessing tickets is what the limit slows down
  t.equal((await look()).statusCode, 404);
  t.equal((await look()).statusCode, 404, 'the second lookup of the minute is answered');
  const over = await look();
  t.equal(over.statusCode, 429, 'the third is refused');
  t.match(over.headers['content-type'], /application\/problem\+json/);
  t.ok(Number(over.headers['retry-after']) > 0, 'with the seconds to wait');
  t.equal((await look('198.51.100.40')).statusCode, 404, 'another client has its own allowance');
});
