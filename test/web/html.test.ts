import { escapeXml, FAVICON_HREF, Html, html, LAYOUT_END, languageSwitch, layout, list, shanghaiTime } from '../../src/web/html.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('escapeXml escapes the five markup characters and nothing else', async (t) => {
  t.equal(escapeXml(`<a href="x">Tom & Jerry's</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  t.equal(escapeXml('&amp;'), '&amp;amp;', 'text that looks escaped is still text');
  t.equal(escapeXml('奉节腊肉 500g · 2–4 °C'), '奉节腊肉 500g · 2–4 °C');
});

t.test('html escapes interpolated strings, in text and in attributes', async (t) => {
  const name = '<script>alert("x")</script>';
  t.equal(html`<h1>${name}</h1>`.value, '<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>');
  t.equal(html`<a href="${'/t/x?a=1&b="2"'}">`.value, '<a href="/t/x?a=1&amp;b=&quot;2&quot;">');
  t.equal(html`<p>${"it's"}</p>`.value, '<p>it&#39;s</p>');
});

t.test('html never escapes Html twice', async (t) => {
  const inner = html`<b>${'a & b'}</b>`;
  t.equal(inner.value, '<b>a &amp; b</b>');
  t.equal(html`<p>${inner}</p>`.value, '<p><b>a &amp; b</b></p>', 'nested templates keep their escaping');
  t.equal(html`<p>${html`${html`${'<'}`}`}</p>`.value, '<p>&lt;</p>', 'however deep');
  t.equal(html`${new Html('<br>')}`.value, '<br>', 'markup marked safe is kept');
});

t.test('html renders arrays, numbers and leaves out empty values', async (t) => {
  t.equal(html`<ul>${['<a>', html`<li>b</li>`, ['c', 2]]}</ul>`.value, '<ul>&lt;a&gt;<li>b</li>c2</ul>');
  t.equal(html`[${0}]`.value, '[0]', 'zero is a value');
  t.equal(html`[${null}${undefined}${false}]`.value, '[]');
  t.equal(html`[${''}]`.value, '[]');
});

t.test('shanghaiTime is UTC+8 whatever the server zone', async (t) => {
  const serverZone = process.env.TZ;
  t.teardown(() => {
    if (serverZone === undefined) delete process.env.TZ;
    else process.env.TZ = serverZone;
  });
  process.env.TZ = 'America/New_York';
  t.equal(shanghaiTime('2026-11-20T02:15:00.000Z'), '2026-11-20 10:15');
  t.equal(shanghaiTime('2026-12-31T16:00:00Z'), '2027-01-01 00:00', 'the date and year roll over');
  t.equal(shanghaiTime('2026-07-01T12:00:00+02:00'), '2026-07-01 18:00', 'an offset in the input is honoured');
  t.equal(shanghaiTime('2026-03-08T07:30:00Z'), '2026-03-08 15:30', "the server zone's daylight saving changes nothing");
});

t.test('list renders items, or the dictionary word for none', async (t) => {
  const items = list(TEXT['zh-CN'], ['甲', '<乙>'], (item) => html`<li>${item}</li>`);
  t.equal(items.value, '<ul><li>甲</li><li>&lt;乙&gt;</li></ul>');
  t.equal(list(TEXT['zh-CN'], [], () => html`<li></li>`).value, '<p class="muted">暂无记录</p>');
  t.equal(list(TEXT.en, [], () => html`<li></li>`).value, '<p class="muted">None recorded</p>');
});

t.test('layout wraps a body in a complete page in the given language', async (t) => {
  const page = layout('zh-CN', '标题 <1>', '/p?lang=en', html`<section>${'正文'}</section>`);
  t.match(page, /^<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">/);
  t.match(page, '<title>标题 &lt;1&gt;</title>');
  t.match(page, /<style>[^<]*body\{[^<]*<\/style>/, 'the CSS is inline');
  t.match(page, '<header><span>县域食品溯源 · 正品查询</span><a href="/p?lang=en" hreflang="en" lang="en">English</a></header>');
  t.ok(page.endsWith(`<section>正文</section>${LAYOUT_END}`), 'the body comes last, then the end');
  t.notMatch(page, /<script|<link(?! rel="icon" type="image\/svg\+xml" href="data:)|src="http/, 'no scripts or external assets');
  t.match(page, `<link rel="icon" type="image/svg+xml" href="${FAVICON_HREF}">`, 'an inline icon, so no /favicon.ico is asked for');
  t.match(FAVICON_HREF, /^data:image\/svg\+xml,%3Csvg[^"'<>\s]*%3C%2Fsvg%3E$/, 'a whole SVG, percent-encoded');

  const en = layout('en', 'Title', null, html``);
  t.match(en, '<html lang="en">');
  t.match(en, '<header><span>County food traceability · Genuine check</span></header>', 'no switch without a page to switch to');
});

t.test('languageSwitch links to the other language and names it in that language', async (t) => {
  t.equal(languageSwitch('en', '/t/X?lang=zh-CN').value, '<a href="/t/X?lang=zh-CN" hreflang="zh-CN" lang="zh-CN">中文</a></header>\n');
  t.equal(languageSwitch('zh-CN', null).value, '</header>\n');
});
