import { LINEAGE_MIN_FONT_PX, labelLines, lineageStepsList, lineageSvg } from '../../src/resolver/lineage-svg.js';
import type { ConsumerSummary } from '../../src/resolver/summary.js';
import { demoLineage } from '../fixtures/demo-summary.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Lineage = ConsumerSummary['lineage'];

const demo = demoLineage;
/** What a 360 px wide phone leaves the picture: the screen less the page's and the section's padding, plus the picture's bleed. */
const PHONE_WIDTH = 360 - 2 * 14 - 2 * 16 + 2 * 12;

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;
const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
type Box = { x: number; y: number; width: number; height: number; fill: string; stroke: string; caption: string | null; lines: string[] };
/** The boxes in the order drawn, each with its caption and label lines. */
const boxes = (svg: string): Box[] =>
  [
    ...svg.matchAll(
      /<rect class="node" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*fill="([^"]+)" stroke="([^"]+)"[^>]*\/>(?:<text class="caption"[^>]*>([^<]*)<\/text>)?<text class="label"[^>]*>(.*?)<\/text>/g,
    ),
  ].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    width: Number(m[3]),
    height: Number(m[4]),
    fill: m[5],
    stroke: m[6],
    caption: m[7] === undefined ? null : unescapeXml(m[7]),
    lines: [...m[8].matchAll(/<tspan [^>]*>([^<]*)<\/tspan>/g)].map((line) => unescapeXml(line[1])),
  }));
// Boxes are drawn row by row from the farms down, nodes within a row sorted by code (n2 before n10).
const boxOf = (svg: string, lineage: Lineage, code: string) => {
  const order = [...lineage.nodes]
    .sort((a, b) => b.depth - a.depth || a.code.localeCompare(b.code, 'en', { numeric: true }))
    .map((node) => node.code);
  return boxes(svg)[order.indexOf(code)];
};
const sizeOf = (svg: string) => {
  const [, viewWidth, viewHeight, width, height] = svg
    .match(/viewBox="0 0 ([\d.]+) ([\d.]+)" width="([\d.]+)" height="([\d.]+)"/)!
    .map(Number);
  return { viewWidth, viewHeight, width, height };
};
const fontSizes = (svg: string) => [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
/** Width in CJK character widths, latin counted as about half (as the picture measures). */
const units = (text: string) => Array.from(text).reduce((sum, ch) => sum + (/[\u2e80-\ua4cf\uff00-\uff60]/u.test(ch) ? 1 : 0.55), 0);

t.test('draws one box per node and one connector per edge', async (t) => {
  const svg = lineageSvg(demo(), 'zh-CN');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
  t.match(svg, /<\/svg>$/);
  t.match(svg, 'role="img"');
  t.equal(count(svg, /<title[ >]/g), 1);
  t.match(svg, '<title id="lineage-title">溯源链</title>');
  t.equal(count(svg, /<rect /g), 6);
  t.equal(boxes(svg).length, 6);
  t.equal(count(svg, /class="edge"/g), 5);
  t.equal(count(svg, /marker-end="url\(#lineage-arrow\)"/g), 5);
  t.equal(count(svg, /<text /g), count(svg, /<\/text>/g));
  t.notMatch(svg, /<script|on[a-z]+=/, 'no script');
  t.match(lineageSvg(demo(), 'en'), '<title id="lineage-title">Trace chain</title>');
});

t.test('farms at the top, the scanned lot at the bottom, a generation side by side', async (t) => {
  const lineage = demo();
  const svg = lineageSvg(lineage, 'zh-CN');
  const farm1 = boxOf(svg, lineage, 'n1');
  const farm2 = boxOf(svg, lineage, 'n2');
  const carcass = boxOf(svg, lineage, 'n3');
  const belly = boxOf(svg, lineage, 'n4');
  const scanned = boxOf(svg, lineage, 'BLPK8Q3M2N7X');
  t.ok(farm1.y + farm1.height < carcass.y && carcass.y + carcass.height < belly.y && belly.y < scanned.y, 'top to bottom by depth');
  t.equal(farm1.y, farm2.y, 'both farms share a row');
  t.ok(farm1.x + farm1.width < farm2.x, 'side by side, ordered by code');
  t.equal(carcass.x + carcass.width / 2, (farm1.x + farm2.x + farm2.width) / 2, 'a lone node is centred under the row above');
  t.equal(scanned.y, Math.max(...boxes(svg).map((box) => box.y)), 'the scanned lot is last');
  const { viewWidth, viewHeight } = sizeOf(svg);
  t.ok(
    boxes(svg).every((box) => box.x >= 0 && box.x + box.width <= viewWidth && box.y >= 0 && box.y + box.height <= viewHeight),
    'every box inside the view box',
  );
  t.match(svg, /stroke-width="2\.5"/, 'the scanned lot is outlined heavier');
});

t.test('readable on a phone: drawn at its own size, no text under 13 px, two farms fit a 360 px screen', async (t) => {
  const svg = lineageSvg(demo(), 'zh-CN');
  const { viewWidth, viewHeight, width, height } = sizeOf(svg);
  t.equal(width, viewWidth, 'one user unit is one CSS pixel');
  t.equal(height, viewHeight);
  t.ok(width <= PHONE_WIDTH, `${width} px wide fits ${PHONE_WIDTH} px unscaled`);
  const sizes = fontSizes(svg);
  t.ok(sizes.length > 0);
  t.ok(Math.min(...sizes) >= 13, `font sizes ${[...new Set(sizes)].join(', ')} px`);
  t.ok(LINEAGE_MIN_FONT_PX >= 13);

  // a generation of four farms is wider than a phone: still drawn at full size, for the page to scroll
  const wide = demo();
  for (const code of ['BLF1', 'BLF2']) {
    wide.nodes.push({ code, depth: 4, label: '生猪', stage: 'farm' });
    wide.edges.push({ from: code, to: 'n3' });
  }
  const wideSvg = lineageSvg(wide, 'zh-CN');
  const wideSize = sizeOf(wideSvg);
  t.ok(wideSize.width > PHONE_WIDTH, 'wider than the phone');
  t.equal(wideSize.width, wideSize.viewWidth, 'not shrunk to fit');
  t.ok(Math.min(...fontSizes(wideSvg)) >= 13);
  t.equal(count(wideSvg, /class="edge"/g), 7);
});

t.test('each box names its stage, and the scanned lot as this product', async (t) => {
  const lineage = demo();
  const zh = lineageSvg(lineage, 'zh-CN');
  t.equal(boxOf(zh, lineage, 'n2').caption, '种养殖');
  t.equal(boxOf(zh, lineage, 'n3').caption, '屠宰');
  t.equal(boxOf(zh, lineage, 'BLPK8Q3M2N7X').caption, '本品');
  const en = lineageSvg(lineage, 'en');
  t.equal(boxOf(en, lineage, 'n4').caption, 'Cutting');
  t.equal(boxOf(en, lineage, 'BLPK8Q3M2N7X').caption, 'This product');
  const unknown: Lineage = { nodes: [...lineage.nodes, { code: 'BLXX1', depth: 1, label: '托盘/箱', stage: null }], edges: [] };
  t.equal(boxOf(lineageSvg(unknown, 'zh-CN'), unknown, 'BLXX1').caption, null, 'no stage, no caption');
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
  t.equal(stroke('n2'), '#2e7d32');
  t.equal(stroke('n3'), '#8d3b20');
  t.equal(stroke('n4'), '#8d3b20');
  t.equal(stroke('BLPK8Q3M2N7X'), '#b26a00');
  t.equal(stroke('BLCC1'), '#1565c0');
  t.equal(stroke('BLRT1'), '#616161');
  t.equal(stroke('BLXX1'), '#9e9e9e');
});

t.test('labels wrap onto as many lines as they need, never cut, and are escaped', async (t) => {
  const farm = '重庆市奉节县永乐镇绿源生猪养殖专业合作社';
  const latin = 'Smoked <pork> & "belly" from Fengjie county, cured for forty days';
  const lineage: Lineage = {
    nodes: [
      { code: 'A', depth: 1, label: farm, stage: 'farm' },
      { code: 'B', depth: 0, label: latin, stage: 'processing' },
      { code: 'C', depth: 0, label: '腊肉', stage: 'processing' },
      { code: 'D', depth: 0, label: '奉上好品·奉节腊肉 500g', stage: 'processing' },
    ],
    edges: [
      { from: 'A', to: 'B' },
      { from: 'A', to: 'gone' },
    ],
  };
  const svg = lineageSvg(lineage, 'en');
  t.notMatch(svg, '…', 'nothing is cut');
  t.notMatch(svg, /<pork>|& /);
  const lines = (code: string) => boxOf(svg, lineage, code).lines;
  t.equal(lines('A').join(''), farm, 'every character shown, in order');
  t.ok(lines('A').length >= 2, 'a long name takes several lines');
  t.equal(lines('B').join(' '), latin, 'latin text wraps at spaces');
  t.equal(lines('D').join(' '), '奉上好品·奉节腊肉 500g', 'mixed text breaks at its space');
  t.strictSame(lines('C'), ['腊肉'], 'a short label stays on one line');
  const widest = Math.max(...lineage.nodes.flatMap((node) => lines(node.code).map(units)));
  const box = boxOf(svg, lineage, 'A');
  t.ok(widest * 14 <= box.width, `the widest line (${widest} character widths at 14 px) fits its ${box.width} px box`);
  // the label lines sit inside their boxes, whose height grows with them
  const tspans = [...svg.matchAll(/<tspan x="([\d.]+)" y="([\d.]+)">/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
  for (const node of lineage.nodes) {
    const { x, y, width, height } = boxOf(svg, lineage, node.code);
    const own = tspans.filter((line) => line.x > x && line.x < x + width && line.y > y && line.y < y + height);
    t.equal(own.length, lines(node.code).length, `${node.code}: every line inside the box`);
  }
  t.match(svg, '&lt;pork&gt; &amp;');
  t.equal(count(svg, /class="edge"/g), 1, 'an edge to a node not in the picture is skipped');
});

t.test('labelLines: punctuation stays with its words; a word longer than a line is broken', async (t) => {
  const names = [
    '生猪（渝荣1号配套系）',
    '奉节腊肉（五花，散装）',
    '奉节县肉类联合加工有限公司（定点屠宰分割厂）',
    '奉节县肉类联合加工（定点屠宰分割厂）',
    '重庆市奉节县夔州腊味食品有限公司（腊肉车间，二号线）',
  ];
  for (const name of names) {
    const lines = labelLines(name);
    t.equal(lines.join(''), name, `${name}: whole`);
    t.notOk(
      lines.some((line) => /^[）)，、。]/u.test(line)),
      `${name}: no line starts with closing punctuation (${lines.join(' / ')})`,
    );
    t.notOk(
      lines.some((line, i) => i < lines.length - 1 && /[（(]$/u.test(line)),
      `${name}: no line ends with opening punctuation (${lines.join(' / ')})`,
    );
    t.ok(
      lines.every((line) => units(line) * 14 <= 152 - 4),
      `${name}: every line inside a box (${lines.map(units).join(', ')} character widths)`,
    );
  }
  const long = 'Supercalifragilisticexpialidocious';
  t.equal(labelLines(long).join(''), long);
  t.ok(labelLines(long).length > 1);
  t.strictSame(labelLines('  '), [''], 'an empty label is one empty line');
});

t.test('output is deterministic and an empty chain still draws', async (t) => {
  const lineage = demo();
  const shuffled = { nodes: [...lineage.nodes].reverse(), edges: lineage.edges };
  t.equal(lineageSvg(shuffled, 'zh-CN'), lineageSvg(lineage, 'zh-CN'));
  const empty = lineageSvg({ nodes: [], edges: [] }, 'zh-CN');
  t.match(empty, /^<svg [^>]*viewBox="0 0 \d+ \d+"/);
  t.equal(count(empty, /<rect /g), 0);
});

// WAI's two-part text alternative of a complex image: a short name (the title) and a long
// description on the page, here the chain as an ordered list in the order drawn.
t.test('the picture is an image named by its title and described by the chain as a list, in order', async (t) => {
  const lineage = demo();
  const svg = lineageSvg(lineage, 'zh-CN');
  t.match(svg, /^<svg [^>]*role="img" aria-labelledby="lineage-title" aria-describedby="lineage-steps"/);
  const steps = lineageStepsList(lineage, 'zh-CN');
  t.equal(
    steps,
    '<ol id="lineage-steps" class="visually-hidden">' +
      '<li>1. 种养殖：生猪（长白×荣昌）</li>' +
      '<li>2. 种养殖：生猪（渝荣1号配套系）</li>' +
      '<li>3. 屠宰：白条猪（带皮猪胴体）（由第 1、2 项而来）</li>' +
      '<li>4. 分割：冷鲜带皮五花肉</li>' +
      '<li>5. 加工：奉节腊肉（五花，散装）</li>' +
      '<li>6. 本品：奉上好品·奉节腊肉 500g</li></ol>',
    'farms first, the scanned lot last; the inputs named where they are not simply the item before',
  );
  const en = lineageStepsList(lineage, 'en');
  t.match(en, '<li>1. Farm: <span lang="zh-CN">生猪（长白×荣昌）</span></li>');
  t.match(en, '<li>3. Slaughter: <span lang="zh-CN">白条猪（带皮猪胴体）</span> (from items 1 and 2)</li>');
  t.match(en, '<li>6. This product: <span lang="zh-CN">奉上好品·奉节腊肉 500g</span></li>');
  // each label drawn in Chinese is marked so on the English page (its font); captions are the page's own
  const enSvg = lineageSvg(lineage, 'en');
  t.equal(count(enSvg, /<text class="label"[^>]* lang="zh-CN">/g), 6);
  t.notMatch(enSvg, /<text class="caption"[^>]*lang=/);
  t.notMatch(svg, /lang="zh-CN"/, 'the Chinese page marks nothing');

  // a Latin label is the page's language; a node without a stage has no caption; an item with an input
  // other than the one before it names it; public ids order as numbers
  const mixed: Lineage = {
    nodes: [
      ...Array.from({ length: 10 }, (_, i) => ({
        code: `n${i + 1}`,
        depth: 1,
        label: i === 9 ? 'Fengjie Co. pork' : '生猪',
        stage: 'farm' as const,
      })),
      { code: 'n11', depth: 1, label: '托盘/箱', stage: null },
      { code: 'BLPK1', depth: 0, label: 'Smoked belly', stage: 'processing' },
    ],
    edges: [
      { from: 'n10', to: 'BLPK1' },
      { from: 'n2', to: 'BLPK1' },
    ],
  };
  const mixedEn = lineageStepsList(mixed, 'en');
  t.match(mixedEn, '<li>10. Farm: Fengjie Co. pork</li>', 'n10 after n9, a Latin label unmarked');
  t.match(mixedEn, '<li>11. <span lang="zh-CN">托盘/箱</span></li>');
  t.match(mixedEn, '<li>12. This product: Smoked belly (from items 2 and 10)</li>');
  t.equal(lineageStepsList(mixed, 'zh-CN').match(/<li>/g)?.length, 12);
  t.equal(count(lineageSvg(mixed, 'en'), /<text class="label"[^>]* lang="zh-CN">/g), 10, 'nine 生猪 and the 托盘/箱, not the Latin labels');
});

t.test('an input that is the item before is not named again', async (t) => {
  const chain: Lineage = {
    nodes: [
      { code: 'n1', depth: 1, label: 'Pigs', stage: 'farm' },
      { code: 'BLPK1', depth: 0, label: 'Bacon', stage: 'processing' },
    ],
    edges: [{ from: 'n1', to: 'BLPK1' }],
  };
  t.equal(
    lineageStepsList(chain, 'en'),
    '<ol id="lineage-steps" class="visually-hidden"><li>1. Farm: Pigs</li><li>2. This product: Bacon</li></ol>',
  );
});
