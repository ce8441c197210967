import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idSchema } from '../codes/uuid.js';
import { Problem, problemSchema } from '../errors/problem.js';
import { passRateRegionOf, periodQuery } from '../figures/schemas.js';
import { periodScope } from '../figures/service.js';
import { cookieValue, reachedOverHttps, sessionCookie } from '../http/cookies.js';
import { CSV_ATTACHMENT_DECLARED, CSV_TYPE, csvDialectQuery, csvStream } from '../http/csv.js';
import { preferredType } from '../http/negotiate.js';
import { problemOf } from '../http/problems.js';
import { queryInteger } from '../http/query.js';
import { loggedUrlOf } from '../http/request.js';
import { recallReportPage } from '../recalls/report-page.js';
import { KDE_COLUMNS, KDE_SORTS } from '../trace/kde.js';
import { PAGE_HEADERS, PAGE_HEADERS_DECLARED } from '../web/html.js';
import { DASHBOARD_TEXT } from '../web/i18n/dashboard.js';
import { type DashboardQuery, dashboardFilterErrorPage, dashboardPage, loginPage, openRecallsPage, recallReportHref } from './pages.js';
import { type DashboardService, SESSION_HOURS } from './service.js';

const COOKIE = 'regulator_session';
const COOKIE_PATH = '/regulator';
const HTML = 'text/html; charset=utf-8';
const langQuery = z.enum(['zh-CN', 'en']).optional();

/** A page, sent with the pages' headers (and `more`, e.g. Cache-Control). */
const page = (description: string, more: Record<string, unknown> = {}) => ({
  description,
  headers: { ...PAGE_HEADERS_DECLARED, ...more },
  content: { 'text/html': { schema: z.string() } },
});
const noStore = { 'Cache-Control': { type: 'string', const: 'no-store', description: 'the figures are not kept in any cache' } };
const redirect = (description: string, setsCookie = false) =>
  z.null().meta({
    description,
    headers: {
      location: { type: 'string', description: 'where the browser goes next' },
      ...(setsCookie && {
        'set-cookie': {
          type: 'string',
          description: 'the session cookie (HttpOnly, SameSite=Strict, Path=/regulator; Secure where the browser came over HTTPS)',
        },
      }),
    },
  });
const toSignIn = redirect('No session (or an expired one): to the sign-in form');
const filterMistake = {
  description:
    'Filters the dashboard cannot apply (a period ending before it starts, a mistyped date or region, a region no one holds): a signed-in browser gets the form again with the values as typed, saying what to correct; a client asking for JSON, problem+json naming the fields',
  headers: { ...PAGE_HEADERS_DECLARED, ...noStore },
  content: { 'text/html': { schema: z.string() }, 'application/problem+json': { schema: problemSchema } },
};

/** The filters as typed, from a query that may not have passed its schema: what the form shows again. */
function typedFilters(query: unknown): { filters: DashboardQuery; lang: 'zh-CN' | 'en' } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    filters: { from: text(raw.from), to: text(raw.to), region: text(raw.region), regionOf: text(raw.regionOf) },
    lang: raw.lang === 'en' ? 'en' : 'zh-CN',
  };
}

/**
 * Answers a dashboard page (its query validated by the route, attachValidation, so that a session
 * is looked at first): a filter mistake, the schema's or a service's 400, shows a browser the form
 * again with the message, as the sign-in form does for a refused key; a JSON client gets problem+json.
 */
async function filtered(request: FastifyRequest, reply: FastifyReply, answer: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    if (request.validationError) throw request.validationError;
    return await answer();
  } catch (error) {
    const problem = problemOf(error as FastifyError);
    const browser = preferredType(request.headers.accept, ['text/html', 'application/problem+json', 'application/json']) === 'text/html';
    if (problem.status !== 400 || !browser) throw error;
    request.log.info({ problem: problem.slug, detail: problem.detail, url: loggedUrlOf(request) }, 'request rejected');
    const { filters, lang } = typedFilters(request.query);
    const errors = (problem.errors ?? [])
      .filter((field) => field.in === 'querystring')
      .map((field) => ({ field: field.pointer.split('/')[1] ?? '' }));
    return reply
      .code(400)
      .headers(PAGE_HEADERS)
      .type(HTML)
      .header('cache-control', 'no-store')
      .send(dashboardFilterErrorPage(filters, errors, lang));
  }
}

// The dashboard is for a browser: a regulator signs in once with the key, and the session rides in an
// HTTP-only cookie, so these routes are public to the API-key check and look at the cookie themselves.
export const dashboardRoutes: FastifyPluginAsyncZod<{ service: DashboardService; publicBaseUrl: string }> = async (
  app,
  { service, publicBaseUrl },
) => {
  const tags = ['regulator'];
  const config = { public: true };

  app.get(
    '/regulator/login',
    {
      config,
      schema: {
        tags,
        summary: 'Sign-in form of the regulator dashboard',
        querystring: z.object({ lang: langQuery }),
        produces: ['text/html'],
        response: { 200: page('The sign-in form') },
      },
    },
    async (request, reply) =>
      reply
        .headers(PAGE_HEADERS)
        .type(HTML)
        .send(loginPage(request.query.lang ?? 'zh-CN')),
  );

  app.post(
    '/regulator/login',
    {
      config,
      schema: {
        tags,
        summary: 'Signs in with a regulator key: sets an HTTP-only, SameSite=Strict session cookie and redirects to the dashboard',
        description:
          'Only a regulator key signs in: an admin key is refused (403) as any other role’s is, so that no browser cookie carries an admin’s power. The cookie is Secure where the browser came over HTTPS (the request, X-Forwarded-Proto from a proxy TRUST_PROXY names, or an https PUBLIC_BASE_URL); over plain HTTP (a LAN address) it is not, or the browser would drop it.',
        querystring: z.object({ lang: langQuery }),
        body: z.object({ key: z.string().min(1).max(200) }),
        produces: ['text/html'],
        response: {
          303: redirect('Signed in: to the dashboard, with the session cookie', true),
          401: page('An unknown or revoked key: the form again, saying so'),
          403: page('A key that is not a regulator’s (an admin’s or an operator’s, say): the form again, saying so'),
        },
      },
    },
    async (request, reply) => {
      const lang = request.query.lang ?? 'zh-CN';
      try {
        const { token } = await service.login(request.body.key);
        return reply
          .header(
            'set-cookie',
            sessionCookie(COOKIE, token, {
              path: COOKIE_PATH,
              maxAgeSeconds: SESSION_HOURS * 3600,
              secure: reachedOverHttps(request, publicBaseUrl),
            }),
          )
          .redirect(`/regulator/dashboard${lang === 'en' ? '?lang=en' : ''}`, 303);
      } catch (error) {
        // a wrong key gets the form again, saying why
        if (error instanceof Problem && (error.status === 401 || error.status === 403)) {
          return reply.code(error.status).headers(PAGE_HEADERS).type(HTML).send(loginPage(lang, error.status));
        }
        throw error;
      }
    },
  );

  app.post(
    '/regulator/logout',
    {
      config,
      schema: {
        tags,
        summary: 'Ends the dashboard session',
        response: { 303: redirect('Signed out: to the sign-in form, the session cookie cleared', true) },
      },
    },
    async (request, reply) => {
      await service.logout(cookieValue(request.headers.cookie, COOKIE));
      return reply
        .header(
          'set-cookie',
          sessionCookie(COOKIE, '', { path: COOKIE_PATH, maxAgeSeconds: 0, secure: reachedOverHttps(request, publicBaseUrl) }),
        )
        .redirect('/regulator/login', 303);
    },
  );

  app.get(
    '/regulator/dashboard/events.csv',
    {
      config,
      schema: {
        tags,
        summary:
          "The dashboard's export: the key data elements of the period's events as CSV, as GET /regulator/events?format=csv gives them",
        description:
          'The export link of the dashboard page: needs the session cookie of POST /regulator/login (a browser sends no API key); without one it redirects to the sign-in form.',
        querystring: periodQuery({ sort: z.enum(KDE_SORTS).default('time'), dialect: csvDialectQuery, lang: langQuery }),
        produces: ['text/csv'],
        response: {
          200: {
            description: 'The key data elements of the period’s events, streamed as UTF-8 CSV with a byte order mark',
            headers: { ...CSV_ATTACHMENT_DECLARED, ...noStore },
            content: { 'text/csv': { schema: z.string() } },
          },
          303: toSignIn,
          400: filterMistake,
        },
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const principal = await service.principal(cookieValue(request.headers.cookie, COOKIE));
      if (!principal) return reply.redirect(`/regulator/login${typedFilters(request.query).lang === 'en' ? '?lang=en' : ''}`, 303);
      return filtered(request, reply, async () => {
        const { lang, sort, dialect, ...query } = request.query;
        const pages = await service.events(principal, periodScope(query), sort);
        return (
          reply
            .type(CSV_TYPE)
            .header('cache-control', 'no-store')
            .header('content-disposition', 'attachment; filename="events.csv"')
            // a stream is sent as it is
            .send(csvStream(KDE_COLUMNS, pages, { dialect }) as never)
        );
      });
    },
  );

  app.get(
    '/regulator/dashboard/recalls',
    {
      config,
      schema: {
        tags,
        summary: 'The recalls of the dashboard’s panel, a hundred to a page, drawn as on the dashboard: the list the panel links to',
        description:
          'The dashboard shows the latest 20 recalls in progress in the period chosen (open now without one) whose scope reaches the region; this page lists them all, for the same period and region. Needs the session cookie of POST /regulator/login; without one it redirects to the sign-in form. With neither, the same recalls as GET /recalls?status=open.',
        querystring: periodQuery({ lang: langQuery, offset: queryInteger(0).prefault(0) }),
        produces: ['text/html'],
        response: { 200: page('The open recalls', noStore), 303: toSignIn, 400: filterMistake },
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const principal = await service.principal(cookieValue(request.headers.cookie, COOKIE));
      if (!principal) return reply.redirect(`/regulator/login${typedFilters(request.query).lang === 'en' ? '?lang=en' : ''}`, 303);
      return filtered(request, reply, async () => {
        const { lang, offset, ...query } = request.query;
        const view = await service.openRecalls(principal, offset, periodScope(query));
        return reply
          .headers(PAGE_HEADERS)
          .type(HTML)
          .header('cache-control', 'no-store')
          .send(openRecallsPage(view, query, lang ?? 'zh-CN'));
      });
    },
  );

  app.get(
    '/regulator/dashboard/recalls/:id/report',
    {
      config,
      schema: {
        tags,
        summary:
          'The printable final report of a recall, as GET /recalls/{id}/report?format=html gives it: the page each recall on the dashboard links to',
        description:
          'Needs the session cookie of POST /regulator/login (a browser sends no API key); without one it redirects to the sign-in form, whatever the id.',
        params: z.object({ id: idSchema }),
        querystring: z.object({ lang: langQuery }),
        produces: ['text/html'],
        response: { 200: page('The recall report', noStore), 303: toSignIn, 400: problemSchema, 404: problemSchema },
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const principal = await service.principal(cookieValue(request.headers.cookie, COOKIE));
      if (!principal) return reply.redirect(`/regulator/login${typedFilters(request.query).lang === 'en' ? '?lang=en' : ''}`, 303);
      if (request.validationError) throw request.validationError;
      const report = await service.recallReport(principal, request.params.id);
      const lang = request.query.lang ?? 'zh-CN';
      return reply
        .headers(PAGE_HEADERS)
        .type(HTML)
        .header('cache-control', 'no-store')
        .send(
          recallReportPage(report, lang, {
            back: { href: `/regulator/dashboard${lang === 'en' ? '?lang=en' : ''}`, text: DASHBOARD_TEXT[lang].backToDashboard },
            hrefOf: recallReportHref,
          }),
        );
    },
  );

  app.get(
    '/regulator/dashboard',
    {
      config,
      schema: {
        tags,
        summary:
          'Regulator dashboard: pass rates against 96 %, traceability by region and enterprise, activity, anomalies, open recalls, flagged codes, complaints',
        description:
          'The panels show the period and region chosen (flagged codes by when first flagged, complaints by when filed, each by the region of the party concerned; recalls in progress at some time in the period, open now without one, whose scope reaches the region); the anomalies, standing now, the region alone. Needs the session cookie of POST /regulator/login; without one it redirects to the sign-in form.',
        querystring: periodQuery({ lang: langQuery, regionOf: passRateRegionOf }),
        produces: ['text/html'],
        response: { 200: page('The dashboard page', noStore), 303: toSignIn, 400: filterMistake },
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const principal = await service.principal(cookieValue(request.headers.cookie, COOKIE));
      if (!principal) return reply.redirect(`/regulator/login${typedFilters(request.query).lang === 'en' ? '?lang=en' : ''}`, 303);
      return filtered(request, reply, async () => {
        const { lang, regionOf, ...query } = request.query;
        const view = await service.view(principal, periodScope(query), regionOf);
        // the same policy as the consumer pages: no script, inline styles, forms posting to the site itself, no framing
        return reply
          .headers(PAGE_HEADERS)
          .type(HTML)
          .header('cache-control', 'no-store')
          .send(dashboardPage(view, query, lang ?? 'zh-CN', regionOf));
      });
    },
  );
};
