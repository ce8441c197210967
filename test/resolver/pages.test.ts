import { consumerPage, notGenuinePage, productCodePage, scanErrorPage } from '../../src/resolver/pages.js';
import type { LotSummary, PackFacts, Warning } from '../../src/resolver/summary.js';
import { FAVICON_HREF } from '../../src/web/html.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { demoLot, demoPack, FARM_1, FARM_2, PROCESSOR } from '../fixtures/demo-summary.js';
import { fileTest } from '../root.js';

const t = fileTest();

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
/** What a reader sees of some markup: its text, tags left out, spaces collapsed. */
const textOf = (markup: string) =>
  markup
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .replace(/ ([（）)])/g, '$1')
    .trim();
/** The markup between the page's header and its first section: what a reader meets first. */
const verdictOf = (page: string) => page.slice(page.indexOf('</header>') + '</header>'.length, page.indexOf('<section>')).trim();

t.test('the Chinese page tells a consumer what the pack is and where it came from', async (t) => {
  const page = render(demo());
  t.match(page, /^<!doctype html>\n<html lang="zh-CN">/);
  t.match(page, '<meta name="viewport" content="width=device-width, initial-scale=1">');
  t.match(page, '<title>奉上好品·奉节腊肉 500g · 产品溯源信息</title>');
  t.match(page, '<h1>奉上好品·奉节腊肉 500g</h1>');
  t.match(page, '地理标志产品');
  t.notMatch(page, '绿色食品', 'a mark not earned is not shown');
  t.notMatch(page, '有机产品');
  const lot = demoLot();
  const marks: NonNullable<LotSummary['product']>['marks'] = ['geographical_indication', 'green_food'];
  t.match(render({ ...demo(), lot: { ...lot, product: lot.product && { ...lot.product, marks } } }), '绿色食品', 'an earned one is');
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
  t.notMatch(page, /<script|<link(?! rel="icon" type="image\/svg\+xml" href="data:)|src="http/, 'no scripts or external assets');
});

t.test('a step of temperature logs shows their span, how many readings and their range', async (t) => {
  const logged = demo();
  const step = { stage: 'cold_chain' as const, party: '冷库', place: '1号库', action: 'observe' };
  logged.lot.timeline = [
    {
      ...step,
      time: '2026-11-19T01:00:00.000Z',
      temperatures: { readings: 5, lastTime: '2026-11-19T05:30:00.000Z', minCelsius: 2, maxCelsius: 4 },
    },
    {
      ...step,
      time: '2026-11-20T01:00:00.000Z',
      temperatures: { readings: 1, lastTime: '2026-11-20T01:00:00.000Z', minCelsius: 3, maxCelsius: 3 },
    },
    {
      ...step,
      time: '2026-11-21T01:00:00.000Z',
      temperatures: { readings: 2, lastTime: '2026-11-22T01:00:00.000Z', minCelsius: 3, maxCelsius: 3 },
    },
  ];
  t.match(render(logged), '2026-11-19 09:00–13:30 · 温度记录 · 5 次读数，2.0–4.0 °C<br>冷库');
  t.match(render(logged), '2026-11-20 09:00 · 温度记录 · 3.0 °C<br>');
  t.match(render(logged), '2026-11-21 09:00 – 2026-11-22 09:00 · 温度记录 · 2 次读数，3.0 °C<br>');
  t.match(render(logged, { ...OPTIONS, lang: 'en' }), '2026-11-19 09:00–13:30 · temperature logged · 5 readings, 2.0–4.0 °C<br>');
});

t.test('the process timeline is chronological, in China time, with stages, places and actions', async (t) => {
  const page = render(demo());
  t.strictSame(stagesShown(page), ['种养殖', '种养殖', '屠宰', '屠宰', '分割', '加工', '加工', '加工', '冷链', '冷链']);
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
  t.match(tests, `· ${PROCESSOR}</div>`, 'the party that recorded a test');
  t.equal(tests.split('重庆渝检食品检测技术有限公司').length - 1, 1, 'a lab that recorded its own test is named once');
  const certificates = sectionOf(page, '证明文件');
  t.match(certificates, '动物检疫合格证明');
  t.match(certificates, '肉品品质检验合格证');
  t.match(certificates, '承诺达标合格证');
  t.match(certificates, '瘦肉精检测报告', 'every type the service knows is named');
  t.notMatch(certificates, 'clenbuterol_test', 'never by its raw value');
  t.match(page, '3 次记录，2.6–3.1 °C · <span class="pass">正常</span>');
  t.match(sectionOf(page, '溯源链'), /<svg [^>]*role="img"/);
  t.match(textOf(page), '此码已被扫描 3 次，首次扫描于 2026-11-20 10:15');

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

t.test('a recall’s hazards under its banner, each escaped, in both languages; a recalled container’s added per pack', async (t) => {
  const hostile = '<script>alert(1)</script> & 沙门氏菌超标\n可能引起腹泻';
  const lot = { ...demoLot(), warnings: ['recalled', 'expired'] as LotSummary['warnings'], recallHazards: [hostile, '过敏原未标示'] };
  for (const lang of ['zh-CN', 'en'] as const) {
    const text = TEXT[lang];
    // on the English page, the hazard (Chinese) is marked as such
    const hazardLine = (escaped: string) => (lang === 'en' ? `Hazard: <span lang="zh-CN">${escaped}</span>` : `危害：${escaped}`);
    const page = render({ lot, pack: demoPack() }, { ...OPTIONS, lang });
    t.match(
      page,
      `role="alert">${text.banners.recalled}<p class="hazard">${hazardLine('&lt;script&gt;alert(1)&lt;/script&gt; &amp; 沙门氏菌超标\n可能引起腹泻')}</p><p class="hazard">${hazardLine('过敏原未标示')}</p></div>`,
      `${lang}: under the recall's banner, escaped`,
    );
    t.notMatch(page, '<script>', `${lang}: nothing of the hazard's markup`);
    const inCase = {
      ...demoPack(),
      container: { onHold: false, recalled: true, destroyed: false, recallHazards: ['外箱破损受潮', '过敏原未标示'] },
    };
    const cased = render({ lot, pack: inCase }, { ...OPTIONS, lang });
    t.equal(cased.match(/class="hazard"/g)?.length, 3, `${lang}: a case's recall adds its own hazard, each once`);
    t.match(cased, `<p class="hazard">${hazardLine('外箱破损受潮')}</p>`);
    t.equal(
      render({ lot, pack: demoPack() }, { ...OPTIONS, lang }).match(/class="hazard"/g)?.length,
      2,
      `${lang}: not on the lot's other packs`,
    );
  }
  t.notMatch(render({ ...demo(), lot: { ...demoLot(), warnings: ['expired'] } }), 'class="hazard"', 'no recall, no hazard');
});

t.test('the advice under the banners is given once; a recalled lot on hold shows the recall alone', async (t) => {
  for (const lang of ['zh-CN', 'en'] as const) {
    const text = TEXT[lang];
    const bannersIn = (page: string) => [...page.matchAll(/<div class="alert stop" role="alert">(.*?)<\/div>/g)].map((match) => match[1]);
    const recalledAndHeld = render({ ...demo(), lot: { ...demoLot(), warnings: ['recalled', 'on_hold'] } }, { ...OPTIONS, lang });
    t.strictSame(bannersIn(recalledAndHeld), [`${text.banners.recalled}<p>${text.bannerHint}</p>`], `${lang}: the recall, advised once`);
    const heldAndExpired = render({ ...demo(), lot: { ...demoLot(), warnings: ['held', 'expired'] } }, { ...OPTIONS, lang });
    t.strictSame(
      bannersIn(heldAndExpired),
      [text.banners.held, `${text.banners.expired}<p>${text.bannerHint}</p>`],
      `${lang}: two banners, the advice after the last`,
    );
    const inHeldCase = { ...demoPack(), container: { onHold: true, recalled: false, destroyed: false } };
    const recalledInHeldCase = render({ lot: { ...demoLot(), warnings: ['recalled'] }, pack: inHeldCase }, { ...OPTIONS, lang });
    t.strictSame(bannersIn(recalledInHeldCase), [`${text.banners.recalled}<p>${text.bannerHint}</p>`], `${lang}: nor a held case's hold`);
  }
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
  t.notMatch(page, 'Green food', 'the unearned mark in English neither');
  t.match(
    sectionOf(page, 'Producer'),
    '<span lang="zh-CN">重庆市奉节县夔门街道食品工业园12号</span>',
    'an address standing in for its region is Chinese, marked as such',
  );
  t.match(sectionOf(page, 'Origin farms'), '<span lang="zh-CN">重庆市奉节县</span>', 'region names are Chinese, marked as such');
  const elsewhere = demo();
  elsewhere.lot.producer = { ...elsewhere.lot.producer!, address: '夔门街道食品工业园12号' };
  t.match(
    sectionOf(render(elsewhere, { ...OPTIONS, lang: 'en' }), 'Producer'),
    '<span lang="zh-CN">重庆市奉节县</span> · <span lang="zh-CN">夔门街道食品工业园12号</span>',
    'before an address of its own too',
  );
  t.strictSame(
    stagesShown(page).filter((stage, i, all) => all.indexOf(stage) === i),
    ['Farm', 'Slaughter', 'Cutting', 'Processing', 'Cold chain'],
  );
  t.match(page, /Third-party test · <span class="pass">Pass<\/span>/);
  const certificates = sectionOf(page, 'Certificates');
  for (const name of [
    'Animal quarantine certificate',
    'Meat quality certificate',
    'Compliance commitment certificate',
    'Test report',
    'Clenbuterol test report',
  ]) {
    t.match(certificates, `<li>${name}<br>`, `${name}, in English`);
  }
  t.notMatch(certificates, /_certificate|clenbuterol_test|test_report/, 'no raw type on the English page');
  t.match(textOf(page), 'Scanned 3 times, first on 2026-11-20 10:15');
  t.match(page, '<title id="lineage-title">Trace chain</title>');
  t.match(page, '>中文</a>');
  t.notMatch(page, /合格|此码|原料产地|请勿食用/, 'no Chinese labels, only Chinese data');
});

// A screen reader reads a page in its language's voice: on the English page every piece of master data
// with Chinese in it (names, places, addresses, test items, labels of the chain) is marked zh-CN, and
// nothing else is (English UI text, a Latin name).
t.test('the English page marks each Chinese datum zh-CN, and nothing else', async (t) => {
  const chain = demo();
  chain.lot.producer = { ...chain.lot.producer!, name: 'Fengjie Co.' };
  chain.lot.warnings = ['recalled'];
  chain.lot.recallHazards = ['沙门氏菌超标'];
  const page = render(chain, { ...OPTIONS, lang: 'en' });
  const body = page.slice(page.indexOf('</header>'));
  const marked = [...body.matchAll(/<span lang="zh-CN">([^<]*)<\/span>/g)].map((match) => match[1]);
  for (const datum of [
    '奉上好品·奉节腊肉 500g',
    FARM_1,
    FARM_2,
    '奉节县肉类联合加工有限公司（定点屠宰分割厂）',
    '屠宰分割车间',
    '甘溪沟冷链中心2号冷藏库（0–4℃）',
    '盐酸克伦特罗（瘦肉精）',
    '阴性',
    '重庆渝检食品检测技术有限公司',
    '重庆市奉节县',
    '沙门氏菌超标',
    '生猪（长白×荣昌）',
  ]) {
    t.ok(marked.includes(datum), `${datum} is marked zh-CN`);
  }
  t.ok(
    marked.every((text) => /\p{Script=Han}/u.test(text)),
    'no English text is marked Chinese',
  );
  t.match(sectionOf(page, 'Producer'), '<p>Fengjie Co.<br>', 'a Latin name is the page’s language');
  t.match(page, 'data-brand="FJLR">Fengjie Cured Pork GI</span>', 'as is a brand’s English name');
  t.match(page, '<code>KZ-LR-20261028-500G</code>', 'and a Latin lot number');
  // every Chinese character the body shows is inside a zh-CN span (the picture marks its labels on its text elements)
  const unmarked = body
    .replace(/<svg[\s\S]*<\/svg>/, '')
    .replace(/<span lang="zh-CN">[^<]*<\/span>/g, '')
    .replace(/<a [^>]*lang="zh-CN">中文<\/a>/, '');
  t.notMatch(unmarked, /\p{Script=Han}/u, 'no Chinese left unmarked');
  t.equal([...page.matchAll(/<text class="label"[^>]*>/g)].filter((match) => !match[0].includes('lang="zh-CN"')).length, 0);
  t.notMatch(render(chain), /<span lang=/, 'the Chinese page marks nothing');
});

t.test('the chain has a text version: an ordered list next to the picture, which it describes', async (t) => {
  const page = render(demo());
  const section = sectionOf(page, '溯源链');
  t.match(section, /<svg [^>]*role="img" aria-labelledby="lineage-title" aria-describedby="lineage-steps"/);
  t.match(section, /<\/svg><\/div><ol id="lineage-steps" class="visually-hidden"><li>1\. 种养殖：生猪（长白×荣昌）<\/li>/);
  t.match(section, '<li>6. 本品：奉上好品·奉节腊肉 500g</li></ol>');
  t.match(page, '.visually-hidden{position:absolute;width:1px;height:1px;', 'hidden from the eye, not from a screen reader');
  const en = sectionOf(render(demo(), { ...OPTIONS, lang: 'en' }), 'Trace chain');
  t.match(en, '<li>3. Slaughter: <span lang="zh-CN">白条猪（带皮猪胴体）</span> (from items 1 and 2)</li>');
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
  bare.lot.brands = [];
  bare.lot.producer = null;
  bare.lot.origins = [];
  bare.lot.timeline = [];
  bare.lot.lot = { ...bare.lot.lot, lotNumber: null, productionDate: null, expiryDate: null };
  const page = render({ ...bare, lot: { ...bare.lot, origins: [{ farm: FARM_1, regionCode: '999999', earTagCount: 0 }] } });
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
  t.match(textOf(first), '此码已被扫描 1 次，首次扫描于 2026-11-20 10:15');
  t.notMatch(first, 'alert warn');
  t.match(copied, 'value="M3TW8KQ2R5X"');
  t.notMatch(copied, 'K7QM2XR9P4D');
  t.match(textOf(copied), '此码已被扫描 40 次，首次扫描于 2026-11-01 08:00');
  t.match(copied, '此码疑似被仿冒');
  t.match(english, 'From farm to shop', 'each language renders its own sections');
  t.notMatch(english, '原料产地');
  t.equal(String(consumerPage(lot, demoPack(), OPTIONS)), render(demo()), 'the same page as from a fresh lot summary');
});

t.test('notGenuinePage warns in both languages', async (t) => {
  const zh = notGenuinePage('ZZZZ<1>', 'zh-CN', '/complaints?lang=zh-CN');
  t.match(zh, '<html lang="zh-CN">');
  t.match(zh, '此码未登记，可能不是正品');
  t.match(zh, '请谨慎购买，并可向市场监管部门举报');
  t.match(zh, 'ZZZZ&lt;1&gt;');
  t.match(zh, '您扫描或输入的码 ZZZZ&lt;1&gt; 在本溯源平台没有登记记录。', 'a code typed at / leads here too');
  t.match(zh, 'href="?lang=en"');
  const en = notGenuinePage('ZZZZ1', 'en', '/complaints?lang=en');
  t.match(en, '<html lang="en">');
  t.match(en, 'This code is not registered — it may not be genuine');
  t.match(en, 'report it to market regulators');
  t.match(en, 'The code ZZZZ1 you scanned or typed has no record on this traceability platform.');
  t.match(en, 'href="?lang=zh-CN"');
});

// a shopper holding a pack whose code was never issued may report it where they read so, as on a genuine pack's page
t.test('notGenuinePage carries the complaint form, counterfeit chosen, posting where the scan page posts', async (t) => {
  const path = '/complaints?lang=zh-CN&from=%2Ft%2FZZZZ1';
  const zh = notGenuinePage('ZZZZ<1>', 'zh-CN', path);
  t.match(zh, `<form method="post" action="${path.replaceAll('&', '&amp;')}"`);
  t.match(zh, '<input type="hidden" name="code" value="ZZZZ&lt;1&gt;">');
  t.match(zh, '<option value="counterfeit" selected>');
  t.match(zh, TEXT['zh-CN'].complaint);
  t.match(notGenuinePage('ZZZZ1', 'en', path), TEXT.en.complaint, 'in English too');
});

t.test("a product's own code names the product, its maker when known, and what to scan instead", async (t) => {
  const zh = productCodePage({ name: '腊肉<500g>', maker: '夔州腊味' }, 'zh-CN');
  t.match(zh, '<html lang="zh-CN">');
  t.match(zh, '<h1>腊肉&lt;500g&gt;</h1>');
  t.match(zh, '这是夔州腊味的产品“腊肉&lt;500g&gt;”的产品码，已在本平台登记');
  t.match(zh, TEXT['zh-CN'].productCodeNoLot);
  t.match(zh, TEXT['zh-CN'].productCodeAdvice);
  t.notMatch(zh, 'role="alert"', 'nothing alarming: the product is registered');
  t.match(zh, 'href="?lang=en"');
  const en = productCodePage({ name: 'Cured pork', maker: null }, 'en');
  t.match(en, '<html lang="en">');
  t.match(en, 'This is the code of the product Cured pork, registered on this platform', 'no maker named when none is known');
  t.notMatch(en, ' by ');
  t.match(en, 'href="?lang=zh-CN"');
  const chinese = productCodePage({ name: '腊肉<500g>', maker: '夔州腊味' }, 'en');
  t.match(chinese, '<h1><span lang="zh-CN">腊肉&lt;500g&gt;</span></h1>', 'Chinese names marked as such on the English page');
  t.match(chinese, 'the product <span lang="zh-CN">腊肉&lt;500g&gt;</span> by <span lang="zh-CN">夔州腊味</span>, registered');
});

t.test('a scan that cannot be answered says why, in the page language', async (t) => {
  for (const lang of ['zh-CN', 'en'] as const) {
    const text = TEXT[lang];
    const says = (status: number) => /role="alert">([^<]+)</.exec(scanErrorPage(status, lang))?.[1];
    t.equal(says(400), text.invalidCode, `${lang}: a malformed code is not valid`);
    t.equal(says(404), text.invalidCode, `${lang}: nor is a path no label links to`);
    t.equal(says(429), text.tooManyRequests, `${lang}: too many lookups`);
    t.equal(says(500), text.unavailable, `${lang}: a failure is the service's, not the code's`);
    t.match(scanErrorPage(400, lang), `<html lang="${lang}">`);
  }
});

t.test('the verdict comes first: a genuine code says so, with its scans in China time', async (t) => {
  const pack = { ...demoPack(), scans: { count: 2, firstScannedAt: new Date('2026-11-19T17:30:00.000Z') } };
  const page = render({ lot: demoLot(), pack });
  const verdict = verdictOf(page);
  t.match(verdict, /^<div class="verdict" role="status"><p class="verdict-title">正品 · 已登记<\/p>/, 'first after the header');
  t.equal(
    textOf(verdict),
    `正品 · 已登记 此码已被扫描 2 次，首次扫描于 2026-11-20 01:30（北京时间） ${TEXT['zh-CN'].scansHint}`,
    'the day in China',
  );
  t.match(verdict, '<span class="nowrap">2026-11-20 01:30</span>', 'the date and time are not broken across lines');
  t.ok(page.indexOf('正品 · 已登记') < page.indexOf('<h1>'), 'before the product');
  t.equal(page.split('此码已被扫描').length, 2, 'the scan count is said once, at the top');
  t.notMatch(page, 'class="card"', 'no untitled card further down');
  t.notMatch(page, 'role="alert"');

  const english = render({ lot: demoLot(), pack }, { ...OPTIONS, lang: 'en' });
  t.match(textOf(verdictOf(english)), /^Genuine · registered Scanned 2 times, first on 2026-11-20 01:30 /);

  const lotOnly = render({ lot: demoLot(), pack: { code: 'BLPK8Q3M2N7X', scans: { count: 0, firstScannedAt: null }, flagged: false } });
  t.equal(textOf(verdictOf(lotOnly)), '正品 · 已登记', 'a lot reached by its GS1 link has no scans to show');
});

// China time is all the pages show; an English reader is told so once, where the first time shows
t.test('the page says once that its times are Beijing time', async (t) => {
  const count = (page: string, words: string) => page.split(words).length - 1;
  const scanned = { ...demoPack(), scans: { count: 2, firstScannedAt: new Date('2026-11-19T17:30:00.000Z') } };
  const english = render({ lot: demoLot(), pack: scanned }, { ...OPTIONS, lang: 'en' });
  t.match(textOf(verdictOf(english)), /^Genuine · registered Scanned 2 times, first on 2026-11-20 01:30 \(Beijing time, UTC\+8\) /);
  t.match(english, '<span class="nowrap">2026-11-20 01:30</span> (Beijing time, UTC+8)', 'the time kept together, the zone may wrap');
  t.equal(count(english, 'Beijing time'), 1, 'once, at the first time');
  const chinese = render({ lot: demoLot(), pack: scanned });
  t.match(textOf(verdictOf(chinese)), '首次扫描于 2026-11-20 01:30（北京时间）');
  t.equal(count(chinese, '北京时间'), 1);
  const unscanned = { ...demoPack(), scans: { count: 0, firstScannedAt: null } };
  for (const lang of ['zh-CN', 'en'] as const) {
    const page = render({ lot: demoLot(), pack: unscanned }, { ...OPTIONS, lang });
    t.equal(count(page, lang === 'en' ? 'Beijing time' : '北京时间'), 1, `${lang}: no scans: once all the same`);
    t.match(
      sectionOf(page, TEXT[lang].timeline),
      `<h2>${TEXT[lang].timeline}</h2><p class="muted">${TEXT[lang].timesInBeijingTime}</p>`,
      `${lang}: above the first time, the timeline's`,
    );
    const lot = { ...demoLot(), timeline: [], tests: [] };
    t.equal(
      count(render({ lot, pack: unscanned }, { ...OPTIONS, lang }), TEXT[lang].timesInBeijingTime),
      0,
      `${lang}: no times, no word of them`,
    );
    const onlyTests = render({ lot: { ...demoLot(), timeline: [] }, pack: unscanned }, { ...OPTIONS, lang });
    t.equal(count(onlyTests, TEXT[lang].timesInBeijingTime), 1, `${lang}: a test's time is one`);
  }
});

t.test('a lot out of circulation shows its own banner only, never a counterfeit warning', async (t) => {
  const flagged = { ...demoPack(), flagged: true };
  for (const lang of ['zh-CN', 'en'] as const) {
    const text = TEXT[lang];
    for (const warning of ['recalled', 'held', 'destroyed'] as const) {
      const page = render({ lot: { ...demoLot(), warnings: [warning] }, pack: flagged }, { ...OPTIONS, lang });
      const verdict = verdictOf(page);
      t.match(
        verdict,
        `<div class="alert stop" role="alert">${text.banners[warning]}<p>${text.bannerHint}</p></div>`,
        `${lang} ${warning}: its banner first`,
      );
      t.equal(verdict.match(/class="alert/g)?.length, 1, `${lang} ${warning}: one banner`);
      t.notMatch(page, text.counterfeit, `${lang} ${warning}: not called counterfeit`);
      t.notMatch(page, 'alert warn');
      t.notMatch(page, text.genuine, `${lang} ${warning}: not called genuine either`);
      t.notMatch(page, ' selected>', 'the complaint form suggests no counterfeit');
      t.match(verdict, '<p class="muted scans">', 'the scan count stays, as a plain line');
    }
  }
  const banners = (warnings: Warning[], pack = flagged) =>
    [
      ...verdictOf(render({ lot: { ...demoLot(), warnings: warnings as LotSummary['warnings'] }, pack })).matchAll(
        /<div class="alert (\w+)" role="alert">([^<]+)/g,
      ),
    ].map((match) => `${match[1]}:${match[2]}`);
  const zh = TEXT['zh-CN'];
  t.strictSame(banners(['held', 'expired']), [`stop:${zh.banners.held}`, `stop:${zh.banners.expired}`], 'each warning its own banner');
  t.strictSame(
    banners(['expired']),
    [`stop:${zh.banners.expired}`, `warn:${zh.counterfeit}`],
    'an expired pack is still sold, so a copied code is still said to be one',
  );
  t.strictSame(banners(['expired'], demoPack()), [`stop:${zh.banners.expired}`]);
});

t.test('a copied code of a lot in circulation: the counterfeit warning, with the scans, in place of the genuine header', async (t) => {
  const page = render({ lot: demoLot(), pack: { ...demoPack(), flagged: true } });
  const verdict = verdictOf(page);
  t.match(verdict, /^<div class="alert warn" role="alert">此码疑似被仿冒/);
  t.match(textOf(verdict), '此码已被扫描 3 次，首次扫描于 2026-11-20 10:15');
  t.notMatch(page, '正品 · 已登记');
});

t.test('each test names what it tested and the value found', async (t) => {
  const page = render(demo());
  const tests = sectionOf(page, '检测报告');
  const lines = [...tests.matchAll(/<ul class="test-items">(.*?)<\/ul>/g)].map((match) =>
    [...match[1].matchAll(/<li>(.*?)<\/li>/g)].map((item) => textOf(item[1])),
  );
  t.strictSame(lines, [
    ['盐酸克伦特罗（瘦肉精） 阴性', '莱克多巴胺 阴性'],
    ['感官检验 色泽鲜红、无异味', '中心温度 3.2 ℃ (≤ 7℃)'],
    ['亚硝酸盐（以NaNO2计） 8.6 mg/kg (≤ 30)', '过氧化值（以脂肪计） 0.21 g/100g (≤ 0.5)', '苯并[a]芘 1.2 μg/kg (≤ 5.0)'],
  ]);
  t.equal(tests.match(/快速检测/g)?.length, 1, 'a test listed once');

  const failed = demo();
  failed.lot.tests[2].result = 'fail';
  failed.lot.tests[2].items = [
    { name: '亚硝酸盐（以NaNO2计）', value: 45, unit: 'mg/kg', limit: '≤30', result: 'fail' },
    { name: '菌落总数', value: null, unit: null, limit: null, result: 'fail' },
    { name: '瘦肉精', value: null, unit: null, limit: null, result: 'pass' },
  ];
  const failedTests = sectionOf(render(failed), '检测报告');
  t.match(
    failedTests,
    '<li>亚硝酸盐（以NaNO2计） <strong>45 mg/kg</strong> <span class="muted">(≤ 30)</span> <span class="fail">不合格</span></li>',
  );
  t.match(failedTests, '<li>菌落总数 <span class="fail">不合格</span></li>', 'an item without a value shows its result');
  t.match(failedTests, '<li>瘦肉精 <span class="pass">合格</span></li>');

  const english = sectionOf(render(demo(), { ...OPTIONS, lang: 'en' }), 'Test reports');
  t.match(textOf(english), 'Rapid test · Pass 盐酸克伦特罗（瘦肉精） 阴性 莱克多巴胺 阴性');
});

t.test('an address is not preceded by the region it already names; farms show their region alone', async (t) => {
  const page = render(demo());
  const producer = sectionOf(page, '生产企业');
  t.equal(textOf(producer.slice(producer.indexOf('<span class="muted">'))), '重庆市奉节县夔门街道食品工业园12号');
  t.equal(sectionOf(page, '原料产地').match(/重庆市奉节县/g)?.length, 2, 'once per farm');
  t.notMatch(page, '重庆市奉节县 · 重庆市奉节县');

  const other = demo();
  other.lot.producer = { ...other.lot.producer!, address: '夔门街道食品工业园12号' };
  other.lot.origins[1] = { ...other.lot.origins[1], regionCode: '500103' };
  const otherPage = render(other);
  t.match(sectionOf(otherPage, '生产企业'), '重庆市奉节县 · 夔门街道食品工业园12号', 'a short address follows its region');
  const origins = sectionOf(otherPage, '原料产地');
  t.match(origins, '<span class="muted">重庆市奉节县 · 已登记耳标 6 个</span>', 'a farm: its region alone');
  t.match(origins, '<span class="muted">重庆市渝中区 · 已登记耳标 4 个</span>', 'in whatever region');
});

t.test('every page carries its icon inline, so no /favicon.ico is asked for', async (t) => {
  const svg = decodeURIComponent(FAVICON_HREF.replace(/^data:image\/svg\+xml,/, ''));
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/);
  t.notMatch(FAVICON_HREF, /["'<>\s]/, 'safe inside an attribute');
  for (const page of [
    render(demo()),
    render(demo(), { ...OPTIONS, lang: 'en' }),
    notGenuinePage('ZZZZ1', 'zh-CN', '/complaints?lang=zh-CN'),
  ]) {
    const head = page.slice(0, page.indexOf('</head>'));
    t.equal(head.match(/<link rel="icon"[^>]*>/g)?.join(), `<link rel="icon" type="image/svg+xml" href="${FAVICON_HREF}">`);
  }
});

t.test("a lot's parts are rendered once per lot summary and language; a scan renders only its pack's lines", async (t) => {
  const lot = demoLot();
  const before = render({ lot, pack: demoPack() });
  // changing the summary object behind the cache's back shows what is cached and what is not
  lot.product = { ...lot.product!, name: 'CHANGED' };
  const after = render({
    lot,
    pack: { ...demoPack(), code: 'M3TW8KQ2R5X', scans: { count: 9, firstScannedAt: new Date('2026-11-21T00:00:00.000Z') } },
  });
  t.notMatch(after, 'CHANGED', 'the sections come from the cache');
  t.equal(
    after.slice(after.indexOf('<section>'), after.indexOf('<section id="complaint">')),
    before.slice(before.indexOf('<section>'), before.indexOf('<section id="complaint">')),
  );
  t.match(after, 'value="M3TW8KQ2R5X"', 'the pack is its own');
  t.match(after, '此码已被扫描 9 次');
  t.match(render({ lot, pack: demoPack() }, { ...OPTIONS, lang: 'en' }), 'CHANGED', 'another language renders afresh');
});

t.test('brand badges: the brands the producer was admitted to on the production day, named in the page language', async (t) => {
  const zh = render(demo());
  t.match(zh, '<span class="badge brand gi" data-brand="FJLR">奉节腊肉 地理标志</span>');
  t.match(zh, '<span class="badge brand regional" data-brand="FSHP">奉上好品</span>');
  const en = render(demo(), { ...OPTIONS, lang: 'en' });
  t.match(en, '>Fengjie Cured Pork GI</span>');
  t.match(en, '>Fengjie Finest</span>');
  const unbranded = render({ ...demo(), lot: { ...demoLot(), brands: [] } });
  t.notMatch(unbranded, 'badge brand', 'no badge the lot did not earn');
  t.match(unbranded, '地理标志产品', "the product's own marks still show");
});

t.test('a pack in a held container shows the hold banner; the next pack of the lot, from the same cached parts, does not', async (t) => {
  const lot = demoLot();
  const inHeldCase: PackFacts = {
    ...demoPack(),
    code: 'M3TW8KQ2R5X',
    flagged: true,
    container: { onHold: true, recalled: false, destroyed: false },
  };
  const other = demoPack();
  for (const lang of ['zh-CN', 'en'] as const) {
    const text = TEXT[lang];
    const held = render({ lot, pack: inHeldCase }, { ...OPTIONS, lang });
    t.match(
      held,
      `<div class="alert stop" role="alert">${text.banners.on_hold}<p>${text.bannerHint}</p></div>`,
      `${lang}: the hold banner`,
    );
    t.notMatch(held, text.genuine, `${lang}: not called genuine`);
    t.notMatch(held, text.counterfeit, `${lang}: nor counterfeit`);
    const plain = render({ lot, pack: other }, { ...OPTIONS, lang });
    t.notMatch(plain, 'alert stop', `${lang}: the lot's other pack has no banner`);
    t.match(plain, text.genuine);
    const recalled = render(
      { lot, pack: { ...other, container: { onHold: false, recalled: true, destroyed: false } } },
      { ...OPTIONS, lang },
    );
    t.match(recalled, `role="alert">${text.banners.recalled}`, `${lang}: a recalled container`);
    t.equal(recalled.match(/class="alert /g)?.length, 1, `${lang}: its banner only`);
    const destroyed = render(
      { lot, pack: { ...other, container: { onHold: false, recalled: false, destroyed: true } } },
      { ...OPTIONS, lang },
    );
    t.match(destroyed, `role="alert">${text.banners.destroyed}`, `${lang}: a destroyed container: the destroyed lot's banner`);
    t.equal(destroyed.match(/class="alert /g)?.length, 1, `${lang}: its banner only`);
    t.notMatch(destroyed, text.genuine, `${lang}: not called genuine`);
  }
  const both = render({ lot: { ...demoLot(), warnings: ['on_hold'] }, pack: inHeldCase });
  t.equal(both.match(/class="alert /g)?.length, 1, 'a lot and its container both held: one banner');
});

t.test('the failed-test banner says what is known: a failed test, not a detention', async (t) => {
  for (const lang of ['zh-CN', 'en'] as const) {
    t.notMatch(TEXT[lang].banners.held, /暂扣|detain|held/i, `${lang}: ${TEXT[lang].banners.held}`);
  }
});

t.test('a certificate of a type the pages do not name is shown by its type, in either language', async (t) => {
  const unnamed = demo();
  unnamed.lot.certificates = [{ type: 'export_health_certificate', number: 'EX-1' }];
  for (const lang of ['zh-CN', 'en'] as const) {
    const page = render(unnamed, { ...OPTIONS, lang });
    t.match(sectionOf(page, TEXT[lang].certificates), '<li>export_health_certificate<br><code>EX-1</code></li>', lang);
  }
});
