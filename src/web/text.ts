// Plain text as people read it: chart and label-sheet text, values quoted in messages. Pure.

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The text, or when it has more than `count` characters its first `count - 1` and an ellipsis.
 * Characters are whole: never half of a surrogate pair or of an emoji sequence. Reads no further
 * into a long text than it keeps.
 */
export function shortened(text: string, count: number): string {
  const kept = firstCharacters(text, count);
  return kept.length === text.length ? text : `${firstCharacters(kept, count - 1)}…`;
}

/** The first `count` whole characters of the text (never half of a surrogate pair or of an emoji sequence). */
export function firstCharacters(text: string, count: number): string {
  const kept: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length === count) break;
    kept.push(segment);
  }
  return kept.join('');
}

// Characters a browser draws a full em wide, two columns of Latin text: Han, kana, Hangul, the punctuation and
// full-width forms written with them, emoji, and the ellipsis (an em wide in Chinese and Latin fonts alike).
const WIDE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6\u2026]|\p{Extended_Pictographic}/u;

/** How many columns a character takes: two for a wide one, else one. */
export const characterWidth = (character: string) => (WIDE.test(character) ? 2 : 1);

/** How many columns the text takes (see characterWidth, or the `widthOf` given). */
export function textWidth(text: string, widthOf: (character: string) => number = characterWidth): number {
  let width = 0;
  for (const { segment } of graphemes.segment(text)) width += widthOf(segment);
  return width;
}

// Latin letters and signs by how wide a proportional font draws them, in ems: the advance widths of DejaVu Sans (the
// widest of the common sans-serif fonts, and Chromium's system-ui on Linux) as Chromium measures them, each class
// taking its widest member. Capitals are about twice as wide as `characterWidth`'s one column allows at 14 px.
const DRAWN_EMS: [RegExp, number][] = [
  [/^[ijlIJ']$/, 0.3],
  [/^[ ,.:;/\\|!()[\]·frt-]$/, 0.41],
  [/^[sz*_?"c`]$/, 0.55],
  [/^[0-9$a-eg-hkn-qu-vx-y{}EFLPSTY]$/, 0.64],
  [/^[A-DGHKNOQRUVXZ&]$/, 0.79],
  [/^[Mw#+<=>^~]$/, 0.86],
];

/**
 * How many columns (half an em each, so a wide character takes two as in characterWidth) a character takes drawn in a
 * proportional font: a Latin one by DRAWN_EMS, a Latin one it does not list (an accented capital, %, @) a full em.
 */
export function drawnCharacterWidth(character: string): number {
  if (WIDE.test(character)) return 2;
  for (const [characters, ems] of DRAWN_EMS) if (characters.test(character)) return 2 * ems;
  return 2;
}

/**
 * The text, or when it is wider than `columns` (a wide character counting two, see characterWidth) as much of it
 * as fits with an ellipsis after it: 13 Chinese characters take as much room as 26 Latin ones. Characters are whole,
 * never half of a surrogate pair or of an emoji sequence; reads no further into a long text than it keeps. `widthOf` measures
 * a character in columns (characterWidth, or drawnCharacterWidth for text drawn in a proportional font).
 */
export function shortenedToWidth(text: string, columns: number, widthOf: (character: string) => number = characterWidth): string {
  const room = columns - widthOf('…');
  let width = 0;
  let fits = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    if (width <= room) fits = index;
    width += widthOf(segment);
    if (width > columns) return `${text.slice(0, fits).trimEnd()}…`;
  }
  return text;
}

/**
 * The text on at most `lines` lines of `columns` (see textWidth), each broken after a space, a slash or a hyphen
 * where the line has one, else where it is full; the last line cut with an ellipsis when even they do not hold it.
 */
export function wrappedToWidth(
  text: string,
  columns: number,
  lines: number,
  widthOf: (character: string) => number = characterWidth,
): string[] {
  const wrapped: string[] = [];
  let rest = text;
  while (wrapped.length < lines - 1 && textWidth(rest, widthOf) > columns) {
    const end = lineEnd(rest, columns, widthOf);
    wrapped.push(rest.slice(0, end).trimEnd());
    rest = rest.slice(end).trimStart();
  }
  return [...wrapped, shortenedToWidth(rest, columns, widthOf)];
}

/** Where the first line of a text too wide for `columns` ends: after its last break that fits, else where it is full. */
function lineEnd(text: string, columns: number, widthOf: (character: string) => number): number {
  let width = 0;
  let full = 0;
  let lastBreak = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    width += widthOf(segment);
    // a line that is full at the end of a word breaks there
    if (width > columns) return /^\s$/.test(segment) ? full : lastBreak || full;
    full = index + segment.length;
    if (/^[\s/-]$/.test(segment)) lastBreak = full;
  }
  return full;
}
