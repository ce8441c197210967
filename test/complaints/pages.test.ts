import { complaintReceivedPage, complaintStatusPage } from '../../src/complaints/pages.js';
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
  t.notMatch(en, 'hreflang', 'no language switch on the answer to a POST');
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
  t.match(zh, '<dt>提交时间</dt><dd>2026-11-20 10:15</dd>');
  t.match(zh, '<dt>最近更新</dt><dd>2026-11-21 00:30</dd>', 'past midnight in China');
  t.notMatch(zh, 'hreflang');
  const en = complaintStatusPage({ ...complaint, status: 'resolved' }, 'en');
  t.match(en, '<html lang="en">');
  t.match(en, '<dt>Status</dt><dd><strong>Resolved</strong></dd>');
  t.match(
    complaintStatusPage({ ...complaint, status: 'escalated' }, 'en'),
    '<strong>escalated</strong>',
    'an unknown status is shown as given',
  );
});
