import t from 'tap';
import { lineageSvg } from '../../src/resolver/lineage-svg.js';
import type { ConsumerSummary } from '../../src/resolver/summary.js';
import { demoLineage } from '../fixtures/demo-summary.js';

type Lineage = ConsumerSummary['lineage'];

const demo = demoLineage;

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;
const rects = (svg: string) =>
  [...svg.matchAll(/<rect class="node" x="([\d.]+)" y="([\d.]+)"[^>]*fill="([^"]+)" stroke="([^"]+)"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    fill: m[3],
    stroke: m[4],
  }));
// Boxes are emitted column by column, nodes within a column sorted by code.
const boxOf = (svg: string, lineage: Lineage, code: string) => {
  const order = [...lineage.nodes].sort((a, b) => b.depth - a.depth || (a.code < b.code ? -1 : 1)).map((node) => node.code);
  return rects(svg)[order.indexOf(code)];
};

t.test('draws one box per node and one connector per edge', async (t) => {
  const svg = lineageSvg(demo(), 'zh-CN');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
  t.match(svg, /<\/svg>$/);
  t.match(svg, 'role="img"');
  t.equal(count(svg, /<title[ >]/g), 1);
  t.match(svg, '<title id="lineage-title">溯源链</title>');
  t.equal(count(svg, /<rect /g), 6);
  t.equal(count(svg, /class="edge"/g), 5);
  t.equal(count(svg, /marker-end="url\(#lineage-arrow\)"/g), 5);
  t.equal(count(svg, /<text /g), count(svg, /<\/text>/g));
  t.match(lineageSvg(demo(), 'en'), '<title id="lineage-title">Trace chain</title>');
});

t.test('farms sit on the left, the scanned lot on the right, stacked within a column', async (t) => {
  const lineage = demo();
  const svg = lineageSvg(lineage, 'zh-CN');
  const farm1 = boxOf(svg, lineage, 'BLGS7D4M5R9H');
  const farm2 = boxOf(svg, lineage, 'BLLY3Q8N2X6G');
  const scanned = boxOf(svg, lineage, 'BLPK8Q3M2N7X');
  const carcass = boxOf(svg, lineage, 'BLTZ2M5K9D4F');
  t.ok(farm1.x < carcass.x && carcass.x < scanned.x);
  t.equal(farm1.x, farm2.x, 'both farms share a column');
  t.ok(farm1.y < farm2.y, 'stacked, ordered by code');
  t.ok(carcass.y > farm1.y && carcass.y < farm2.y, 'a lone node is centred against the column beside it');
  const [width, height] = svg
    .match(/viewBox="0 0 (\d+) (\d+)"/)!
    .slice(1)
    .map(Number);
  t.ok(
    rects(svg).every((box) => box.x >= 0 && box.x + 72 <= width && box.y >= 0 && box.y + 34 <= height),
    'every box inside the view box',
  );
  t.ok(width <= 480, 'compact enough to scale onto a 360 px phone');
  t.match(svg, /stroke-width="2\.5"/, 'the scanned lot is outlined heavier');
});

t.test('colours follow the stage', async (t) => {
  const lineage = demo();
  lineage.nodes.push(
    { code: 'BLCC1', depth: 0, label: '冷库', stage: 'cold_chain' },
    { code: 'BLRT1', depth: 0, label: '超市', stage: 'retail' },
    { code: 'BLXX1', depth: 0, label: '托盘/箱', stage: null },
  );
  const svg = lineageSvg(lineage, 'zh-CN');
  const stroke = (code: string) => boxOf(svg, lineage, code).stroke;
  t.equal(stroke('BLLY3Q8N2X6G'), '#2e7d32');
  t.equal(stroke('BLTZ2M5K9D4F'), '#8d3b20');
  t.equal(stroke('BLWH6N3P8Q5J'), '#8d3b20');
  t.equal(stroke('BLPK8Q3M2N7X'), '#b26a00');
  t.equal(stroke('BLCC1'), '#1565c0');
  t.equal(stroke('BLRT1'), '#616161');
  t.equal(stroke('BLXX1'), '#9e9e9e');
});

t.test('labels are truncated to two short lines and escaped', async (t) => {
  const lineage: Lineage = {
    nodes: [
      { code: 'A', depth: 1, label: '重庆市奉节县永乐镇绿源生猪养殖专业合作社', stage: 'farm' },
      { code: 'B', depth: 0, label: 'Smoked <pork> & "belly" from Fengjie', stage: 'processing' },
      { code: 'C', depth: 0, label: '腊肉', stage: 'processing' },
    ],
    edges: [
      { from: 'A', to: 'B' },
      { from: 'A', to: 'gone' },
    ],
  };
  const svg = lineageSvg(lineage, 'en');
  t.match(svg, '>重庆市奉节</tspan>');
  t.match(svg, '>县永乐镇…</tspan>');
  t.notMatch(svg, '合作社');
  t.notMatch(svg, /<pork>|& /);
  t.match(svg, '>Smoked</tspan>', 'latin text wraps at a space');
  t.match(svg, '>&lt;pork&gt; &amp;…</tspan>');
  t.match(svg, /<tspan x="[\d.]+" y="[\d.]+">腊肉<\/tspan><\/text>/, 'a short label stays on one line');
  t.equal(count(svg, /class="edge"/g), 1, 'an edge to a node not in the picture is skipped');
});

t.test('output is deterministic and an empty chain still draws', async (t) => {
  const lineage = demo();
  const shuffled = { nodes: [...lineage.nodes].reverse(), edges: lineage.edges };
  t.equal(lineageSvg(shuffled, 'zh-CN'), lineageSvg(lineage, 'zh-CN'));
  const empty = lineageSvg({ nodes: [], edges: [] }, 'zh-CN');
  t.match(empty, /^<svg [^>]*viewBox="0 0 \d+ \d+"/);
  t.equal(count(empty, /<rect /g), 0);
});
