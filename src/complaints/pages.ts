// The pages a consumer gets after filing a complaint from the scan page: the receipt and the status.
import { html, layout, shanghaiTime } from '../web/html.js';
import { type Lang, TEXT } from '../web/i18n/index.js';

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
