import { barChart, percent } from '../../src/dashboard/charts.js';
import { recallChart } from '../../src/dashboard/pages.js';
import type { DashboardView } from '../../src/dashboard/service.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('bar chart of shares against a target', async (t) => {
  const svg = barChart({
    title: 'pass <rates>',
    lang: 'zh-CN',
    target: { value: 0.96, label: '96%' },
    bars: [
      { label: '企业自检', value: 0.5, text: '50.0 %' },
      { label: '现场快检', value: 1, text: '100.0 %' },
      { label: '没有检测', value: null, text: '—' },
    ],
  });
  t.match(svg, 'aria-label="pass &lt;rates&gt;"', 'the title is escaped');
  t.equal((svg.match(/class="bar short"/g) ?? []).length, 1, 'only the bar short of the target is marked');
  t.match(svg, /class="bar short">.*?<rect x="200" y="\d+" width="150\.0" height="20" rx="3" fill="#c62828"\/>/, 'half the bar width, red');
  t.match(svg, /<rect x="200" y="\d+" width="300\.0"[^>]*fill="#2e7d32"/, 'full width, green');
  t.match(svg, /width="0\.0"/, 'no bar without a figure');
  t.match(svg, 'x1="488.0"', 'the target line');
});

t.test('bar chart of counts, long labels, no bars', async (t) => {
  const svg = barChart({
    title: 'flags',
    lang: 'zh-CN',
    scale: 'count',
    bars: [
      { label: '重庆市奉节县夔州腊味食品有限公司', value: 4, text: '4' },
      { label: 'b', value: 1, text: '1' },
    ],
  });
  t.match(svg, '>重庆市奉节县夔州腊味食品…<', 'a long label is cut');
  t.match(svg, '<title>重庆市奉节县夔州腊味食品有限公司: 4</title>', 'the whole label is the tooltip');
  t.match(svg, /width="75\.0"/, 'a quarter of the largest');
  t.notMatch(svg, 'class="target"');
  t.match(barChart({ title: 'none', lang: 'zh-CN', bars: [] }), '>—<', 'an empty chart says so');
  t.equal(percent(0.96), '96.0 %');
  t.equal(percent(0.9999), '99.9 %', 'a rate short of complete is never shown as 100 %');
  t.equal(percent(19_999 / 20_000), '99.9 %', '19,999 of 20,000');
  t.equal(percent(1), '100.0 %', 'only a complete one is');
  t.equal(percent(1 / 20_000), '0.1 %', 'a rate of something is never shown as 0 %');
  t.equal(percent(0), '0.0 %');
  t.equal(percent(0.0029), '0.2 %', 'rounded down at the place shown');
  t.equal(percent(null), '—');
});

t.test('a label in Chinese is marked zh-CN on an English chart, and nowhere else', async (t) => {
  const bars = [
    { label: '奉节县夔州腊味食品有限公司', value: 1, text: '100.0 %' },
    { label: 'Fengjie Co.', value: 1, text: '100.0 %' },
  ];
  const english = barChart({ title: 'Traceability rate by enterprise', lang: 'en', bars });
  t.match(
    english,
    '<text x="192" y="23" text-anchor="end" lang="zh-CN"><title>奉节县夔州腊味食品有限公司</title>奉节县夔州腊味食品有限公司</text>',
    'a Chinese name',
  );
  t.match(english, '<text x="192" y="53" text-anchor="end">Fengjie Co.</text>', 'a Latin name is the page’s language');
  t.notMatch(barChart({ title: '溯源率（按企业）', lang: 'zh-CN', bars }), 'lang=', 'on the Chinese page nothing is marked');
});

t.test('on an English chart a Chinese name has a tooltip of its own, marked, and the bar’s holds the English figures', async (t) => {
  const english = barChart({
    title: 'Traceability rate by enterprise',
    lang: 'en',
    bars: [
      { label: '奉节屠宰厂', value: 1, text: '100.0 % · 3/3 lots' },
      { label: 'Fengjie Co.', value: 1, text: '100.0 % · 1/1 lots' },
    ],
  });
  t.match(
    english,
    '<g class="bar"><title>100.0 % · 3/3 lots</title><text x="192" y="23" text-anchor="end" lang="zh-CN"><title>奉节屠宰厂</title>奉节屠宰厂</text>',
    'the figures alone in the bar’s tooltip; the name’s, within its marked text',
  );
  t.match(english, '<title>Fengjie Co.: 100.0 % · 1/1 lots</title>', 'a Latin name: one tooltip, as before');
  t.match(
    barChart({ title: '溯源率', lang: 'zh-CN', bars: [{ label: '奉节屠宰厂', value: 1, text: '100.0 % · 3/3 批次' }] }),
    '<g class="bar"><title>奉节屠宰厂: 100.0 % · 3/3 批次</title><text x="192" y="23" text-anchor="end">奉节屠宰厂</text>',
    'on the Chinese chart one tooltip, nothing marked',
  );
});

t.test('a label with the page’s words after a name: only the name is marked', async (t) => {
  const county = { label: '奉节县', labelNote: ' (no township named)', value: 0.5, text: '50.0 % · 1/2 lots' };
  const english = barChart({ title: 'Traceability rate by township', lang: 'en', bars: [county] });
  t.match(
    english,
    '<title>(no township named): 50.0 % · 1/2 lots</title><text x="192" y="23" text-anchor="end"><tspan lang="zh-CN"><title>奉节县</title>奉节县</tspan> (no township na…</text>',
    'the name in a marked tspan, the words after it unmarked, cut where they would run past the chart (195 px of 192 in DejaVu Sans)',
  );
  t.match(
    barChart({ title: 't', lang: 'en', bars: [{ ...county, label: '重庆市奉节县夔州街道' }] }),
    '<tspan lang="zh-CN"><title>重庆市奉节县夔州街道</title>重庆市奉节县夔州街道</tspan> (no…</text>',
    'too wide for both: cut short as one label, by width',
  );
  const longName = barChart({ title: 't', lang: 'en', bars: [{ ...county, label: '重庆市奉节县夔州街道办事处附近' }] });
  t.match(
    longName,
    '<text x="192" y="23" text-anchor="end" lang="zh-CN"><title>重庆市奉节县夔州街道办事处附近</title>重庆市奉节县夔州街道办事…</text>',
    'a name cut short: all of it marked',
  );
  t.match(
    barChart({ title: 't', lang: 'zh-CN', bars: [{ ...county, labelNote: '（未注明乡镇）' }] }),
    '<title>奉节县（未注明乡镇）: 50.0 % · 1/2 lots</title><text x="192" y="23" text-anchor="end">奉节县（未注明乡镇）</text>',
    'on the Chinese chart the words follow the name, nothing marked',
  );
});

t.test('recall bars: red once a due time has passed, and said in words', async (t) => {
  const recall = (lot: string, share: number, overdue: ('start' | 'finish')[]): DashboardView['recalls'][number] => ({
    id: `recall-${lot}`,
    partyCode: 'G500236AAAAAAAA',
    openedBy: { partyCode: 'G500236AAAAAAAA', name: '奉节县市场监督管理局' },
    level: 2,
    reason: '抽检不合格',
    hazard: '瘦肉精超标',
    rootLotCodes: [lot],
    status: 'open',
    openedAt: new Date('2026-11-30T02:00:00Z'),
    startDueAt: new Date('2026-12-02T02:00:00Z'),
    finishDueAt: new Date('2026-12-28T02:00:00Z'),
    startedAt: null,
    closedAt: null,
    closedBy: null,
    overrideReason: null,
    overdue,
    holders: 4,
    acknowledged: 1,
    progress: { share, byUnit: [] },
    disposal: { share: 1, byUnit: [] },
  });
  const bar = (svg: string, lot: string) => {
    const group = svg.match(new RegExp(`<g class="([^"]*)"><title>[^<]*${lot}[^<]*</title>(.*?)</g>`));
    if (!group) return null;
    const rects = [...group[2].matchAll(/<rect ([^>]*)\/>/g)].map((rect) => rect[1]);
    const fill = (rect: string | undefined) => rect?.match(/fill="(#[0-9a-f]{6})"/)?.[1];
    return {
      classes: group[1],
      fill: fill(rects.find((rect) => !rect.startsWith('class="track"'))),
      track: fill(rects.find((rect) => rect.startsWith('class="track"'))) ?? null,
      // the figure, on one line or two (its tspans)
      text:
        [...(group[2].match(/<text [^>]*>(?:(?!<text).)*<\/text>$/)?.[0] ?? '').matchAll(/>([^<]+)</g)].map((line) => line[1]).join(' ') ||
        undefined,
    };
  };
  const recalls = [
    recall('BLATE0000001', 1, ['start']),
    recall('BONTIME00001', 0.25, []),
    recall('BLATE0000002', 0.5, ['finish']),
    recall('BLATE0000003', 0, ['start', 'finish']),
  ];
  const svg = recallChart(recalls, 'zh-CN');
  t.match(
    bar(svg, 'BLATE0000001'),
    { classes: 'bar alert', fill: '#c62828', track: '#f6d5d5', text: '100.0 % · 1/4 家已确认 · 已逾期' },
    'late to start: red, even with everything recovered, and marked in words',
  );
  t.match(
    bar(svg, 'BONTIME00001'),
    { classes: 'bar', fill: '#2e7d32', track: null, text: '25.0 % · 1/4 家已确认' },
    'in time: green, no marker',
  );
  t.match(bar(svg, 'BLATE0000002'), { classes: 'bar alert', fill: '#c62828', track: '#f6d5d5' }, 'late to finish: red');
  t.match(
    bar(svg, 'BLATE0000003'),
    { track: '#f6d5d5', text: /已逾期$/ },
    'nothing recovered yet: the red track shows where the bar is empty',
  );
  t.match(bar(recallChart(recalls, 'en'), 'BLATE0000001'), { fill: '#c62828', text: /· overdue$/ }, 'in English too');
  t.notMatch(svg, 'class="target"', 'no target line on recalls');
});

t.test(
  'an English label is cut by its width as drawn, not at 13 characters: a Latin letter takes the room a browser’s font gives it',
  async (t) => {
    const english = barChart({
      title: 'Activity rate',
      lang: 'en',
      bars: [
        { label: 'Geographical indication', value: 0.5, text: '50.0 %' },
        { label: 'Recalled/destroyed lot scanned', value: 1, text: '1' },
        { label: 'Fengjie County Cured Meat and Sausage Company', value: 1, text: '1' },
      ],
    });
    t.match(english, '<text x="192" y="23" text-anchor="end">Geographical indication</text>', 'kept whole on one line');
    t.match(
      english,
      '<text x="192" y="53" text-anchor="end" font-size="12"><tspan x="192" y="47">Recalled/destroyed lot</tspan><tspan x="192" y="60">scanned</tspan></text>',
      'too wide for one line: two, smaller, broken between words',
    );
    t.match(english, '<tspan x="192" y="77">Fengjie County Cured Meat</tspan><tspan x="192" y="90">and Sausage Company</tspan>');
    t.match(english, '<title>Recalled/destroyed lot scanned: 1</title>', 'the tooltip whole');
    const chinese = barChart({
      title: '活跃率',
      lang: 'zh-CN',
      bars: [{ label: '地理标志企业 Geographical indication', value: 1, text: '1' }],
    });
    t.match(chinese, '>地理标志企业 Geographic…</text>', 'a label with Chinese in it: one line, cut by width');
  },
);
