import { REFERENCE_DOCUMENT_TYPES } from '../../src/events/schemas.js';
import { DASHBOARD_TEXT } from '../../src/web/i18n/dashboard.js';
import { documentTypeName } from '../../src/web/i18n/document-types.js';
import { type Lang, pageLang } from '../../src/web/i18n/index.js';
import { RECALL_REPORT_TEXT } from '../../src/web/i18n/recall-report.js';
import { NO_TOWNSHIP_NAMED } from '../../src/web/i18n/regions.js';
import { Html, hasChinese } from '../../src/web/markup.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a page is in the language of its lang parameter, else the best Accept-Language match, else Chinese', async (t) => {
  const cases: [lang: string | undefined, acceptLanguage: string | undefined, served: string, why: string][] = [
    [undefined, undefined, 'zh-CN', 'nothing asked: Chinese'],
    [undefined, '', 'zh-CN', 'an empty header: Chinese'],
    [undefined, 'en-GB,en;q=0.9', 'en', 'any English tag'],
    [undefined, 'EN-us', 'en', 'in any case'],
    [undefined, 'zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN', 'a Chinese browser'],
    [undefined, 'zh-Hans,en;q=0.5', 'zh-CN', 'zh-Hans is Chinese'],
    [undefined, 'zh', 'zh-CN', 'zh is Chinese'],
    [undefined, 'fr-FR,fr;q=0.9,en;q=0.5', 'en', 'the best language the pages are written in'],
    [undefined, 'en;q=0.3,zh;q=0.9', 'zh-CN', 'by q-value, not by order'],
    [undefined, 'en,zh-CN', 'en', 'equal q-values: the first'],
    [undefined, 'de,fr', 'zh-CN', 'no language the pages have: Chinese'],
    [undefined, 'en;q=0', 'zh-CN', 'English refused: Chinese'],
    [undefined, '*', 'zh-CN', 'any language: Chinese'],
    [undefined, ';;;,,,=q', 'zh-CN', 'a garbled header: Chinese'],
    ['en', 'zh-CN', 'en', 'the parameter comes first'],
    ['zh-CN', 'en-US,en', 'zh-CN', 'the parameter comes first, Chinese too'],
    ['EN-gb', undefined, 'en', 'the parameter in any English tag'],
    ['fr', 'en', 'en', 'a parameter the pages do not have: the header decides'],
    ['', 'en', 'en', 'an empty parameter: the header decides'],
    ['fr', undefined, 'zh-CN', 'a parameter the pages do not have and no header: Chinese'],
  ];
  for (const [lang, acceptLanguage, served, why] of cases) t.equal(pageLang(lang, acceptLanguage), served, why);
});

t.test('an Accept-Language header is read no further than its first ranges', async (t) => {
  const many = `${Array.from({ length: 100 }, (_, i) => `x${i};q=0.1`).join(',')},en`;
  t.equal(pageLang(undefined, many), 'zh-CN', 'English after 100 ranges is not read');
  t.equal(pageLang(undefined, `de;q=0.2,${'x'.repeat(10_000)},en`), 'zh-CN', 'nor after a range too long to be a language tag');
  t.equal(pageLang(undefined, 'fr;q=0.9,de;q=0.8,it;q=0.7,es;q=0.6,en;q=0.5'), 'en', "a browser's list is read whole");
});

t.test('every document type an event may cite has a name in each page language', async (t) => {
  for (const type of REFERENCE_DOCUMENT_TYPES) {
    t.ok(hasChinese(documentTypeName(type, 'zh-CN')), `${type} in Chinese`);
    const english = documentTypeName(type, 'en');
    t.ok(english !== type && !hasChinese(english), `${type} in English: ${english}`);
  }
  t.equal(documentTypeName('export_health_certificate', 'en'), 'export_health_certificate', 'a type not named: as written');
  t.equal(documentTypeName('constructor', 'zh-CN'), 'constructor', 'even one named like an Object member');
});

/** Every text of a table as a page writes it: strings, markup, and what its functions give for small numbers. */
function textsOf(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (value instanceof Html) return [[path, value.value]];
  if (typeof value === 'function') return textsOf(value(1, 2, 3, 4), `${path}()`);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => textsOf(inner, `${path}.${key}`));
  return [];
}

t.test('the English texts of the dashboard, the recall report and place names write no Chinese but what they mark', async (t) => {
  const tables: Record<string, Record<Lang, unknown>> = {
    dashboard: DASHBOARD_TEXT,
    'recall report': RECALL_REPORT_TEXT,
    regions: { 'zh-CN': { noTownship: NO_TOWNSHIP_NAMED['zh-CN'] }, en: { noTownship: NO_TOWNSHIP_NAMED.en } },
  };
  for (const [name, table] of Object.entries(tables)) {
    const english = textsOf(table.en, name);
    t.ok(english.length > 0, `${name}: has texts`);
    for (const [path, text] of english) {
      t.notOk(hasChinese(text.replace(/<span lang="zh-CN">[^<]*<\/span>/g, '')), `${path}: ${text}`);
    }
    t.equal(textsOf(table['zh-CN'], name).length, english.length, `${name}: as many Chinese texts`);
  }
  t.match(DASHBOARD_TEXT.en.coverageHint, { value: /\(<span lang="zh-CN">乡镇\/街道<\/span>\)/ }, 'a Chinese word quoted is marked');
});
