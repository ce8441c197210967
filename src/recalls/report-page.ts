// The printable final report of a recall (HTML; print it to PDF from the browser): scope, holders,
// their actions, quantities and the times, in the page's language. Pure.

import type { LOT_STATUSES } from '../lots/ledger.js';
import { LOT_STATUS_NAMES_ZH } from '../lots/names-zh.js';
import { UNIT_NAMES_ZH } from '../products/unit-names-zh.js';
import { html, layout, shanghaiTime, userText } from '../web/html.js';
import { type Lang, TEXT } from '../web/i18n/index.js';
import { RECALL_REPORT_TEXT } from '../web/i18n/recall-report.js';
import { stillToDestroy } from './deadlines.js';
import type { RecallReport } from './schemas.js';

const LOT_STATUS_NAMES_EN = {
  active: 'In stock',
  in_transit: 'In transit',
  consumed: 'Used in processing',
  sold: 'Sold',
  recalled: 'Recalled',
  destroyed: 'Destroyed',
} satisfies Record<(typeof LOT_STATUSES)[number], string>;

/**
 * Units and statuses as a page in each language names them: in Chinese from the lots' tables the Excel
 * exports read too; in English a unit by its code (kg, piece, box: English words already).
 */
const NAMES: Record<Lang, { unit: (unit: string) => string; status: (status: string) => string }> = {
  'zh-CN': {
    unit: (unit) => UNIT_NAMES_ZH[unit] ?? unit,
    status: (status) => (LOT_STATUS_NAMES_ZH as Record<string, string>)[status] ?? status,
  },
  en: { unit: (unit) => unit, status: (status) => (LOT_STATUS_NAMES_EN as Record<string, string>)[status] ?? status },
};
const time = (value: Date | null) => (value ? shanghaiTime(value.toISOString()) : '—');
// Each table scrolls sideways in a container of its own on a phone, rather than widening the page;
// on paper it is printed whole.
const REPORT_CSS = `
.wide{overflow-x:auto;max-width:100%}
.wide table{border-collapse:collapse;font-size:.9rem}
.wide th,.wide td{padding:4px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
@media print{.wide{overflow:visible}}
`;

/** A table's header row. */
const headerRow = (columns: string[]) => html`<thead><tr>${columns.map((column) => html`<th>${column}</th>`)}</tr></thead>`;

/**
 * Where a recall's report page is, in each language: the API's page (`GET /recalls/{id}/report`)
 * and the dashboard's (opened with its session cookie) each at an address of their own.
 */
export type RecallReportHref = (id: string, lang: Lang) => string;

/**
 * The API's report page in `lang`: `?format=html`, so a browser's link opens the page, and `lang` named
 * in either language, since without it the page follows the browser's Accept-Language.
 */
export const apiRecallReportHref: RecallReportHref = (id, lang) => `/recalls/${encodeURIComponent(id)}/report?format=html&lang=${lang}`;

/**
 * `lang`: the page's language; names, reasons and notes as written, marked Chinese on an English page.
 * Every page has the language switch to the same report in the other language, at `hrefOf`'s address
 * (the API's or the dashboard's); the dashboard's page has a link `back` to where the reader came from.
 */
export function recallReportPage(
  report: RecallReport,
  lang: Lang,
  links: { hrefOf: RecallReportHref; back?: { href: string; text: string } },
): string {
  const { recall, lots, actions } = report;
  const t = RECALL_REPORT_TEXT[lang];
  const { unit: unitName, status: statusName } = NAMES[lang];
  const user = (value: string | null | undefined) => (value ? userText(value, lang) : '');
  const amount = (quantity: number | string, unit: string) => `${quantity} ${unitName(unit)}`;
  const body = html`<section><h1>${t.heading}</h1>
<p class="muted">${TEXT[lang].timesInBeijingTime}</p>
<dl><dt>${t.recallId}</dt><dd><code>${recall.id}</code></dd>
<dt>${t.level}</dt><dd>${t.levels[recall.level] ?? recall.level}</dd>
<dt>${t.openedBy}</dt><dd>${user(recall.openedBy.name)} <code>${recall.partyCode}</code></dd>
<dt>${t.reason}</dt><dd>${user(recall.reason)}</dd>
<dt>${t.hazard}</dt><dd>${user(recall.hazard)}</dd>
<dt>${t.status}</dt><dd>${recall.status === 'open' ? t.open : t.closed}${recall.overrideReason ? html` — ${t.override}${user(recall.overrideReason)}` : ''}</dd>
<dt>${t.openedAt}</dt><dd>${time(recall.openedAt)}</dd>
<dt>${t.start}</dt><dd>${time(recall.startDueAt)} / ${time(recall.startedAt)}</dd>
<dt>${t.finish}</dt><dd>${time(recall.finishDueAt)} / ${time(recall.closedAt)}</dd>
${recall.closedBy && html`<dt>${t.closedBy}</dt><dd>${user(recall.closedBy.name)} <code>${recall.closedBy.partyCode}</code></dd>`}
<dt>${t.progress}</dt><dd>${Math.round(recall.progress.share * 1000) / 10}% ${recall.progress.byUnit.map((unit) => `(${unit.recovered}/${amount(unit.affected, unit.unit)})`).join(' ')}</dd>
<dt>${t.destroyedShare}</dt><dd>${Math.round(recall.disposal.share * 1000) / 10}% ${recall.disposal.byUnit.map((unit) => `(${unit.destroyed}/${amount(unit.recovered, unit.unit)})`).join(' ')}</dd>
${recall.soldBeforeRecall && html`<dt>${t.soldBeforeRecall}</dt><dd>${recall.soldBeforeRecall.total.length ? recall.soldBeforeRecall.total.map((total) => amount(total.quantity, total.unit)).join(' · ') : '0'}${recall.soldBeforeRecall.lots.map((lot) => html` <span class="muted">(<code>${lot.lotCode}</code> ${amount(lot.quantity, lot.unit)})</span>`)}</dd>`}
${recall.scans === null ? null : html`<dt>${t.scansAfter}</dt><dd>${t.scans(recall.scans)}</dd>`}
${recall.scope && html`<dt>${t.scope}</dt><dd>${t.scopeCounts(recall.scope.lots, recall.scope.containers, recall.scope.items, recall.holders ?? 0)}</dd>`}</dl></section>
<section><h2>${t.holders}</h2><div class="wide"><table>${headerRow(t.holderColumns)}<tbody>
${recall.holderDetails.flatMap((holder) =>
  (holder.lines.length ? holder.lines : [null]).map(
    (
      line,
    ) => html`<tr><td>${user(holder.name)} <code>${holder.partyCode}</code></td><td>${user(holder.contact?.person)}</td><td>${holder.contact?.phone ?? ''}</td>
<td>${time(holder.acknowledgedAt)}</td><td><code>${line?.lotCode ?? ''}</code></td><td>${line ? amount(line.affected, line.unit) : ''}</td><td>${line?.returned ?? ''}</td><td>${line?.destroyed ?? ''}</td></tr>
`,
  ),
)}</tbody></table></div></section>
${
  recall.returns.length > 0 &&
  html`<section><h2>${t.returns}</h2><div class="wide"><table>${headerRow(t.returnColumns)}<tbody>
${recall.returns.map(
  (
    line,
  ) => html`<tr><td>${user(line.name)} <code>${line.partyCode}</code></td><td><code>${line.lotCode}</code></td><td>${amount(line.sent, line.unit)}</td>
<td>${amount(line.received, line.unit)}</td><td>${amount(line.lost, line.unit)}</td><td>${amount(line.destroyed, line.unit)}</td><td>${amount(stillToDestroy(line), line.unit)}</td></tr>
`,
)}</tbody></table></div></section>`
}
<section><h2>${t.actions}</h2><div class="wide"><table>${headerRow(t.actionColumns)}<tbody>
${actions.map(
  (
    action,
  ) => html`<tr><td>${time(action.reportedAt)}</td><td><code>${action.partyCode}</code></td><td>${action.lotCode ? html`<code>${action.lotCode}</code>` : t.acknowledgement}</td>
<td>${action.returned}</td><td>${action.destroyed}</td><td>${user(action.note)}</td></tr>
`,
)}</tbody></table></div></section>
<section><h2>${t.lots}</h2><div class="wide"><table>${headerRow(t.lotColumns)}<tbody>
${lots.map(
  (
    lot,
  ) => html`<tr><td><code>${lot.code}</code></td><td>${t.kinds[lot.kind] ?? lot.kind}</td><td>${user(lot.product)}</td><td>${lot.lotNumber ?? ''}</td>
<td><code>${lot.partyCode}</code></td><td>${lot.depth}</td><td>${lot.itemCount ?? ''}</td><td>${statusName(lot.status)}</td></tr>
`,
)}</tbody></table></div></section>
<p class="muted">${t.generatedAt} ${time(report.generatedAt)}</p>${links.back && html`<p><a href="${links.back.href}">${links.back.text}</a></p>`}`;
  return layout(lang, t.title(recall.id), links.hrefOf(recall.id, lang === 'en' ? 'zh-CN' : 'en'), body, REPORT_CSS);
}
