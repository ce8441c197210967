import { requestIdOf } from '../../src/http/request.js';
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

t.test('a caller chooses the request id only with a plain one', async (t) => {
  t.equal(requestIdOf('trace-2026.03:01_a'), 'trace-2026.03:01_a');
  for (const bad of [undefined, '', 'a b', 'x'.repeat(129), '\u0001', 'Ã¤', 'a\u00ffb', ['one', 'two']])
    t.match(requestIdOf(bad), UUID, `${JSON.stringify(bad)?.slice(0, 20)} is replaced`);
});

t.test('a request id with control or non-ASCII characters no longer breaks the answer (was a 500 ERR_INVALID_CHAR)', async (t) => {
  const { app } = await buildTestApp(t);
  for (const header of ['\u000e', 'ò\u0012ô', 'x'.repeat(5000)]) {
    const reply = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': header } });
    t.equal(reply.statusCode, 200);
    t.match(reply.headers['x-request-id'], UUID, 'a new id is made');
  }
  const plain = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
  t.equal(plain.headers['x-request-id'], 'abc-123', 'a plain id is echoed');
});
