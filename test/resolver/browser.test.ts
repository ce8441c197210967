// The consumer page in a real browser: headless Chromium on a phone-sized screen, driven by
// playwright-core against the app listening on loopback. Skipped where Chromium is not installed.
import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { newItemCode } from '../../src/codes/service-codes.js';
import { queryRows } from '../../src/db/client.js';
import { shanghaiTime } from '../../src/web/html.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { freePort, launchChromium, needsChromium } from '../fixtures/chromium.js';
import { buildTestApp, client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

// Screenshots for a person to look at; test-output/ is not committed.
const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

t.test('the consumer page on a phone, in headless Chromium', needsChromium, async (t) => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { app, adminKey } = await buildTestApp(t, undefined, { publicBaseUrl: origin });
  const demo = await seedDemoChain(app.services);
  await app.listen({ port, host: '127.0.0.1' });
  await mkdir(SCREENSHOTS, { recursive: true });

  const browser = await launchChromium(t);
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().method() === 'GET') failed.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => failed.push(`failed ${request.url()}`));
  const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const sectionText = (heading: string) => text(`section:has(h2:text-is("${heading}"))`);
  /** The first thing in the page's main column after its header bar (site name and language link). */
  const firstThing = () =>
    page.evaluate(() => {
      const element = document.querySelector('main > header')?.nextElementSibling as HTMLElement | null;
      if (!element) return null;
      const box = element.getBoundingClientRect();
      return {
        className: element.className,
        role: element.getAttribute('role'),
        text: [...element.children]
          .map((child) => child.textContent)
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim(),
        top: box.top,
        bottom: box.bottom,
      };
    });

  const scannedFrom = shanghaiTime(new Date().toISOString());
  const response = await page.goto(`${origin}/t/${demo.itemCode}`);
  const scannedTo = shanghaiTime(new Date().toISOString());
  t.equal(response?.status(), 200, 'the scanned URL opens');
  t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');

  // the verdict first
  const verdict = await firstThing();
  t.equal(verdict?.className, 'verdict', 'the verdict is the first thing under the header bar');
  t.match(verdict?.text, /^正品 · 已登记 此码已被扫描 1 次，首次扫描于 (\d{4}-\d{2}-\d{2} \d{2}:\d{2})/, 'genuine, with the scan count');
  const firstScan = verdict?.text.match(/首次扫描于 (\d{4}-\d{2}-\d{2} \d{2}:\d{2})/)?.[1] ?? '';
  t.ok(firstScan >= scannedFrom && firstScan <= scannedTo, `first scan ${firstScan} is now, in China time (${scannedFrom}–${scannedTo})`);
  t.ok(verdict && verdict.top < 120 && verdict.bottom < 844 / 2, `at the very top of the screen (${verdict?.top}–${verdict?.bottom})`);
  t.ok(await page.locator('.verdict').isVisible(), 'visible');
  t.equal(await page.locator('.card').count(), 0, 'no untitled card further down');
  t.equal(await page.getByText('此码已被扫描').count(), 1, 'the scan count is said once');

  t.equal(await text('h1'), '奉上好品·奉节腊肉 500g', 'product name');
  const origins = await sectionText('原料产地');
  t.match(origins, '奉节县永乐镇绿源生猪养殖专业合作社', 'origin farm');
  t.match(origins, '重庆市奉节县', 'with its county');
  t.notMatch(origins, '大坝村', 'not its address');
  t.notMatch(await sectionText('生产企业'), '重庆市奉节县 · 重庆市奉节县');

  // tests: what was tested and the value, each inspection once
  const tests = await sectionText('检测报告');
  t.match(tests, /第三方检测 · 合格/, 'a passing third-party test');
  t.match(tests, '重庆渝检食品检测技术有限公司', 'the lab');
  t.match(tests, /YJ-\d{4}-SP-10871/, 'the report number');
  t.match(tests, '盐酸克伦特罗（瘦肉精） 阴性', 'the clenbuterol rapid test and its result');
  t.match(tests, '亚硝酸盐（以NaNO2计） 8.6 mg/kg (≤ 30)', 'the nitrite value, unit and limit');
  const testKinds = await page
    .locator('section:has(h2:text-is("检测报告")) > ul > li')
    .evaluateAll((items) => items.map((item) => item.textContent?.split(' · ')[0]));
  t.equal(testKinds.length, new Set(testKinds).size, `no inspection listed twice (${testKinds.join(', ')})`);
  t.equal(testKinds.filter((kind) => kind === '快速检测').length, 1, 'the rapid test of both farms once');

  t.equal(await page.locator('.badge.geographical_indication').textContent(), '地理标志产品', 'GI badge');
  t.ok(await page.locator('.badge.geographical_indication').isVisible(), 'GI badge is visible');

  // the lineage picture, measured as drawn on a 390 px screen
  const svg = page.locator('section:has(h2:text-is("溯源链")) svg');
  t.ok(await svg.isVisible(), 'lineage SVG is visible');
  await svg.scrollIntoViewIfNeeded();
  // (no named functions inside: the test's compiler would wrap them in a helper the page lacks)
  const drawn = await svg.evaluate((element) => {
    const root = element as SVGSVGElement;
    const box = root.getBoundingClientRect();
    const scale = box.width / root.viewBox.baseVal.width;
    const texts = [...root.querySelectorAll('text')].map((text) => {
      const rect = text.getBoundingClientRect();
      // the node box a text belongs to is the rect drawn just before its caption or label
      let previous = text.previousElementSibling;
      while (previous && previous.tagName !== 'rect') previous = previous.previousElementSibling;
      const outer = previous?.getBoundingClientRect();
      return {
        text: text.textContent ?? '',
        px: Number.parseFloat(getComputedStyle(text).fontSize) * scale,
        ctm: Number.parseFloat(getComputedStyle(text).fontSize) * (text.getScreenCTM()?.a ?? 0),
        lineHeights: [...text.querySelectorAll('tspan')].map((tspan) => tspan.getBoundingClientRect().height),
        inBox: outer
          ? rect.left >= outer.left - 0.5 &&
            rect.right <= outer.right + 0.5 &&
            rect.top >= outer.top - 0.5 &&
            rect.bottom <= outer.bottom + 0.5
          : false,
      };
    });
    return {
      box: { x: box.x, width: box.width, height: box.height },
      scale,
      texts,
      scroller: (root.parentElement as HTMLElement).className,
    };
  });
  t.equal(drawn.scroller, 'lineage', 'in its own box, which scrolls sideways rather than shrink a wide chain');
  t.ok(drawn.scale >= 1, `not shrunk (scale ${drawn.scale})`);
  t.ok(drawn.texts.length >= 12, `${drawn.texts.length} texts measured`);
  const smallest = Math.min(...drawn.texts.map((text) => Math.min(text.px, text.ctm)));
  t.ok(smallest >= 13, `the smallest text in the picture is ${smallest.toFixed(1)} CSS px`);
  const shortestLine = Math.min(...drawn.texts.flatMap((text) => text.lineHeights));
  t.ok(shortestLine >= 13, `every label line is rendered at least 13 px tall (${shortestLine.toFixed(1)})`);
  t.ok(
    drawn.texts.every((text) => text.inBox),
    `every caption and label inside its box: ${drawn.texts.filter((text) => !text.inBox).map((text) => text.text)}`,
  );
  t.notOk(
    drawn.texts.some((text) => text.text.includes('…')),
    'names wrapped, not cut',
  );
  t.match(drawn.texts.map((text) => text.text).join('|'), '奉上好品·奉节腊肉', 'the product named in full');
  t.ok(drawn.box.x >= 0 && drawn.box.x + drawn.box.width <= 390, `the demo chain fits the screen (${JSON.stringify(drawn.box)})`);

  t.equal(await page.locator('.alert.stop').count(), 0, 'no recall banner');
  t.equal(await page.getByText('已召回').count(), 0, 'no recall text');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  t.equal(overflow, 0, 'no horizontal scrolling of the page on a phone');

  // the icon is inline and decodes; the page asked for nothing that failed (no /favicon.ico)
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  t.match(icon, /^data:image\/svg\+xml,/, 'an inline icon');
  const iconWidth = await page.evaluate(async (href) => {
    const image = new Image();
    image.src = href;
    await image.decode();
    return image.naturalWidth;
  }, icon ?? '');
  t.ok(iconWidth > 0, 'the icon is a valid image');

  await page.screenshot({ path: `${SCREENSHOTS}consumer-page.png`, fullPage: true });
  await svg.screenshot({ path: `${SCREENSHOTS}lineage-390px.png` });
  t.ok((await stat(`${SCREENSHOTS}lineage-390px.png`)).size > 1000, `screenshot of the picture at 390 px in ${SCREENSHOTS}`);

  await page.locator('header a[hreflang="en"]').click();
  await page.waitForURL(/lang=en/);
  t.equal(await page.locator('html').getAttribute('lang'), 'en', 'switched to English');
  t.ok(await page.locator('h2', { hasText: 'Origin farms' }).isVisible(), 'English section heading');
  t.equal(await page.locator('.badge.geographical_indication').textContent(), 'Geographical indication');
  t.match(
    (await firstThing())?.text,
    /^Genuine · registered Scanned 1 time,/,
    'the verdict first in English; switching the language is not another scan',
  );
  t.ok(await page.locator('header a[hreflang="zh-CN"]').isVisible(), 'a link back to Chinese');
  await page.screenshot({ path: `${SCREENSHOTS}consumer-page-en.png`, fullPage: true });

  // the complaint form, as a consumer fills it in
  await page.locator('header a[hreflang="zh-CN"]').click();
  await page.waitForURL(/lang=zh-CN/);
  await page.selectOption('#category', 'foreign_matter');
  await page.fill('#text', '包装内发现一根塑料丝。');
  await page.fill('#phone', '13800138000');
  const [receipt] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交投诉' }).click()]);
  t.equal(receipt?.status(), 200, 'the complaint is filed: its receipt, after the post’s 303');
  t.equal(await text('[role="status"]'), '投诉已提交');
  const ticket = await text('dd code');
  t.match(ticket, /^TS\d{6,8}[0-9A-Z]{6}$/, `ticket number shown (${ticket})`);
  const filed = await client(app, adminKey).get(`/complaints/${ticket}`);
  t.equal(filed.status, 200, 'the ticket exists');
  await page.screenshot({ path: `${SCREENSHOTS}complaint-received.png`, fullPage: true });

  // recall the lot and scan again
  const processorKey = (await client(app, adminKey).post('/api-keys', { role: 'operator', partyCode: demo.parties.processor })).body.key;
  const recall = await client(app, processorKey).post('/recalls', {
    lotCodes: [demo.retailLotCode],
    level: 3,
    reason: '标签错误',
    hazard: '过敏原未标示',
  });
  t.equal(recall.status, 201, 'recall recorded');
  // another shopper's scan (another address) after the recall raises an inactive-lot flag on the code, so this page shows a flagged code
  await app.inject({
    method: 'GET',
    url: `/t/${demo.itemCode}`,
    remoteAddress: '203.0.113.77',
    headers: { 'user-agent': 'another shopper' },
  });
  await page.goto(`${origin}/t/${demo.itemCode}`);
  const flags = (await client(app, adminKey).get('/regulator/flags')).body.items as { code: string }[];
  t.ok(
    flags.some((flag) => flag.code === demo.itemCode),
    'the code is flagged',
  );
  const banner = page.locator('.alert.stop[role="alert"]');
  t.ok(await banner.isVisible(), 'the recall banner is visible');
  t.match(await banner.textContent(), /^已召回 — 请勿食用/, 'it says recalled');
  t.equal(await banner.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(198, 40, 40)', 'it is red');
  const recalledFirst = await firstThing();
  t.match(recalledFirst, { className: 'alert stop', role: 'alert' }, 'the banner is the first thing on the page');
  t.ok(recalledFirst && recalledFirst.bottom < 844, 'on the first screen');
  t.equal(await page.locator('.alert').count(), 1, 'the recall banner only');
  t.equal(await page.getByText(TEXT['zh-CN'].counterfeit).count(), 0, 'not called counterfeit');
  t.equal(await page.locator('.alert.warn').count(), 0, 'no counterfeit warning');
  t.equal(await page.locator('.verdict').count(), 0, 'nor genuine');
  t.not(await page.locator('#category').inputValue(), 'counterfeit', 'the complaint form does not suggest a counterfeit');
  await page.screenshot({ path: `${SCREENSHOTS}consumer-page-recalled.png`, fullPage: true });

  t.strictSame(failed, [], 'nothing the pages asked for failed (no favicon 404)');

  // a garbled code opened on the phone: a page in Chinese that says the code is not valid
  for (const garbled of ['/t/ABC', '/01/123/21/X']) {
    const answer = await page.goto(`${origin}${garbled}`);
    t.equal(answer?.status(), 400, `${garbled}: 400`);
    t.match(answer?.headers()['content-type'], /^text\/html/, `${garbled}: a page, not a problem document`);
    t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    const said = await firstThing();
    t.match(said, { className: 'alert warn', role: 'alert' }, `${garbled}: a warning first`);
    t.equal(await text('main > header + [role="alert"]'), TEXT['zh-CN'].invalidCode, 'that the code is not valid');
    t.ok(said && said.bottom < 844, 'on the first screen');
    t.ok(await page.getByText(TEXT['zh-CN'].invalidCodeBody).isVisible(), 'and what to do');
  }
  await page.screenshot({ path: `${SCREENSHOTS}consumer-page-malformed.png`, fullPage: true });
  await context.close();
});

// What a browser measures on the smallest common phone (360 × 740 CSS px): every page a scan can
// lead to, in both languages, read by the rules a person relies on without knowing them.
// (The page script is a string: the test's compiler would wrap a function in a helper the page lacks.)
const AUDIT_PAGE = `(() => {
  const luminance = (colour) => {
    const [r, g, b] = colour.match(/[\\d.]+/g).map(Number).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backgroundOf = (element) => {
    for (; element; element = element.parentElement) {
      const colour = getComputedStyle(element).backgroundColor;
      if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
    }
    return 'rgb(255, 255, 255)';
  };
  const lowContrast = [];
  const smallText = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest('svg')) continue;
    const style = getComputedStyle(element);
    const size = Number.parseFloat(style.fontSize);
    if (size < 12) smallText.push(size + 'px: ' + node.textContent.trim().slice(0, 30));
    const [a, b] = [luminance(style.color), luminance(backgroundOf(element))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) lowContrast.push(ratio.toFixed(2) + ': ' + node.textContent.trim().slice(0, 30));
  }
  const smallTargets = [...document.querySelectorAll('a[href], button, select, textarea, input:not([type=hidden])')]
    .map((element) => [element, element.getBoundingClientRect()])
    .filter(([, box]) => box.height < 44 || box.width < 44)
    .map(([element, box]) => element.tagName + ' ' + Math.round(box.width) + 'x' + Math.round(box.height));
  const unlabelled = [...document.querySelectorAll('select, textarea, input:not([type=hidden])')]
    .filter((field) => !field.labels || field.labels.length === 0)
    .map((field) => field.outerHTML.slice(0, 60));
  return {
    lang: document.documentElement.lang,
    h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    lowContrast,
    smallText,
    smallTargets,
    unlabelled,
    imagesWithoutAlt: document.querySelectorAll('img:not([alt])').length,
    picturesWithoutName: [...document.querySelectorAll('svg')].filter((svg) => svg.getAttribute('role') !== 'img' || !svg.querySelector('title')?.textContent).length,
  };
})()`;

type PageAudit = {
  lang: string;
  h1: string[];
  overflow: number;
  lowContrast: string[];
  smallText: string[];
  smallTargets: string[];
  unlabelled: string[];
  imagesWithoutAlt: number;
  picturesWithoutName: number;
};

t.test('every page a scan leads to, on a 360 px phone', needsChromium, async (t) => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { app } = await buildTestApp(t, undefined, { publicBaseUrl: origin });
  const demo = await seedDemoChain(app.services);
  await app.listen({ port, host: '127.0.0.1' });
  const browser = await launchChromium(t);
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  // what the page itself complains of: script errors, refused loads, policy violations (not the
  // status of the page asked for, which Chromium logs as a failed load on an error page)
  const complaints: string[] = [];
  page.on('pageerror', (error) => complaints.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (
      ['error', 'warning'].includes(message.type()) &&
      !/^Failed to load resource: the server responded with a status of (400|404)/.test(message.text())
    )
      complaints.push(`${message.type()}: ${message.text()}`);
  });
  page.on('requestfailed', (request) => complaints.push(`failed: ${request.url()}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) complaints.push(`asked elsewhere: ${request.url()}`);
  });

  const unknown = newItemCode();
  const pages: [string, string, number, 'zh-CN' | 'en', string][] = [
    ['the page of a genuine pack', `/t/${demo.itemCode}`, 200, 'zh-CN', '奉上好品·奉节腊肉 500g'],
    ['in English', `/t/${demo.itemCode}?lang=en`, 200, 'en', '奉上好品·奉节腊肉 500g'],
    ['in a language it is not written in', `/t/${demo.itemCode}?lang=fr`, 200, 'zh-CN', '奉上好品·奉节腊肉 500g'],
    ['its Digital Link', `/01/06901234567014/10/${demo.retailLotNumber}/21/${demo.itemCode}`, 200, 'zh-CN', '奉上好品·奉节腊肉 500g'],
    ['an unknown code', `/t/${unknown}`, 404, 'zh-CN', TEXT['zh-CN'].notGenuine],
    ['an unknown code in English', `/t/${unknown}?lang=en`, 404, 'en', TEXT.en.notGenuine],
    ['an unknown Digital Link', '/01/06901234567014/10/X1/21/Y1', 404, 'zh-CN', TEXT['zh-CN'].notGenuine],
    ['a garbled code', '/t/%E4%B8%AD', 400, 'zh-CN', TEXT['zh-CN'].invalidCode],
    ['a garbled code in English', '/t/ABC?lang=en', 400, 'en', TEXT.en.invalidCode],
  ];
  for (const [what, path, status, lang, title] of pages) {
    const response = await page.goto(`${origin}${path}`);
    t.equal(response?.status(), status, `${what}: ${status}`);
    t.match(response?.headers()['content-type'], /^text\/html; charset=utf-8/, `${what}: a page`);
    const policy = response?.headers()['content-security-policy'] ?? '';
    t.match(policy, /default-src 'none'/, `${what}: a Content-Security-Policy that allows nothing by default`);
    t.match(policy, /frame-ancestors 'none'/, `${what}: and no framing by another site`);
    t.equal(response?.headers()['x-content-type-options'], 'nosniff', `${what}: nosniff`);
    const audit = (await page.evaluate(AUDIT_PAGE)) as PageAudit;
    t.equal(audit.lang, lang, `${what}: lang="${lang}"`);
    t.same(audit.h1, [title], `${what}: one h1 heading, "${title}"`);
    t.equal(audit.overflow, 0, `${what}: no horizontal scrolling`);
    t.same(audit.lowContrast, [], `${what}: every text has WCAG AA contrast`);
    t.same(audit.smallText, [], `${what}: no text under 12 px`);
    t.same(audit.smallTargets, [], `${what}: every link, button and field at least 44 px`);
    t.same(audit.unlabelled, [], `${what}: every field has a label`);
    t.equal(audit.imagesWithoutAlt, 0, `${what}: images have alt text`);
    t.equal(audit.picturesWithoutName, 0, `${what}: pictures have a role and a title`);
  }
  t.same(complaints, [], 'no script error, refused load or policy violation on any page');

  // the complaint form still posts under the page's policy (form-action)
  await page.goto(`${origin}/t/${demo.itemCode}`);
  await page.fill('#text', '包装破损。');
  const [receipt] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: TEXT['zh-CN'].submit }).click()]);
  t.equal(receipt?.status(), 200, 'the complaint is filed: its receipt, after the post’s 303');
  t.same(complaints, [], 'without a policy violation');

  // a shopper who switched the page to English (on a phone set to Chinese) is answered in English
  await page.goto(`${origin}/t/${demo.itemCode}?lang=en`);
  await page.fill('#text', 'The pack was torn.');
  const [english] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: TEXT.en.submit }).click()]);
  t.equal(english?.status(), 200, 'filed from the English page: its receipt');
  t.equal(await page.locator('html').getAttribute('lang'), 'en', 'the receipt is in English');
  t.equal(await page.locator('[role="status"]').textContent(), TEXT.en.received);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: TEXT.en.checkStatus }).click()]);
  t.equal(await page.locator('html').getAttribute('lang'), 'en', 'and so is the status page it links to');
  t.same(complaints, [], 'no policy violation');
  await context.close();
});

t.test(
  'the lineage picture’s captions and labels fit their boxes, with long English names, in Chinese and English',
  needsChromium,
  async (t) => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const { app, database } = await buildTestApp(t, undefined, { publicBaseUrl: origin });
    const demo = await seedDemoChain(app.services);
    // products named as an exporter names them: English in capitals, with the widest letters, and one Chinese name kept
    const names = [
      'LIVE PIGS (RONGCHANG BLACK × LANDRACE)',
      'WHOLE PORK CARCASS WITH SKIN, CHILLED',
      'MWM WUSHAN MOUNTAIN PORK BELLY',
      'FRESH CUTS (LEG, RIBS, TENDERLOIN) WWWW',
      'Kuizhou Smoked Bacon, Loose (Streaky)',
      'WANSHENG HIGHLAND BACON 500 G MMMM',
    ];
    const products = await queryRows<{ code: string }>(database.db, sql`select code from products order by code`);
    for (const [index, row] of products.entries()) {
      if (index < names.length) await database.db.execute(sql`update products set name = ${names[index]} where code = ${row.code}`);
    }
    await app.listen({ port, host: '127.0.0.1' });
    const browser = await launchChromium(t);
    for (const lang of ['zh-CN', 'en'] as const) {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        locale: lang,
      });
      const page = await context.newPage();
      await page.goto(`${origin}/t/${demo.itemCode}${lang === 'en' ? '?lang=en' : ''}`);
      const svg = page.locator('svg[aria-labelledby="lineage-title"]');
      await svg.scrollIntoViewIfNeeded();
      // each box's caption and label lines, measured as drawn (no named functions inside: see above)
      const boxes = await svg.evaluate((element) =>
        [...element.querySelectorAll('rect.node')].map((rect) => {
          const outer = rect.getBoundingClientRect();
          const texts: Element[] = [];
          for (let next = rect.nextElementSibling; next && next.tagName === 'text'; next = next.nextElementSibling) texts.push(next);
          const lines = texts.flatMap((text) => (text.querySelector('tspan') ? [...text.querySelectorAll('tspan')] : [text]));
          return {
            box: { left: outer.left, right: outer.right, top: outer.top, bottom: outer.bottom },
            lines: lines.map((line) => {
              const box = line.getBoundingClientRect();
              return { text: line.textContent ?? '', left: box.left, right: box.right, top: box.top, bottom: box.bottom };
            }),
          };
        }),
      );
      t.ok(boxes.length >= 6, `${lang}: ${boxes.length} boxes measured`);
      const drawn = boxes.flatMap((node) => node.lines.map((line) => line.text)).join('|');
      t.match(drawn, lang === 'en' ? 'Farm' : '种养殖', `${lang}: a farm captioned`);
      t.match(drawn, /WANSHENG|MWM|WHOLE PORK/, `${lang}: the long English names drawn`);
      const outside = boxes.flatMap((node) =>
        node.lines
          .filter(
            (line) =>
              line.left < node.box.left - 0.5 ||
              line.right > node.box.right + 0.5 ||
              line.top < node.box.top - 0.5 ||
              line.bottom > node.box.bottom + 0.5,
          )
          .map(
            (line) =>
              `"${line.text}" [${line.left.toFixed(1)}, ${line.right.toFixed(1)}] in [${node.box.left.toFixed(1)}, ${node.box.right.toFixed(1)}]`,
          ),
      );
      t.same(outside, [], `${lang}: every caption and label line inside its box`);
      const overlapping = boxes.flatMap((node) =>
        node.lines
          .slice(1)
          .flatMap((line, index) => (line.top < node.lines[index].bottom - 0.5 ? [`"${node.lines[index].text}" and "${line.text}"`] : [])),
      );
      t.same(overlapping, [], `${lang}: no line over the one above it`);
      t.notOk(drawn.includes('…'), `${lang}: names wrapped, not cut`);
      await page.screenshot({ path: `${SCREENSHOTS}lineage-long-names-${lang}.png`, fullPage: true });
      await context.close();
    }
  },
);
