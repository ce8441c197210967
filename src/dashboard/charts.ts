// SVG charts for the regulator dashboard, drawn on the server so the page needs no script: horizontal
// bars with their figure written beside them, and a target line where there is one. Pure.

import { shownShare } from '../codes/shares.js';
import { escapeXml, hasChinese, userTextLang } from '../web/html.js';
import type { Lang } from '../web/i18n/index.js';
import { drawnCharacterWidth, shortenedToWidth, textWidth, wrappedToWidth } from '../web/text.js';

/**
 * `label`: a name, master data or the page's own words; `labelNote`: the page's own words after it (a
 * county's, that no township is named). `href`: the bar (its label, bar and figure) links there.
 * `alert`: drawn red whatever its value (a recall past a due time); say why in `text` too, colour alone is not read out.
 */
export type Bar = { label: string; labelNote?: string; value: number | null; text: string; alert?: boolean; href?: string };

const ROW = 30;
const LABEL_WIDTH = 200;
const BAR_WIDTH = 300;
const TEXT_WIDTH = 170;
/**
 * A label's room and a figure's, in CSS px: the label right-aligned 8 px left of the bars, the figure 8 px right of them. A
 * text is measured as a browser draws it (drawnCharacterWidth: a capital W takes an em, an i under a third). A wider label
 * is cut with an ellipsis (the full text is the bar's tooltip); one in Latin script, and a figure, is first wrapped onto
 * two lines in a smaller size, since a word cut short loses its meaning.
 */
const LABEL_ROOM = LABEL_WIDTH - 8;
const TEXT_ROOM = TEXT_WIDTH - 8;
const FONT_SIZE = 14;
const SMALL_FONT_SIZE = 12;
/** How many columns (half an em each) `room` px hold at a font size. */
const columnsIn = (room: number, size: number) => (2 * room) / size;
const WIDTH = LABEL_WIDTH + BAR_WIDTH + TEXT_WIDTH;
/** A chart's own width in CSS pixels: the page scales it down to a narrower panel (its viewBox keeps the proportions), never up. */
export const CHART_WIDTH = WIDTH;

/**
 * Bars of shares (0–1) or of counts against the largest. With a target, a dashed line marks it and
 * bars short of it are drawn red; so are bars marked `alert`. `lang` is the page's: a label in
 * Chinese (a party's, a place's or a test item's name) on a page in another language is marked as
 * userText marks it.
 */
export function barChart(input: {
  title: string;
  lang: Lang;
  bars: Bar[];
  target?: { value: number; label: string };
  scale?: 'share' | 'count';
}): string {
  const { bars, target } = input;
  const max = input.scale === 'count' ? Math.max(1, ...bars.map((bar) => bar.value ?? 0)) : 1;
  const height = Math.max(1, bars.length) * ROW + (target ? 24 : 8);
  const top = target ? 20 : 4;
  const x = (value: number) => LABEL_WIDTH + (Math.min(value, max) / max) * BAR_WIDTH;
  const rows = bars.map((bar, index) => {
    const y = top + index * ROW;
    const short = target !== undefined && bar.value !== null && bar.value < target.value;
    const red = short || bar.alert === true;
    const classes = `bar${short ? ' short' : ''}${bar.alert ? ' alert' : ''}`;
    const width = bar.value === null ? 0 : Math.max(bar.value > 0 ? 2 : 0, x(bar.value) - LABEL_WIDTH);
    const drawn =
      `<g class="${classes}">${barLabel(bar, input.lang, LABEL_WIDTH - 8, y)}` +
      // a pale red track behind an alert bar, so that one at 0 % shows red too
      (bar.alert ? `<rect class="track" x="${LABEL_WIDTH}" y="${y + 5}" width="${BAR_WIDTH}" height="20" rx="3" fill="#f6d5d5"/>` : '') +
      `<rect x="${LABEL_WIDTH}" y="${y + 5}" width="${width.toFixed(1)}" height="20" rx="3" fill="${red ? '#c62828' : '#2e7d32'}"/>` +
      fittedText(bar.text, LABEL_WIDTH + BAR_WIDTH + 8, y, TEXT_ROOM) +
      '</g>';
    return bar.href === undefined ? drawn : `<a href="${escapeXml(bar.href)}">${drawn}</a>`;
  });
  const targetLine = target
    ? `<line class="target" x1="${x(target.value).toFixed(1)}" x2="${x(target.value).toFixed(1)}" y1="18" y2="${height}" stroke="#0b57d0" stroke-width="2" stroke-dasharray="5 4"/>` +
      `<text x="${x(target.value).toFixed(1)}" y="14" text-anchor="middle" fill="#0b57d0">${escapeXml(target.label)}</text>`
    : '';
  const empty = bars.length === 0 ? `<text x="${LABEL_WIDTH}" y="${top + 19}" fill="#666">—</text>` : '';
  return (
    `<svg class="chart" role="img" aria-label="${escapeXml(input.title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" ` +
    `xmlns="http://www.w3.org/2000/svg" font-size="14" font-family="system-ui,sans-serif"><title>${escapeXml(input.title)}</title>` +
    `${rows.join('')}${empty}${targetLine}</svg>`
  );
}

/**
 * A bar's tooltip and label (wrapped or cut short; the tooltip has it whole), right-aligned at `x` in the row at `y`. A
 * label in Chinese on a page in another language is marked zh-CN, and a `<title>` is text in one language: so there
 * the name's tooltip is its own, inside its marked element, and the bar's tooltip holds the page's words alone.
 */
function barLabel(bar: Bar, lang: Lang, x: number, y: number): string {
  const whole = `${bar.label}${bar.labelNote ?? ''}`;
  const position = `x="${x}" y="${y + 19}" text-anchor="end"`;
  const marked = userTextLang(bar.label, lang);
  if (!marked) {
    const tooltip = `<title>${escapeXml(`${whole}: ${bar.text}`)}</title>`;
    if (hasChinese(whole)) return `${tooltip}<text ${position}>${escapeXml(oneLine(whole, LABEL_ROOM))}</text>`;
    return tooltip + fittedText(whole, x, y, LABEL_ROOM, true);
  }
  const shown = oneLine(whole, LABEL_ROOM);
  const tooltip = `<title>${escapeXml(bar.label)}</title>`;
  const figures = `<title>${escapeXml(`${bar.labelNote ? `${bar.labelNote.trim()}: ` : ''}${bar.text}`)}</title>`;
  // the name, or as much of it as is shown, marked; the page's words after it are not
  const name = shown.startsWith(bar.label) ? bar.label : shown;
  const note = shown.slice(name.length);
  return note
    ? `${figures}<text ${position}><tspan${marked}>${tooltip}${escapeXml(name)}</tspan>${escapeXml(note)}</text>`
    : `${figures}<text ${position}${marked}>${tooltip}${escapeXml(name)}</text>`;
}

/** The text on one line of `room` px at the chart's font size, cut with an ellipsis when wider. */
const oneLine = (text: string, room: number) => shortenedToWidth(text, columnsIn(room, FONT_SIZE), drawnCharacterWidth);

/**
 * A text of the row at `y`, at `x` (right-aligned there with `end`): on one line when it fits `room` px at the chart's
 * font size, else on two in the smaller size within the row, the second cut with an ellipsis when even they do not hold it.
 */
function fittedText(text: string, x: number, y: number, room: number, end = false): string {
  const anchor = end ? ' text-anchor="end"' : '';
  if (textWidth(text, drawnCharacterWidth) <= columnsIn(room, FONT_SIZE)) {
    return `<text x="${x}" y="${y + 19}"${anchor}>${escapeXml(text)}</text>`;
  }
  const lines = wrappedToWidth(text, columnsIn(room, SMALL_FONT_SIZE), 2, drawnCharacterWidth);
  const spans = lines.map((line, index) => `<tspan x="${x}" y="${y + 13 + 13 * index}">${escapeXml(line)}</tspan>`).join('');
  return `<text x="${x}" y="${y + 19}"${anchor} font-size="${SMALL_FONT_SIZE}">${spans}</text>`;
}

/** A share as a percentage to one place, rounded down: 99.99 % reads 99.9 %, and only a complete share 100.0 %. */
export const percent = (value: number | null) => (value === null ? '—' : `${(shownShare(value, 3) * 100).toFixed(1)} %`);
