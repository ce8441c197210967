// The pages a consumer gets after filing a complaint from the scan page: the receipt and the status.
import { complaintForm, type FieldProblems, type TypedComplaint } from '../resolver/pages.js';
import { type Html, html, layout, shanghaiTime } from '../web/html.js';
import { type Lang, TEXT } from '../web/i18n/index.js';

// The receipt, status and not-found pages are GET pages at /complaints/{ticket}: a query-only link switches language in place.
const otherLang = (lang: Lang): Lang => (lang === 'en' ? 'zh-CN' : 'en');

/** The way on from a complaint's page: the lookup page, in the page's language. */
const lookupLink = (lang: Lang): Html => html`<a class="link" href="/?lang=${lang}">${TEXT[lang].enterCode}</a>`;

export function complaintReceivedPage(ticket: string, statusPath: string, lang: Lang): string {
  const t = TEXT[lang];
  const body = html`<div class="alert ok" role="status">${t.received}</div>
<section><dl><dt>${t.ticket}</dt><dd><code>${ticket}</code></dd></dl><p>${t.receivedBody}</p><a class="link" href="${statusPath}">${t.checkStatus}</a>${lookupLink(lang)}</section>`;
  return layout(lang, t.received, `?lang=${otherLang(lang)}&received=1`, body);
}

/** The consumer's view of a complaint, for the link on the receipt. */
export function complaintStatusPage(complaint: { ticket: string; status: string; createdAt: Date; updatedAt: Date }, lang: Lang): string {
  const t = TEXT[lang];
  const body = html`<section><h2>${t.complaintStatus}</h2><dl><dt>${t.ticket}</dt><dd><code>${complaint.ticket}</code></dd>
<dt>${t.complaintStatusField}</dt><dd><strong>${t.statuses[complaint.status] ?? complaint.status}</strong></dd>
<dt>${t.filedAt}</dt><dd>${t.inBeijingTime(shanghaiTime(complaint.createdAt.toISOString()))}</dd><dt>${t.updatedAt}</dt><dd>${shanghaiTime(complaint.updatedAt.toISOString())}</dd></dl>
<p class="muted">${t.hotline}</p>${lookupLink(lang)}</section>`;
  return layout(lang, t.complaintStatus, `?lang=${otherLang(lang)}`, body);
}

/** A ticket that names no complaint, for the consumer who typed it or followed a link with it. */
export function complaintNotFoundPage(ticket: string, lang: Lang): string {
  const t = TEXT[lang];
  const body = html`<h1 class="alert warn" role="alert">${t.complaintNotFound}</h1>
<section><dl><dt>${t.ticket}</dt><dd><code>${ticket}</code></dd></dl><p>${t.complaintNotFoundBody}</p><p class="muted">${t.hotline}</p>${lookupLink(lang)}</section>`;
  return layout(lang, t.complaintNotFound, `?lang=${otherLang(lang)}`, body);
}

/** A message about a field that is not named after it: the description left empty. */
const FIELD_OF_MESSAGE: Readonly<Record<string, keyof TypedComplaint>> = { textEmpty: 'text' };

/** The form to post again: for the code it names, to the path it posted to, with what was typed. */
export type Refile = { code: string; path: string; typed: TypedComplaint };

/**
 * What went wrong with a complaint the scan page's form posted, in plain words: for each field the
 * problem names (`textEmpty` for the description left empty), what to write there, and the form again
 * with what was typed (`refile`), each field at fault marked so; too many complaints from one address,
 * to try again later.
 */
export function complaintFormErrorPage(status: number, fields: string[], backHref: string | null, lang: Lang, refile?: Refile): string {
  const t = TEXT[lang].formError;
  const back = backHref ? html`<p><a class="link" href="${backHref}">${t.back}</a></p>` : '';
  const hotline = html`<p class="muted">${TEXT[lang].hotline}</p>`;
  if (status === 429) {
    return layout(
      lang,
      t.tooMany,
      null,
      html`<h1 class="alert warn" role="alert">${t.tooMany}</h1><section><p>${t.tooManyBody}</p>${back}${hotline}</section>`,
    );
  }
  const known = [...new Set(fields.filter((field) => Object.hasOwn(t.fields, field)))];
  // each field's message has an id its field names
  const lines =
    status >= 500
      ? [html`<li>${t.unavailable}</li>`]
      : known.length
        ? known.map((key) => html`<li id="${key}-problem">${t.fields[key]}</li>`)
        : [html`<li>${t.other}</li>`];
  const problems: FieldProblems = Object.fromEntries(known.map((key) => [FIELD_OF_MESSAGE[key] ?? key, `${key}-problem`]));
  const again = refile && status < 500 ? complaintForm(refile.code, false, TEXT[lang], refile.path, refile.typed, problems) : '';
  const body = html`<h1 class="alert warn" role="alert">${t.title}</h1>
<section>${status < 500 ? html`<p>${t.intro}</p>` : ''}<ul>${lines}</ul>${again ? '' : back}${again ? '' : hotline}</section>${again}${again ? back : ''}`;
  return layout(lang, t.title, null, body);
}
