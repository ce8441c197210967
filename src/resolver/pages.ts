// Server-rendered pages a consumer reaches by scanning a pack's QR code: the trace summary with
// warnings and a complaint form, and "not genuine" for unknown codes.
import { regionName } from '../codes/regions.js';
import { Html, html, LAYOUT_END, languageSwitch, layout, layoutHead, list, shanghaiTime, userText } from '../web/html.js';
import { documentTypeName } from '../web/i18n/document-types.js';
import { type Lang, TEXT, type Text } from '../web/i18n/index.js';
import { lineageStepsList, lineageSvg } from './lineage-svg.js';
import type { LookupProblem } from './lookup.js';
import { counterfeitSuspected, type LotSummary, type PackFacts, packLotWarnings, packRecallHazards, type TestItem } from './summary.js';

// Everything shown that users wrote (names, places, addresses, test items, hazards) goes through
// userText, so on the English page its Chinese is marked as such. Region names exist in Chinese
// only; an unknown code shows as the code.
function regionLabel(code: string, lang: Lang): Html | string {
  return userText(regionName(code) ?? code, lang);
}

/**
 * The region and the address on one line. Addresses are usually written in full, so one that
 * already starts with the region's name stands alone rather than repeating it (and is then
 * Chinese, marked as the region's name would be).
 */
function placeLine(regionCode: string, address: string | null, lang: Lang): Html | string {
  const name = regionName(regionCode);
  if (address && name && address.trimStart().startsWith(name)) {
    return userText(address, lang);
  }
  return address ? html`${regionLabel(regionCode, lang)} · ${userText(address, lang)}` : regionLabel(regionCode, lang);
}

/** `≤30` → `≤ 30`, the limit as a reader expects it. */
const limitText = (limit: string) => limit.replace(/^\s*(≤|≥|<=|>=|<|>|＜|＞)\s*/u, '$1 ');

/** One tested item: `瘦肉精 阴性`, `亚硝酸盐 8.6 mg/kg (≤ 30)`; a failed one says so in red. */
function testItemLine(item: TestItem, t: Text, lang: Lang): Html {
  const result = html`<span class="${item.result === 'pass' ? 'pass' : 'fail'}">${t.results[item.result] ?? item.result}</span>`;
  const name = userText(item.name, lang);
  if (item.value === null) return html`<li>${name} ${result}</li>`;
  return html`<li>${name} <strong>${userText(String(item.value), lang)}${item.unit ? html` ${userText(item.unit, lang)}` : ''}</strong>${item.limit ? html` <span class="muted">(${userText(limitText(item.limit), lang)})</span>` : ''}${item.result !== 'pass' && html` ${result}`}</li>`;
}

function testLine(test: LotSummary['tests'][number], t: Text, lang: Lang): Html {
  return html`<li>${t.testKinds[test.kind] ?? test.kind} · <span class="${test.result === 'pass' ? 'pass' : 'fail'}">${t.results[test.result] ?? test.result}</span>
${test.items.length ? html`<ul class="test-items">${test.items.map((item) => testItemLine(item, t, lang))}</ul>` : ''}<div class="muted">${shanghaiTime(test.time)} · ${userText(test.party, lang)}${test.lab && test.lab !== test.party ? html` · ${userText(test.lab, lang)}` : ''}${test.reportNumber ? html` · ${t.reportNumber} <code>${userText(test.reportNumber, lang)}</code>` : ''}</div></li>`;
}

function productCard(summary: LotSummary, t: Text, lang: Lang): Html {
  const { product, lot, brands } = summary;
  const marks = (product?.marks ?? []).filter((mark) => t.marks[mark]);
  // brand badges only as earned: the producer was admitted to the brand on the lot's production day
  const badges = [
    ...brands.map(
      (brand) => html`<span class="badge brand ${brand.kind}" data-brand="${brand.code}">${userText(t.brandBadge(brand), lang)}</span>`,
    ),
    ...marks.map((mark) => html`<span class="badge ${mark}">${t.marks[mark]}</span>`),
  ];
  return html`<section>
<h1>${product ? userText(product.name, lang) : t.unnamedProduct}</h1>
${badges.length ? html`<div class="badges">${badges}</div>` : ''}
<dl>
${lot.lotNumber ? html`<dt>${t.lotNumber}</dt><dd><code>${userText(lot.lotNumber, lang)}</code></dd>` : ''}
${lot.productionDate ? html`<dt>${t.productionDate}</dt><dd>${lot.productionDate}</dd>` : ''}
${lot.expiryDate ? html`<dt>${t.expiryDate}</dt><dd>${lot.expiryDate}</dd>` : ''}
${lot.sellByDate ? html`<dt>${t.sellByDate}</dt><dd>${lot.sellByDate}</dd>` : ''}
</dl>
</section>`;
}

/** What a shopper typed into the complaint form, shown again when the complaint could not be filed. */
export type TypedComplaint = { category?: string; text?: string; phone?: string };

/** The form's fields at fault, each with the id of the message saying what to correct, as a screen reader reads it. */
export type FieldProblems = Partial<Record<keyof TypedComplaint, string>>;

/** A field at fault is marked so and names its message, as the lookup page's input is. */
const invalidMark = (problems: FieldProblems, field: keyof TypedComplaint) =>
  problems[field] ? html` aria-invalid="true" aria-describedby="${problems[field]}"` : '';

export function complaintForm(
  code: string,
  suspected: boolean,
  t: Text,
  complaintPath: string,
  typed: TypedComplaint = {},
  problems: FieldProblems = {},
): Html {
  const chosen = typed.category && Object.hasOwn(t.categories, typed.category) ? typed.category : suspected ? 'counterfeit' : undefined;
  const categories = Object.entries(t.categories).map(
    ([value, label]) => html`<option value="${value}"${value === chosen ? new Html(' selected') : ''}>${label}</option>`,
  );
  return html`<section id="complaint">
<h2>${t.complaint}</h2>
<form method="post" action="${complaintPath}" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="code" value="${code}">
<label for="category">${t.category}</label>
<select id="category" name="category" required${invalidMark(problems, 'category')}>${categories}</select>
<label for="text">${t.complaintText}</label>
<textarea id="text" name="text" required maxlength="2000" rows="4"${invalidMark(problems, 'text')}>${typed.text ?? ''}</textarea>
<label for="phone">${t.phone}</label>
<input id="phone" name="phone" type="tel" autocomplete="tel" maxlength="40"${typed.phone ? html` value="${typed.phone}"` : ''}${invalidMark(problems, 'phone')}>
<button type="submit">${t.submit}</button>
</form>
<p class="muted">${t.hotline}</p>
</section>`;
}

// The lot's head, banners and sections are most of a page and the same for every pack of the
// lot: rendered and UTF-8 encoded once per lot summary (itself cached per trace) and language.
// The sections are parted at the timeline's heading, where the page says its times are China
// time when no scan's time said so above (`timesNote`: empty when the lot shows no time).
type LotParts = { head: Buffer; banners: Buffer; sectionsToTimeline: Buffer; timesNote: Buffer; sectionsFromTimeline: Buffer };
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

/**
 * A red banner per warning, the advice once under the last; a recall says more than the hold it comes
 * with, and what is wrong (each of its recalls' hazards).
 */
function bannersOf(warnings: LotSummary['warnings'], recallHazards: string[], lang: Lang) {
  const t = TEXT[lang];
  const shown = warnings.includes('recalled') ? warnings.filter((warning) => warning !== 'on_hold') : warnings;
  const hazards = recallHazards.map((hazard) => html`<p class="hazard">${t.recallHazard(userText(hazard, lang))}</p>`);
  return html`${shown.map(
    (warning, index) =>
      html`<div class="alert stop" role="alert">${t.banners[warning]}${warning === 'recalled' ? hazards : ''}${index === shown.length - 1 ? html`<p>${t.bannerHint}</p>` : ''}</div>`,
  )}`;
}

/**
 * The banners of the pack's own: its lot's, cached with the lot's parts, and those of a held or
 * recalled container it lies in (per pack, never cached with the lot's parts), each once; so with the hazards.
 */
function banners(lot: LotSummary, pack: PackFacts, parts: LotParts, lang: Lang): Buffer {
  const all = packLotWarnings(lot, pack);
  const hazards = packRecallHazards(lot, pack);
  if (all === lot.warnings && hazards === lot.recallHazards) return parts.banners;
  return Buffer.from(bannersOf(all, hazards, lang).value);
}

function renderLotParts(summary: LotSummary, lang: Lang): LotParts {
  const t = TEXT[lang];
  const timeline = [...summary.timeline].sort((a, b) => a.time.localeCompare(b.time));
  const { producer, coldChain } = summary;
  const banners = bannersOf(summary.warnings, summary.recallHazards, lang);
  const toTimeline = html`
${productCard(summary, t, lang)}
${producer ? html`<section><h2>${t.producer}</h2><p>${userText(producer.name, lang)}<br><span class="muted">${placeLine(producer.regionCode, producer.address, lang)}</span></p></section>` : ''}
<section><h2>${t.origins}</h2>${list(t, summary.origins, (origin) => html`<li>${userText(origin.farm, lang)}<br><span class="muted">${regionLabel(origin.regionCode, lang)}${origin.earTagCount ? html` · ${t.earTags(origin.earTagCount)}` : ''}</span></li>`)}</section>
<section><h2>${t.timeline}</h2>`;
  const timesNote = timeline.length || summary.tests.length ? html`<p class="muted">${t.timesInBeijingTime}</p>` : html``;
  const fromTimeline = html`${timeline.length ? html`<ol>${timeline.map((step) => timelineStep(step, t, lang))}</ol>` : html`<p class="muted">${t.none}</p>`}</section>
<section><h2>${t.tests}</h2>${list(t, summary.tests, (test) => testLine(test, t, lang))}</section>
<section><h2>${t.certificates}</h2>${list(t, summary.certificates, (certificate) => html`<li>${documentTypeName(certificate.type, lang)}<br><code>${userText(certificate.number, lang)}</code></li>`)}</section>
${coldChain ? html`<section><h2>${t.coldChain}</h2><p>${t.coldChainLine(coldChain.readings, coldChain.minCelsius.toFixed(1), coldChain.maxCelsius.toFixed(1))} · <span class="${coldChain.withinLimits ? 'pass' : 'fail'}">${coldChain.withinLimits ? t.withinLimits : t.outOfLimits}</span></p></section>` : ''}
<section><h2>${t.lineage}</h2><div class="lineage">${new Html(lineageSvg(summary.lineage, lang))}</div>${new Html(lineageStepsList(summary.lineage, lang))}</section>
`;
  const head = layoutHead(lang, `${summary.product?.name ?? t.unnamedProduct} · ${t.title}`);
  return {
    head: Buffer.from(head.value),
    banners: Buffer.from(banners.value),
    sectionsToTimeline: Buffer.from(toTimeline.value),
    timesNote: Buffer.from(timesNote.value),
    sectionsFromTimeline: Buffer.from(fromTimeline.value),
  };
}

/** From the first time to the last, China time, the day written once when it is the same. */
function timeSpan(first: string, last: string): string {
  const [from, to] = [shanghaiTime(first), shanghaiTime(last)];
  if (from === to) return from;
  return to.startsWith(from.slice(0, 10)) ? `${from}–${to.slice(11)}` : `${from} – ${to}`;
}

/** A step of the timeline; a run of temperature logs with its span, count and range. */
function timelineStep(step: LotSummary['timeline'][number], t: Text, lang: Lang): Html {
  const action = t.actions[step.action] ?? step.action;
  const logs = step.temperatures;
  const what = logs
    ? html`${timeSpan(step.time, logs.lastTime)} · ${action} · ${t.temperatureLog(logs.readings, logs.minCelsius.toFixed(1), logs.maxCelsius.toFixed(1))}`
    : html`${shanghaiTime(step.time)} · ${action}`;
  return html`<li><span class="stage ${step.stage}">${t.stages[step.stage]}</span>${what}<br>${userText(step.party, lang)}${step.place ? html`<br><span class="muted">${userText(step.place, lang)}</span>` : ''}</li>`;
}

function keepTogether(text: string, part: string | null): Html {
  const at = part ? text.indexOf(part) : -1;
  if (!part || at < 0) return html`${text}`;
  return html`${text.slice(0, at)}<span class="nowrap">${part}</span>${text.slice(at + part.length)}`;
}

/**
 * What the pack is, first on the page: the red banners when its lot (or a container it lies in) is
 * recalled or held, when a test of its chain failed, when it expired or was destroyed; else a
 * counterfeit warning when the code looks copied; else "genuine · registered".
 * Each comes with the code's scan count and first scan (China time).
 */
function verdict(lot: LotSummary, pack: PackFacts, t: Text): Html {
  const { count, firstScannedAt } = pack.scans;
  const first = firstScannedAt && shanghaiTime(firstScannedAt.toISOString());
  // the date and time are not broken across lines
  const scans = count ? keepTogether(t.scans(count, first), first) : null;
  const suspected = counterfeitSuspected(lot, pack);
  if (packLotWarnings(lot, pack).length) {
    // after the lot's banners; a counterfeit warning only where the lot is still sold (expired)
    return html`${suspected && html`<div class="alert warn" role="alert">${t.counterfeit}</div>`}${scans && html`<p class="muted scans">${scans}</p>`}`;
  }
  if (suspected) return html`<div class="alert warn" role="alert">${t.counterfeit}${scans && html`<p>${scans}</p>`}</div>`;
  return html`<div class="verdict" role="status"><p class="verdict-title">${t.genuine}</p>${scans && html`<p>${scans}</p><p class="muted">${t.scansHint}</p>`}</div>`;
}

const EMPTY = Buffer.alloc(0);

/**
 * The page for one scanned pack (or a lot, whose pack facts carry no scans), as UTF-8 bytes:
 * the lot's encoded parts with the pack's few lines between them.
 */
export function consumerPage(
  lot: LotSummary,
  pack: PackFacts,
  /** `complaintPath` null: no complaint form (a case's or pallet's page: complaints are about what shoppers buy). */
  options: { lang: Lang; baseUrl: string; complaintPath: string | null; switchLangHref: string; producerGrade?: string | null },
): Buffer {
  const { lang } = options;
  const t = TEXT[lang];
  const host = options.baseUrl.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  const parts = lotPartsOf(lot, lang);
  const rest = html`${options.complaintPath === null ? '' : complaintForm(pack.code, counterfeitSuspected(lot, pack), t, options.complaintPath)}
<footer>${t.officialSite(host)}</footer>`;
  return Buffer.concat([
    parts.head,
    Buffer.from(languageSwitch(lang, options.switchLangHref).value),
    banners(lot, pack, parts, lang),
    Buffer.from(verdict(lot, pack, t).value),
    Buffer.from(options.producerGrade ? html`<p class="credit-grade">${t.creditGrade(options.producerGrade)}</p>`.value : ''),
    parts.sectionsToTimeline,
    // the verdict's scan line, when it shows the first scan's time, has said the times are China time
    pack.scans.count && pack.scans.firstScannedAt ? EMPTY : parts.timesNote,
    parts.sectionsFromTimeline,
    Buffer.from(rest.value + LAYOUT_END),
  ]);
}

/** The page a scan gets when it cannot be answered: a malformed code (400), too many lookups (429) or a failure. */
export function scanErrorPage(status: number, lang: Lang): string {
  const t = TEXT[lang];
  const [title, text] =
    status === 429
      ? [t.tooManyRequests, t.tooManyRequestsBody]
      : status < 500
        ? [t.invalidCode, t.invalidCodeBody]
        : [t.unavailable, t.unavailableBody];
  const body = html`<h1 class="alert warn" role="alert">${title}</h1>
<section><p>${text}</p><p class="muted">${t.hotline}</p></section>`;
  return layout(lang, title, `?lang=${lang === 'en' ? 'zh-CN' : 'en'}`, body);
}

/**
 * The lookup page at `/`: a form where a person types a pack's code when its QR code will not scan, sent (GET) back to
 * `/`, which leads to the code's scan URL. `typed` is what was sent (kept in the field), `problem` why it led nowhere.
 */
export function lookupPage(lang: Lang, typed = '', problem: LookupProblem | null = null): string {
  const t = TEXT[lang];
  const message =
    problem && { empty: t.emptyCode, mistyped: t.mistypedCode, phoneNumber: t.phoneNumberCode, malformed: t.malformedCode }[problem];
  const body = html`<section>
<h1>${t.enterCode}</h1>
<p>${t.enterCodeBody}</p>
<form method="get" action="/">
<input type="hidden" name="lang" value="${lang}">
<label for="code">${t.codeLabel}</label>
<input id="code" name="code" value="${typed}" required maxlength="500" autocomplete="off" autocapitalize="characters" spellcheck="false"${new Html(message ? ' aria-invalid="true" aria-describedby="code-problem"' : '')}>
${message && html`<p class="alert warn" id="code-problem" role="alert">${message}</p>`}
<button type="submit">${t.lookUp}</button>
</form>
<p class="muted">${t.hotline}</p>
</section>`;
  return layout(lang, t.enterCode, `/?lang=${lang === 'en' ? 'zh-CN' : 'en'}`, body);
}

/**
 * For a link whose query parameters the resolver cannot read (served with 400): the link's fault, not the code's, so it
 * never says the code is invalid. `parameters` are the names at fault (at most a few, each cut short), escaped here.
 */
export function badParameterPage(parameters: string[], lang: Lang): string {
  const t = TEXT[lang];
  const named = parameters.map((name, i) => html`${i > 0 && ', '}<code>${name}</code>`);
  const body = html`<h1 class="alert warn" role="alert">${t.badParameter}</h1>
<section><p>${t.badParameterBody}</p>${parameters.length > 0 && html`<p>${t.badParameterNamed} ${named}</p>`}<p class="muted">${t.hotline}</p></section>`;
  return layout(lang, t.badParameter, `?lang=${lang === 'en' ? 'zh-CN' : 'en'}`, body);
}

/**
 * For a code that was never issued (served with 404), with the scan page's complaint form: a
 * counterfeit is reported where the shopper reads that the code may be one.
 */
export function notGenuinePage(code: string, lang: Lang, complaintPath: string): string {
  const t = TEXT[lang];
  const body = html`<h1 class="alert stop" role="alert">${t.notGenuine}</h1>
<section><p>${t.notGenuineBody(code)}</p><p>${t.notGenuineAdvice}</p></section>
${complaintForm(code, true, t, complaintPath)}`;
  // Served at the scanned URL, so a query-only link switches language in place.
  return layout(lang, t.notGenuine, `?lang=${lang === 'en' ? 'zh-CN' : 'en'}`, body);
}

/**
 * For a product's own code (a GTIN alone, served with 404): the product and its maker are registered here, but the
 * code names no lot or pack, so there is no chain to show. The maker is named as the consumer page names a producer.
 */
export function productCodePage(product: { name: string; maker: string | null }, lang: Lang): string {
  const t = TEXT[lang];
  const body = html`<section>
<h1>${userText(product.name, lang)}</h1>
<p>${t.productCodeBody(userText(product.name, lang), product.maker && userText(product.maker, lang))}</p>
<div class="alert warn">${t.productCode}<p>${t.productCodeNoLot}</p></div>
<p><strong>${t.productCodeAdvice}</strong></p>
<p class="muted">${t.hotline}</p>
</section>`;
  return layout(lang, `${product.name} · ${t.productCode}`, `?lang=${lang === 'en' ? 'zh-CN' : 'en'}`, body);
}
