import { sql } from 'drizzle-orm';
import { createDashboardRepository } from '../../src/dashboard/repository.js';
import { createDashboardService } from '../../src/dashboard/service.js';
import { mediaTypeOf, sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('the dashboard: sign-in with a regulator key, a session cookie, the figures', async (t) => {
  const world = await createWorld(t);
  const { app } = world;
  const plant = await world.party('slaughterhouse', '奉节屠宰厂');
  const lot = await plant.commission(await plant.product('kg'), 100);
  await world.ok(
    plant.event({
      type: 'inspect',
      lotCodes: [lot],
      inspection: { kind: 'rapid', result: 'pass', items: [{ name: '瘦肉精', result: 'pass' }] },
    }),
  );
  await world.ok(plant.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'sampling', result: 'fail' } }));
  // a lot sold by an enterprise whose registered address names its township
  const sold = await plant.commission(await plant.product('kg'), 50);
  await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: sold, quantity: 10 }] }));
  await world.database.db.execute(sql`update parties set address = '重庆市奉节县永乐镇大坝村3组' where code = ${plant.code}`);
  const regulator = await world.ok(world.admin.post('/api-keys', { role: 'regulator', label: 'county bureau' }));
  await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '抽检不合格', hazard: '瘦肉精超标' }));

  const anonymous = await app.inject({ method: 'GET', url: '/regulator/dashboard' });
  t.equal(anonymous.statusCode, 303, 'no session: to the sign-in form');
  t.equal(anonymous.headers.location, '/regulator/login');
  const loginForm = await app.inject({ method: 'GET', url: '/regulator/login' });
  t.equal(loginForm.statusCode, 200);
  t.match(loginForm.body, /<form method="post" action="\/regulator\/login">/);
  t.match(loginForm.body, 'type="password"');

  const post = (key: string, url = '/regulator/login') =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `key=${encodeURIComponent(key)}`,
    });
  const wrong = await post('ctk_not-a-key');
  t.equal(wrong.statusCode, 401, 'an unknown key');
  t.match(wrong.body, '密钥无效');
  t.notOk(wrong.headers['set-cookie'], 'no cookie');
  t.equal((await post(plant.key)).statusCode, 403, "an operator's key does not open the dashboard");
  t.equal((await app.inject({ method: 'POST', url: '/regulator/login', payload: {} })).statusCode, 400, 'no key at all');

  const signedIn = await post(regulator.key, '/regulator/login?lang=en');
  t.equal(signedIn.statusCode, 303);
  t.equal(signedIn.headers.location, '/regulator/dashboard?lang=en');
  const cookie = String(signedIn.headers['set-cookie']);
  t.match(cookie, /^regulator_session=[\w-]{43}; Path=\/regulator; Max-Age=28800; HttpOnly; Secure; SameSite=Strict$/);
  const session = cookie.split(';')[0];
  // the redirects carry what the OpenAPI document declares for them, and nothing else
  const document = await servedOpenApi(app);
  const sent = (answer: typeof signedIn) => ({ status: answer.statusCode, headers: answer.headers });
  sentAsDeclared(t, document, ['GET', '/regulator/dashboard'], sent(anonymous), 303);
  sentAsDeclared(t, document, ['POST', '/regulator/login'], sent(signedIn), 303);

  const page = await app.inject({ method: 'GET', url: '/regulator/dashboard', headers: { cookie: `other=1; ${session}` } });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.equal(page.headers['cache-control'], 'no-store');
  for (const [what, response] of [
    ['the dashboard', page],
    ['the sign-in form', await app.inject({ method: 'GET', url: '/regulator/login' })],
    ['a refused sign-in', wrong],
  ] as const) {
    t.match(response.headers['content-security-policy'], /default-src 'none'.*form-action 'self'/, `${what}: a strict policy`);
    t.equal(response.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  }
  sentAsDeclared(t, document, ['GET', '/regulator/dashboard'], sent(page), 200);
  sentAsDeclared(t, document, ['GET', '/regulator/login'], sent(await app.inject({ method: 'GET', url: '/regulator/login' })), 200);
  sentAsDeclared(t, document, ['POST', '/regulator/login'], sent(wrong), 401);
  t.match(page.body, '<html lang="zh-CN">');
  t.match(page.body, '现场快检');
  t.match(page.body, '100.0 % · 1/1 批次合格');
  t.match(page.body, '0.0 % · 0/1 批次合格');
  t.match(page.body, /class="target"/, 'the 96 % line');
  t.match(page.body, '溯源率（按乡镇）');
  t.match(page.body, '重庆市奉节县永乐镇', 'coverage by township, the township named');
  t.match(page.body, `二级召回 ${lot}`, 'the open recall, by level and lot');
  t.match(page.body, '0.0 % · 0/1 家已确认', 'with its progress and acknowledgements');
  const english = await app.inject({
    method: 'GET',
    url: '/regulator/dashboard?lang=en&from=2026-03-01&to=2026-03-31&region=500236',
    headers: { cookie: session },
  });
  t.match(english.body, 'Rapid test');
  t.match(
    english.body,
    'href="/regulator/dashboard/events.csv?from=2026-03-01&amp;to=2026-03-31&amp;region=500236"',
    'export of the same period',
  );
  // the browser follows the export link with the session cookie alone, as it does every link on the page
  const href = /href="(\/regulator\/dashboard\/events\.csv[^"]*)"/.exec(page.body)?.[1].replace(/&amp;/g, '&') as string;
  const exported = await app.inject({ method: 'GET', url: href, headers: { cookie: session } });
  t.equal(exported.statusCode, 200, 'the export link works in the signed-in browser');
  t.match(exported.headers['content-type'], /^text\/csv/);
  t.match(exported.headers['content-disposition'], /^attachment; filename="events\.csv"$/);
  sentAsDeclared(t, document, ['GET', '/regulator/dashboard/events.csv'], sent(exported), 200);
  t.match(exported.body, /^\uFEFFevent_time,event_type,role,lot_code,/, 'the key data elements, with a byte order mark');
  t.match(exported.body, `sell,subject,${sold},`, 'the sale of the period among them');
  const ofPeriod = await app.inject({
    method: 'GET',
    url: '/regulator/dashboard/events.csv?from=2025-01-01&to=2025-01-31&region=500236',
    headers: { cookie: session },
  });
  t.equal(ofPeriod.body.split('\r\n').filter(Boolean).length, 1, 'the filters of the page apply: nothing in January 2025');
  const signedOut = await app.inject({ method: 'GET', url: href });
  t.equal(signedOut.statusCode, 303, 'no session: no export');
  t.equal(signedOut.headers.location, '/regulator/login');
  t.equal(
    (
      await app.inject({
        method: 'GET',
        url: '/regulator/dashboard/events.csv?to=2025-01-01&from=2025-02-01',
        headers: { cookie: session },
      })
    ).statusCode,
    400,
    'a bad period is a problem',
  );
  const empty = await app.inject({
    method: 'GET',
    url: '/regulator/dashboard?from=2025-01-01&to=2025-01-31',
    headers: { cookie: session },
  });
  t.notMatch(empty.body, '批次合格', 'nothing tested in January 2025');
  const bad = await app.inject({ method: 'GET', url: '/regulator/dashboard?region=5', headers: { cookie: session } });
  t.equal(bad.statusCode, 400, 'a bad filter is a problem');
  t.equal(
    (await app.inject({ method: 'GET', url: '/regulator/dashboard', headers: { cookie: 'regulator_session=forged' } })).statusCode,
    303,
  );
  for (const cookie of ['regulator_session=%ZZ', 'regulator_session=%E0%A4%A', 'regulator_session=%ED%A0%80']) {
    const page = await app.inject({ method: 'GET', url: '/regulator/dashboard', headers: { cookie } });
    t.equal(page.statusCode, 303, `${cookie} is no session`);
    t.equal(page.headers.location, '/regulator/login');
    const logout = await app.inject({ method: 'POST', url: '/regulator/logout', headers: { cookie } });
    t.equal(logout.statusCode, 303, `${cookie}: signing out ends nothing, and says so by the same redirect`);
  }

  const out = await app.inject({ method: 'POST', url: '/regulator/logout', headers: { cookie: session } });
  t.equal(out.statusCode, 303);
  t.match(String(out.headers['set-cookie']), /^regulator_session=; Path=\/regulator; Max-Age=0;/);
  t.equal(
    (await app.inject({ method: 'GET', url: '/regulator/dashboard', headers: { cookie: session } })).statusCode,
    303,
    'the session ended',
  );

  const again = String((await post(regulator.key)).headers['set-cookie']).split(';')[0];
  expectStatus(t, await world.admin.delete(`/api-keys/${regulator.id}`), 200, 'key revoked');
  t.equal(
    (await app.inject({ method: 'GET', url: '/regulator/dashboard', headers: { cookie: again } })).statusCode,
    303,
    'revoking the key ends its sessions',
  );
});

t.test('sessions expire after eight hours', async (t) => {
  const world = await createWorld(t);
  const regulator = await world.ok(world.admin.post('/api-keys', { role: 'regulator' }));
  let now = new Date('2026-11-30T08:00:00Z');
  const service = createDashboardService({
    dashboard: createDashboardRepository(world.database.db),
    authenticate: world.app.services.apiKeys.authenticate,
    figures: world.app.services.figures,
    scans: world.app.services.scans,
    recalls: world.app.services.recalls,
    now: () => now,
  });
  const { token, expiresAt } = await service.login(regulator.key);
  t.equal(expiresAt.toISOString(), '2026-11-30T16:00:00.000Z');
  t.match(await service.principal(token), { keyId: regulator.id, role: 'regulator' });
  now = new Date('2026-11-30T15:59:59Z');
  t.ok(await service.principal(token), 'still valid just before');
  now = new Date('2026-11-30T16:00:00Z');
  t.equal(await service.principal(token), null, 'expired');
  t.equal(await service.principal(undefined), null, 'no cookie');
  now = new Date('2026-11-30T09:00:00Z');
  t.ok(await service.principal(token), 'valid again at an earlier clock');
  await service.logout(undefined);
  await service.logout(token);
  t.equal(await service.principal(token), null, 'after signing out');
});

t.test('the OpenAPI document declares what the dashboard routes answer: pages, the CSV, the redirects', async (t) => {
  const world = await createWorld(t);
  const document = await servedOpenApi(world.app);
  const declared = (path: string, method: 'get' | 'post') =>
    Object.fromEntries(
      Object.entries(document.paths[path]?.[method]?.responses ?? {}).map(([status, response]) => [
        status,
        Object.keys(response.content ?? {}),
      ]),
    );
  t.match(declared('/regulator/login', 'get'), { 200: ['text/html'] });
  t.match(declared('/regulator/login', 'post'), { 303: [], 401: ['text/html'], 403: ['text/html'] });
  t.match(declared('/regulator/logout', 'post'), { 303: [] });
  t.match(declared('/regulator/dashboard', 'get'), { 200: ['text/html'], 303: [] });
  t.match(declared('/regulator/dashboard/events.csv', 'get'), { 200: ['text/csv'], 303: [] });
  t.match(Object.keys(document.paths['/regulator/login'].post.responses['303'].headers ?? {}), ['location', 'set-cookie']);
  // and the routes answer so
  const wrongKey = await world.app.inject({ method: 'POST', url: '/regulator/login', payload: { key: 'x'.repeat(30) } });
  t.equal(wrongKey.statusCode, 401);
  t.match(mediaTypeOf(wrongKey.headers), 'text/html');
  const noSession = await world.app.inject({ method: 'GET', url: '/regulator/dashboard/events.csv' });
  t.equal(noSession.statusCode, 303);
});

t.test('the dashboard counts every lot with a mass-balance gap, past a thousand', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const raw = await processor.commission(await processor.product('kg'), 2);
  const made = await processor.product('kg');
  // a transformation of no kind may lose weight but gain none: 1 kg made into 1,000 lots of 1 kg each
  // leaves every one of them short of a share of the 999 kg nobody can account for, and one more
  const outputs = await processor.transform(
    [{ lotCode: raw, quantity: 1 }],
    Array.from({ length: 1000 }, () => ({ productCode: made, quantity: 1 })),
  );
  t.equal(outputs.length, 1000, 'a thousand lots made');
  await processor.transform([{ lotCode: raw, quantity: 1 }], [{ productCode: made, quantity: 2 }]);
  const regulator = { keyId: 'county', role: 'regulator' as const, partyCode: null };
  const view = await world.app.services.dashboard.view(regulator, {});
  t.equal(view.anomalyCounts.gaps, 1001, 'every lot with a gap, none left out');
  t.equal((await world.app.services.figures.gaps(regulator, { limit: 10 })).length, 10, 'the list keeps its limit');
  t.equal((await world.app.services.dashboard.view(regulator, { region: '11' })).anomalyCounts.gaps, 0, 'none in Beijing');
});
