// The query string of a scan: what the resolver does not read (a messenger's tag, a campaign's, a name JavaScript
// gives every object) is passed over and passed on as scanned, and a trailing-slash redirect keeps it as scanned.
import pino from 'pino';
import { completeGs1 } from '../../src/codes/gs1.js';
import { MAX_URL_LENGTH } from '../../src/http/request.js';
import { scannedTarget } from '../../src/resolver/routes.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { sendRequestLine, TEST_BASE_URL, URI_REFERENCE } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = completeGs1('0690123456789');

async function scanWorld(t: Parameters<typeof createWorld>[0], redirectBaseUrl?: string, options: Parameters<typeof createWorld>[2] = {}) {
  const world = await createWorld(t, undefined, { redirectBaseUrl, ...options });
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: GTIN });
  const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-1' }] }));
  const [pack] = await issuePacks(world, processor, made.createdLotCodes[0] as string, 1);
  const scan = (url: string, accept = 'application/json') =>
    world.app.inject({ method: 'GET', url, headers: { accept, 'user-agent': 'a phone' } });
  const send = (target: string, accept?: string) => sendRequestLine(world.app, target, accept);
  return { pack, scan, send };
}

/** Names of the object machinery, and `__proto__` twice (an array, which an assignment would make a prototype). */
const MACHINERY = [
  'constructor=1',
  '__proto__=x',
  '__proto__=a&__proto__=b',
  'toString=1',
  'hasOwnProperty=1',
  'valueOf=1',
  'prototype=1',
  '__proto__%5Bpolluted%5D=yes',
];

t.test('a scan passes over the names of the object machinery as any other parameter it does not read', async (t) => {
  const { pack, scan } = await scanWorld(t);
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype);
  for (const query of MACHINERY) {
    for (const path of [`/t/${pack}`, `/01/${GTIN}/21/${pack}`, `/01/${GTIN}/10/KZ-1`]) {
      const answer = await scan(`${path}?${query}`);
      t.equal(answer.statusCode, 200, `${path}?${query}: the code's summary`);
      const page = await scan(`${path}?${query}&lang=en`, 'text/html');
      t.equal(page.statusCode, 200, 'and its page');
      t.match(page.body, /<html lang="en">/, 'in the language asked for');
      const linked = await scan(`${path}?${query}&linkType=gs1:traceability&lang=en`);
      t.equal(linked.statusCode, 307);
      t.equal(linked.headers.location, `${path}?${query}&lang=en&format=json`, 'a linkType redirect passes it on as scanned');
    }
    const slash = await scan(`/t/${pack}/?${query}`);
    t.equal(slash.statusCode, 308, `/t/{code}/?${query}: redirected`);
    t.equal(slash.headers.location, `/t/${pack}?${query}`, 'with it');
  }
  t.same(Object.getOwnPropertyNames(Object.prototype), prototypeNames, 'Object.prototype is as it was');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no object gained a member');
});

t.test('a trailing-slash redirect keeps the query string as scanned', async (t) => {
  const { pack, scan } = await scanWorld(t);
  // a GBK campaign tag, "+" and "%2B", a key repeated (its first value read), an empty pair, a key with no value, a stray
  // "%", a full-width letter escaped (the path's would be read as ASCII), brackets, a language given twice, in this order
  const query = 'utm=%B0%D9&q=a+b&q=%2B&lang=en&empty=&&flag&off=50%&k=%EF%BC%A1&a[]=1&lang=zh-CN';
  const written = 'utm=%B0%D9&q=a+b&q=%2B&lang=en&empty=&&flag&off=50%25&k=%EF%BC%A1&a%5B%5D=1&lang=zh-CN';
  for (const [from, to] of [
    [`/t/${pack}/`, `/t/${pack}`],
    [`/t/${pack.toLowerCase()}/`, `/t/${pack}`],
    [`/01/${GTIN}/21/${pack}/`, `/01/${GTIN}/21/${pack}`],
    [`/01/${GTIN}/10/KZ-1/`, `/01/${GTIN}/10/KZ-1`],
    [`/01/${GTIN}/10/%EF%BC%AB%EF%BC%BA-1/`, `/01/${GTIN}/10/KZ-1`],
  ]) {
    const redirect = await scan(`${from}?${query}`);
    t.equal(redirect.statusCode, 308, `${from}: redirected`);
    t.equal(redirect.headers.location, `${to}?${written}`, `${from}: the query string as scanned, a stray "%" and brackets escaped`);
    const followed = await scan(String(redirect.headers.location), 'text/html');
    t.equal(followed.statusCode, 200, 'which answers the code');
    t.match(followed.body, /<html lang="en">/, 'in the first language given');
    t.equal((await scan(from)).headers.location, to, 'and none without one');
  }
});

t.test('a full-width "？" after the trailing slash begins the query string, as it does without the slash', async (t) => {
  const { scan } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  for (const [from, query] of [
    [`${lotLink}/%EF%BC%9Flang=en`, '?lang=en'],
    [`${lotLink}%EF%BC%8F%EF%BC%9Flang=en`, '?lang=en'],
    [`${lotLink}/%EF%BC%9Fq=%EF%BC%A1&lang=en`, '?q=%EF%BC%A1&lang=en'],
    [`${lotLink}/%EF%BC%9F`, '?'],
  ]) {
    const redirect = await scan(from);
    t.equal(redirect.statusCode, 308, `${from}: redirected`);
    t.equal(redirect.headers.location, `${lotLink}${query}`, 'to the link without the slash, the query string after the "？" as scanned');
  }
});

t.test('a trailing-slash redirect leads only to a path of this resolver that answers the link', async (t) => {
  for (const base of ['', TEST_BASE_URL]) {
    const { pack, scan, send } = await scanWorld(t, base);
    const lotLink = `/01/${GTIN}/10/KZ-1`;
    t.match(await send(`${lotLink}/?lang=en`), { status: 308, location: `${base}${lotLink}?lang=en` }, 'a path: redirected');
    // a request target in absolute form is read as the path it names: redirected within this resolver, never to the
    // origin it names
    for (const origin of ['http://evil.com', 'https://trace.county.example']) {
      const answer = await send(`${origin}${lotLink}/?lang=en`);
      t.match(answer, { status: 308, location: `${base}${lotLink}?lang=en` }, `${origin}${lotLink}/: redirected as the path is`);
    }
    const elsewhere = await send(`${TEST_BASE_URL}/x${lotLink}/?lang=en`);
    t.match(elsewhere, { status: 404, location: undefined }, '/x/01/…/ in absolute form: no redirect, as in origin form');
    t.match(await send(`${TEST_BASE_URL}/x${lotLink}`), { status: 404 }, 'which is 404');
    for (const path of [`/01/x${lotLink}/`, `/01/${GTIN}/10/x${lotLink}/`, `/00/x/01/${GTIN}/21/${pack}/`]) {
      const answer = await scan(path);
      t.equal(answer.statusCode, 404, `${path}: 404, as without the slash`);
      t.equal(answer.headers.location, undefined, 'not redirected');
      t.equal((await scan(path.slice(0, -1))).statusCode, 404, `${path.slice(0, -1)}: 404`);
    }
  }
});

t.test('a trailing-slash redirect escapes what a URI may not carry raw (a stray "%" too), and nothing else', async (t) => {
  const { pack, send } = await scanWorld(t);
  // a space cannot be sent raw in a request line; everything else here can
  const query = 'a=<x>&b="q"&c=\\&d={|}&e=^`&f=%&g=%3C&h=a+b&h=[1]&&i=~!$\'()*,;:@/?';
  const escaped = "a=%3Cx%3E&b=%22q%22&c=%5C&d=%7B%7C%7D&e=%5E%60&f=%25&g=%3C&h=a+b&h=%5B1%5D&&i=~!$'()*,;:@/?";
  const redirect = await send(`/t/${pack}/?${query}`);
  t.match(redirect, { status: 308, location: `/t/${pack}?${escaped}` }, '/t/{code}/');
  const followed = await send(String(redirect.location));
  t.equal(followed.status, 200, 'which answers the code');
});

t.test('the parameters after a full-width "？" are read and checked as after a "?"', async (t) => {
  const { scan } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  const refused = await scan(`${lotLink}?format=xml`);
  t.equal(refused.statusCode, 400, 'format=xml after "?": 400');
  for (const from of [`${lotLink}/%EF%BC%9Fformat=xml`, `${lotLink}%EF%BC%9Fformat=xml`, `${lotLink}？format=xml`]) {
    const answer = await scan(encodeURI(from).replace(/%25/g, '%'));
    t.equal(answer.statusCode, 400, `${from}: the 400 of format=xml, no redirect to it`);
    t.equal(answer.headers.location, undefined);
    t.same(answer.json().errors, refused.json().errors, 'at the same field');
  }
  const json = await scan(`${lotLink}%EF%BC%9Fformat=json`, 'text/html');
  t.equal(json.statusCode, 200);
  t.match(json.headers['content-type'], /^application\/json/, 'format=json after "？": the summary, not the page');
  const unknown = await scan(`/01/${GTIN}/10/NO-SUCH%EF%BC%9Fformat=json`, 'text/html');
  t.equal(unknown.statusCode, 404);
  t.match(unknown.headers['content-type'], /^application\/problem\+json/, 'an unknown lot: its problem, not the page');
  const page = await scan(`${lotLink}%EF%BC%9Flang=en&from=singlemessage`, 'text/html');
  t.match(page.body, /<html lang="en">/, 'lang after "？": the page in that language');
  const linked = await scan(`${lotLink}%EF%BC%9FlinkType=gs1:traceability&lang=en`);
  t.equal(linked.statusCode, 307, 'linkType after "？": redirected to its link');
  t.match(linked.headers.location, /format=json$/);
  const linkset = await scan(`${lotLink}%EF%BC%9FlinkType=linkset`);
  t.match(linkset.headers['content-type'], /^application\/linkset\+json/, 'linkType=linkset after "？": the linkset');
});

t.test('a full-width "＆" between AIs parts them, as "&" does', async (t) => {
  const { scan } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  const fullWidth = (query: string) => encodeURIComponent(query);
  const answer = await scan(`${lotLink}%EF%BC%9F${fullWidth('１７＝２６１２３１＆１１＝２６１１１９')}`);
  t.equal(answer.statusCode, 200, 'two AIs in full-width characters: the lot');
  const bad = await scan(`${lotLink}%EF%BC%9F${fullWidth('１７＝２６１２３１＆１１＝２６１３１９')}`);
  t.equal(bad.statusCode, 400, 'the second AI checked on its own');
  t.match(bad.json().detail, /\(11\)/);
  t.notMatch(bad.json().detail, /&/, 'not read as part of the first');
  const kept = await scan(`${lotLink}/%EF%BC%9F${fullWidth('１７＝２６１２３１＆１１＝２６１１１９')}&q=${fullWidth('a＆b')}`);
  t.equal(kept.statusCode, 308);
  t.equal(
    kept.headers.location,
    `${lotLink}?${fullWidth('１７＝２６１２３１＆１１＝２６１１１９')}&q=${fullWidth('a＆b')}`,
    'the redirect keeps the query as scanned',
  );
  t.equal((await scan(String(kept.headers.location))).statusCode, 200, 'which answers the lot');
});

t.test('a trailing-slash redirect whose Location would be longer than a URL may be is answered 414', async (t) => {
  const { pack, send } = await scanWorld(t);
  // each "<" is escaped to three characters: 3,000 of them make a Location of over 9,000 (a Digital Link takes none raw)
  const answer = await send(`/t/${pack}/?x=${'<'.repeat(3000)}`);
  t.match(answer, { status: 414, location: undefined }, '414, no redirect to a URL the service refuses');
  const short = await send(`/t/${pack}/?x=${'<'.repeat(2000)}`);
  t.equal(short.status, 308, 'a shorter one is redirected');
  t.equal((await send(String(short.location))).status, 200, 'and answered there');
});

t.test('a linkType redirect whose Location would be longer than a URL may be is answered 414, as a trailing slash’s is', async (t) => {
  const { pack, send } = await scanWorld(t);
  // each "{" is escaped to three characters: 2,800 of them make a Location of over 8,400
  const answer = await send(`/t/${pack}?linkType=gs1:pip&a=${'{'.repeat(2800)}`);
  t.match(answer, { status: 414, location: undefined }, '414, no redirect to a URL the service refuses');
  t.equal((await send(`/t/${pack}/?a=${'{'.repeat(2800)}`)).status, 414, 'as the trailing-slash redirect answers it');
  const short = await send(`/t/${pack}?linkType=gs1:pip&a=${'{'.repeat(2000)}`);
  t.equal(short.status, 307, 'a shorter one is redirected');
  t.equal((await send(String(short.location))).status, 200, 'and answered there');
});

t.test('a URL is measured as scanned: a full-width "？" or "＃" read as "?" or "#" makes it no shorter', async (t) => {
  const { scan } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  const padded = (prefix: string, length: number) => `${prefix}${'x'.repeat(length - prefix.length)}`;
  for (const mark of ['%EF%BC%9Fa=', '?a=', '%EF%BC%83']) {
    const over = await scan(padded(`${lotLink}${mark}`, MAX_URL_LENGTH + 1));
    t.equal(over.statusCode, 414, `${mark}: a URL of ${MAX_URL_LENGTH + 1} characters is 414`);
    t.match(over.json().detail, `the URL has ${MAX_URL_LENGTH + 1} characters`, 'counted as scanned');
    t.equal((await scan(padded(`${lotLink}${mark}`, MAX_URL_LENGTH))).statusCode, 200, `one of ${MAX_URL_LENGTH} is answered`);
  }
});

t.test('a problem and the logs name the URL as scanned, its full-width "？" as it came', async (t) => {
  const logged: Record<string, any>[] = [];
  const stream = { write: (line: string) => logged.push(JSON.parse(line)) };
  // Fastify's logger built from options (as tests build it), and a pino logger given to the app (as the server gives it)
  for (const logging of [{ logger: { level: 'info', stream } }, { loggerInstance: pino({ level: 'info' }, stream) }]) {
    const { scan } = await scanWorld(t, undefined, logging);
    const url = `/01/${GTIN}/10/KZ-1%EF%BC%9Fformat=xml`;
    logged.length = 0;
    const refused = await scan(url);
    t.equal(refused.statusCode, 400);
    t.equal(refused.json().instance, url, 'the problem’s instance');
    t.match(
      logged.find((line) => line.msg === 'incoming request'),
      { req: { method: 'GET', url } },
      'the request as logged',
    );
    t.match(
      logged.find((line) => line.msg === 'request rejected'),
      { url, problem: 'validation' },
      'the rejection as logged',
    );
  }
});

t.test('a (414) or (8003) link with a trailing slash is answered 404, not redirected to its 404', async (t) => {
  const { scan } = await scanWorld(t);
  for (const link of ['/414/0614141123452', '/414/0614141123452/254/400', '/8003/04012345000221334455']) {
    t.equal((await scan(link)).statusCode, 404, `${link}: 404`);
    const answer = await scan(`${link}/?lang=en`);
    t.equal(answer.statusCode, 404, `${link}/: 404`);
    t.equal(answer.headers.location, undefined, 'not redirected');
    t.match(answer.json().detail, /only GTIN \(01\) and SSCC \(00\)/);
  }
});

t.test('a query after a full-width "？" is read as the router reads one after "?", escapes that do not decode as scanned', async (t) => {
  const { scan } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  // a GBK campaign tag, a stray "%", "%zz": passed over; an escape that decodes beside one that does not, in a parameter
  // the resolver reads: kept whole as scanned (no language named), where URLSearchParams would read "en,%zz" or "en,\uFFFD"
  for (const query of ['utm=%B0%D9&lang=en', 'off=50%&lang=en', 'x=%zz&lang=en', 'lang=en%2C%zz', 'lang=en%2C%FF']) {
    const plain = await scan(`${lotLink}?${query}`, 'text/html');
    const fullWidth = await scan(`${lotLink}%EF%BC%9F${query}`, 'text/html');
    t.equal(fullWidth.statusCode, plain.statusCode, `？${query}: ${plain.statusCode}, as after "?"`);
    t.equal(fullWidth.body, plain.body, 'the same page');
  }
  t.match((await scan(`${lotLink}%EF%BC%9Futm=%B0%D9&lang=en`, 'text/html')).body, /<html lang="en">/, 'the lot’s page, in English');
  t.match((await scan(`${lotLink}%EF%BC%9Flang=en%2C%FF`, 'text/html')).body, /<html lang="zh-CN">/, 'a 400 page in Chinese');
});

t.test('a query after a full-width "？" goes on after a "?": a messenger adds its own to a link that has none', async (t) => {
  const { scan } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  const json = await scan(`${lotLink}%EF%BC%9Flang=en?format=json`, 'text/html');
  t.equal(json.statusCode, 200);
  t.match(json.headers['content-type'], /^application\/json/, 'format after the "?" is read, not a part of lang');
  const page = await scan(`${lotLink}%EF%BC%9Fformat=html?lang=en&from=singlemessage`, 'application/json');
  t.match(page.body, /<html lang="en">/, 'and lang after it, the format before it read too');
  const refused = await scan(`${lotLink}%EF%BC%9Flang=en?format=xml`);
  t.equal(refused.statusCode, 400, 'checked as any other');
  t.match(refused.json().errors, [{ in: 'querystring', pointer: '/format' }]);
  const inQuery = await scan(`${lotLink}?q=a%EF%BC%9Fb?c&format=json`, 'text/html');
  t.match(inQuery.headers['content-type'], /^application\/json/, 'a "？" or "?" after the "?" is a character of the query');
  const slash = await scan(`${lotLink}/%EF%BC%9Flang=en?from=singlemessage`);
  t.equal(slash.statusCode, 308);
  t.equal(slash.headers.location, `${lotLink}?lang=en&from=singlemessage`, 'a trailing-slash redirect passes on both parts');
  const linked = await scan(`${lotLink}%EF%BC%9FlinkType=gs1:traceability&q=%EF%BC%A1?lang=en`);
  t.equal(linked.statusCode, 307);
  t.equal(linked.headers.location, `${lotLink}?q=%EF%BC%A1&lang=en&format=json`, 'as a linkType redirect does, as scanned');
});

t.test('a full-width "＃" in a Digital Link’s path begins a fragment, as "#" does: nothing after it is read', async (t) => {
  const { scan } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  for (const after of ['x', 'x?format=xml', 'x%EF%BC%9Fformat=xml', '/21/NOPE', 'x?linkType=gs1:traceability', '?lang=en']) {
    for (const mark of ['%EF%BC%83', '＃']) {
      const url = `${lotLink}${mark}${after}`;
      const answer = await scan(encodeURI(url).replace(/%25/g, '%'), 'text/html');
      t.equal(answer.statusCode, 200, `${url}: the lot`);
      t.match(answer.body, /<html lang="zh-CN">/, 'its page, by Accept, in Chinese: no parameter after the "＃" read');
    }
  }
  const slash = await scan(`${lotLink}/%EF%BC%83x?lang=en`);
  t.equal(slash.statusCode, 308);
  t.equal(slash.headers.location, lotLink, 'a trailing-slash redirect drops the fragment');
  const inQuery = await scan(`${lotLink}?q=%EF%BC%83&format=json`, 'text/html');
  t.match(inQuery.headers['content-type'], /^application\/json/, 'a "＃" in the query is a character of its value');
});

t.test('a linkType redirect passes on the rest of the query as a trailing-slash redirect keeps it', async (t) => {
  const { pack, send } = await scanWorld(t);
  // a stray "%" and brackets (escaped), escapes, "+", a repeated key; and on /t/{code} what a URI may not carry raw (a
  // Digital Link takes none)
  const kept = "f=%&g=%3C&h=a+b&h=[1]&i=~!$'()*,;:@/?&off=50%";
  const written = "f=%25&g=%3C&h=a+b&h=%5B1%5D&i=~!$'()*,;:@/?&off=50%25";
  for (const [path, query, passed] of [
    [`/t/${pack}`, `a=<x>&${kept}`, `a=%3Cx%3E&${written}`],
    [`/01/${GTIN}/10/KZ-1`, kept, written],
  ]) {
    const redirect = await send(`${path}?linkType=gs1:traceability&${query}&format=html`);
    t.match(redirect, { status: 307, location: `${path}?${passed}&format=json` }, `${path}: linkType and format dropped, the rest kept`);
    t.equal((await send(`${path}/?${query}`)).location, `${path}?${passed}`, 'as the trailing-slash redirect keeps it');
    t.equal((await send(String(redirect.location))).status, 200, 'which answers the code');
  }
});

t.test('a full-width "？" or "＃" after a trace code reads as "?" or "#", as on a Digital Link', async (t) => {
  const { pack, scan } = await scanWorld(t);
  const json = await scan(`/t/${pack}%EF%BC%9Fformat=json`, 'text/html');
  t.equal(json.statusCode, 200, '？format=json: the code');
  t.match(json.headers['content-type'], /^application\/json/, 'its summary, as format asks');
  const page = await scan(`/t/${pack}%EF%BC%9Flang=en?from=singlemessage`, 'text/html');
  t.match(page.body, /<html lang="en">/, 'a "?" after it goes on with it');
  const refused = await scan(`/t/${pack}%EF%BC%9Fformat=xml`);
  t.equal(refused.statusCode, 400, 'checked as any other');
  t.match(refused.json().errors, [{ in: 'querystring', pointer: '/format' }]);
  const fragment = await scan(`/t/${pack}%EF%BC%83x?format=xml`, 'text/html');
  t.equal(fragment.statusCode, 200, '＃: nothing after it read');
  t.match(fragment.body, /<html lang="zh-CN">/, 'the page, by Accept');
  const slash = await scan(`/t/${pack}/%EF%BC%9Flang=en`);
  t.equal(slash.statusCode, 308);
  t.equal(slash.headers.location, `/t/${pack}?lang=en`, 'a trailing-slash redirect keeps the query after it');
});

/** The language of a scan page (undefined for an answer that is no page). */
const pageLangOf = (body: string) => /<html lang="([^"]+)">/.exec(body)?.[1];

t.test('a redirect’s Location is an RFC 3986 URI reference, and following it reads the query as the scan did', async (t) => {
  for (const base of ['', TEST_BASE_URL]) {
    const { pack, send, scan } = await scanWorld(t, base);
    const lotLink = `/01/${GTIN}/10/KZ-1`;
    // as sent on a request line: a stray "%", "%zz", an escape that is no UTF-8 on its own, brackets, escaped spaces and
    // non-ASCII; and on /t/{code} (a Digital Link refuses them) '"', "<" and languages the query parser reads as they
    // came (a value that does not decode)
    const queries = ['off=50%', 'x=%zz', 'x=%E4', 'h=[1]', 'q=a%20b+c', 'q=%E5%A5%89%E8%8A%82'];
    const traceCodeQueries = ['q="q"', 'q=<x>', 'lang=en%2C%zz', 'lang=en%', 'lang=%zz%65n'];
    for (const query of [...queries, ...traceCodeQueries]) {
      const redirects = [
        [`/t/${pack}/?${query}&lang=en`, `/t/${pack}?${query}&lang=en`],
        [`/t/${pack}?linkType=gs1:pip&${query}&lang=en`, `/t/${pack}?${query}&lang=en&format=html`],
      ];
      if (queries.includes(query))
        redirects.push(
          [`${lotLink}/?${query}&lang=en`, `${lotLink}?${query}&lang=en`],
          [`/01/${GTIN}/21/${pack}?${query}&linkType=gs1:pip&lang=en`, `/01/${GTIN}/21/${pack}?${query}&lang=en&format=html`],
        );
      for (const [from, direct] of redirects) {
        const redirect = await send(from);
        t.ok(redirect.status === 307 || redirect.status === 308, `${from}: redirected (${redirect.status})`);
        t.match(redirect.location, URI_REFERENCE, `${redirect.location}: an RFC 3986 URI reference`);
        const followed = await send(String(redirect.location).slice(base.length), 'text/html');
        const answered = await send(direct, 'text/html');
        t.equal(followed.status, answered.status, `followed, the status of ${direct}`);
        t.equal(pageLangOf(followed.body), pageLangOf(answered.body), 'and its page, in the same language');
      }
    }
    // a client that writes the request line itself escapes a space and non-ASCII (light-my-request does so)
    for (const from of [`/t/${pack}/?q=奉节 腊肉&lang=en`, `/t/${pack}?linkType=gs1:pip&q=奉节 腊肉&lang=en`]) {
      const redirect = await scan(from);
      t.match(redirect.headers.location, URI_REFERENCE, `${from}: an RFC 3986 URI reference`);
      t.match(redirect.headers.location, '?q=%E5%A5%89%E8%8A%82%20%E8%85%8A%E8%82%89&lang=en', 'its query as scanned');
    }
  }
});

t.test('a request target in absolute form, as a proxy sends it, reads as the path it names', async (t) => {
  const { pack, send } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  for (const origin of ['http://trace.county.example', 'HTTPS://fj.example:8443']) {
    for (const [target, status] of [
      [`/t/${pack}%EF%BC%9Flang=en`, 200],
      [`/t/${pack}%EF%BC%83x?lang=en`, 200],
      [`/t/${pack}%ef%bc%9Flang=en?format=html`, 200],
      [`/t/${pack}/%EF%BC%9Flang=en`, 308],
      [`/t/${pack}%EF%BC%9Fformat=xml`, 400],
      [`${lotLink}%EF%BC%9Flang=en`, 200],
      [`${lotLink}%EF%BC%83x`, 200],
      [`${lotLink}/?lang=en`, 308],
      [`${lotLink}%EF%BC%9FlinkType=gs1:pip&lang=en`, 307],
      ['/nowhere?lang=en', 404],
    ] as const) {
      const direct = await send(target, 'text/html');
      t.equal(direct.status, status, `${target}: ${status}`);
      const proxied = await send(`${origin}${target}`, 'text/html');
      t.equal(proxied.status, status, `${origin}${target}: as in origin form`);
      t.equal(proxied.location, direct.location, 'redirected to the same Location');
      t.equal(pageLangOf(proxied.body), pageLangOf(direct.body), 'its page in the same language');
    }
  }
  t.equal(scannedTarget(`http://trace.county.example/t/${pack}？lang=en`), `/t/${pack}?lang=en`, 'a raw "？" begins the query');
  t.equal(scannedTarget(`http://trace.county.example/t/${pack}＃x?lang=en`), `/t/${pack}`, 'a raw "＃" a fragment');
  t.equal(scannedTarget(`http://trace.county.example/01/${GTIN}/10/KZ-1？lang=en`), `/01/${GTIN}/10/KZ-1?lang=en`);
  t.equal(scannedTarget('http://trace.county.example'), '/', 'an absolute form with no path names "/"');
  t.equal(scannedTarget('http://trace.county.example?lang=en'), '/?lang=en');
  t.equal(scannedTarget(`/x/http://host/t/${pack}？lang=en`), `/x/http://host/t/${pack}？lang=en`, 'a path naming a URL is a path');
});

t.test('a malformed URL’s and an unknown path’s problem name the URL as sent, bounded and escaped', async (t) => {
  const { pack, scan, send } = await scanWorld(t);
  // the router reads these after their full-width "？" is read as "?": the problem names them as the client sent them
  const malformed = `/t/${pack}%E4%EF%BC%9Flang=en`;
  const bad = await scan(malformed);
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { type: '/problems/malformed-url', detail: `'${malformed}' is not a valid url component`, instance: malformed });
  t.equal(bad.json().errors[0].detail, bad.json().detail, 'and its error at the path');
  const unrouted = `/t/${pack}/x%EF%BC%9Flang=en`;
  const unknown = await scan(unrouted);
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { type: '/problems/not-found', detail: `No route GET ${unrouted}`, instance: unrouted });
  // a request target in absolute form is named as sent, up to its query string
  const proxied = await send('http://trace.county.example/nowhere%EF%BC%9Fx?lang=en');
  t.match(JSON.parse(proxied.body), { status: 404, detail: 'No route GET http://trace.county.example/nowhere%EF%BC%9Fx' });
  const proxiedBad = await send('http://trace.county.example/parties/%ZZ?x');
  t.match(JSON.parse(proxiedBad.body), { status: 400, detail: "'http://trace.county.example/parties/%ZZ?x' is not a valid url component" });
  // what no URI may carry raw is escaped (a malformed escape named as sent); a long URL is cut
  const raw = await send('/nowhere/<"x">\\^');
  t.match(JSON.parse(raw.body), { status: 404, detail: 'No route GET /nowhere/%3C%22x%22%3E%5C%5E' });
  const rawBad = await send('/parties/%ZZ<"');
  t.match(JSON.parse(rawBad.body), { status: 400, detail: "'/parties/%ZZ%3C%22' is not a valid url component" });
  const long = await scan(`/nowhere/${'x'.repeat(5000)}`);
  t.equal(long.statusCode, 404);
  t.ok(long.json().detail.length <= 250, `bounded (${long.json().detail.length} characters)`);
  t.match(long.json().detail, /^No route GET \/nowhere\/x+…$/, 'cut with an ellipsis');
  const escaped = await scan(`/nowhere/${'%E4%B8%AD'.repeat(500)}`);
  t.match(escaped.json().detail, /^No route GET \/nowhere\/(%E4%B8%AD)+…$/, 'cut where an escaped character ends');
  const longBad = await scan(`/t/%E4${'x'.repeat(5000)}`);
  t.equal(longBad.statusCode, 400);
  t.ok(longBad.json().detail.length <= 250, `a malformed one too (${longBad.json().detail.length} characters)`);
});

t.test('a raw "#" begins a fragment on every route, as a full-width "＃" does: the router and a redirect read up to it', async (t) => {
  const { pack, send } = await scanWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  for (const origin of ['', 'http://trace.county.example']) {
    // the reviewer's: the query the router reads and the one a redirect passes on end at the same "#"
    const slash = await send(`${origin}/t/${pack}/?x=1#&format=json`, 'text/html');
    t.same(
      [slash.status, slash.location],
      [308, `/t/${pack}?x=1`],
      `${origin}/t/{code}/?x=1#&format=json: redirected, the fragment dropped`,
    );
    for (const target of [`/t/${pack}?x=1#&format=json`, String(slash.location)]) {
      const page = await send(`${origin}${target}`, 'text/html');
      t.equal(page.status, 200, `${origin}${target}: the code`);
      t.equal(pageLangOf(page.body), 'zh-CN', 'its page, by Accept, as the redirect leads to: no format after the "#" read');
    }
    const linked = await send(`${origin}/t/${pack}?linkType=gs1:traceability#&lang=en`);
    t.same([linked.status, linked.location], [307, `/t/${pack}?format=json`], 'linkType read up to the "#", as gs1:traceability');
    const lotLinked = await send(`${origin}${lotLink}?lang=en&linkType=gs1:pip#x&format=json`);
    t.same([lotLinked.status, lotLinked.location], [307, `${lotLink}?lang=en&format=html`], 'on a Digital Link too');
    const lotSlash = await send(`${origin}${lotLink}/?lang=en#x&format=json`);
    t.same([lotSlash.status, lotSlash.location], [308, `${lotLink}?lang=en`], 'and its trailing-slash redirect');
    for (const [target, status] of [
      [`/t/${pack}#x`, 200],
      [`/t/${pack}#x?format=xml`, 200],
      [`${lotLink}#x?format=xml`, 200],
      [`${lotLink}?format=json#x?format=xml`, 200],
      ['/.well-known/gs1resolver#x?y=1', 200],
      ['/parties#x', 401],
      ['/nowhere#x?lang=en', 404],
    ] as const) {
      t.equal((await send(`${origin}${target}`)).status, status, `${origin}${target}: ${status}, as up to the "#"`);
    }
  }
  t.equal(scannedTarget(`/t/${pack}?x=1#&format=json`), `/t/${pack}?x=1`, 'a "#" in the query ends it');
  t.equal(scannedTarget(`http://trace.county.example/parties#x?y`), '/parties', 'on any route, in absolute form too');
  t.equal(scannedTarget(`/t/${pack}%EF%BC%9Flang=en#x`), `/t/${pack}?lang=en`, 'after a full-width "？"');
  t.equal(scannedTarget(`/t/${pack}?q=%23&lang=en`), `/t/${pack}?q=%23&lang=en`, 'an escaped one is a character of a value');
});
