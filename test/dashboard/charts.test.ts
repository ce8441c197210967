import { barChart, percent } from '../../src/dashboard/charts.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('bar chart of shares against a target', async (t) => {
  const svg = barChart({
    title: 'pass <rates>',
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
  t.match(barChart({ title: 'none', bars: [] }), '>—<', 'an empty chart says so');
  t.equal(percent(0.96), '96.0 %');
  t.equal(percent(null), '—');
});
