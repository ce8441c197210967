// Server-drawn picture of a lot's chain for the consumer page: farms at the top, the scanned lot at
// the bottom, one row per trace depth. Pure and deterministic, no client script.
import { escapeXml, html, userText, userTextLang } from '../web/html.js';
import { type Lang, TEXT } from '../web/i18n/index.js';
import { drawnCharacterWidth } from '../web/text.js';
import type { ConsumerSummary, Stage } from './summary.js';

type Lineage = ConsumerSummary['lineage'];

// `text` is the stage caption's colour: dark enough for small text on the box's fill.
const COLOURS: Record<Stage, { fill: string; stroke: string; text: string }> = {
  farm: { fill: '#e6f4e7', stroke: '#2e7d32', text: '#1b5e20' },
  slaughter: { fill: '#f6e4dc', stroke: '#8d3b20', text: '#6d2c16' },
  cutting: { fill: '#f6e4dc', stroke: '#8d3b20', text: '#6d2c16' },
  processing: { fill: '#fff1d1', stroke: '#b26a00', text: '#6f4200' },
  cold_chain: { fill: '#e2effb', stroke: '#1565c0', text: '#0d47a1' },
  distribution: { fill: '#ececec', stroke: '#616161', text: '#3d3d3d' },
  retail: { fill: '#ececec', stroke: '#616161', text: '#3d3d3d' },
};
const UNKNOWN_STAGE = { fill: '#f5f5f5', stroke: '#9e9e9e', text: '#4a4a4a' };

// Sizes are CSS px: the page shows the picture at its natural size and never shrinks it (a chain
// wider than the screen scrolls sideways in its box), so these are the sizes a phone shows. The
// chain runs top to bottom, one row per trace depth, so on a phone it is as narrow as its widest
// generation (two farms fit a 360 px screen).
const BOX_WIDTH = 152;
const PADDING_X = 5;
const PADDING_Y = 8;
const LABEL_SIZE = 14;
const CAPTION_SIZE = 13;
const LINE_HEIGHT = 18;
const CAPTION_HEIGHT = 18;
const ROW_GAP = 26;
const COLUMN_GAP = 10;
const MARGIN = 3;
/** The smallest text the picture draws, in CSS px. */
export const LINEAGE_MIN_FONT_PX = Math.min(LABEL_SIZE, CAPTION_SIZE);
// Label lines are measured in ems (CJK character widths, one font size each); a Latin letter as a browser's font draws it
// (drawnCharacterWidth: a capital W takes an em, an i under a third).
const LINE_UNITS = Math.floor((BOX_WIDTH - 2 * PADDING_X) / LABEL_SIZE);
// what fits inside the box's outline, for punctuation hanging into the padding
const HANG_UNITS = (BOX_WIDTH - 4) / LABEL_SIZE;

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
// Punctuation that never starts a line, and punctuation that never ends one.
const CLOSING = /[)\]}）】」』〕，、。：；！？,.:;!?]/u;
const OPENING = /[([{（【「『〔]/u;
// One decimal is plenty for a picture and keeps float noise out of the markup.
const round = (value: number) => Math.round(value * 10) / 10;
const unitsOf = (ch: string) => (WIDE.test(ch) || ch.codePointAt(0)! >= 0x20000 ? 1 : drawnCharacterWidth(ch) / 2);

const widthOf = (text: string) => Array.from(text).reduce((sum, ch) => sum + unitsOf(ch), 0);

/** Wraps a label into as many lines as it needs to fit a box, at a space where latin text allows; never cuts it. */
export function labelLines(label: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of Array.from(label.trim().replace(/\s+/g, ' '))) {
    const width = widthOf(line + ch);
    // closing punctuation never starts a line: it hangs into the box's padding where there is room,
    // else takes the character before it along to the next line
    if (line === '' || width <= LINE_UNITS || (CLOSING.test(ch) && width <= HANG_UNITS)) {
      line += ch;
    } else if (ch === ' ') {
      lines.push(line);
      line = '';
    } else if (CLOSING.test(ch) && Array.from(line).length > 1) {
      const chars = Array.from(line);
      lines.push(chars.slice(0, -1).join('').trimEnd());
      line = chars[chars.length - 1] + ch;
    } else if (line.lastIndexOf(' ') > 0 && !WIDE.test(ch)) {
      // latin text breaks at its last space
      const space = line.lastIndexOf(' ');
      lines.push(line.slice(0, space));
      line = line.slice(space + 1) + ch;
    } else {
      // and opening punctuation never ends one
      const chars = Array.from(line.trimEnd());
      const carried = chars.length > 1 && OPENING.test(chars[chars.length - 1]) ? chars.pop() : '';
      lines.push(chars.join(''));
      line = carried + ch;
    }
  }
  lines.push(line);
  return lines;
}

type Drawn = { svg: string; steps: string };
const drawn = new WeakMap<Lineage, Map<string, Drawn>>();

/** Memoized per lineage object: the resolver hands every pack of a lot the same one. */
function drawnOf(lineage: Lineage, lang: Lang): Drawn {
  let byLang = drawn.get(lineage);
  if (!byLang) {
    byLang = new Map();
    drawn.set(lineage, byLang);
  }
  let done = byLang.get(lang);
  if (done === undefined) {
    done = { svg: drawLineage(lineage, lang), steps: lineageSteps(lineage, lang) };
    byLang.set(lang, done);
  }
  return done;
}

/**
 * The picture of the chain, an image (role="img") named by its title and described by the chain's
 * text version (lineageStepsList, which the page puts next to it): WAI's two-part text alternative of a
 * complex image, a short name and a long description on the page.
 */
export function lineageSvg(lineage: Lineage, lang: Lang): string {
  return drawnOf(lineage, lang).svg;
}

/**
 * The chain's text version, for whoever cannot see the picture: an ordered list, visually hidden, of
 * its nodes as drawn (farms first, the scanned lot last), each with its number, stage and label, and
 * the numbers of its inputs unless its one input is the item before it; a label with Chinese in it is
 * marked as such on the English page.
 */
export function lineageStepsList(lineage: Lineage, lang: Lang): string {
  return drawnOf(lineage, lang).steps;
}

/** Nodes in a row in chain order: by code, `n2` before `n10` (the public ids, see publicLineage). */
const codeOrder = new Intl.Collator('en', { numeric: true }).compare;

/** The rows of the picture, top to bottom: row 0 holds the farms (the deepest nodes), the last row the scanned lot. */
function rowsOf(lineage: Lineage): Lineage['nodes'][] {
  const maxDepth = Math.max(0, ...lineage.nodes.map((node) => node.depth));
  const rows = new Map<number, Lineage['nodes']>();
  for (const node of [...lineage.nodes].sort((a, b) => codeOrder(a.code, b.code))) {
    const row = maxDepth - node.depth;
    rows.set(row, [...(rows.get(row) ?? []), node]);
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, nodes]) => nodes);
}

const captionOf = (node: Lineage['nodes'][number], lang: Lang) =>
  node.depth === 0 ? TEXT[lang].lineageThisLot : node.stage ? TEXT[lang].stages[node.stage] : '';

function lineageSteps(lineage: Lineage, lang: Lang): string {
  const t = TEXT[lang];
  const ordered = rowsOf(lineage).flat();
  const number = new Map(ordered.map((node, i) => [node.code, i + 1]));
  const items = ordered.map((node, i) => {
    const inputs = [...new Set(lineage.edges.filter((edge) => edge.to === node.code).flatMap((edge) => number.get(edge.from) ?? []))].sort(
      (a, b) => a - b,
    );
    const from = inputs.length === 1 && inputs[0] === i ? [] : inputs;
    return html`<li>${t.lineageStep(i + 1, captionOf(node, lang), userText(node.label, lang), from)}</li>`;
  });
  return html`<ol id="lineage-steps" class="visually-hidden">${items}</ol>`.value;
}

function drawLineage(lineage: Lineage, lang: Lang): string {
  const t = TEXT[lang];
  const rows = new Map(rowsOf(lineage).map((nodes, row) => [row, nodes]));
  const perRow = Math.max(1, ...[...rows.values()].map((nodes) => nodes.length));
  const width = MARGIN * 2 + perRow * BOX_WIDTH + (perRow - 1) * COLUMN_GAP;

  // Each box: caption (its stage, or "this product" for the scanned lot) over its wrapped label;
  // the boxes of a row share the height of the row's tallest.
  type Box = { x: number; y: number; height: number; caption: string; lines: string[] };
  const boxes = new Map<string, Box>();
  let y = MARGIN;
  for (const [, nodes] of [...rows.entries()].sort(([a], [b]) => a - b)) {
    const placed = nodes.map((node) => ({
      node,
      caption: captionOf(node, lang),
      lines: labelLines(node.label),
    }));
    const height = 2 * PADDING_Y + CAPTION_HEIGHT + Math.max(...placed.map((box) => box.lines.length)) * LINE_HEIGHT;
    // shorter rows are centred
    const left = MARGIN + ((perRow - nodes.length) * (BOX_WIDTH + COLUMN_GAP)) / 2;
    placed.forEach(({ node, caption, lines }, i) => {
      boxes.set(node.code, { x: round(left + i * (BOX_WIDTH + COLUMN_GAP)), y, height, caption, lines });
    });
    y += height + ROW_GAP;
  }
  const height = Math.max(y - ROW_GAP + MARGIN, 2 * MARGIN);

  const edges = lineage.edges.flatMap((edge) => {
    const from = boxes.get(edge.from);
    const to = boxes.get(edge.to);
    // An edge to a node the summary left out has nowhere to be drawn.
    if (!from || !to) return [];
    const [x1, y1, x2, y2] = [from.x + BOX_WIDTH / 2, from.y + from.height, to.x + BOX_WIDTH / 2, to.y - 2];
    const bend = round((y2 - y1) / 2);
    return [
      `<path class="edge" d="M${x1} ${y1}C${x1} ${y1 + bend} ${x2} ${y2 - bend} ${x2} ${y2}" fill="none" stroke="#8a8a8a" stroke-width="1.2" marker-end="url(#lineage-arrow)"/>`,
    ];
  });

  const nodes = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, row]) => row)
    .map((node) => {
      const box = boxes.get(node.code)!;
      const colour = node.stage ? COLOURS[node.stage] : UNKNOWN_STAGE;
      const centre = box.x + BOX_WIDTH / 2;
      // the content is centred vertically in a box taller than it needs
      const top = box.y + (box.height - (CAPTION_HEIGHT + box.lines.length * LINE_HEIGHT)) / 2;
      const caption = box.caption
        ? `<text class="caption" x="${centre}" y="${round(top + CAPTION_SIZE)}" font-size="${CAPTION_SIZE}" font-weight="600" text-anchor="middle" fill="${colour.text}">${escapeXml(box.caption)}</text>`
        : '';
      const label = box.lines
        .map(
          (line, i) => `<tspan x="${centre}" y="${round(top + CAPTION_HEIGHT + i * LINE_HEIGHT + LABEL_SIZE)}">${escapeXml(line)}</tspan>`,
        )
        .join('');
      // The scanned lot (depth 0) gets a heavier outline so the eye finds "this pack"; a label in
      // Chinese on the English page is drawn with a Chinese font.
      return (
        `<rect class="node" x="${box.x}" y="${box.y}" width="${BOX_WIDTH}" height="${box.height}" rx="6" fill="${colour.fill}" stroke="${colour.stroke}" stroke-width="${node.depth === 0 ? 2.5 : 1.2}"/>` +
        caption +
        `<text class="label" font-size="${LABEL_SIZE}" text-anchor="middle" fill="#222"${userTextLang(node.label, lang)}>${label}</text>`
      );
    });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="lineage-title" aria-describedby="lineage-steps" font-family="system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif">`,
    `<title id="lineage-title">${escapeXml(t.lineage)}</title>`,
    '<defs><marker id="lineage-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><polygon points="0 0 8 4 0 8" fill="#8a8a8a"/></marker></defs>',
    ...edges,
    ...nodes,
    '</svg>',
  ].join('');
}
