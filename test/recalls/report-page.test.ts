// A recall's printable report in each page language: the Chinese pages (the API's and the dashboard's)
// name units and statuses in Chinese and carry no English words of their own; the English ones are
// English throughout, with the Chinese master data (names, reasons, products) marked zh-CN. Each page
// has the language switch to the same report in the other language, by its own address.
import { signInToDashboard } from '../fixtures/dashboard.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The page's body as text a reader sees: no markup, no codes (ids and lot codes in `<code>`), no times. */
const visibleText = (page: string) =>
  page
    .slice(page.indexOf('</header>'))
    .replace(/<code>[^<]*<\/code>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d/g, ' ');
/** The page's body with its text marked zh-CN taken out. */
const unmarked = (page: string) => page.slice(page.indexOf('</header>')).replace(/<span lang="zh-CN">[^<]*<\/span>/g, ' ');

t.test('the report names quantities in the page language and says nothing in the other', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse', '奉节屠宰厂');
  const shop = await world.party('retailer', '永乐超市');
  const meat = await plant.commission(await plant.product('kg', { name: '腊肉' }), 100);
  const packs = await plant.commission(await plant.product('piece', { name: '香肠礼盒' }), 20);
  await world.handOver(plant, shop, meat, 30);
  await world.handOver(plant, shop, packs, 5);
  const recall = await world.ok(
    plant.api.post('/recalls', { lotCodes: [meat, packs], level: 2, reason: '抽检不合格', hazard: '瘦肉精超标' }),
  );
  await world.ok(shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: meat, destroyed: 10 }], note: '已下架' }));

  const { key } = await world.ok(world.admin.post('/api-keys', { role: 'regulator' }));
  const api = await world.app.inject({
    method: 'GET',
    url: `/recalls/${recall.id}/report?format=html`,
    headers: { authorization: `Bearer ${key}` },
  });
  const { open } = await signInToDashboard(world);
  const url = `/regulator/dashboard/recalls/${recall.id}/report`;
  const chinesePages = { 'the API': api.body, 'the dashboard': (await open(url)).body };
  for (const [where, page] of Object.entries(chinesePages)) {
    t.match(page, '<html lang="zh-CN">', `${where}: a Chinese page`);
    t.match(page, '30 千克', `${where}: kilograms in Chinese`);
    t.match(page, '5 件', `${where}: pieces in Chinese`);
    t.match(page, '已召回', `${where}: a lot's status in Chinese`);
    t.notMatch(visibleText(page), /[A-Za-z]{2,}/, `${where}: no English word`);
    t.notMatch(page.slice(page.indexOf('</header>')), 'lang="zh-CN"', `${where}: nothing marked, the page is Chinese`);
    t.match(page, '<h1>召回报告</h1>\n<p class="muted">以下时间均为北京时间。</p>', `${where}: its times said to be Beijing time`);
  }
  t.match(
    chinesePages['the dashboard'],
    `<a href="${url}?lang=en" hreflang="en" lang="en">English</a></header>`,
    'the dashboard’s Chinese page switches to its English one',
  );
  const apiUrl = `/recalls/${recall.id}/report?format=html`;
  t.match(
    api.body,
    `<a href="${apiUrl}&amp;lang=en" hreflang="en" lang="en">English</a></header>`,
    'the API’s Chinese page switches to its English one',
  );
  t.notMatch(api.body, 'Back to', 'the API’s page has no link back to the dashboard');

  const apiEnglish = await world.app.inject({ method: 'GET', url: `${apiUrl}&lang=en`, headers: { authorization: `Bearer ${key}` } });
  t.equal(apiEnglish.statusCode, 200);
  t.match(apiEnglish.headers['content-type'], 'text/html');
  t.match(
    apiEnglish.body,
    `<a href="${apiUrl}&amp;lang=zh-CN" hreflang="zh-CN" lang="zh-CN">中文</a></header>`,
    'the API’s English page switches to its Chinese one, by name: an English browser’s would be English',
  );
  t.notMatch(apiEnglish.body, '<a href="/regulator/dashboard', 'the API’s English page has no link back to the dashboard');
  const viaAccept = await world.app.inject({
    method: 'GET',
    url: `/recalls/${recall.id}/report?lang=en`,
    headers: { authorization: `Bearer ${key}`, accept: 'text/html' },
  });
  t.match(viaAccept.body, '<html lang="en">', 'asked for by Accept: text/html, in English too');
  const json = await world.app.inject({
    method: 'GET',
    url: `/recalls/${recall.id}/report?lang=en`,
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(json.json().recall.id, recall.id, 'the JSON report takes the parameter and is the same report');
  const unknown = await world.app.inject({ method: 'GET', url: `${apiUrl}&lang=fr`, headers: { authorization: `Bearer ${key}` } });
  t.equal(unknown.statusCode, 400, 'a language the pages do not have is refused');

  const englishPages = { 'the API': apiEnglish.body, 'the dashboard': (await open(`${url}?lang=en`)).body };
  for (const [where, english] of Object.entries(englishPages)) {
    t.match(english, '<html lang="en">', `${where}: an English page`);
    t.match(english, '<h1>Recall report</h1>\n<p class="muted">Times below are Beijing time (UTC+8).</p>', where);
    t.match(english, '<dt>Level</dt><dd>Level 2</dd>', where);
    t.match(english, '30 kg', `${where}: a unit by its code`);
    t.match(english, '5 piece', where);
    t.match(english, '>Recalled</td>', `${where}: a lot's status in English`);
    for (const text of ['奉节屠宰厂', '永乐超市', '腊肉', '抽检不合格', '瘦肉精超标', '已下架']) {
      t.match(english, `<span lang="zh-CN">${text}</span>`, `${where}: ${text} marked zh-CN`);
    }
    t.notMatch(unmarked(english), /[\p{Script=Han}]/u, `${where}: no Chinese but what is marked`);
  }
  const english = englishPages['the dashboard'];
  t.match(english, `<a href="${url}" hreflang="zh-CN" lang="zh-CN">中文</a></header>`, 'the language switch, to the Chinese page');
  t.match(english, '<a href="/regulator/dashboard?lang=en">Back to the dashboard</a>');
});

t.test('the API’s page follows lang, else the browser’s Accept-Language, else Chinese, and says it varies by it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse', '奉节屠宰厂');
  const meat = await plant.commission(await plant.product('kg', { name: '腊肉' }), 10);
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [meat], level: 2, reason: '抽检不合格', hazard: '瘦肉精超标' }));
  const { key } = await world.ok(world.admin.post('/api-keys', { role: 'regulator' }));
  const get = (query: string, headers: Record<string, string> = {}) =>
    world.app.inject({
      method: 'GET',
      url: `/recalls/${recall.id}/report${query}`,
      headers: { authorization: `Bearer ${key}`, ...headers },
    });
  const english = { 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' };

  const byBrowser = await get('?format=html', english);
  t.match(byBrowser.body, '<html lang="en">', 'an English browser gets the English page');
  t.match(byBrowser.headers.vary, /\bAccept-Language\b/, 'a cache keeps the languages apart');
  const byAccept = await get('', { accept: 'text/html', ...english });
  t.match(byAccept.body, '<html lang="en">', 'a page asked for by Accept too');
  t.match(byAccept.headers.vary, /\bAccept\b.*\bAccept-Language\b/, 'that answer follows Accept as well');
  const json = await get('', english);
  t.equal(json.json().recall.id, recall.id, 'no page asked for: JSON');
  t.match(json.headers.vary, /\bAccept\b.*\bAccept-Language\b/, 'the JSON at that address says so too: a page is one Accept away');

  const named = await get('?format=html&lang=zh-CN', english);
  t.match(named.body, '<html lang="zh-CN">', 'lang is before the browser’s');
  t.notMatch(named.headers.vary ?? '', /Accept-Language/, 'a page whose lang is named does not vary by the browser’s');
  t.match(
    (await get('?format=html', { 'accept-language': 'fr-FR,de;q=0.8' })).body,
    '<html lang="zh-CN">',
    'a browser in neither language: Chinese',
  );
  t.match((await get('?format=html')).body, '<html lang="zh-CN">', 'no Accept-Language: Chinese');
  t.match((await get('?format=html', { 'accept-language': 'zh-TW,en;q=0.8' })).body, '<html lang="zh-CN">', 'a Chinese browser: Chinese');
  t.notMatch((await get('?format=json', english)).headers.vary ?? '', /Accept/, 'JSON by its format: neither header matters');
});
