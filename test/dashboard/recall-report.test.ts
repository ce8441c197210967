// The printable recall report from the dashboard: a signed-in regulator opens it by the session
// cookie (a browser holds no API key), each recall on the dashboard links to it, and its wide tables
// scroll sideways on a phone instead of widening the page.
import { createHash } from 'node:crypto';
import { createDashboardRepository } from '../../src/dashboard/repository.js';
import { signInToDashboard } from '../fixtures/dashboard.js';
import { mediaTypeOf, sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Every table of a page sits alone in a container that scrolls sideways. */
const tablesScroll = (body: string) => {
  const tables = body.match(/<table>/g)?.length ?? 0;
  const wrapped = body.match(/<div class="wide"><table>[\s\S]*?<\/table><\/div>/g)?.length ?? 0;
  const style = /<style>([\s\S]*?)<\/style>/.exec(body)?.[1] ?? '';
  return { tables, wrapped, scrolls: /(?:^|[}\n])\.wide\{[^}]*overflow-x:auto/.test(style) };
};

t.test('a signed-in regulator opens the report of a recall from the dashboard', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse', '奉节屠宰厂');
  const lot = await plant.commission(await plant.product('kg'), 100);
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '抽检不合格', hazard: '瘦肉精超标' }));
  const url = `/regulator/dashboard/recalls/${recall.id}/report`;
  const { open } = await signInToDashboard(world);

  for (const list of ['/regulator/dashboard', '/regulator/dashboard/recalls']) {
    t.match((await open(list)).body, `<a href="${url}"><g class="bar`, `${list}: the recall's bar links to its report`);
  }
  t.match((await open('/regulator/dashboard?lang=en')).body, `<a href="${url}?lang=en">`, 'in English too');
  t.match((await open(`${url}?lang=en`)).body, 'href="/regulator/dashboard?lang=en"', 'back to the English dashboard');
  const page = await open(url);
  t.equal(page.statusCode, 200);
  t.equal(mediaTypeOf(page.headers), 'text/html');
  t.equal(page.headers['cache-control'], 'no-store');
  t.match(String(page.headers['content-security-policy']), /default-src 'none'/);
  t.match(page.body, '召回报告');
  t.match(page.body, recall.id);
  t.match(page.body, lot, 'the lots of its scope');
  const { tables, wrapped, scrolls } = tablesScroll(page.body);
  t.equal(tables, 3, 'holders, actions, lots');
  t.equal(wrapped, tables, 'each table in a container of its own');
  t.ok(scrolls, 'that scrolls sideways');
  t.match(page.body, `href="/regulator/dashboard"`, 'and back to the dashboard');
  sentAsDeclared(
    t,
    await servedOpenApi(world.app),
    ['GET', '/regulator/dashboard/recalls/{id}/report'],
    {
      status: page.statusCode,
      headers: page.headers,
    },
    200,
  );
  // the same report as the API key's
  const api = await world.app.inject({
    method: 'GET',
    url: `/recalls/${recall.id}/report?format=html`,
    headers: { authorization: `Bearer ${(await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key}` },
  });
  t.equal(api.statusCode, 200);
  t.same(tablesScroll(api.body), { tables: 3, wrapped: 3, scrolls: true }, 'the API key’s printable page scrolls its tables too');

  t.equal((await open('/regulator/dashboard/recalls/0190a5f0-0000-7000-8000-000000000000/report')).statusCode, 404, 'no such recall');
});

t.test('without a regulator session the report leads to the sign-in form, as the dashboard does', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const lot = await plant.commission(await plant.product('kg'), 100);
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标注' }));
  const url = `/regulator/dashboard/recalls/${recall.id}/report`;

  const anonymous = await world.app.inject({ method: 'GET', url });
  t.equal(anonymous.statusCode, 303, 'no session');
  t.equal(anonymous.headers.location, '/regulator/login');
  t.equal(
    (await world.app.inject({ method: 'GET', url: '/regulator/dashboard/recalls/not-an-id/report' })).statusCode,
    303,
    'nothing said of the id before a session',
  );
  // the recall's own operator, with its API key: the dashboard's pages take the session cookie alone
  const operator = await world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${plant.key}` } });
  t.equal(operator.statusCode, 303, 'an operator key opens nothing here');
  // a session of an operator's key (none can be begun: the sign-in form refuses it) opens nothing either
  const operatorKey = await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: plant.code }));
  const token = 'an-operator-session';
  await createDashboardRepository(world.database.db).insertSession({
    tokenHash: createHash('sha256').update(token).digest('hex'),
    keyId: operatorKey.id,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  const forged = await world.app.inject({ method: 'GET', url, headers: { cookie: `regulator_session=${token}` } });
  t.equal(forged.statusCode, 303, "an operator's session");
  t.equal(forged.headers.location, '/regulator/login');
  t.notMatch(forged.body, recall.id);
});
