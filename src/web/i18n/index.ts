import Negotiator from 'negotiator';
import { EN } from './en.js';
import { ZH } from './zh-CN.js';

export type Lang = 'zh-CN' | 'en';
export type Text = typeof ZH;
export const TEXT: Record<Lang, Text> = { 'zh-CN': ZH, en: EN };

/**
 * The tags a page may be asked for, first preferred on a tie (a bare `*`): `zh` takes any Chinese
 * tag (`zh-Hans`, `zh-TW`: the pages are in simplified Chinese, nearer to them than English), `en` any English one.
 */
const OFFERED = ['zh-CN', 'zh', 'en'];
/** A browser's list is a handful of ranges; past these the header is not read (it may be up to Node's 16 KiB). */
const MAX_RANGES = 16;
const MAX_CHARACTERS = 256;

/** The header's first ranges, whole: a range cut by the bound is left out. */
function boundedRanges(header: string): string {
  const whole = header.length <= MAX_CHARACTERS ? header : header.slice(0, Math.max(0, header.lastIndexOf(',', MAX_CHARACTERS)));
  return whole.split(',', MAX_RANGES).join(',');
}

/** The page language a list of language ranges prefers (q-values, then order), or null when it accepts none the pages have. */
function preferredLang(ranges: string): Lang | null {
  const [best] = new Negotiator({ headers: { 'accept-language': boundedRanges(ranges) } }).languages(OFFERED);
  if (best === undefined) return null;
  return best === 'en' ? 'en' : 'zh-CN';
}

/**
 * A consumer page's language: the `lang` parameter of its link when it names a language the pages
 * have (the page's own language switch, a link that carries it), else the best match of the
 * browser's Accept-Language, else Chinese.
 */
export function pageLang(lang: unknown, acceptLanguage: string | string[] | undefined): Lang {
  const asked = typeof lang === 'string' && lang.trim() !== '' ? preferredLang(lang) : null;
  if (asked) return asked;
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  return (header && preferredLang(header)) || 'zh-CN';
}
