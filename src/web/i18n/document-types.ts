// The names of the documents an event may cite (its referenceDocuments' types, the enum of
// src/events/schemas.ts) in each page language: one table, so a type has both names or neither. The
// Excel flavour of the CSV exports names them by their Chinese names too.
import type { Lang } from './index.js';

const DOCUMENT_TYPE_NAMES: ReadonlyMap<string, Record<Lang, string>> = new Map([
  ['quarantine_certificate', { 'zh-CN': '动物检疫合格证明', en: 'Animal quarantine certificate' }],
  ['meat_quality_certificate', { 'zh-CN': '肉品品质检验合格证', en: 'Meat quality certificate' }],
  ['commitment_certificate', { 'zh-CN': '承诺达标合格证', en: 'Compliance commitment certificate' }],
  ['clenbuterol_test', { 'zh-CN': '瘦肉精检测报告', en: 'Clenbuterol test report' }],
  ['test_report', { 'zh-CN': '检测报告', en: 'Test report' }],
  ['despatch_advice', { 'zh-CN': '发货单', en: 'Despatch advice' }],
  ['invoice', { 'zh-CN': '发票', en: 'Invoice' }],
  ['purchase_order', { 'zh-CN': '采购订单', en: 'Purchase order' }],
  ['receiving_advice', { 'zh-CN': '收货单', en: 'Receiving advice' }],
  ['recall_notice', { 'zh-CN': '召回通知', en: 'Recall notice' }],
  ['other', { 'zh-CN': '其他文件', en: 'Other document' }],
]);

/** A document type's name in `lang`; a type this table does not name, as written. */
export const documentTypeName = (type: string, lang: Lang): string => DOCUMENT_TYPE_NAMES.get(type)?.[lang] ?? type;
