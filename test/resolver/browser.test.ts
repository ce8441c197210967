// The consumer page in a real browser: headless Chromium on a phone-sized screen, driven by
// playwright-core against the app listening on loopback. Skipped where Chromium is not installed.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { buildTestApp, client } from '../helper.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/** A port that was free a moment ago: the public base URL must be known before the app listens. */
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
  'the consumer page on a phone, in headless Chromium',
  { skip: existsSync(CHROMIUM) ? false : 'Chromium not installed (apt-get install chromium)' },
  async (t) => {
    const { chromium } = await import('playwright-core');
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const { app, adminKey } = await buildTestApp(t, undefined, { publicBaseUrl: origin });
    const demo = await seedDemoChain(app.services);
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
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    t.teardown(() => browser.close());
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
    const sectionText = (heading: string) => text(`section:has(h2:text-is("${heading}"))`);

    const response = await page.goto(`${origin}/t/${demo.itemCode}`);
    t.equal(response?.status(), 200, 'the scanned URL opens');
    t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    t.equal(await text('h1'), '奉上好品·奉节腊肉 500g', 'product name');
    t.match(await sectionText('原料产地'), '奉节县永乐镇绿源生猪养殖专业合作社', 'origin farm');
    const tests = await sectionText('检测报告');
    t.match(tests, /第三方检测 · 合格/, 'a passing third-party test');
    t.match(tests, '重庆渝检食品检测技术有限公司', 'the lab');
    t.match(tests, 'YJ-2026-SP-10871', 'the report number');
    t.equal(await page.locator('.badge.geographical_indication').textContent(), '地理标志产品', 'GI badge');
    t.ok(await page.locator('.badge.geographical_indication').isVisible(), 'GI badge is visible');
    t.match(await text('.card'), /^此码已被扫描 1 次，首次扫描于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/, 'scan count line');
    const svg = page.locator('section:has(h2:text-is("溯源链")) svg');
    t.ok(await svg.isVisible(), 'lineage SVG is visible');
    const svgBox = await svg.boundingBox();
    t.ok(
      svgBox && svgBox.width > 200 && svgBox.height > 50 && svgBox.x >= 0 && svgBox.x + svgBox.width <= 390,
      `lineage SVG fits the screen (${JSON.stringify(svgBox)})`,
    );
    t.equal(await page.locator('.alert.stop').count(), 0, 'no recall banner');
    t.equal(await page.getByText('已召回').count(), 0, 'no recall text');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    t.equal(overflow, 0, 'no horizontal scrolling on a phone');
    await page.screenshot({ path: `${SCREENSHOTS}consumer-page.png`, fullPage: true });

    await page.locator('header a[hreflang="en"]').click();
    await page.waitForURL(/lang=en/);
    t.equal(await page.locator('html').getAttribute('lang'), 'en', 'switched to English');
    t.ok(await page.locator('h2', { hasText: 'Origin farms' }).isVisible(), 'English section heading');
    t.equal(await page.locator('.badge.geographical_indication').textContent(), 'Geographical indication');
    t.match(await text('.card'), /^Scanned 1 time,/, 'switching the language is not another scan');
    t.ok(await page.locator('header a[hreflang="zh-CN"]').isVisible(), 'a link back to Chinese');
    await page.screenshot({ path: `${SCREENSHOTS}consumer-page-en.png`, fullPage: true });

    // the complaint form, as a consumer fills it in
    await page.locator('header a[hreflang="zh-CN"]').click();
    await page.waitForURL(/lang=zh-CN/);
    await page.selectOption('#category', 'foreign_matter');
    await page.fill('#text', '包装内发现一根塑料丝。');
    await page.fill('#phone', '13800138000');
    const [receipt] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交投诉' }).click()]);
    t.equal(receipt?.status(), 201, 'the complaint is filed');
    t.equal(await text('[role="status"]'), '投诉已提交');
    const ticket = await text('dd code');
    t.match(ticket, /^TS\d{6,8}[0-9A-Z]{6}$/, `ticket number shown (${ticket})`);
    const filed = await client(app, adminKey).get(`/complaints/${ticket}`);
    t.equal(filed.status, 200, 'the ticket exists');
    await page.screenshot({ path: `${SCREENSHOTS}complaint-received.png`, fullPage: true });

    // recall the lot and scan again
    const processorKey = (await client(app, adminKey).post('/api-keys', { role: 'operator', partyCode: demo.parties.processor })).body.key;
    const recall = await client(app, processorKey).post('/events', {
      type: 'observe',
      eventTime: '2026-11-20T09:00:00+08:00',
      disposition: 'recalled',
      lotCodes: [demo.retailLotCode],
    });
    t.equal(recall.status, 201, 'recall recorded');
    await page.goto(`${origin}/t/${demo.itemCode}`);
    const banner = page.locator('.alert.stop[role="alert"]');
    t.ok(await banner.isVisible(), 'the recall banner is visible');
    t.match(await banner.textContent(), /^已召回 — 请勿食用/, 'it says recalled');
    t.equal(await banner.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(198, 40, 40)', 'it is red');
    const bannerBox = await banner.boundingBox();
    t.ok(bannerBox && bannerBox.y < 844, 'the banner is on the first screen');
    await page.screenshot({ path: `${SCREENSHOTS}consumer-page-recalled.png`, fullPage: true });

    await context.close();
  },
);
