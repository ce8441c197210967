import { EN } from './en.js';
import { ZH } from './zh-CN.js';

export type Lang = 'zh-CN' | 'en';
export type Text = typeof ZH;
export const TEXT: Record<Lang, Text> = { 'zh-CN': ZH, en: EN };

/**
 * The page language a `lang` parameter asks for: English for any English tag (`en`, `en-GB`, `EN`),
 * else Chinese, the default; a language the pages are not written in is not an error.
 */
export const langOf = (value: unknown): Lang => (typeof value === 'string' && /^en(?![a-z])/i.test(value.trim()) ? 'en' : 'zh-CN');
