import t from 'tap';
import { consumerPage, notGenuinePage } from '../../src/resolver/pages.js';
import type { LotSummary, PackFacts } from '../../src/resolver/summary.js';
import { demoLot, demoPack, FARM_1, FARM_2, PROCESSOR } from '../fixtures/demo-summary.js';

type Demo = { lot: LotSummary; pack: PackFacts };
const demo = (): Demo => ({ lot: demoLot(), pack: demoPack() });

const OPTIONS: { lang: 'zh-CN' | 'en'; baseUrl: string; complaintPath: string; switchLangHref: string } = {
  lang: 'zh-CN',
  baseUrl: 'https://trace.example.cn',
  complaintPath: '/complaints',
  switchLangHref: '/t/K7QM2XR9P4D?lang=en',
};
const render = ({ lot, pack }: Demo, options = OPTIONS) => consumerPage(lot, pack, options).toString();
const stagesShown = (page: string) => [...page.matchAll(/<span class="stage [a-z_]+">([^<]+)<\/span>/g)].map((match) => match[1]);
const sectionOf = (page: string, heading: string) => page.slice(page.indexOf(`<h2>${heading}</h2>`)).split('</section>')[0];

t.test('the Chinese page tells a consumer what the pack is and where it came from', async (t) => {
  const page = render(demo());
  t.match(page, /^<!doctype html>\n<html lang="zh-CN">/);
  t.match(page, '<meta name="viewport" content="width=device-width, initial-scale=1">');
  t.match(page, '<title>奉上好品·奉节腊肉 500g · 产品溯源信息</title>');
  t.match(page, '<h1>奉上好品·奉节腊肉 500g</h1>');
  t.match(page, '地理标志产品');
  t.match(page, '绿色食品');
  t.notMatch(page, '有机产品');
  t.match(page, 'KZ-LR-20261028-500G');
  t.match(page, '2026-10-28');
  t.match(page, '2027-04-26');
  t.match(page, PROCESSOR);
  const origins = sectionOf(page, '原料产地');
  t.match(origins, FARM_1);
  t.match(origins, FARM_2);
  t.match(origins, '重庆市奉节县');
  t.match(origins, '已登记耳标 6 个');
  t.match(page, '<a href="/t/K7QM2XR9P4D?lang=en" hreflang="en" lang="en">English</a>');
  t.notMatch(page, 'role="alert"');
  t.ok(Buffer.byteLength(page) < 40_000, 'small enough for a weak mobile signal');
  t.notMatch(page, /<script|<link|src="http/, 'no scripts or external assets');
});

t.test('the process timeline is chronological, in China time, with stages, places and actions', async (t) => {
  const page = render(demo());
  t.strictSame(stagesShown(page), ['养殖', '养殖', '屠宰', '屠宰', '分割', '加工', '加工', '加工', '冷链', '冷链']);
  t.match(page, '2026-10-12 07:30 · 登记');
  t.match(page, '2026-10-28 10:00 · 腌制熏制');
  t.match(page, '甘溪沟冷链中心2号冷藏库（0–4℃）');

  const shuffled = demo();
  shuffled.lot.timeline.reverse();
  t.strictSame(stagesShown(render(shuffled)), stagesShown(page));
});

t.test('tests, certificates, cold chain, lineage and scans', async (t) => {
  const page = render(demo());
  const tests = sectionOf(page, '检测报告');
  t.match(tests, /第三方检测 · <span class="pass">合格<\/span>/);
  t.match(tests, '重庆渝检食品检测技术有限公司');
  t.match(tests, 'YJ-2026-SP-10871');
  t.match(tests, '快速检测');
  t.match(tests, '企业自检');
  const certificates = sectionOf(page, '证明文件');
  t.match(certificates, '动物检疫合格证明');
  t.match(certificates, '肉品品质检验合格证');
  t.match(certificates, '承诺达标合格证');
  t.match(certificates, 'clenbuterol_test', 'unknown types are shown as given');
  t.match(page, '3 次记录，2.6–3.1 °C · <span class="pass">正常</span>');
  t.match(sectionOf(page, '溯源链'), /<svg [^>]*role="img"/);
  t.match(page, '此码已被扫描 3 次，首次扫描于 2026-11-20 10:15');

  const hot = demo();
  hot.lot.coldChain = { readings: 4, minCelsius: 2.6, maxCelsius: 9.4, withinLimits: false };
  t.match(render(hot), '<span class="fail">异常</span>');

  const bare = demo();
  bare.lot.coldChain = null;
  bare.lot.tests = [];
  bare.pack.scans = { count: 0, firstScannedAt: null };
  const barePage = render(bare);
  t.notMatch(barePage, '冷链温度');
  t.notMatch(barePage, '此码已被扫描');
  t.match(sectionOf(barePage, '检测报告'), '暂无记录');
});

t.test('a red banner appears only for recalled, held, expired or destroyed lots', async (t) => {
  t.notMatch(render(demo()), 'alert stop');
  const recalled = demo();
  recalled.lot.warnings = ['recalled'];
  const page = render(recalled);
  t.match(page, '<div class="alert stop" role="alert">已召回 — 请勿食用');
  t.ok(page.indexOf('已召回') < page.indexOf('<h1>'), 'the banner comes before the product');
  const held = demo();
  held.lot.warnings = ['held', 'expired'];
  const heldPage = render(held);
  t.match(heldPage, '检测不合格');
  t.match(heldPage, '已过保质期');
  t.notMatch(heldPage, '已召回');
  t.match(render({ ...demo(), lot: { ...demoLot(), warnings: ['recalled'] } }, { ...OPTIONS, lang: 'en' }), 'Recalled — do not eat');
});

t.test('a counterfeit warning when the code looks copied, and the form suggests that category', async (t) => {
  const suspect = demo();
  suspect.pack.flagged = true;
  const page = render(suspect);
  t.match(page, '<div class="alert warn" role="alert">此码疑似被仿冒');
  t.notMatch(page, 'alert stop');
  t.match(page, '<option value="counterfeit" selected>疑似假冒</option>');
  t.notMatch(render(demo()), 'selected');
});

t.test('producer and farm places are named from the region list', async (t) => {
  const spread = demo();
  spread.lot.producer = { ...spread.lot.producer!, regionCode: '500103' };
  spread.lot.origins[1] = { ...spread.lot.origins[1], regionCode: '511502' };
  const page = render(spread);
  t.match(sectionOf(page, '生产企业'), '重庆市渝中区');
  const origins = sectionOf(page, '原料产地');
  t.match(origins, '重庆市奉节县');
  t.match(origins, '四川省宜宾市翠屏区');
  t.notMatch(page, '<span lang=', 'the Chinese page needs no language marks');
});

t.test('the English page', async (t) => {
  const page = render(demo(), { ...OPTIONS, lang: 'en', switchLangHref: '/t/K7QM2XR9P4D?lang=zh-CN' });
  t.match(page, '<html lang="en">');
  t.match(page, 'Geographical indication');
  t.match(page, 'Green food');
  t.match(sectionOf(page, 'Origin farms'), '<span lang="zh-CN">重庆市奉节县</span>', 'region names are Chinese, marked as such');
  t.strictSame(
    stagesShown(page).filter((stage, i, all) => all.indexOf(stage) === i),
    ['Farm', 'Slaughter', 'Cutting', 'Processing', 'Cold chain'],
  );
  t.match(page, /Third-party test · <span class="pass">Pass<\/span>/);
  t.match(page, 'Animal quarantine certificate');
  t.match(page, 'Scanned 3 times, first on 2026-11-20 10:15');
  t.match(page, '<title id="lineage-title">Trace chain</title>');
  t.match(page, '>中文</a>');
  t.notMatch(page, /合格|此码|原料产地|请勿食用/, 'no Chinese labels, only Chinese data');
});

t.test('interpolated text is escaped', async (t) => {
  const hostile = demo();
  hostile.lot.product = { ...hostile.lot.product!, name: '<script>alert(1)</script>' };
  hostile.pack.code = '"><img src=x onerror=alert(1)>';
  hostile.lot.origins[0].farm = "Tom & Jerry's <farm>";
  hostile.lot.lineage.nodes[0].label = '<script>';
  const page = render(hostile, { ...OPTIONS, switchLangHref: '/t/x?lang=en&"' });
  t.notMatch(page, '<script>');
  t.notMatch(page, '<img');
  t.match(page, '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
  t.match(page, 'value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
  t.match(page, 'Tom &amp; Jerry&#39;s &lt;farm&gt;');
  t.match(page, 'href="/t/x?lang=en&amp;&quot;"');
});

t.test('a product without registered details still renders', async (t) => {
  const bare = demo();
  bare.lot.product = null;
  bare.lot.producer = null;
  bare.lot.origins = [];
  bare.lot.timeline = [];
  bare.lot.lot = { ...bare.lot.lot, lotNumber: null, productionDate: null, expiryDate: null };
  const page = render({ ...bare, lot: { ...bare.lot, origins: [{ farm: FARM_1, regionCode: '999999', address: null, earTagCount: 0 }] } });
  t.match(page, '<h1>未登记品名</h1>');
  t.notMatch(page, '<h2>生产企业</h2>');
  t.notMatch(page, 'class="badges"');
  t.match(sectionOf(page, '原料产地'), '999999', 'unknown regions show their code');
  t.notMatch(page, '已登记耳标');
  t.match(sectionOf(page, '生产流通过程'), '暂无记录');
});

t.test('the complaint form posts the code, a category, the text and an optional phone', async (t) => {
  const page = render(demo());
  const form = page.slice(page.indexOf('<form'), page.indexOf('</form>'));
  t.match(form, '<form method="post" action="/complaints" enctype="application/x-www-form-urlencoded">');
  t.match(page, '<h2>消费维权投诉</h2>');
  t.match(form, '<input type="hidden" name="code" value="K7QM2XR9P4D">');
  t.strictSame(
    [...form.matchAll(/<option value="([a-z_]+)"/g)].map((match) => match[1]),
    ['quality', 'counterfeit', 'labeling', 'foreign_matter', 'illness', 'other'],
  );
  t.match(form, '<select id="category" name="category" required>');
  t.match(form, '<option value="illness">食用后不适</option>');
  t.match(form, '<textarea id="text" name="text" required maxlength="2000"');
  t.match(form, /<input id="phone" name="phone" type="tel"(?![^>]*required)[^>]*>/);
  t.match(form, '<button type="submit">提交投诉</button>');
  t.strictSame(
    [...form.matchAll(/name="([a-z]+)"/g)].map((match) => match[1]),
    ['code', 'category', 'text', 'phone'],
  );
  t.match(page, 'trace.example.cn', 'names the official site to check against');
});

t.test('packs of one lot share its rendered sections but each shows its own code, scans and warning', async (t) => {
  const lot = demoLot();
  const first = String(
    consumerPage(
      lot,
      { code: 'K7QM2XR9P4D', scans: { count: 1, firstScannedAt: new Date('2026-11-20T02:15:00.000Z') }, flagged: false },
      OPTIONS,
    ),
  );
  const copied = String(
    consumerPage(
      lot,
      { code: 'M3TW8KQ2R5X', scans: { count: 40, firstScannedAt: new Date('2026-11-01T00:00:00.000Z') }, flagged: true },
      { ...OPTIONS, switchLangHref: '/t/M3TW8KQ2R5X?lang=en' },
    ),
  );
  const english = String(consumerPage(lot, demoPack(), { ...OPTIONS, lang: 'en' }));
  t.match(first, 'value="K7QM2XR9P4D"');
  t.match(first, '此码已被扫描 1 次，首次扫描于 2026-11-20 10:15');
  t.notMatch(first, 'alert warn');
  t.match(copied, 'value="M3TW8KQ2R5X"');
  t.notMatch(copied, 'K7QM2XR9P4D');
  t.match(copied, '此码已被扫描 40 次，首次扫描于 2026-11-01 08:00');
  t.match(copied, '此码疑似被仿冒');
  t.match(english, 'From farm to shop', 'each language renders its own sections');
  t.notMatch(english, '原料产地');
  t.equal(String(consumerPage(lot, demoPack(), OPTIONS)), render(demo()), 'the same page as from a fresh lot summary');
});

t.test('notGenuinePage warns in both languages', async (t) => {
  const zh = notGenuinePage('ZZZZ<1>', 'zh-CN');
  t.match(zh, '<html lang="zh-CN">');
  t.match(zh, '此码未登记，可能不是正品');
  t.match(zh, '请谨慎购买，并可向市场监管部门举报');
  t.match(zh, 'ZZZZ&lt;1&gt;');
  t.match(zh, 'href="?lang=en"');
  const en = notGenuinePage('ZZZZ1', 'en');
  t.match(en, '<html lang="en">');
  t.match(en, 'This code is not registered — it may not be genuine');
  t.match(en, 'report it to market regulators');
  t.match(en, 'href="?lang=zh-CN"');
});
