// Rate limits are counted in the database: a restart, or a second instance on the same
// database, does not give a client a fresh allowance.
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { buildTestApp, TEST_BASE_URL } from '../helper.js';

t.test('the complaint limit holds across a restart and across instances', async (t) => {
  const { app, database } = await buildTestApp(t, undefined, { complaintsPerHour: 3 });
  const complain = (instance: typeof app, remoteAddress: string) =>
    instance.inject({
      method: 'POST',
      url: '/complaints',
      remoteAddress,
      payload: { code: 'K7QM2XR9P4D', category: 'quality', text: '包装破损' },
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
