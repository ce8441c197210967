// The regulator dashboard in a real browser: headless Chromium signs in with a regulator key,
// keeps the session in an HTTP-only cookie and draws the charts. Skipped where Chromium is not
// installed. A screenshot is saved under test-output/ for a person to look at.
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { buildTestApp, client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

t.test(
  'the regulator dashboard in headless Chromium',
  { skip: existsSync(CHROMIUM) ? false : 'Chromium not installed (apt-get install chromium)' },
  async (t) => {
    const { chromium } = await import('playwright-core');
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const { app } = await buildTestApp(t, undefined, { publicBaseUrl: origin });
    await seedDemoChain(app.services);
    const { key } = await app.services.apiKeys.issue({ role: 'regulator' });
    const passRates = (await client(app, key).get('/regulator/figures/pass-rates')).body;
    await app.listen({ port, host: '127.0.0.1' });
    await mkdir(SCREENSHOTS, { recursive: true });

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
      ],
    });
    t.teardown(() => browser.close());
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
    t.match(
      cookie,
      { httpOnly: true, secure: false, sameSite: 'Strict', path: '/regulator' },
      'the session cookie as the browser keeps it',
    );
    t.notMatch(await page.evaluate(() => document.cookie), 'regulator_session', 'scripts on the page cannot read it');

    const passChart = page.locator('#pass-rates svg.chart').first();
    t.equal(await passChart.locator('g.bar').count(), passRates.byKind.length, 'one bar per kind of test');
    t.ok(passRates.byKind.length > 0, 'the demo chain has tests');
    t.equal(
      await passChart.locator('line.target').getAttribute('x1'),
      '488.0',
      'the 96 % line at 96 % of the bar width (200 + 0.96 × 300)',
    );
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
  },
);
