// Words a page or an answer adds to a place's name, in each language; the name itself is the GB/T 2260 one.
import type { Lang } from './index.js';

/** After a county's name, for the enterprises whose address names no township (乡镇/街道) in it. */
export const NO_TOWNSHIP_NAMED: Record<Lang, string> = { 'zh-CN': '（未注明乡镇）', en: ' (no township named)' };
