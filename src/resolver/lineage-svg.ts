// Server-drawn picture of a lot's chain for the consumer page: farms on the left, the scanned lot
// on the right, one column per trace depth. Pure and deterministic, no client script.
import { escapeXml } from '../web/html.js';
import type { ConsumerSummary, Stage } from './summary.js';

type Lineage = ConsumerSummary['lineage'];

const COLOURS: Record<Stage, { fill: string; stroke: string }> = {
  farm: { fill: '#e6f4e7', stroke: '#2e7d32' },
  slaughter: { fill: '#f6e4dc', stroke: '#8d3b20' },
  cutting: { fill: '#f6e4dc', stroke: '#8d3b20' },
  processing: { fill: '#fff1d1', stroke: '#b26a00' },
  cold_chain: { fill: '#e2effb', stroke: '#1565c0' },
  distribution: { fill: '#ececec', stroke: '#616161' },
  retail: { fill: '#ececec', stroke: '#616161' },
};
const UNKNOWN_STAGE = { fill: '#f5f5f5', stroke: '#9e9e9e' };

const BOX_WIDTH = 72;
const BOX_HEIGHT = 34;
const COLUMN_GAP = 22;
const ROW_GAP = 10;
const MARGIN = 4;
const FONT_SIZE = 11;
// Label lines are measured in CJK character widths: 5 per line, 2 lines (~10 CJK or ~18 latin).
const LINE_UNITS = 5;
const LATIN_UNITS = 0.55;

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
// One decimal is plenty for a picture and keeps float noise out of the markup.
const round = (value: number) => Math.round(value * 10) / 10;
const unitsOf = (ch: string) => (WIDE.test(ch) || ch.codePointAt(0)! >= 0x20000 ? 1 : LATIN_UNITS);

const widthOf = (text: string) => Array.from(text).reduce((sum, ch) => sum + unitsOf(ch), 0);

/** Splits a label into at most two lines that fit a box, at a space where latin text allows, ending with "…" when cut. */
function labelLines(label: string): string[] {
  const lines = [''];
  for (const ch of Array.from(label.trim())) {
    const line = lines[lines.length - 1];
    if (widthOf(line + ch) > LINE_UNITS) {
      if (lines.length === 2) {
        lines[1] = `${Array.from(line).slice(0, -1).join('')}…`;
        return lines;
      }
      const space = line.lastIndexOf(' ');
      lines.splice(0, 1, ...(space > 0 && ch !== ' ' ? [line.slice(0, space), line.slice(space + 1)] : [line, '']));
      if (ch === ' ') continue;
    }
    lines[lines.length - 1] += ch;
  }
  return lines;
}

const drawn = new WeakMap<Lineage, Map<string, string>>();

/** Memoized per lineage object: the resolver hands every pack of a lot the same one. */
export function lineageSvg(lineage: Lineage, lang: 'zh-CN' | 'en'): string {
  let byLang = drawn.get(lineage);
  if (!byLang) {
    byLang = new Map();
    drawn.set(lineage, byLang);
  }
  let svg = byLang.get(lang);
  if (svg === undefined) {
    svg = drawLineage(lineage, lang);
    byLang.set(lang, svg);
  }
  return svg;
}

function drawLineage(lineage: Lineage, lang: 'zh-CN' | 'en'): string {
  const title = lang === 'en' ? 'Trace chain' : '溯源链';
  const maxDepth = Math.max(0, ...lineage.nodes.map((node) => node.depth));
  const columns = new Map<number, Lineage['nodes']>();
  for (const node of [...lineage.nodes].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))) {
    const column = maxDepth - node.depth;
    columns.set(column, [...(columns.get(column) ?? []), node]);
  }
  const rows = Math.max(1, ...[...columns.values()].map((nodes) => nodes.length));
  const width = MARGIN * 2 + (maxDepth + 1) * BOX_WIDTH + maxDepth * COLUMN_GAP;
  const height = MARGIN * 2 + rows * BOX_HEIGHT + (rows - 1) * ROW_GAP;

  // Top-left corner of each node's box; shorter columns are centred vertically.
  const boxes = new Map<string, { x: number; y: number }>();
  for (const [column, nodes] of columns) {
    const offset = ((rows - nodes.length) * (BOX_HEIGHT + ROW_GAP)) / 2;
    nodes.forEach((node, row) => {
      boxes.set(node.code, { x: MARGIN + column * (BOX_WIDTH + COLUMN_GAP), y: MARGIN + offset + row * (BOX_HEIGHT + ROW_GAP) });
    });
  }

  const edges = lineage.edges.flatMap((edge) => {
    const from = boxes.get(edge.from);
    const to = boxes.get(edge.to);
    // An edge to a node the summary left out has nowhere to be drawn.
    if (!from || !to) return [];
    const [x1, y1, x2, y2] = [from.x + BOX_WIDTH, from.y + BOX_HEIGHT / 2, to.x - 2, to.y + BOX_HEIGHT / 2];
    const bend = round((x2 - x1) / 2);
    return [
      `<path class="edge" d="M${x1} ${y1}C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}" fill="none" stroke="#8a8a8a" stroke-width="1.2" marker-end="url(#lineage-arrow)"/>`,
    ];
  });

  const nodes = [...columns.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, column]) => column)
    .map((node) => {
      const { x, y } = boxes.get(node.code)!;
      const colour = node.stage ? COLOURS[node.stage] : UNKNOWN_STAGE;
      const lines = labelLines(node.label);
      const firstBaseline = y + BOX_HEIGHT / 2 + FONT_SIZE * 0.35 - ((lines.length - 1) * (FONT_SIZE + 1)) / 2;
      const text = lines
        .map((line, i) => `<tspan x="${x + BOX_WIDTH / 2}" y="${round(firstBaseline + i * (FONT_SIZE + 1))}">${escapeXml(line)}</tspan>`)
        .join('');
      // The scanned lot (depth 0) gets a heavier outline so the eye finds "this pack".
      return (
        `<rect class="node" x="${x}" y="${y}" width="${BOX_WIDTH}" height="${BOX_HEIGHT}" rx="6" fill="${colour.fill}" stroke="${colour.stroke}" stroke-width="${node.depth === 0 ? 2.5 : 1.2}"/>` +
        `<text font-size="${FONT_SIZE}" text-anchor="middle" fill="#222">${text}</text>`
      );
    });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="lineage-title" font-family="system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif">`,
    `<title id="lineage-title">${escapeXml(title)}</title>`,
    '<defs><marker id="lineage-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><polygon points="0 0 8 4 0 8" fill="#8a8a8a"/></marker></defs>',
    ...edges,
    ...nodes,
    '</svg>',
  ].join('');
}
