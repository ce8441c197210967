import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createComplaintsRepository } from '../../src/complaints/repository.js';
import { createDashboardRepository } from '../../src/dashboard/repository.js';
import { createDashboardService } from '../../src/dashboard/service.js';
import { periodScope } from '../../src/figures/service.js';
import { createScansRepository } from '../../src/scans/repository.js';
import { signInToDashboard } from '../fixtures/dashboard.js';
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
  const bureau = await world.party('regulator', '奉节县市场监督管理局');
  await world.ok(bureau.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'sampling', result: 'fail' } }));
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
  const operatorRefused = await post(plant.key);
  t.equal(operatorRefused.statusCode, 403, "an operator's key does not open the dashboard");
  t.match(operatorRefused.body, '不是监管密钥', 'the form says why');
  t.notOk(operatorRefused.headers['set-cookie'], 'no cookie');
  // a browser session holding an admin's power would be a risk the dashboard does not need
  const adminKey = (await world.ok(world.admin.post('/api-keys', { role: 'admin', label: 'second admin' }))).key;
  const adminRefused = await post(adminKey, '/regulator/login?lang=en');
  t.equal(adminRefused.statusCode, 403, "an admin's key does not open the dashboard either");
  t.match(adminRefused.body, 'not a regulator key', 'the form says why, in English too');
  t.notOk(adminRefused.headers['set-cookie'], 'no cookie for an admin');
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
    'href="/regulator/dashboard/events.csv?from=2026-03-01&amp;to=2026-03-31&amp;region=500236&amp;lang=en"',
    'export of the same period, a filter mistake answered in the same language',
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

t.test('a session of an admin key, begun before admins were refused, opens nothing', async (t) => {
  const world = await createWorld(t);
  const admin = await world.ok(world.admin.post('/api-keys', { role: 'admin' }));
  const token = 'an-old-admin-session';
  await createDashboardRepository(world.database.db).insertSession({
    tokenHash: createHash('sha256').update(token).digest('hex'),
    keyId: admin.id,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  t.equal(await world.app.services.dashboard.principal(token), null, 'no principal');
  const page = await world.app.inject({ method: 'GET', url: '/regulator/dashboard', headers: { cookie: `regulator_session=${token}` } });
  t.equal(page.statusCode, 303, 'to the sign-in form');
  t.equal(page.headers.location, '/regulator/login');
});

t.test('flagged codes and complaints honour the period and the region, as the other panels do', async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  const fengjie = await world.party('slaughterhouse', '奉节屠宰厂');
  const beijing = await world.party('slaughterhouse', '北京屠宰厂');
  await db.execute(sql`update parties set region_code = '110101' where code = ${beijing.code}`);
  const scans = createScansRepository(db);
  const complaints = createComplaintsRepository(db);
  const january = new Date('2026-01-15T04:00:00Z');
  const march = new Date('2026-03-15T04:00:00Z');
  // one flagged code and one complaint of each party in January and in March
  const cases = [
    { party: fengjie.code, at: january, code: 'FJ-JAN', kind: 'over_scanned', status: 'open' },
    { party: fengjie.code, at: march, code: 'FJ-MAR', kind: 'impossible_travel', status: 'investigating' },
    { party: beijing.code, at: january, code: 'BJ-JAN', kind: 'inactive_lot', status: 'resolved' },
    { party: beijing.code, at: march, code: 'BJ-MAR', kind: 'brand_misuse', status: 'open' },
  ];
  for (const [index, row] of cases.entries()) {
    await scans.raiseFlag({ code: row.code, kind: row.kind, lotCode: null, partyCode: row.party, detail: 'test', at: row.at });
    await complaints.insert({
      ticket: `TS2026TEST${index}`,
      itemCode: row.code,
      lotCode: null,
      partyCode: row.party,
      category: 'quality',
      text: 'x',
      phone: null,
      status: row.status,
      createdAt: row.at,
      updatedAt: row.at,
      ipHash: 'x',
    });
  }
  // seen again in March: it was flagged in January all the same
  await scans.raiseFlag({ code: 'FJ-JAN', kind: 'over_scanned', lotCode: null, partyCode: fengjie.code, detail: 'again', at: march });

  const regulator = { keyId: 'county', role: 'regulator' as const, partyCode: null };
  const view = (query: { from?: string; to?: string; region?: string }) => world.app.services.dashboard.view(regulator, periodScope(query));
  const everything = await view({});
  t.same(
    everything.flags.map((row) => [row.kind, row.codes]),
    [
      ['brand_misuse', 1],
      ['impossible_travel', 1],
      ['inactive_lot', 1],
      ['over_scanned', 1],
    ],
    'no filter: every flagged code',
  );
  t.equal(
    everything.complaints.reduce((sum, row) => sum + row.complaints, 0),
    4,
    'no filter: every complaint',
  );

  const chosen = await view({ from: '2026-03-01', to: '2026-03-31', region: '500236' });
  t.same(
    chosen.flags.map((row) => [row.kind, row.codes]),
    [['impossible_travel', 1]],
    'the codes first flagged in March, of Fengjie',
  );
  t.same(
    chosen.recentFlags.map((flag) => flag.code),
    ['FJ-MAR'],
    'the latest flags of the same period and region',
  );
  t.same(
    chosen.complaints.map((row) => [row.status, row.complaints]),
    [['investigating', 1]],
    'the complaints filed in March about Fengjie',
  );

  const beijingAllTime = await view({ region: '11' });
  t.same(
    beijingAllTime.flags.map((row) => row.kind),
    ['brand_misuse', 'inactive_lot'],
    'a region alone: its codes of every period',
  );
  t.same(
    beijingAllTime.complaints.map((row) => [row.status, row.complaints]),
    [
      ['open', 1],
      ['resolved', 1],
    ],
  );
  const january2026 = await view({ from: '2026-01-01', to: '2026-01-31' });
  t.same(january2026.recentFlags.map((flag) => flag.code).sort(), ['BJ-JAN', 'FJ-JAN'], 'a period alone: its flags of every region');
  t.same(
    january2026.complaints.map((row) => [row.status, row.complaints]),
    [
      ['open', 1],
      ['resolved', 1],
    ],
  );

  // and the page shows what the service found
  const { open } = await signInToDashboard(world);
  const page = await open('/regulator/dashboard?from=2026-03-01&to=2026-03-31&region=500236');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'FJ-MAR');
  for (const other of ['FJ-JAN', 'BJ-JAN', 'BJ-MAR']) t.notMatch(page.body, other, `${other} is not of the chosen period and region`);
  t.match(page.body, '调查处理中');
  t.notMatch(page.body, '已办结', 'no complaint resolved in the chosen period and region');
});

t.test('the open-recalls panel says how many there are, and when it lists only the first 20 links to them all', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const product = await plant.product('kg');
  const lots: string[] = (
    await world.ok(plant.event({ type: 'commission', lots: Array.from({ length: 21 }, () => ({ productCode: product, quantity: 10 })) }))
  ).createdLotCodes;
  const recall = (lot: string) =>
    world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标注' }));
  for (const lot of lots.slice(0, 20)) await recall(lot);
  const { open } = await signInToDashboard(world);
  const panel = (body: string) => /<section id="recalls">([\s\S]*?)<\/section>/.exec(body)?.[1] ?? '';

  const twenty = panel((await open('/regulator/dashboard')).body);
  t.match(twenty, '共 20 项', 'twenty: the count');
  t.notMatch(twenty, '仅列出', 'all of them shown: nothing said of the first 20');

  await recall(lots[20]);
  const page = await open('/regulator/dashboard');
  const shown = panel(page.body);
  t.match(shown, '共 21 项', 'the count of every open recall');
  t.match(shown, '仅列出最近的 20 项', 'says that only the first 20 are listed');
  t.equal(shown.match(/<g class="bar/g)?.length, 20, 'twenty bars');
  t.match(shown, 'href="/regulator/dashboard/recalls"', 'a link to them all');
  const english = panel((await open('/regulator/dashboard?lang=en')).body);
  t.match(english, '21 open');
  t.match(english, 'only the latest 20 are listed');
  t.match(english, 'href="/regulator/dashboard/recalls?lang=en"');

  const all = await open('/regulator/dashboard/recalls');
  t.equal(all.statusCode, 200, 'the full list, with the session cookie');
  t.equal(all.headers['cache-control'], 'no-store');
  t.match(all.headers['content-security-policy'], /default-src 'none'/);
  for (const lot of lots) t.match(all.body, lot, `recall of ${lot} listed`);
  t.match(all.body, '共 21 项');
  sentAsDeclared(
    t,
    await servedOpenApi(world.app),
    ['GET', '/regulator/dashboard/recalls'],
    { status: all.statusCode, headers: all.headers },
    200,
  );
  t.notMatch(all.body, '下一页', 'one page holds them all');
  const last = await open('/regulator/dashboard/recalls?offset=20');
  t.equal(last.body.match(/<g class="bar/g)?.length, 1, 'from the 21st on: the oldest alone');
  t.match(last.body, `三级召回 ${lots[0]}`);
  t.match(last.body, '第 21–21 项');
  t.match(last.body, 'href="/regulator/dashboard/recalls">上一页', 'back to the first page');
  t.match((await open('/regulator/dashboard/recalls?lang=en')).body, '<html lang="en">');
  const anonymous = await world.app.inject({ method: 'GET', url: '/regulator/dashboard/recalls' });
  t.equal(anonymous.statusCode, 303, 'no session: to the sign-in form');
  t.equal(anonymous.headers.location, '/regulator/login');
});

t.test(
  "a filter mistake shows a signed-in browser the dashboard's form again, saying what to correct; a JSON client gets problem+json",
  async (t) => {
    const world = await createWorld(t);
    const { cookie } = await signInToDashboard(world);
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const document = await servedOpenApi(world.app);
    const mistakes = [
      ['/regulator/dashboard?from=2026-12-05&to=2026-12-01', '/to', '统计期间（止）: 请填写日期（年-月-日），不早于起始日期'],
      ['/regulator/dashboard?region=5002x', '/region', '地区: 请填写 GB/T 2260 行政区划代码'],
      ['/regulator/dashboard?region=500263', '/region', '地区: 请填写 GB/T 2260 行政区划代码'],
      ['/regulator/dashboard?constructor=1', '/constructor', 'constructor: 不是本页的查询条件'],
      [
        '/regulator/dashboard/recalls?from=2026-12-05&to=2026-12-01&lang=en',
        '/to',
        'Period (to): a date (YYYY-MM-DD) not before the start',
      ],
      ['/regulator/dashboard/recalls?toString=1&lang=en', '/toString', 'toString: not a filter of this page'],
      // the export link, its filters edited by hand
      ['/regulator/dashboard/events.csv?region=500263', '/region', '地区: 请填写 GB/T 2260 行政区划代码'],
      [
        '/regulator/dashboard/events.csv?from=2026-12-05&to=2026-12-01&lang=en',
        '/to',
        'Period (to): a date (YYYY-MM-DD) not before the start',
      ],
    ];
    for (const [url, pointer, says] of mistakes) {
      const page = await world.app.inject({ method: 'GET', url, headers: { cookie, accept: browser } });
      t.equal(page.statusCode, 400, `${url}: 400`);
      t.equal(mediaTypeOf(page.headers), 'text/html', `${url}: a page`);
      t.match(page.body, '<form class="filters" method="get" action="/regulator/dashboard">', 'the form again');
      t.match(page.body, says, 'saying what is wrong');
      t.match(page.body, 'role="alert"');
      sentAsDeclared(t, document, ['GET', url.split('?')[0]], { status: page.statusCode, headers: page.headers }, 400);
      const json = await world.app.inject({ method: 'GET', url, headers: { cookie, accept: 'application/json' } });
      t.equal(json.statusCode, 400);
      t.match(json.headers['content-type'], /^application\/problem\+json/, `${url}: problem+json to a JSON client`);
      t.match(json.json(), { errors: [{ in: 'querystring', pointer }] });
    }
    const kept = await world.app.inject({ method: 'GET', url: '/regulator/dashboard?from=2026-12-05&to=2026-12-01', headers: { cookie } });
    t.match(kept.body, 'value="2026-12-05"', 'the values typed are kept in the form');
    t.match(kept.body, 'value="2026-12-01"');
    const english = await world.app.inject({
      method: 'GET',
      url: '/regulator/dashboard/recalls?to=2026-12-01&from=2026-12-05&lang=en',
      headers: { cookie },
    });
    t.match(english.body, '<html lang="en"', 'in the language asked for');
    const signedOut = await world.app.inject({ method: 'GET', url: '/regulator/dashboard?from=2026-12-05&to=2026-12-01' });
    t.equal(signedOut.statusCode, 303, 'without a session: to the sign-in form, as for any dashboard page');
  },
);
