// Server-rendered pages a consumer reaches by scanning a pack's QR code: the trace summary with
// warnings and a complaint form, and "not genuine" for unknown codes.
import { regionName } from '../codes/regions.js';
import { Html, html, LAYOUT_END, languageSwitch, layout, layoutHead, list, shanghaiTime } from '../web/html.js';
import { type Lang, TEXT, type Text } from '../web/i18n/index.js';
import { lineageSvg } from './lineage-svg.js';
import type { LotSummary, PackFacts } from './summary.js';

// Region names exist in Chinese only: marked as such on the English page, so its reader's browser
// picks a Chinese font and voice. An unknown code shows as the code.
function regionLabel(code: string, lang: Lang): Html | string {
  const name = regionName(code);
  if (name === undefined) return code;
  return lang === 'zh-CN' ? name : html`<span lang="zh-CN">${name}</span>`;
}

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
${producer ? html`<section><h2>${t.producer}</h2><p>${producer.name}<br><span class="muted">${regionLabel(producer.regionCode, lang)}${producer.address ? html` · ${producer.address}` : ''}</span></p></section>` : ''}
<section><h2>${t.origins}</h2>${list(t, summary.origins, (origin) => html`<li>${origin.farm}<br><span class="muted">${regionLabel(origin.regionCode, lang)}${origin.address ? html` · ${origin.address}` : ''}${origin.earTagCount ? html` · ${t.earTags(origin.earTagCount)}` : ''}</span></li>`)}</section>
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

/** The page a scan gets when it cannot be answered: a malformed code (400), too many lookups (429) or a failure. */
export function scanErrorPage(status: number, lang: Lang): string {
  const t = TEXT[lang];
  const [title, text] =
    status === 429
      ? [t.tooManyRequests, t.tooManyRequestsBody]
      : status < 500
        ? [t.invalidCode, t.invalidCodeBody]
        : [t.unavailable, t.unavailableBody];
  const body = html`<div class="alert warn" role="alert">${title}</div>
<section><p>${text}</p><p class="muted">${t.hotline}</p></section>`;
  return layout(lang, title, `?lang=${lang === 'en' ? 'zh-CN' : 'en'}`, body);
}

/** For a code that was never issued (served with 404). */
export function notGenuinePage(code: string, lang: Lang): string {
  const t = TEXT[lang];
  const body = html`<div class="alert stop" role="alert">${t.notGenuine}</div>
<section><p>${t.notGenuineBody(code)}</p><p>${t.notGenuineAdvice}</p></section>`;
  // Served at the scanned URL, so a query-only link switches language in place.
  return layout(lang, t.notGenuine, `?lang=${lang === 'en' ? 'zh-CN' : 'en'}`, body);
}
