// Markup the pages build on: escaping, and a tagged template that escapes what it interpolates. Pure,
// importing nothing, so the pages' text (src/web/i18n) can build markup too.

// Characters XML 1.0 does not allow at all, even escaped: C0 controls but tab, LF and CR (a name pasted
// from Word carries its line break as U+000B), and U+FFFE/U+FFFF. One would make a whole SVG unreadable.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Text as XML or HTML character data: escaped (`&#39;` rather than `&apos;`, which HTML4 parsers
 * lack), and without the characters XML cannot carry.
 */
export const escapeXml = (value: string) =>
  value
    .replace(NOT_XML_CHARACTER, '')
    .replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);

/** Markup that is already safe; anything else interpolated into `html` is escaped. */
export class Html {
  constructor(readonly value: string) {}
}
type Value = Html | string | number | null | undefined | false | Value[];
const render = (value: Value): string =>
  value instanceof Html
    ? value.value
    : Array.isArray(value)
      ? value.map(render).join('')
      : value === null || value === undefined || value === false
        ? ''
        : escapeXml(String(value));
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  return new Html(strings.reduce((out, string, i) => out + render(values[i - 1]) + string));
}

// Han characters, and the punctuation and full-width forms written with them.
const CHINESE = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;

/** Whether the text has Chinese in it: a Han character, or the punctuation and full-width forms written with them. */
export const hasChinese = (text: string) => CHINESE.test(text);
