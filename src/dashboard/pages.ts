// The regulator dashboard and its sign-in form, rendered on the server (charts as inline SVG, no
// script). Pure.
import { PASS_RATE_REGION_PARTIES, type PassRateRegionParty } from '../figures/schemas.js';
import { countyWithoutTownship } from '../figures/service.js';
import { Html, html, layout, shanghaiTime } from '../web/html.js';
import { DASHBOARD_TEXT } from '../web/i18n/dashboard.js';
import { type Lang, TEXT } from '../web/i18n/index.js';
import { NO_TOWNSHIP_NAMED } from '../web/i18n/regions.js';
import { type Bar, barChart, CHART_WIDTH, percent } from './charts.js';
import type { DashboardView, OpenRecallsView } from './service.js';

// A phone's screen holds one column of panels no wider than itself, and each chart scales down to its
// panel by its viewBox (drawn no larger than its own width on a wide screen).
const WIDE_CSS = `
main:has(.dashboard){max-width:1100px}
.panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(480px,100%),1fr));gap:0 16px}
.chart{display:block;width:100%;max-width:${CHART_WIDTH}px;height:auto}
.chart text{fill:#1f1f1f}.chart a text{text-decoration:underline}.chart .short text,.chart .alert text{fill:#8e1b1b}
.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:end}
.filters label{margin:0;font-weight:400;font-size:.9rem}
.filters input{width:auto;min-height:40px;padding:6px 8px}
.filters button{width:auto;margin:0;min-height:40px;padding:0 18px;background:#0b57d0}
.counts{display:grid;grid-template-columns:1fr auto;gap:6px 16px}
.counts .n{font-weight:700;text-align:right}.counts .n.bad{color:#c62828}
.pending{color:#8a3b00}
.logout button{width:auto;min-height:36px;margin:0;padding:0 14px;background:#555}
`;

/** The sign-in form; again after a refused key, saying why: unknown or revoked (401), or not a regulator's (403). */
export function loginPage(lang: Lang, refused?: 401 | 403): string {
  const t = DASHBOARD_TEXT[lang];
  const body = html`${refused && html`<div class="alert warn" role="alert">${refused === 403 ? t.notRegulatorKey : t.badKey}</div>`}
<section><h1>${t.loginTitle}</h1>
<form method="post" action="/regulator/login${lang === 'en' ? '?lang=en' : ''}">
<label for="key">${t.keyLabel}</label><input id="key" name="key" type="password" autocomplete="current-password" required>
<button type="submit">${t.login}</button></form></section>`;
  return layout(lang, t.loginTitle, lang === 'en' ? '/regulator/login' : '/regulator/login?lang=en', body);
}

/** The printable report of a recall, opened with the session cookie. */
export const recallReportHref = (id: string, lang: Lang) =>
  `/regulator/dashboard/recalls/${encodeURIComponent(id)}/report${lang === 'en' ? '?lang=en' : ''}`;

/**
 * One bar per recall, linking to its report: the share of affected quantity recovered, red (and marked overdue in words) once
 * a due time has passed; one closed since the period chosen is marked closed.
 */
export function recallChart(recalls: DashboardView['recalls'], lang: Lang): string {
  const t = DASHBOARD_TEXT[lang];
  return barChart({
    lang,
    title: t.recalls,
    bars: recalls.map((recall) => ({
      label: `${t.recallLevel(recall.level)} ${recall.rootLotCodes.join(', ')}`,
      value: recall.progress.share,
      // the counts are null only to a holder that did not open the recall; the dashboard's reader is a regulator
      text: `${percent(recall.progress.share)} · ${t.acknowledged(recall.acknowledged ?? 0, recall.holders ?? 0)}${recall.overdue.length ? ` · ${t.overdue}` : ''}${recall.status === 'closed' ? ` · ${t.closed}` : ''}`,
      alert: recall.overdue.length > 0,
      href: recallReportHref(recall.id, lang),
    })),
  });
}

/** The filters as typed; `regionOf` (whose region the pass rates count by) is the dashboard page's alone. */
export type DashboardQuery = { from?: string; to?: string; region?: string; regionOf?: string };

/** The period and region chosen, and the language, as a query string (empty when none is). */
const searchOf = (query: Record<string, string | undefined>) => {
  const search = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  ).toString();
  return search ? `?${search}` : '';
};

/** The dashboard's title, its filter form (with `more` after its button) and the sign-out button. */
function filtersSection(query: DashboardQuery, lang: Lang, more: Html | '' = ''): Html {
  const t = DASHBOARD_TEXT[lang];
  return html`<section><h1>${t.title}</h1>
<form class="filters" method="get" action="/regulator/dashboard">
${lang === 'en' && html`<input type="hidden" name="lang" value="en">`}
<label>${t.period} <input type="date" name="from" value="${query.from ?? ''}"></label>
<label>— <input type="date" name="to" value="${query.to ?? ''}"></label>
<label>${t.region} <input name="region" inputmode="numeric" pattern="\\d{2}(\\d{2}){0,2}" size="8" value="${query.region ?? ''}" placeholder="500236"></label>
<label>${t.regionOf} <select name="regionOf">${PASS_RATE_REGION_PARTIES.map(
    (party) =>
      html`<option value="${party}"${(query.regionOf ?? 'owner') === party ? ' selected' : ''}>${t.regionOfChoices[party]}</option>`,
  )}</select></label>
<button type="submit">${t.apply}</button>
${more}
</form>
<form class="logout" method="post" action="/regulator/logout"><button type="submit">${t.logout}</button></form>
</section>`;
}

/**
 * The dashboard's form again after filters it cannot apply (a period ending before it starts, a
 * region no one holds), with the values as typed and what to correct in each field, as the sign-in
 * form says why a key was refused.
 */
export function dashboardFilterErrorPage(query: DashboardQuery, errors: { field: string }[], lang: Lang): string {
  const t = DASHBOARD_TEXT[lang];
  // what to correct in the page's language, by field (the problem's own detail is English); a
  // parameter the page does not take is named as typed, even one named like an Object member
  const known = (field: string) => Object.hasOwn(t.filterHints, field);
  const body = html`<div class="alert warn" role="alert">${t.filterError}<ul>${errors.map((error) =>
    known(error.field)
      ? html`<li>${t.filterFields[error.field]}: ${t.filterHints[error.field]}</li>`
      : html`<li>${error.field}: ${t.notAFilter}</li>`,
  )}</ul></div>
<div class="dashboard">${filtersSection(query, lang)}</div>`;
  return layout(lang, t.title, lang === 'en' ? '/regulator/dashboard' : '/regulator/dashboard?lang=en', body, WIDE_CSS);
}

/** How many recalls the panel takes, and when the bars are only the latest of them, a link to them all (of the same period and region). */
function openRecallsLine(shown: number, total: number, query: DashboardQuery, lang: Lang) {
  const t = DASHBOARD_TEXT[lang];
  const all = `/regulator/dashboard/recalls${searchOf({ ...query, lang: lang === 'en' ? 'en' : undefined })}`;
  const inPeriod = Boolean(query.from || query.to);
  return html`<p class="muted">${t.openRecalls(total, inPeriod)}${total > shown && html`${t.onlyLatest(shown)} <a href="${all}">${t.allRecalls(inPeriod)}</a>`}</p>`;
}

/** The recalls of the dashboard's panel (of a period and region), a page at a time, drawn as on the dashboard. */
export function openRecallsPage(view: OpenRecallsView, query: DashboardQuery, lang: Lang): string {
  const t = DASHBOARD_TEXT[lang];
  const at = (offset: number, pageLang = lang) =>
    `/regulator/dashboard/recalls${searchOf({ ...query, lang: pageLang === 'en' ? 'en' : undefined, offset: offset > 0 ? String(offset) : undefined })}`;
  const { recalls, total, offset, pageSize } = view;
  const pages = html`${offset > 0 && html`<a href="${at(Math.max(0, offset - pageSize))}">${t.previous}</a> `}${
    offset + pageSize < total && html`<a href="${at(offset + pageSize)}">${t.next}</a>`
  }`;
  const body = html`<div class="dashboard"><section id="recalls"><h1>${t.recalls}</h1>
<p class="muted">${t.openRecalls(total, Boolean(query.from || query.to))}${recalls.length > 0 && html` · ${t.recallsPage(offset + 1, offset + recalls.length)}`}</p>
${recalls.length ? new Html(recallChart(recalls, lang)) : html`<p class="muted">${t.none}</p>`}
<p>${pages} <a href="/regulator/dashboard${searchOf({ ...query, lang: lang === 'en' ? 'en' : undefined })}">${t.backToDashboard}</a></p></section></div>`;
  return layout(lang, t.recalls, at(offset, lang === 'en' ? 'zh-CN' : 'en'), body, WIDE_CSS);
}

/** A township's name; a county whose enterprises' addresses name no township, by its name and the page's words saying so. */
function townshipLabel(row: { key: string; name: string | null }, lang: Lang): Pick<Bar, 'label' | 'labelNote'> {
  const county = countyWithoutTownship(row.key);
  return county === null ? { label: row.name ?? row.key } : { label: county, labelNote: NO_TOWNSHIP_NAMED[lang] };
}

export function dashboardPage(view: DashboardView, query: DashboardQuery, lang: Lang, regionOf: PassRateRegionParty = 'owner'): string {
  const t = DASHBOARD_TEXT[lang];
  const params = (extra: Record<string, string | undefined>) => {
    const search = new URLSearchParams(
      Object.entries({ ...query, ...extra }).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
    ).toString();
    return search ? `?${search}` : '';
  };
  const target = { value: view.passRates.target, label: t.target };
  const passByKind = barChart({
    lang,
    title: t.passRates,
    target,
    bars: view.passRates.byKind.map((row) => ({
      label: t.inspectionKinds[row.kind] ?? row.kind,
      value: row.rate,
      text: `${percent(row.rate)} · ${t.tests(row.passed, row.total)}`,
    })),
  });
  const passByItem = barChart({
    lang,
    title: t.passRatesByItem,
    target,
    bars: view.passRates.byItem.map((row) => ({
      label: row.item,
      value: row.rate,
      text: `${percent(row.rate)} · ${row.passed}/${row.total}`,
    })),
  });
  const coverageTarget = { value: view.coverage.target, label: '100%' };
  const coverage = barChart({
    lang,
    title: t.coverage,
    target: coverageTarget,
    bars: view.coverage.groups.map((row) => ({
      ...townshipLabel(row, lang),
      value: row.lotRate,
      text: `${percent(row.lotRate)} · ${t.lots(row.tracedLots, row.lots)}`,
    })),
  });
  const coverageByEnterprise = barChart({
    lang,
    title: t.coverageByEnterprise,
    target: coverageTarget,
    bars: view.coverageByEnterprise.groups.map((row) => ({
      label: row.name ?? row.key,
      value: row.lotRate,
      text: `${percent(row.lotRate)} · ${t.lots(row.tracedLots, row.lots)}`,
    })),
  });
  const activity = barChart({
    lang,
    title: t.activity,
    bars: (['all', 'greenFood', 'geographicalIndication', 'organic'] as const).map((kind) => ({
      label: t.activityKinds[kind],
      value: view.activity.overall[kind].rate,
      text: `${percent(view.activity.overall[kind].rate)} · ${t.enterprises(view.activity.overall[kind].active, view.activity.overall[kind].registered)}`,
    })),
  });
  const recalls = recallChart(view.recalls, lang);
  const flags = barChart({
    lang,
    title: t.flags,
    scale: 'count',
    bars: view.flags.map((row) => ({ label: t.flagKinds[row.kind] ?? row.kind, value: row.codes, text: t.codes(row.codes) })),
  });
  const complaints = barChart({
    lang,
    title: t.complaints,
    scale: 'count',
    bars: view.complaints.map((row) => ({
      label: t.complaintStatuses[row.status] ?? row.status,
      value: row.complaints,
      text: t.complaintsCount(row.complaints),
    })),
  });
  const body = html`<div class="dashboard">
${filtersSection(
  { ...query, regionOf },
  lang,
  html`<a href="/regulator/dashboard/events.csv${params({ lang: lang === 'en' ? 'en' : undefined })}">${t.export}</a>
<a href="/regulator/dashboard/events.csv${params({ dialect: 'excel', lang: lang === 'en' ? 'en' : undefined })}">${t.exportExcel}</a>`,
)}
<div class="panels">
<section id="pass-rates"><h2>${t.passRates}</h2><p class="muted">${regionOf === 'tester' ? t.passRatesHintTester : t.passRatesHint}</p>${new Html(passByKind)}${new Html(passByItem)}</section>
<section id="coverage"><h2>${t.coverage}</h2><p class="muted">${t.coverageHint}</p>${new Html(coverage)}<h2>${t.coverageByEnterprise}</h2>${new Html(coverageByEnterprise)}</section>
<section id="activity"><h2>${t.activity}</h2><p class="muted">${t.activityAsOf(view.activity.asOf)}</p>${new Html(activity)}</section>
<section id="anomalies"><h2>${t.anomalies}</h2><div class="counts">${(
    Object.keys(view.anomalyCounts) as (keyof typeof view.anomalyCounts)[]
  ).map(
    (kind) =>
      html`<span>${t.anomalyKinds[kind]}</span><span class="n${view.anomalyCounts[kind] > 0 ? ' bad' : ''}">${view.anomalyCounts[kind]}</span>`,
  )}</div></section>
<section id="recalls"><h2>${t.recalls}</h2>${
    view.recalls.length
      ? html`${openRecallsLine(view.recalls.length, view.openRecalls, query, lang)}${new Html(recalls)}`
      : html`<p class="muted">${t.none}</p>`
  }</section>
<section id="flags"><h2>${t.flags}</h2><p class="muted">${t.flagsHint}</p>${new Html(flags)}<h2>${t.recentFlags}</h2>${
    view.recentFlags.length
      ? html`<p class="muted">${TEXT[lang].timesInBeijingTime}</p><ul>${view.recentFlags.map(
          (flag) =>
            html`<li><code>${flag.code}</code> · ${t.flagKinds[flag.kind] ?? flag.kind} · ${shanghaiTime(flag.lastAt.toISOString())}${flag.lotCode && html` · <code>${flag.lotCode}</code>`}</li>`,
        )}</ul>`
      : html`<p class="muted">${t.none}</p>`
  }</section>
<section id="complaints"><h2>${t.complaints}</h2>${new Html(complaints)}</section>
</div></div>`;
  const otherLang = { lang: lang === 'en' ? undefined : 'en', regionOf: regionOf === 'owner' ? undefined : regionOf };
  return layout(lang, t.title, `/regulator/dashboard${params(otherLang)}`, body, WIDE_CSS);
}
