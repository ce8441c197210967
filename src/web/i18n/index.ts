import { EN } from './en.js';
import { ZH } from './zh-CN.js';

export type Lang = 'zh-CN' | 'en';
export type Text = typeof ZH;
export const TEXT: Record<Lang, Text> = { 'zh-CN': ZH, en: EN };
