// The regulator dashboard in a real browser: headless Chromium signs in with a regulator key,
// keeps the session in an HTTP-only cookie and draws the charts. Skipped where Chromium is not
// installed. A screenshot is saved under test-output/ for a person to look at.
import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { freePort, launchChromium, needsChromium } from '../fixtures/chromium.js';
import { signInToDashboard } from '../fixtures/dashboard.js';
import { createWorld } from '../fixtures/world.js';
import { buildTestApp, client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

t.test('the regulator dashboard in headless Chromium', needsChromium, async (t) => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { app } = await buildTestApp(t, undefined, { publicBaseUrl: origin });
  await seedDemoChain(app.services);
  const { key } = await app.services.apiKeys.issue({ role: 'regulator' });
  const passRates = (await client(app, key).get('/regulator/figures/pass-rates')).body;
  await app.listen({ port, host: '127.0.0.1' });
  await mkdir(SCREENSHOTS, { recursive: true });

  const browser = await launchChromium(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => failed.push(`failed ${request.url()}`));
  // what the pages complain of: script errors, refused loads, Content-Security-Policy violations
  const complaints: string[] = [];
  page.on('pageerror', (error) => complaints.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (['error', 'warning'].includes(message.type())) complaints.push(`${message.type()}: ${message.text()}`);
  });
  const policies: string[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document' && response.status() < 300) {
      policies.push(`${new URL(response.url()).pathname} ${response.headers()['content-security-policy'] ?? '(none)'}`);
    }
  });

  await page.goto(`${origin}/regulator/dashboard`);
  t.equal(new URL(page.url()).pathname, '/regulator/login', 'without a session the browser lands on the sign-in form');
  await page.fill('#key', key);
  await Promise.all([page.waitForURL(`${origin}/regulator/dashboard`), page.click('button[type=submit]')]);
  t.equal(await page.locator('h1').textContent(), '监管驾驶舱');

  const [cookie] = (await context.cookies()).filter((c) => c.name === 'regulator_session');
  // over plain http (here 127.0.0.1) the cookie is not Secure, as on a LAN address, where a browser would drop a Secure one
  t.match(cookie, { httpOnly: true, secure: false, sameSite: 'Strict', path: '/regulator' }, 'the session cookie as the browser keeps it');
  t.notMatch(await page.evaluate(() => document.cookie), 'regulator_session', 'scripts on the page cannot read it');

  const passChart = page.locator('#pass-rates svg.chart').first();
  t.equal(await passChart.locator('g.bar').count(), passRates.byKind.length, 'one bar per kind of test');
  t.ok(passRates.byKind.length > 0, 'the demo chain has tests');
  t.equal(await passChart.locator('line.target').getAttribute('x1'), '488.0', 'the 96 % line at 96 % of the bar width (200 + 0.96 × 300)');
  const box = await passChart.boundingBox();
  t.ok(box && box.width > 400 && box.height > 40, `the chart is drawn (${box?.width} × ${box?.height})`);
  for (const id of ['pass-rates', 'coverage', 'activity', 'anomalies', 'recalls', 'flags', 'complaints']) {
    t.ok(await page.locator(`section#${id}`).isVisible(), `panel ${id}`);
  }
  t.match(await page.locator('#recalls').textContent(), '暂无', 'no open recall in the demo chain');
  const panels = await page.locator('.panels > section').evaluateAll((sections) => sections.map((s) => s.getBoundingClientRect().left));
  t.ok(new Set(panels).size >= 2, 'panels side by side on a wide screen');

  await page.screenshot({ path: `${SCREENSHOTS}regulator-dashboard.png`, fullPage: true });
  t.ok((await stat(`${SCREENSHOTS}regulator-dashboard.png`)).size > 10_000, `screenshot in ${SCREENSHOTS}`);

  await page.fill('input[name=from]', '2025-01-01');
  await page.fill('input[name=to]', '2025-01-31');
  await Promise.all([page.waitForURL(/from=2025-01-01/), page.click('form.filters button')]);
  t.equal(await page.locator('h1').textContent(), '监管驾驶舱', 'a blank region field means every region');
  t.equal(await page.locator('#pass-rates svg.chart').first().locator('g.bar').count(), 0, 'nothing tested in January 2025');

  await Promise.all([page.waitForURL(`${origin}/regulator/login`), page.click('form.logout button')]);
  t.equal((await context.cookies()).filter((c) => c.name === 'regulator_session').length, 0, 'signing out drops the cookie');
  t.strictSame(failed, [], 'no failed requests');
  t.ok(policies.length >= 3, 'the sign-in form and the dashboard were loaded');
  for (const policy of policies) {
    t.match(policy, /default-src 'none'.*form-action 'self'.*frame-ancestors 'none'/, `${policy.split(' ')[0]}: a strict policy`);
  }
  t.strictSame(complaints, [], 'no script error, refused load or policy violation on any page');
});

t.test(
  'every chart label fits its chart and clears its neighbours, measured in Chromium, in Chinese and English',
  needsChromium,
  async (t) => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const world = await createWorld(t, undefined, { publicBaseUrl: origin });
    // names as enterprises register them: English in capitals, long, and the widest letters; and a long Chinese one
    const names = [
      'WANSHENG MOUNTAIN AGRICULTURAL PRODUCTS CO-OPERATIVE LTD',
      'MWM WORLDWIDE MEAT WHOLESALE',
      'Chongqing Kuizhou Cured Meat Foods Co., Ltd.',
      'QUALITY WORKS (MANUFACTURING)',
      '重庆市奉节县夔州腊味食品有限公司草堂镇分公司',
    ];
    const items = [
      'CLENBUTEROL HYDROCHLORIDE (LEAN MEAT POWDER)',
      'TOTAL VOLATILE BASIC NITROGEN (TVB-N)',
      'Benzo[a]pyrene, WHO/FAO MRL',
      '盐酸克伦特罗（瘦肉精）快速检测',
    ];
    for (const [index, name] of names.entries()) {
      const plant = await world.party('slaughterhouse', name);
      const lot = await plant.commission(await plant.product('kg'), 100);
      await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] }));
      await world.ok(
        plant.event({
          type: 'inspect',
          lotCodes: [lot],
          inspection: {
            kind: 'rapid',
            result: index === 0 ? 'fail' : 'pass',
            items: items.map((item, at) => ({ name: item, result: index === 0 && at === 0 ? 'fail' : 'pass' })),
          },
        }),
      );
      if (index < 2) {
        // a recall days past its due times: its figure says so in words
        const { id } = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 1, reason: '抽检不合格', hazard: 'h' }));
        await world.database.db.execute(sql`update recalls set opened_at = now() - interval '10 days' where id = ${id}`);
      }
    }
    const { cookie } = await signInToDashboard(world);
    await world.app.listen({ port, host: '127.0.0.1' });

    const browser = await launchChromium(t);
    const [name, value] = cookie.split('=');
    for (const lang of ['zh-CN', 'en'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang });
      await context.addCookies([{ name, value, url: `${origin}/regulator` }]);
      const page = await context.newPage();
      await page.goto(`${origin}/regulator/dashboard${lang === 'en' ? '?lang=en' : ''}`);
      t.equal(new URL(page.url()).pathname, '/regulator/dashboard', `${lang}: signed in`);
      await page.screenshot({ path: `${SCREENSHOTS}regulator-dashboard-long-names-${lang}.png`, fullPage: true });
      // every text of every chart in the chart's own units (its viewBox), as the browser lays it out
      // (no named functions inside: the test's compiler would wrap them in a helper the page lacks)
      const charts = await page.locator('svg.chart').evaluateAll((svgs) =>
        svgs.map((svg) => {
          const root = svg as SVGSVGElement;
          const view = root.viewBox.baseVal;
          const texts = [...root.querySelectorAll('text')].map((text) => {
            const box = text.getBBox();
            return { text: text.textContent ?? '', x: box.x, y: box.y, right: box.x + box.width, bottom: box.y + box.height };
          });
          const bars = [...root.querySelectorAll('g.bar rect')].map((rect) => {
            const box = (rect as SVGRectElement).getBBox();
            return { x: box.x, y: box.y, right: box.x + box.width, bottom: box.y + box.height };
          });
          return { title: root.getAttribute('aria-label') ?? '', width: view.width, height: view.height, texts, bars };
        }),
      );
      t.ok(charts.length >= 8, `${lang}: ${charts.length} charts measured`);
      const drawnNames = charts.flatMap((chart) => chart.texts.map((text) => text.text)).join('|');
      t.match(drawnNames, /WANSHENG|MWM/, `${lang}: the long English names are drawn`);
      t.match(drawnNames, /CLENBUTEROL/, `${lang}: and the test items`);
      const outside: string[] = [];
      const overlapping: string[] = [];
      const over = (a: { x: number; y: number; right: number; bottom: number }, b: typeof a) =>
        a.x < b.right - 0.5 && b.x < a.right - 0.5 && a.y < b.bottom - 0.5 && b.y < a.bottom - 0.5;
      for (const chart of charts) {
        for (const [index, text] of chart.texts.entries()) {
          if (text.x < -0.5 || text.y < -0.5 || text.right > chart.width + 0.5 || text.bottom > chart.height + 0.5) {
            outside.push(
              `${chart.title}: "${text.text}" [${text.x.toFixed(1)}, ${text.right.toFixed(1)}] × [${text.y.toFixed(1)}, ${text.bottom.toFixed(1)}] in ${chart.width} × ${chart.height}`,
            );
          }
          for (const other of chart.texts.slice(index + 1)) {
            if (over(text, other)) overlapping.push(`${chart.title}: "${text.text}" and "${other.text}"`);
          }
          if (chart.bars.some((bar) => over(text, bar))) overlapping.push(`${chart.title}: "${text.text}" over a bar`);
        }
      }
      t.same(outside, [], `${lang}: no chart text outside its chart`);
      t.same(overlapping, [], `${lang}: no chart text over another or over a bar`);
      await context.close();
    }
  },
);
