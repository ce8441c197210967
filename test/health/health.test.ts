// Liveness: public, and honest about the database behind it.
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('health answers without a key and names its database', async (t) => {
  const { app, database } = await buildTestApp(t);
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'ok', database: { kind: database.kind, reachable: true } });
});

t.test('health reports an unreachable database with 503', async (t) => {
  const { app, database } = await buildTestApp(t);
  await database.close();
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 503);
  t.same(health.json(), { status: 'degraded', database: { kind: database.kind, reachable: false } });
});
