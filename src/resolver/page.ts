// Server-rendered pages a consumer reaches by scanning a pack's QR code: the trace summary with
// warnings and a complaint form, "not genuine" for unknown codes, and the complaint receipt.
// Plain HTML with inline CSS so it loads fast on a phone on a weak signal.
import { escapeXml, lineageSvg } from './lineage-svg.js';
import type { LotSummary, PackFacts, Stage } from './summary.js';

type Lang = 'zh-CN' | 'en';

const ZH = {
  title: '产品溯源信息',
  otherLang: 'English',
  site: '县域食品溯源 · 正品查询',
  banners: { recalled: '已召回 — 请勿食用', held: '检测不合格 — 已暂扣', expired: '已过保质期', destroyed: '已销毁 — 请勿食用' } as Record<
    LotSummary['warnings'][number],
    string
  >,
  bannerHint: '请停止食用，联系购买商家退换，或拨打 12315 投诉举报。',
  counterfeit: '此码疑似被仿冒：扫描次数或地点异常。请核对包装，谨慎食用，并可在下方投诉。',
  marks: { geographical_indication: '地理标志产品', green_food: '绿色食品', organic: '有机产品' } as Record<string, string>,
  unnamedProduct: '未登记品名',
  lotNumber: '批次号',
  productionDate: '生产日期',
  expiryDate: '保质期至',
  producer: '生产企业',
  origins: '原料产地',
  earTags: (count: number) => `已登记耳标 ${count} 个`,
  timeline: '生产流通过程',
  stages: {
    farm: '养殖',
    slaughter: '屠宰',
    cutting: '分割',
    processing: '加工',
    cold_chain: '冷链',
    distribution: '流通',
    retail: '零售',
  } as Record<Stage, string>,
  actions: {
    commission: '登记',
    transform: '加工',
    receive: '收货',
    observe: '温度记录',
    sell: '销售',
    slaughter: '屠宰',
    cutting: '分割',
    curing: '腌制熏制',
    smoking: '熏制',
    drying: '晾晒风干',
    packing: '包装',
  } as Record<string, string>,
  tests: '检测报告',
  testKinds: { self: '企业自检', rapid: '快速检测', sampling: '抽样检验', third_party: '第三方检测' } as Record<string, string>,
  results: { pass: '合格', fail: '不合格' } as Record<string, string>,
  reportNumber: '报告编号',
  certificates: '证明文件',
  certificateTypes: {
    quarantine_certificate: '动物检疫合格证明',
    meat_quality_certificate: '肉品品质检验合格证',
    commitment_certificate: '承诺达标合格证',
    test_report: '检测报告',
  } as Record<string, string>,
  coldChain: '冷链温度',
  coldChainLine: (readings: number, min: string, max: string) => `${readings} 次记录，${min}–${max} °C`,
  withinLimits: '正常',
  outOfLimits: '异常',
  lineage: '溯源链',
  scans: (count: number, first: string | null) => `此码已被扫描 ${count} 次${first ? `，首次扫描于 ${first}` : ''}`,
  scansHint: '如果您是第一次扫描，但显示已被多次扫描，请留意是否为仿冒产品。',
  none: '暂无记录',
  complaint: '消费维权投诉',
  category: '问题类型',
  categories: {
    quality: '质量问题',
    counterfeit: '疑似假冒',
    labeling: '标签问题',
    foreign_matter: '异物',
    illness: '食用后不适',
    other: '其他',
  },
  complaintText: '问题描述',
  phone: '联系电话（选填）',
  submit: '提交投诉',
  hotline: '也可拨打全国市场监管投诉举报热线 12315。',
  officialSite: (host: string) => `正品查询仅在官方网址 ${host} 显示，请核对浏览器地址栏。`,
  notGenuine: '此码未登记，可能不是正品',
  notGenuineBody: (code: string) => `您扫描的码 ${code} 在本溯源平台没有登记记录。`,
  notGenuineAdvice: '请谨慎购买，并可向市场监管部门举报（拨打 12315）。',
  received: '投诉已提交',
  ticket: '投诉编号',
  receivedBody: '市场监管部门和生产企业将核实处理，请保存投诉编号以便查询。',
  checkStatus: '查询处理进度',
  complaintStatus: '投诉处理进度',
  statuses: { open: '已受理', investigating: '调查处理中', resolved: '已办结' } as Record<string, string>,
  filedAt: '提交时间',
  updatedAt: '最近更新',
};
const EN: typeof ZH = {
  title: 'Product traceability',
  otherLang: '中文',
  site: 'County food traceability · Genuine check',
  banners: { recalled: 'Recalled — do not eat', held: 'Failed test — held', expired: 'Expired', destroyed: 'Destroyed — do not eat' },
  bannerHint: 'Stop eating it, return it to the shop, or call the 12315 consumer hotline.',
  counterfeit:
    'This code may be counterfeit: it was scanned unusually often or in unusual places. Check the pack, be careful, and report it below.',
  marks: { geographical_indication: 'Geographical indication', green_food: 'Green food', organic: 'Organic' },
  unnamedProduct: 'Unnamed product',
  lotNumber: 'Lot number',
  productionDate: 'Production date',
  expiryDate: 'Best before',
  producer: 'Producer',
  origins: 'Origin farms',
  earTags: (count: number) => `${count} ear tags registered`,
  timeline: 'From farm to shop',
  stages: {
    farm: 'Farm',
    slaughter: 'Slaughter',
    cutting: 'Cutting',
    processing: 'Processing',
    cold_chain: 'Cold chain',
    distribution: 'Distribution',
    retail: 'Retail',
  },
  actions: {
    commission: 'registered',
    transform: 'processed',
    receive: 'received',
    observe: 'temperature logged',
    sell: 'sold',
    slaughter: 'slaughtered',
    cutting: 'cut',
    curing: 'cured and smoked',
    smoking: 'smoked',
    drying: 'dried',
    packing: 'packed',
  },
  tests: 'Test reports',
  testKinds: { self: 'Self-check', rapid: 'Rapid test', sampling: 'Official sampling', third_party: 'Third-party test' },
  results: { pass: 'Pass', fail: 'Fail' },
  reportNumber: 'Report no.',
  certificates: 'Certificates',
  certificateTypes: {
    quarantine_certificate: 'Animal quarantine certificate',
    meat_quality_certificate: 'Meat quality certificate',
    commitment_certificate: 'Compliance commitment certificate',
    test_report: 'Test report',
  },
  coldChain: 'Cold chain',
  coldChainLine: (readings: number, min: string, max: string) => `${readings} readings, ${min}–${max} °C`,
  withinLimits: 'Normal',
  outOfLimits: 'Out of range',
  lineage: 'Trace chain',
  scans: (count: number, first: string | null) => `Scanned ${count} ${count === 1 ? 'time' : 'times'}${first ? `, first on ${first}` : ''}`,
  scansHint: 'If this is your first scan but it shows several, the code may have been copied.',
  none: 'None recorded',
  complaint: 'Consumer complaint',
  category: 'Problem',
  categories: {
    quality: 'Quality problem',
    counterfeit: 'Suspected counterfeit',
    labeling: 'Labelling problem',
    foreign_matter: 'Foreign matter',
    illness: 'Unwell after eating',
    other: 'Other',
  },
  complaintText: 'What happened',
  phone: 'Phone (optional)',
  submit: 'Submit complaint',
  hotline: 'You can also call the 12315 market regulation hotline.',
  officialSite: (host: string) => `Genuine results are only shown on ${host}; check the address bar.`,
  notGenuine: 'This code is not registered — it may not be genuine',
  notGenuineBody: (code: string) => `The code ${code} you scanned has no record on this traceability platform.`,
  notGenuineAdvice: 'Be careful buying this product; you can report it to market regulators (call 12315).',
  received: 'Complaint received',
  ticket: 'Ticket number',
  receivedBody: 'Market regulators and the producer will look into it. Keep the ticket number to check progress.',
  checkStatus: 'Check status',
  complaintStatus: 'Complaint status',
  statuses: { open: 'Received', investigating: 'Under investigation', resolved: 'Resolved' },
  filedAt: 'Filed',
  updatedAt: 'Last update',
};
const TEXT: Record<Lang, typeof ZH> = { 'zh-CN': ZH, en: EN };

type Text = typeof ZH;

// Administrative regions (GB/T 2260) around Fengjie that the demo chain passes through.
const REGIONS: Record<string, Record<Lang, string>> = {
  '500236': { 'zh-CN': '重庆市奉节县', en: 'Fengjie County, Chongqing' },
  '500103': { 'zh-CN': '重庆市渝中区', en: 'Yuzhong District, Chongqing' },
  '500101': { 'zh-CN': '重庆市万州区', en: 'Wanzhou District, Chongqing' },
  '500235': { 'zh-CN': '重庆市云阳县', en: 'Yunyang County, Chongqing' },
  '500237': { 'zh-CN': '重庆市巫山县', en: 'Wushan County, Chongqing' },
  '500238': { 'zh-CN': '重庆市巫溪县', en: 'Wuxi County, Chongqing' },
};
const regionName = (code: string, lang: Lang) => REGIONS[code]?.[lang] ?? code;

/**
 * `YYYY-MM-DD HH:mm` in China time, whatever the server's zone. China Standard Time is UTC+8 all
 * year (no daylight saving), so plain arithmetic does, and is far cheaper than Intl per request.
 */
function shanghaiTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** Markup that is already safe; anything else interpolated into `html` is escaped. */
class Html {
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
function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  return new Html(strings.reduce((out, string, i) => out + render(values[i - 1]) + string));
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f4f4f2;color:#1f1f1f;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
main{max-width:640px;margin:0 auto;padding:12px 14px 32px}
header{display:flex;justify-content:space-between;align-items:center;gap:8px;color:#555;font-size:14px}
header a{display:inline-block;padding:10px 12px;min-height:44px;color:#0b57d0}
section,.card{background:#fff;border-radius:12px;padding:14px 16px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:1.45rem;line-height:1.3;margin:4px 0 8px}
h2{font-size:1.1rem;margin:0 0 8px}
ul,ol{margin:0;padding:0;list-style:none}
li+li{border-top:1px solid #eee;margin-top:8px;padding-top:8px}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:8px 0 0}
dt{color:#666}dd{margin:0}
.alert{border-radius:12px;padding:14px 16px;margin:12px 0;font-weight:700}
.alert p{margin:4px 0 0;font-weight:400}
.stop{background:#c62828;color:#fff;font-size:1.3rem}
.warn{background:#fff3e0;color:#8a3b00;border:2px solid #e65100}
.ok{background:#e6f4e7;color:#1b5e20;border:2px solid #2e7d32}
.badges{display:flex;flex-wrap:wrap;gap:6px}
.badge{border:1px solid #2e7d32;color:#1b5e20;background:#eef7ee;border-radius:999px;padding:2px 10px;font-size:.85rem}
.badge.geographical_indication{border-color:#a66f00;color:#7a4f00;background:#fff6e0}
.stage{display:inline-block;min-width:3.2em;margin-right:6px;padding:0 6px;border-radius:6px;background:#eee;font-size:.85rem;text-align:center}
.farm{background:#e6f4e7}.slaughter,.cutting{background:#f6e4dc}.processing{background:#fff1d1}.cold_chain{background:#e2effb}
.muted{color:#666;font-size:.9rem}
.pass{color:#1b5e20;font-weight:700}.fail{color:#c62828;font-weight:700}
code{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
svg{display:block;width:100%;height:auto;max-width:100%}
label{display:block;margin:10px 0 4px;font-weight:600}
select,textarea,input{width:100%;font:inherit;padding:10px;min-height:44px;border:1px solid #bbb;border-radius:8px;background:#fff}
button{width:100%;margin-top:14px;min-height:48px;font:inherit;font-weight:700;color:#fff;background:#c62828;border:0;border-radius:8px}
.link{display:block;text-align:center;padding:12px;min-height:48px;font-weight:700;color:#0b57d0}
footer{color:#777;font-size:.8rem;text-align:center;margin-top:16px}
`;

// A page is the layout's head, its header's language switch, a body, and the layout's end;
// the consumer page keeps the first (per lot and language) encoded.
function layoutHead(lang: Lang, title: string): Html {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${new Html(CSS)}</style>
</head>
<body>
<main>
<header><span>${TEXT[lang].site}</span>`;
}

// switchLangHref is null where no GET of the same page exists (the answer to a form POST).
function languageSwitch(lang: Lang, switchLangHref: string | null): Html {
  const other = lang === 'en' ? 'zh-CN' : 'en';
  return html`${switchLangHref !== null && html`<a href="${switchLangHref}" hreflang="${other}" lang="${other}">${TEXT[lang].otherLang}</a>`}</header>
`;
}

const LAYOUT_END = '\n</main>\n</body>\n</html>\n';

function layout(lang: Lang, title: string, switchLangHref: string | null, body: Html): string {
  return layoutHead(lang, title).value + languageSwitch(lang, switchLangHref).value + body.value + LAYOUT_END;
}

const list = <T>(t: Text, items: T[], item: (value: T) => Html) =>
  items.length ? html`<ul>${items.map(item)}</ul>` : html`<p class="muted">${t.none}</p>`;

function productCard(summary: LotSummary, t: Text): Html {
  const { product, lot } = summary;
  const marks = (product?.marks ?? []).filter((mark) => t.marks[mark]);
  return html`<section>
<h1>${product?.name ?? t.unnamedProduct}</h1>
${marks.length ? html`<div class="badges">${marks.map((mark) => html`<span class="badge ${mark}">${t.marks[mark]}</span>`)}</div>` : ''}
<dl>
${lot.lotNumber ? html`<dt>${t.lotNumber}</dt><dd><code>${lot.lotNumber}</code></dd>` : ''}
${lot.productionDate ? html`<dt>${t.productionDate}</dt><dd>${lot.productionDate}</dd>` : ''}
${lot.expiryDate ? html`<dt>${t.expiryDate}</dt><dd>${lot.expiryDate}</dd>` : ''}
</dl>
</section>`;
}

function complaintForm(code: string, suspected: boolean, t: Text, complaintPath: string): Html {
  const categories = Object.entries(t.categories).map(
    ([value, label]) =>
      html`<option value="${value}"${suspected && value === 'counterfeit' ? new Html(' selected') : ''}>${label}</option>`,
  );
  return html`<section id="complaint">
<h2>${t.complaint}</h2>
<form method="post" action="${complaintPath}" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="code" value="${code}">
<label for="category">${t.category}</label>
<select id="category" name="category" required>${categories}</select>
<label for="text">${t.complaintText}</label>
<textarea id="text" name="text" required maxlength="2000" rows="4"></textarea>
<label for="phone">${t.phone}</label>
<input id="phone" name="phone" type="tel" autocomplete="tel" maxlength="20">
<button type="submit">${t.submit}</button>
</form>
<p class="muted">${t.hotline}</p>
</section>`;
}

// The lot's head, banners and sections are most of a page and the same for every pack of the
// lot: rendered and UTF-8 encoded once per lot summary (itself cached per trace) and language.
type LotParts = { head: Buffer; banners: Buffer; sections: Buffer };
const lotParts = new WeakMap<LotSummary, Partial<Record<Lang, LotParts>>>();

function lotPartsOf(summary: LotSummary, lang: Lang): LotParts {
  let byLang = lotParts.get(summary);
  if (!byLang) {
    byLang = {};
    lotParts.set(summary, byLang);
  }
  byLang[lang] ??= renderLotParts(summary, lang);
  return byLang[lang];
}

function renderLotParts(summary: LotSummary, lang: Lang): LotParts {
  const t = TEXT[lang];
  const timeline = [...summary.timeline].sort((a, b) => a.time.localeCompare(b.time));
  const { producer, coldChain } = summary;
  const banners = html`${summary.warnings.map((warning) => html`<div class="alert stop" role="alert">${t.banners[warning]}<p>${t.bannerHint}</p></div>`)}`;
  const sections = html`
${productCard(summary, t)}
${producer ? html`<section><h2>${t.producer}</h2><p>${producer.name}<br><span class="muted">${regionName(producer.regionCode, lang)}${producer.address ? html` · ${producer.address}` : ''}</span></p></section>` : ''}
<section><h2>${t.origins}</h2>${list(t, summary.origins, (origin) => html`<li>${origin.farm}<br><span class="muted">${regionName(origin.regionCode, lang)}${origin.address ? html` · ${origin.address}` : ''}${origin.earTagCount ? html` · ${t.earTags(origin.earTagCount)}` : ''}</span></li>`)}</section>
<section><h2>${t.timeline}</h2>${timeline.length ? html`<ol>${timeline.map((step) => html`<li><span class="stage ${step.stage}">${t.stages[step.stage]}</span>${shanghaiTime(step.time)} · ${t.actions[step.action] ?? step.action}<br>${step.party}${step.place ? html`<br><span class="muted">${step.place}</span>` : ''}</li>`)}</ol>` : html`<p class="muted">${t.none}</p>`}</section>
<section><h2>${t.tests}</h2>${list(t, summary.tests, (test) => html`<li>${t.testKinds[test.kind] ?? test.kind} · <span class="${test.result === 'pass' ? 'pass' : 'fail'}">${t.results[test.result] ?? test.result}</span><br><span class="muted">${shanghaiTime(test.time)}${test.lab ? html` · ${test.lab}` : ''}${test.reportNumber ? html` · ${t.reportNumber} <code>${test.reportNumber}</code>` : ''}</span></li>`)}</section>
<section><h2>${t.certificates}</h2>${list(t, summary.certificates, (certificate) => html`<li>${t.certificateTypes[certificate.type] ?? certificate.type}<br><code>${certificate.number}</code></li>`)}</section>
${coldChain ? html`<section><h2>${t.coldChain}</h2><p>${t.coldChainLine(coldChain.readings, coldChain.minCelsius.toFixed(1), coldChain.maxCelsius.toFixed(1))} · <span class="${coldChain.withinLimits ? 'pass' : 'fail'}">${coldChain.withinLimits ? t.withinLimits : t.outOfLimits}</span></p></section>` : ''}
<section><h2>${t.lineage}</h2>${new Html(lineageSvg(summary.lineage, lang))}</section>
`;
  const head = layoutHead(lang, `${summary.product?.name ?? t.unnamedProduct} · ${t.title}`);
  return { head: Buffer.from(head.value), banners: Buffer.from(banners.value), sections: Buffer.from(sections.value) };
}

/**
 * The page for one scanned pack (or a lot, whose pack facts carry no scans), as UTF-8 bytes:
 * the lot's encoded parts with the pack's few lines between them.
 */
export function consumerPage(
  lot: LotSummary,
  pack: PackFacts,
  options: { lang: Lang; baseUrl: string; complaintPath: string; switchLangHref: string },
): Buffer {
  const { lang } = options;
  const t = TEXT[lang];
  const host = options.baseUrl.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  const parts = lotPartsOf(lot, lang);
  const { scans } = pack;
  const counterfeit = html`${pack.flagged && html`<div class="alert warn" role="alert">${t.counterfeit}</div>`}`;
  const rest = html`${scans.count ? html`<div class="card"><p>${t.scans(scans.count, scans.firstScannedAt && shanghaiTime(scans.firstScannedAt.toISOString()))}</p><p class="muted">${t.scansHint}</p></div>` : ''}
${complaintForm(pack.code, pack.flagged, t, options.complaintPath)}
<footer>${t.officialSite(host)}</footer>`;
  return Buffer.concat([
    parts.head,
    Buffer.from(languageSwitch(lang, options.switchLangHref).value),
    parts.banners,
    Buffer.from(counterfeit.value),
    parts.sections,
    Buffer.from(rest.value + LAYOUT_END),
  ]);
}

/** For a code that was never issued (served with 404). */
export function notGenuinePage(code: string, lang: Lang): string {
  const t = TEXT[lang];
  const body = html`<div class="alert stop" role="alert">${t.notGenuine}</div>
<section><p>${t.notGenuineBody(code)}</p><p>${t.notGenuineAdvice}</p></section>`;
  // Served at the scanned URL, so a query-only link switches language in place.
  return layout(lang, t.notGenuine, `?lang=${lang === 'en' ? 'zh-CN' : 'en'}`, body);
}

export function complaintReceivedPage(ticket: string, statusPath: string, lang: Lang): string {
  const t = TEXT[lang];
  const body = html`<div class="alert ok" role="status">${t.received}</div>
<section><dl><dt>${t.ticket}</dt><dd><code>${ticket}</code></dd></dl><p>${t.receivedBody}</p><a class="link" href="${statusPath}">${t.checkStatus}</a></section>`;
  return layout(lang, t.received, null, body);
}

/** The consumer's view of a complaint, for the link on the receipt. */
export function complaintStatusPage(complaint: { ticket: string; status: string; createdAt: Date; updatedAt: Date }, lang: Lang): string {
  const t = TEXT[lang];
  const body = html`<section><h2>${t.complaintStatus}</h2><dl><dt>${t.ticket}</dt><dd><code>${complaint.ticket}</code></dd>
<dt>${t.complaintStatus}</dt><dd><strong>${t.statuses[complaint.status] ?? complaint.status}</strong></dd>
<dt>${t.filedAt}</dt><dd>${shanghaiTime(complaint.createdAt.toISOString())}</dd><dt>${t.updatedAt}</dt><dd>${shanghaiTime(complaint.updatedAt.toISOString())}</dd></dl></section>`;
  return layout(lang, t.complaintStatus, null, body);
}
