import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isKnownRegionCode } from '../codes/regions.js';
import { normalizeCode, plainQueryPair, plainUrl } from '../codes/service-codes.js';
import { badRequest, notFound, Problem } from '../errors/problem.js';
import { isResolverParameter, KEY_QUALIFIERS, parseDigitalLinkPath, RESOLVER_PARAMETERS } from '../gs1/digital-link.js';
import { preferredType } from '../http/negotiate.js';
import { sendProblem } from '../http/problems.js';
import { passingOver } from '../http/query.js';
import { MAX_URL_LENGTH } from '../http/request.js';
import { uriReference } from '../http/uri.js';
import { PAGE_HEADERS } from '../web/html.js';
import { type Lang, pageLang } from '../web/i18n/index.js';
import { lookupTarget, MAX_LOOKUP_CHARS } from './lookup.js';
import { badParameterPage, consumerPage, lookupPage, notGenuinePage, productCodePage, scanErrorPage } from './pages.js';
import {
  lookupResponses,
  type ResolverDescription,
  resolverDescriptionSchema,
  SCAN_CACHE_CONTROL,
  scanErrorResponses,
  scanResponses,
  traceCodeSlashRedirect,
  trailingSlashRedirect,
} from './schemas.js';
import {
  NotGenuineError,
  RegisteredProductError,
  type Resolved,
  type ResolverService,
  type ScanContext,
  UNRESOLVED_KEY,
} from './service.js';
import { consumerSummaryJson } from './summary.js';

const GS1_VOC = 'https://gs1.org/voc/';
/** The GS1 Web Vocabulary's own IRIs and the equivalents it lists (`gs1:pip` = `https://ref.gs1.org/voc/pip`). */
const GS1_VOC_NAMESPACES = ['gs1:', GS1_VOC, 'https://ref.gs1.org/voc/', 'https://www.gs1.org/voc/'];
/** The primary keys whose Digital Links name a lot or pack here. */
const RESOLVING_KEYS = ['01', '00'];
type LinkType = 'pip' | 'traceability' | 'certificationInfo';
const LINK_TYPES: Record<LinkType, { format: string; type: string; title: string }> = {
  pip: { format: 'html', type: 'text/html', title: '产品溯源信息 / Product traceability page' },
  traceability: { format: 'json', type: 'application/json', title: '溯源数据 / Trace summary' },
  certificationInfo: { format: 'certificates', type: 'application/json', title: '检测报告与证书 / Tests and certificates' },
};

/**
 * `gs1:pip`, `https://gs1.org/voc/pip`, `https://ref.gs1.org/voc/pip` → `pip`; `linkset`/`all` → linkset. Any other
 * linkType (`gs1:recipeInfo`, another vocabulary's) matches no link here: it names the default link, the product page,
 * as the GS1 resolver standard has it ("SHALL redirect to the default link unless there is information in the request
 * that can be matched").
 */
function linkTypeOf(value: string): LinkType | 'linkset' {
  if (value === 'linkset' || value === 'all') return 'linkset';
  const namespace = GS1_VOC_NAMESPACES.find((prefix) => value.startsWith(prefix));
  const name = namespace ? value.slice(namespace.length) : value;
  return Object.hasOwn(LINK_TYPES, name) ? (name as LinkType) : 'pip';
}

/** The key of a query string's pair, decoded as a form's is (as it came when it does not decode). */
function keyOf(pair: string): string {
  const key = pair.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/**
 * The query string as scanned (as scannedTarget reads it: up to a fragment), less the link type and format, for a
 * linkType's redirect to pass on with its own format (the shopper's language, the scan's region, data attributes): its
 * pairs as they came, written as a trailing-slash redirect writes them (redirectWithin).
 */
function queryPassedOn(url: string): string[] {
  const left = ['linkType', 'format'];
  const query = url.split('?').slice(1).join('?');
  return query.split('&').filter((pair) => pair !== '' && !left.includes(keyOf(pair)));
}

/**
 * A resolver parameter (`lang`, `linkType`, `format`, `region`, any other non-numeric key) given more than once takes its
 * first value, as `URLSearchParams.get` reads it: a label or a link that repeats one is no malformed code. A repeated AI
 * (a numeric key) stays malformed: parseDigitalLinkPath reads those off the URL itself.
 */
const firstValuesOf = (query: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(query).map(([key, value]) => [key, Array.isArray(value) && !/^\d+$/.test(key) ? value[0] : value]));

async function firstValues(request: FastifyRequest) {
  const query = request.query as Record<string, unknown>;
  if (Object.values(query).some(Array.isArray)) request.query = firstValuesOf(query);
}

/** A path a label links to (a trace code's, a Digital Link's), and a full-width `？` or `＃` in it, raw or percent-encoded. */
const LABEL_PATH = /^\/(t|01|00|414|8003)\//;
const FULL_WIDTH_DELIMITER = /？|%EF%BC%9F|＃|%EF%BC%83/i;
/** The scheme and authority of a request target in absolute form (`http://host/…`, as a proxy sends it; RFC 9112 3.2.2). */
const ABSOLUTE_FORM_ORIGIN = /^https?:\/\/[^/?#]+/i;

/**
 * A request target as the router and the routes read it (the app's rewriteUrl). One in absolute form is read as the
 * origin form it names (`http://host/t/{code}?…` as `/t/{code}?…`), as a server must take it. A raw `#` begins a
 * fragment, on every route: RFC 9112 allows none in a request target and a conformant client sends none, so nothing
 * after it is read, by the router nor by a redirect (the router alone would read it as a character of the query). On a
 * label's path (a Digital Link's, a trace code's) the full-width `？` and `＃` an input method types for `?` and `#` are
 * read as those. In the path (before the first `?`) a `？` begins the query string, so the router parses it as any
 * other, with its one parser; a `?` after it (a messenger adds its own query to a link that has none) goes on with it,
 * as an `&`. A `＃` begins a fragment, as `#` does. Either in the query string is a character of a value.
 */
export function scannedTarget(url: string): string {
  const origin = ABSOLUTE_FORM_ORIGIN.exec(url)?.[0] ?? '';
  const rest = url.slice(origin.length).split('#', 1)[0];
  const target = origin === '' || rest.startsWith('/') ? rest : `/${rest}`;
  if (!LABEL_PATH.test(target)) return target;
  const pathEnd = target.indexOf('?');
  const mark = FULL_WIDTH_DELIMITER.exec(pathEnd === -1 ? target : target.slice(0, pathEnd));
  if (!mark) return target;
  const before = target.slice(0, mark.index);
  if (/＃|%EF%BC%83/i.test(mark[0])) return before;
  return `${before}?${target.slice(mark.index + mark[0].length).replace('?', '&')}`;
}

const isAiPair = (pair: string) => /^\d+$/.test(keyOf(plainQueryPair(pair.replace(/^\?/, ''))));

/**
 * A query string's pairs as they are read for AIs: parted by `&`, and by a full-width `＆` (raw or percent-encoded)
 * before an AI, as typed in full-width (`１７＝２６１２３１＆１１＝２６１１１９`); a `＆` before anything else is the
 * previous pair's, as scanned.
 */
function pairsForAis(query: string): string[] {
  return query.split('&').flatMap((pair) => {
    const [first, ...rest] = pair.split(/(＆|%EF%BC%86)/i);
    const pairs = [first];
    for (let i = 0; i < rest.length; i += 2) {
      if (isAiPair(rest[i + 1])) pairs.push(rest[i + 1]);
      else pairs[pairs.length - 1] += rest[i] + rest[i + 1];
    }
    return pairs;
  });
}

/**
 * A Digital Link request's URL (as scannedTarget reads it: a full-width `？` is a `?` by then, and no fragment is left) as
 * it is read: its path with full-width characters as their ASCII forms (plainUrl), its query string as it came, `?`
 * included ('' when there is none), and that query string as parseDigitalLinkPath checks it: of its pairs as pairsForAis
 * parts them, its AIs (keys of digits, read as ASCII, as capture reads them) and the parameters the resolver reads. Any
 * other parameter is not checked (a browser sends `|` or `^` raw in a campaign tag), and is passed on as scanned.
 */
function scannedDigitalLink(url: string) {
  const start = url.indexOf('?');
  const path = plainUrl(start === -1 ? url : url.slice(0, start));
  const query = start === -1 ? '' : url.slice(start);
  const read = pairsForAis(query.slice(1))
    .filter((pair) => isAiPair(pair) || mayBeAi(pair) || isResolverParameter(keyOf(pair)))
    .map((pair) => (isAiPair(pair) ? plainQueryPair(pair) : pair));
  return { path, query, checked: read.length === 0 ? '' : `?${read.join('&')}` };
}

/** A pair whose key has a "%" and otherwise only digits and hex digits, one digit at least: it may be an AI written with escapes. */
const mayBeAi = (pair: string) => /^(?=[^=]*%)(?=[^=]*\d)[\d%A-Fa-f]+(=|$)/.test(pair);

/**
 * A redirect to `target` (a path and the query string it passes on, as scanned), its Location an RFC 3986 URI reference
 * that reads as the scan did (uriReference: reading none of its parameters, escapes, `+`, repeated keys, empty pairs and
 * their order stay as scanned; a stray `%` and what a URI may not carry raw are escaped); or the 414 its follow-up would
 * answer when those escapes make it longer than the longest URL the service takes. `what` names the URL redirected to.
 */
function redirectWithin(reply: FastifyReply, redirectBaseUrl: string, status: 303 | 307 | 308, target: string, what: string) {
  const location = uriReference(target);
  if (location.length > MAX_URL_LENGTH)
    throw new Problem(
      414,
      'uri-too-long',
      'URI too long',
      `${what}, a stray "%" and what a URI may not carry raw escaped, has ${location.length} characters; at most ${MAX_URL_LENGTH}`,
    );
  return reply
    .code(status)
    .header('location', `${redirectBaseUrl}${location}`)
    .send(undefined as never);
}

/** A trailing-slash redirect to `target`, the path without its slash and the query string kept. */
const slashRedirect = (reply: FastifyReply, redirectBaseUrl: string, target: string) =>
  redirectWithin(reply, redirectBaseUrl, 308, target, 'the URL without its trailing slash');

const langOfRequest = (request: FastifyRequest): Lang =>
  pageLang((request.query as { lang?: unknown }).lang, request.headers['accept-language']);

/**
 * Every answer on a scan path follows Accept (a page, JSON, a linkset, problem+json), and a page
 * Accept-Language besides: a cache must keep them apart, and whether an answer is a page is itself Accept's.
 */
const SCAN_VARY = 'Accept, Accept-Language';

/** Paths a label links to, with whatever follows them (a garbled scan may match no route). */
const SCAN_PATH = /^\/(t|01|00|414|8003)(\/|$)/;

/** Whether errors on a path (or route URL) may be answered with the scan error page. */
export const isScanPath = (path: string) => SCAN_PATH.test(path);

/**
 * Whether an error is answered with the page: format=html (the linkset's page link) asks for it, format=json or
 * certificates for data; else (no format, or one the resolver does not have) a client asking for the linkset (or
 * JSON) is an API client, and only one preferring the page gets it.
 */
function asksForErrorPage(request: FastifyRequest, format: string | null | undefined): boolean {
  if (format === 'html') return true;
  if (format === 'json' || format === 'certificates') return false;
  return (
    preferredType(request.headers.accept, ['text/html', 'application/json', 'application/problem+json', 'application/linkset+json']) ===
    'text/html'
  );
}

/** How many parameters, and how many characters of each name, a page names. */
const NAMED_PARAMETERS = 5;
const PARAMETER_NAME_CHARS = 40;

/**
 * The query parameters a request validation problem names when the query string alone is at fault (a link's
 * `?format=xml`): their names, from the fields' JSON pointers, at most NAMED_PARAMETERS, each cut short. Null for any
 * other problem (a malformed code, a path parameter too long), which is the code's.
 */
export function queryParametersAtFault(problem: Problem): string[] | null {
  const errors = problem.errors ?? [];
  if (problem.slug !== 'validation' || errors.length === 0 || errors.some((error) => error.in !== 'querystring')) return null;
  const names = errors.map((error) =>
    (error.pointer.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~').slice(0, PARAMETER_NAME_CHARS),
  );
  return [...new Set(names.filter((name) => name !== ''))].slice(0, NAMED_PARAMETERS);
}

/**
 * Answers an error on a scan path with a page in the shopper's language when a page is wanted (a
 * phone scanning a bad or garbled code), else as problem+json (API clients asking for JSON). A query parameter the
 * route cannot read (request validation of the query string, which the app's error handler hands here) is the link's
 * fault: its page names the parameter and never says the code is invalid.
 */
export function sendScanError(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  // read off the URL itself unless the route has read it: the router's own errors (a URL it cannot decode) come before
  // the query is parsed
  const [path, search = ''] = request.url.split('?');
  const query = new URLSearchParams(search);
  const read = (request.query ?? {}) as Record<string, unknown>;
  const parameter = (name: string) => (typeof read[name] === 'string' ? read[name] : query.get(name));
  // on a scan path the error's representation follows Accept: a cache must not hand a page to an API client
  if (isScanPath(path)) reply.header('vary', SCAN_VARY).header('cache-control', SCAN_CACHE_CONTROL);
  if (!isScanPath(path) || !asksForErrorPage(request, parameter('format'))) return sendProblem(request, reply, problem);
  const lang = pageLang(parameter('lang'), request.headers['accept-language']);
  const atFault = queryParametersAtFault(problem);
  return reply
    .code(problem.status)
    .headers(PAGE_HEADERS)
    .type('text/html; charset=utf-8')
    .send(atFault ? badParameterPage(atFault, lang) : scanErrorPage(problem.status, lang));
}

/**
 * Where a scan page's complaint form posts: with the page's language, Chinese too (the receipt would otherwise follow
 * the browser's), and the page itself, for the link back from a form the service refuses.
 */
const complaintPathOf = (lang: Lang, path: string) => `/complaints?lang=${lang}&from=${encodeURIComponent(path)}`;

export const resolverRoutes: FastifyPluginAsyncZod<{
  service: ResolverService;
  publicBaseUrl: string;
  /** Origin of the redirects' Location ('' for a path-absolute one: RFC 9110 lets a Location be a relative reference). */
  redirectBaseUrl: string;
  scansPerMinute: number;
}> = async (app, { service, publicBaseUrl, redirectBaseUrl, scansPerMinute }) => {
  const tags = ['resolver'];
  // one allowance per client address for every way of scanning (short codes and Digital Links)
  const scanning = { public: true, rateLimit: { max: scansPerMinute, timeWindow: '1 minute', groupId: 'scans' } };

  const contextOf = (request: FastifyRequest): ScanContext => {
    const query = request.query as Record<string, string | undefined>;
    const region = query.region ?? null;
    return {
      record: request.method === 'GET',
      region: region && isKnownRegionCode(region) ? region : null,
      ip: request.ip,
      userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
    };
  };
  /** Whether the resolved code has a link of this type: tests and certificates only where the lot has some. */
  const hasLink = (resolved: Resolved, name: LinkType) =>
    name !== 'certificationInfo' || resolved.lot.certificates.length + resolved.lot.tests.length > 0;
  function linkset(resolved: Resolved, path: string) {
    const href = (format: string) => `${publicBaseUrl}${path}?format=${format}`;
    const entry: Record<string, unknown> = { anchor: `${publicBaseUrl}${path}` };
    for (const [name, link] of Object.entries(LINK_TYPES) as [LinkType, (typeof LINK_TYPES)[LinkType]][]) {
      if (!hasLink(resolved, name)) continue;
      entry[`${GS1_VOC}${name}`] = [{ href: href(link.format), type: link.type, title: link.title, hreflang: ['zh-CN', 'en'] }];
    }
    entry[`${GS1_VOC}defaultLink`] = [{ href: href('html'), type: 'text/html', title: LINK_TYPES.pip.title }];
    return { linkset: [entry] };
  }

  /**
   * Serves one resolved identifier in the representation asked for; unknown codes get 404, never 200.
   * `path` is the scanned path as a URI (percent-encoded): headers and links carry it as it is.
   */
  async function respond(request: FastifyRequest, reply: FastifyReply, path: string, resolve: (context: ScanContext) => Promise<Resolved>) {
    const query = request.query as Record<string, string | undefined>;
    const linkSetUrl = `${publicBaseUrl}${path}?linkType=linkset`;
    // RFC 9264 section 6: the relation type is "linkset", the representation named by its media type
    reply.header('link', `<${linkSetUrl}>; rel="linkset"; type="application/linkset+json"`);
    reply.header('vary', SCAN_VARY).header('cache-control', SCAN_CACHE_CONTROL);
    const requested = query.linkType ? linkTypeOf(query.linkType) : undefined;
    // what the query names (a linkType, a format: the linkset's own links) comes before what Accept prefers
    const wantsLinkset =
      requested === 'linkset' ||
      (requested === undefined &&
        query.format === undefined &&
        preferredType(request.headers.accept, ['text/html', 'application/json', 'application/linkset+json']) ===
          'application/linkset+json');
    const format =
      query.format ??
      (requested
        ? undefined
        : preferredType(request.headers.accept, ['text/html', 'application/json']) === 'application/json'
          ? 'json'
          : 'html');
    const counts = !wantsLinkset && !requested;
    // A linkType other than the linkset redirects to a representation (the page, the summary), which counts the
    // scan; an unknown code has no link to redirect to, so its scan is counted (and flagged) here.
    const linked = requested !== undefined && requested !== 'linkset';
    let resolved: Resolved;
    try {
      const get = request.method === 'GET';
      resolved = await resolve({ ...contextOf(request), record: counts && get, recordUnknown: linked && get });
    } catch (error) {
      const page = asksForErrorPage(request, query.format);
      if (error instanceof RegisteredProductError) {
        // a product's own code: no scan, no flag; a browser is told what the code is and what to scan instead
        if (!page) throw notFound(error.message);
        return reply
          .code(404)
          .headers(PAGE_HEADERS)
          .type('text/html; charset=utf-8')
          .send(productCodePage({ name: error.productName, maker: error.makerName }, langOfRequest(request)));
      }
      if (!(error instanceof NotGenuineError)) throw error;
      // a browser is told the code may not be genuine, whatever link it asked for
      if (page) {
        const lang = langOfRequest(request);
        return reply
          .code(404)
          .headers(PAGE_HEADERS)
          .type('text/html; charset=utf-8')
          .send(notGenuinePage(error.code, lang, complaintPathOf(lang, path)));
      }
      throw notFound(error.message);
    }
    // JSON goes out as built (text or bytes), past the response serializer: scanResponses describes it
    if (wantsLinkset) return reply.type('application/linkset+json').send(JSON.stringify(linkset(resolved, path)));
    if (requested) {
      // a link type this code has no link of (no tests or certificates) leads to the default link, as an unknown one does
      const link = hasLink(resolved, requested) ? LINK_TYPES[requested] : LINK_TYPES.pip;
      const query = [...queryPassedOn(request.url), `format=${link.format}`].join('&');
      return redirectWithin(reply, redirectBaseUrl, 307, `${path}?${query}`, 'the URL of the link type');
    }
    if (format === 'json') return reply.type('application/json; charset=utf-8').send(consumerSummaryJson(resolved.lot, resolved.pack));
    if (format === 'certificates') {
      return reply
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ code: resolved.code, certificates: resolved.lot.certificates, tests: resolved.lot.tests }));
    }
    const lang = langOfRequest(request);
    const other = lang === 'en' ? 'zh-CN' : 'en';
    return reply
      .headers(PAGE_HEADERS)
      .type('text/html; charset=utf-8')
      .send(
        consumerPage(resolved.lot, resolved.pack, {
          lang,
          baseUrl: publicBaseUrl,
          // POST /complaints refuses a case's or pallet's code: its page offers no form to post it
          complaintPath: resolved.kind === 'container' ? null : complaintPathOf(lang, path),
          switchLangHref: `${path}?lang=${other}`,
          producerGrade: resolved.producerGrade,
        }),
      );
  }

  // as on a Digital Link: what a messenger app adds to a shared link (`from=singlemessage`) is passed over
  const resolverQuery = passingOver(
    z.object({
      format: z.enum(['html', 'json', 'certificates']).optional(),
      linkType: z
        .string()
        .optional()
        .describe(
          'gs1:pip, gs1:traceability, gs1:certificationInfo, or linkset (or all); any other, or one the code has no link of, leads to the default link (gs1:pip)',
        ),
      lang: z
        .string()
        .optional()
        .describe(
          'page language, before Accept-Language: en (any English tag) or zh-CN (any Chinese tag); any other is passed over for Accept-Language, and Chinese is the default',
        ),
      region: z
        .string()
        .optional()
        .describe(
          'coarse region (6-digit GB/T 2260 code) the scan came from, as the scanning app says; the only place a region is read from',
        ),
    }),
  );

  // a full-width "？" after the code begins the query string, as on a Digital Link (scannedTarget, before the router)
  app.get(
    '/t/:code',
    {
      config: scanning,
      preValidation: firstValues,
      schema: {
        tags,
        summary: 'Resolve a scanned trace code: consumer page, JSON summary, or GS1 linkset (content negotiation)',
        params: z.object({ code: z.string().max(64) }),
        querystring: resolverQuery,
        response: { ...scanResponses, ...scanErrorResponses },
      },
    },
    async (request, reply) =>
      // the links name the code as issued, however it was typed (in lower case, full-width)
      respond(request, reply, `/t/${encodeURIComponent(normalizeCode(request.params.code))}`, (context) =>
        service.resolveCode(request.params.code, context),
      ),
  );

  // A trace code's path with a trailing slash, as a messenger or a label printer may add one: redirected (308) to the
  // code's own path, as a Digital Link's is, the query string kept; no scan is recorded for the redirect. A path that
  // names no trace code is the 400 /t/{code} answers.
  app.get(
    '/t/:code/',
    {
      config: scanning,
      preValidation: firstValues,
      schema: {
        tags,
        summary: 'A trace code with a trailing "/": redirected (308) to /t/{code}',
        params: z.object({ code: z.string().max(64) }),
        querystring: resolverQuery,
        response: { ...traceCodeSlashRedirect, ...scanErrorResponses },
      },
    },
    async (request, reply) => {
      const code = service.traceCode(request.params.code);
      const query = request.url.slice(request.url.split('?', 1)[0].length);
      return slashRedirect(reply, redirectBaseUrl, `/t/${code}${query}`);
    },
  );

  // GS1 Digital Link: /01/{gtin}[/22/…][/10/{lot}][/21/{serial}] or /01/{gtin}/235/{tpx}, /00/{sscc}; every rule
  // of the standard is checked by parseDigitalLinkPath. Malformed is 400, well-formed but unknown 404, never a redirect
  // to a "corrected" form (a zero-suppressed GTIN is malformed), but for one trailing slash: the standard's grammar has
  // none, its plausibility RegEx (URI Syntax, section 6) allows one, so a link that is well-formed without it is
  // redirected (308) there. A (414) or (8003) link names no lot or pack: checked, then 404 (with a slash too). A query
  // string begun by a full-width `？` is read and checked as one begun by `?`, and a `＃` begins a fragment (scannedTarget,
  // before the router). Full-width characters
  // (`…/10/ＬＯＴ１`, percent-encoded) are read as their ASCII forms, as capture reads a Digital Link, and the links
  // answered name the ASCII form, as /t/{code} names a code in upper case.
  for (const key of ['01', '00', '414', '8003']) {
    app.get(
      `/${key}/*`,
      {
        config: scanning,
        preValidation: firstValues,
        schema: {
          tags,
          summary: `Resolve a GS1 Digital Link with primary key ${key}`,
          querystring: resolverQuery,
          response: { ...(RESOLVING_KEYS.includes(key) ? { ...scanResponses, ...trailingSlashRedirect } : {}), ...scanErrorResponses },
        },
      },
      async (request, reply) => {
        const { path, query, checked } = scannedDigitalLink(request.url);
        const parsed = parseDigitalLinkPath(path + checked);
        // a path with one trailing slash is read without it, and redirected there when it would be answered there
        const slash = !parsed.ok && parsed.error.code === 'trailing-slash';
        const linkPath = slash ? path.slice(0, -1) : path;
        const read = slash ? parseDigitalLinkPath(linkPath + checked) : parsed;
        if (!read.ok && read.error.code === 'unsupported-key') throw notFound(read.error.message);
        if (!read.ok) throw badRequest(`malformed GS1 Digital Link: ${read.error.message}`) as Problem;
        const link = read.value;
        // a path before the key (`/x/01/…`) is no path of this resolver (one in absolute form is read as its path: scannedTarget)
        if (link.prefix !== '')
          throw notFound(`(${link.primaryKey}) after ${link.prefix} is not a path of this resolver: its Digital Links start with the key`);
        // echoed as scanned: its escapes are kept (a lot A/B1 stays A%2FB1), what a URI may not carry raw is escaped
        const echoed = uriReference(linkPath);
        // a (414) or (8003) link is its 404 here, with the slash or without
        if (slash && !RESOLVING_KEYS.includes(link.primaryKey)) throw notFound(UNRESOLVED_KEY);
        // the query string as scanned (a parameter the resolver does not read keeps its full-width characters and escapes)
        if (slash) return slashRedirect(reply, redirectBaseUrl, `${echoed}${query}`);
        return respond(request, reply, echoed, (context) => service.resolveDigitalLink(link, context));
      },
    );
  }

  // The lookup page: where a person types a pack's code when its QR code will not scan (zh-CN first, ?lang=en). Its
  // form sends the code back here (GET), which leads (303) to the scan URL of what was typed (lookupTarget): the one
  // resolver answers it as a scan. Nothing typed, or nothing the resolver reads, is the form again with a message (400).
  // A client preferring JSON to a page gets what `/` answered before there was a page (404), or problem+json for a
  // code that leads nowhere, with the field's path.
  app.get(
    '/',
    {
      config: { public: true, rateLimit: { max: scansPerMinute, timeWindow: '1 minute', groupId: 'lookups' } },
      preValidation: firstValues,
      schema: {
        tags,
        summary: 'The lookup page: type a code when its QR code will not scan; with ?code=, a redirect (303) to its scan URL',
        querystring: passingOver(
          z.object({
            code: z
              .string()
              .optional()
              .describe(
                'a trace code (any case, full-width, spaces or dashes between its characters), an SSCC, or a link of a trace code or a GS1 Digital Link on any host',
              ),
            lang: resolverQuery.shape.lang,
          }),
        ),
        response: lookupResponses,
      },
    },
    async (request, reply) => {
      const { code, lang: asked } = request.query;
      const lang = langOfRequest(request);
      const page = preferredType(request.headers.accept, ['text/html', 'application/json', 'application/problem+json']) === 'text/html';
      reply.header('vary', SCAN_VARY);
      if (code === undefined) {
        if (!page) throw notFound('No route GET /');
        return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(lookupPage(lang));
      }
      const found = lookupTarget(code);
      if (!found.ok) {
        if (page)
          return reply
            .code(400)
            .headers(PAGE_HEADERS)
            .type('text/html; charset=utf-8')
            .send(lookupPage(lang, Array.from(code).slice(0, MAX_LOOKUP_CHARS).join(''), found.reason));
        const detail = {
          empty: 'give a code',
          mistyped: 'check character wrong — probably a typo',
          phoneNumber: 'a mobile phone number, not a trace code',
          malformed: 'not a trace code, SSCC or scan link of this resolver',
        }[found.reason];
        throw badRequest(`querystring /code: ${detail}`, [{ in: 'querystring', pointer: '/code', detail }]);
      }
      // the page's language goes on to the scan's page when the form named it
      const target =
        asked === undefined ? found.target : `${found.target}${found.target.includes('?') ? '&' : '?'}lang=${encodeURIComponent(lang)}`;
      return redirectWithin(reply, redirectBaseUrl, 303, target, 'the scan URL of the code');
    },
  );

  const description: ResolverDescription = {
    name: '县域食品溯源解析服务 / County food traceability resolver',
    resolverRoot: publicBaseUrl,
    supportedPrimaryKeys: RESOLVING_KEYS,
    supportedLinkType: [{ namespace: GS1_VOC, prefix: 'gs1:' }],
    linkTypes: [...Object.keys(LINK_TYPES).map((name) => `gs1:${name}`), 'linkset'],
    linkTypeDefaultCanBeLinkset: true,
    supportedContextValuesEnumerated: [],
    supportedLanguages: ['zh-CN', 'en'],
    shortCodePattern: `${publicBaseUrl}/t/{code}`,
    digitalLink: {
      syntax: 'GS1 Digital Link URI Syntax 1.4, uncompressed',
      keyQualifiers: {
        '01': KEY_QUALIFIERS['01'].map((sequence) => [...sequence]),
        '00': KEY_QUALIFIERS['00'].map((sequence) => [...sequence]),
      },
      keyQualifierRule: 'in the listed order, any of one sequence: (22) (10) (21), or (235) alone',
      dataAttributes:
        'query keys of digits are GS1 AIs: unknown AIs, AIs not permitted as data attributes or belonging in the path, repeated AIs and malformed values (length, GS1 charset 82, check digit, date) are 400',
      queryParameters: [...RESOLVER_PARAMETERS],
      otherQueryParameters:
        'other non-numeric keys are allowed and ignored, unchecked whatever their encoding (not decoded), and passed on in redirects',
      zeroSuppressedGtin: 'GTIN-8, GTIN-12 and GTIN-13 must be written with 14 digits; a shorter GTIN is 400, not redirected',
      trailingSlash:
        'a path ending in "/" is redirected (308) to the path without it when that is answered there (the query string kept as scanned, a stray "%" and what a URI may not carry raw escaped; 414 when that makes a URL over the limit), else the 400 or 404 of that path: a (414) or (8003) link is its 404',
      deploymentPrefix: 'none: the primary key is the first path element; another path before it is 404',
      statuses: { malformed: 400, wellFormedButUnknown: 404, unsupportedKey: 404 },
    },
  };
  app.get(
    '/.well-known/gs1resolver',
    {
      config: { public: true },
      schema: { tags, summary: 'Resolver description (GS1 Resolver standard)', response: { 200: resolverDescriptionSchema } },
    },
    async () => description,
  );
};
