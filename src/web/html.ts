// The small HTML toolkit the server-rendered pages share: escaping, a tagged template that escapes
// what it interpolates, the page layout and a few formatters. Pure; plain HTML with inline CSS so a
// page loads fast on a phone on a weak signal.
import { type Lang, TEXT, type Text } from './i18n/index.js';
import { Html, hasChinese, html } from './markup.js';
import { CSS } from './styles.js';

export { escapeXml, Html, hasChinese, html } from './markup.js';

/**
 * Text as a user wrote it (a product, party, place or brand name, an address, a recall's hazard:
 * master data, usually Chinese) on a page in `lang`: on a page in another language, text with Chinese
 * characters in it is marked `lang="zh-CN"`, so a screen reader reads it with a Chinese voice and the
 * browser picks a Chinese font; Latin-only text ("Fengjie Co.") is the page's own language.
 */
export function userText(value: string, lang: Lang): Html | string {
  return userTextLang(value, lang) ? html`<span lang="zh-CN">${value}</span>` : value;
}

/**
 * userText's rule as an attribute, for an element that holds user text whole where no `<span>` may go
 * (an SVG `<text>`: a span there ends the SVG): ` lang="zh-CN"`, or nothing.
 */
export const userTextLang = (value: string, lang: Lang): string => (lang !== 'zh-CN' && hasChinese(value) ? ' lang="zh-CN"' : '');

/**
 * `YYYY-MM-DD HH:mm` in China time, whatever the server's zone. China Standard Time is UTC+8 all
 * year (no daylight saving), so plain arithmetic does, and is far cheaper than Intl per request.
 */
export function shanghaiTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export const list = <T>(t: Text, items: T[], item: (value: T) => Html) =>
  items.length ? html`<ul>${items.map(item)}</ul>` : html`<p class="muted">${t.none}</p>`;

// The pages' icon, inline so a browser has nothing more to fetch (and no /favicon.ico to miss):
// a white tick on the genuine-check green.
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2e7d32"/>' +
  '<path d="M8 16.5l5.5 5.5L24.5 10" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>';
export const FAVICON_HREF = `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`;

// A page is the layout's head, its header's language switch, a body, and the layout's end;
// the consumer page keeps the first (per lot and language) encoded.
export function layoutHead(lang: Lang, title: string, extraCss = ''): Html {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" type="image/svg+xml" href="${FAVICON_HREF}">
<title>${title}</title>
<style>${new Html(CSS + extraCss)}</style>
</head>
<body>
<main>
<header><span>${TEXT[lang].site}</span>`;
}

// switchLangHref is null where no GET of the same page exists (the answer to a form POST).
export function languageSwitch(lang: Lang, switchLangHref: string | null): Html {
  const other = lang === 'en' ? 'zh-CN' : 'en';
  return html`${switchLangHref !== null && html`<a href="${switchLangHref}" hreflang="${other}" lang="${other}">${TEXT[lang].otherLang}</a>`}</header>
`;
}

/**
 * Headers for every page built here: the pages load nothing (inline styles, a data: icon, no
 * script), so their policy allows nothing else; their forms post to their own site; no other site
 * may frame them (a copied label's page inside a look-alike site).
 */
export const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
} as const;

/** PAGE_HEADERS as an OpenAPI document declares them on an answer that may be such a page. */
export const PAGE_HEADERS_DECLARED = {
  'Content-Security-Policy': {
    type: 'string',
    const: PAGE_HEADERS['content-security-policy'],
    description: 'on a text/html page: it loads nothing from elsewhere and no other site may frame it',
  },
  'X-Content-Type-Options': { type: 'string', const: 'nosniff', description: 'on a text/html page' },
} as const;

export const LAYOUT_END = '\n</main>\n</body>\n</html>\n';

/** A whole page; `extraCss` adds to the shared styles (a wider page, charts). */
export function layout(lang: Lang, title: string, switchLangHref: string | null, body: Html, extraCss = ''): string {
  return layoutHead(lang, title, extraCss).value + languageSwitch(lang, switchLangHref).value + body.value + LAYOUT_END;
}
