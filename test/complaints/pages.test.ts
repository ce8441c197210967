import { complaintNotFoundPage, complaintReceivedPage, complaintStatusPage } from '../../src/complaints/pages.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('complaintReceivedPage shows the ticket and a status link', async (t) => {
  const zh = complaintReceivedPage('TS-20261120-0042', '/complaints/TS-20261120-0042', 'zh-CN');
  t.match(zh, '<div class="alert ok" role="status">投诉已提交</div>');
  t.match(zh, '投诉编号');
  t.match(zh, '<code>TS-20261120-0042</code>');
  t.match(zh, '<a class="link" href="/complaints/TS-20261120-0042">查询处理进度</a>');
  const en = complaintReceivedPage('TS-1', '/complaints/TS-1?x=1&y=2', 'en');
  t.match(en, 'Ticket number');
  t.match(en, 'href="/complaints/TS-1?x=1&amp;y=2"');
  t.match(en, '<html lang="en">');
  // a GET page (the form post leads to it): its language switch keeps it the receipt, and a way on to the lookup page
  t.match(en, '<a href="?lang=zh-CN&amp;received=1" hreflang="zh-CN" lang="zh-CN">中文</a>', 'the switch, still the receipt');
  t.match(zh, '<a href="?lang=en&amp;received=1" hreflang="en" lang="en">English</a>');
  t.match(zh, `<a class="link" href="/?lang=zh-CN">${TEXT['zh-CN'].enterCode}</a>`, 'a link to the lookup page');
  t.match(en, `<a class="link" href="/?lang=en">${TEXT.en.enterCode}</a>`);
  // regulators handle a complaint; its producer reads it without the phone number (GET /complaints): the receipt says so
  t.match(zh, '<p>市场监管部门将核实处理，生产企业也会看到您反映的问题（不含您的电话）。请保存投诉编号以便查询。</p>');
  t.notMatch(zh, '生产企业将核实', 'no promise that the producer acts on it');
  t.match(
    en,
    '<p>Market regulators will look into it; the producer also sees what you reported (not your phone number). Keep the ticket number to check progress.</p>',
  );
});

t.test('complaintStatusPage shows the status and its times in China time', async (t) => {
  const complaint = {
    ticket: 'TS-20261120-0042',
    status: 'investigating',
    createdAt: new Date('2026-11-20T02:15:00.000Z'),
    updatedAt: new Date('2026-11-20T16:30:00.000Z'),
  };
  const zh = complaintStatusPage(complaint, 'zh-CN');
  t.match(zh, '<title>投诉处理进度</title>');
  t.match(zh, '<code>TS-20261120-0042</code>');
  t.match(zh, '<dt>处理状态</dt><dd><strong>调查处理中</strong></dd>', 'the field is named apart from the heading');
  t.equal(zh.split('投诉处理进度').length - 1, 2, 'the heading in the title and the page only');
  t.match(zh, '<dt>提交时间</dt><dd>2026-11-20 10:15（北京时间）</dd>', 'the zone said once, at the first time');
  t.match(zh, '<dt>最近更新</dt><dd>2026-11-21 00:30</dd>', 'past midnight in China');
  t.equal(zh.split('北京时间').length - 1, 1);
  t.match(zh, '<a href="?lang=en" hreflang="en" lang="en">English</a>', 'the language switch');
  t.match(zh, `<a class="link" href="/?lang=zh-CN">${TEXT['zh-CN'].enterCode}</a>`, 'a link to the lookup page');
  t.match(zh, `<p class="muted">${TEXT['zh-CN'].hotline}</p>`, 'the 12315 hotline');
  const en = complaintStatusPage({ ...complaint, status: 'resolved' }, 'en');
  t.match(en, '<html lang="en">');
  t.match(en, '<dt>Status</dt><dd><strong>Resolved</strong></dd>');
  t.match(en, '<dt>Filed</dt><dd>2026-11-20 10:15 (Beijing time, UTC+8)</dd>', 'English says whose time it is');
  t.equal(en.split('Beijing time').length - 1, 1, 'once');
  t.match(en, '<a href="?lang=zh-CN" hreflang="zh-CN" lang="zh-CN">中文</a>');
  t.match(en, `<p class="muted">${TEXT.en.hotline}</p>`);
  t.match(
    complaintStatusPage({ ...complaint, status: 'escalated' }, 'en'),
    '<strong>escalated</strong>',
    'an unknown status is shown as given',
  );
});

t.test('complaintNotFoundPage has the language switch and a way on', async (t) => {
  const zh = complaintNotFoundPage('TS2026', 'zh-CN');
  t.match(zh, `<h1 class="alert warn" role="alert">${TEXT['zh-CN'].complaintNotFound}</h1>`);
  t.match(zh, '<a href="?lang=en" hreflang="en" lang="en">English</a>', 'the language switch');
  t.match(zh, `<a class="link" href="/?lang=zh-CN">${TEXT['zh-CN'].enterCode}</a>`, 'a link to the lookup page');
  t.match(zh, TEXT['zh-CN'].hotline);
  const en = complaintNotFoundPage('TS2026', 'en');
  t.match(en, '<a href="?lang=zh-CN" hreflang="zh-CN" lang="zh-CN">中文</a>');
  t.match(en, `<a class="link" href="/?lang=en">${TEXT.en.enterCode}</a>`);
});
