// The resolver's redirects (a linkType's 307, a trailing slash's 308) lead back to the service
// itself. Without PUBLIC_BASE_URL the only origin the service knows is its own listening address,
// which a phone behind a proxy cannot reach: the Location is then path-absolute (RFC 9110 allows a
// relative reference), and the phone follows it to the address it scanned. An origin set in
// PUBLIC_BASE_URL is named as before.
import type { Test } from 'tap';
import { issuePacks } from '../fixtures/rfid-world.js';
import { serviceStorage, startService } from '../fixtures/service-process.js';
import { createWorld } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
// two service processes, each compiling and opening its database: on a loaded 2-core machine the
// file has taken 350 s
t.setTimeout(480_000);

const GTIN = '09506000134352';
// as a phone reaches the service through a proxy: the Location resolves against this address
const SCANNED = 'https://trace.county.example';

async function scanRedirects(t: Test, redirectBaseUrl?: string) {
  const world = await createWorld(t, undefined, { redirectBaseUrl });
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece', { gtin: GTIN }), 5);
  const [code] = await issuePacks(world, processor, lot, 1);
  const get = (url: string, method: 'GET' | 'HEAD' = 'GET') =>
    world.app.inject({ method, url, headers: { host: 'trace.county.example', 'x-forwarded-proto': 'https' } });
  const redirects = [
    { url: `/t/${code}?linkType=gs1:traceability&lang=en`, status: 307, to: `/t/${code}?lang=en&format=json` },
    { url: `/01/${GTIN}/21/${code}?linkType=gs1:pip`, status: 307, to: `/01/${GTIN}/21/${code}?format=html` },
    { url: `/01/${GTIN}/21/${code}/?lang=en`, status: 308, to: `/01/${GTIN}/21/${code}?lang=en` },
    { url: `/t/${code}/?lang=en`, status: 308, to: `/t/${code}?lang=en` },
    // the query as scanned: a lone "%" written "%25", as a URI has it; a full-width "＆" or "＝" kept a character of its value
    { url: `/t/${code}/?off=50%`, status: 308, to: `/t/${code}?off=50%25` },
    { url: `/t/${code}/?lang=en%EF%BC%86format%EF%BC%9Djson`, status: 308, to: `/t/${code}?lang=en%EF%BC%86format%EF%BC%9Djson` },
  ];
  return { get, redirects };
}

t.test('without PUBLIC_BASE_URL a redirect names the path alone, so it leads where the phone scanned', async (t) => {
  const { get, redirects } = await scanRedirects(t);
  for (const { url, status, to } of redirects) {
    const reply = await get(url);
    t.equal(reply.statusCode, status, url);
    t.equal(reply.headers.location, to, `${url}: a path-absolute Location`);
    t.equal(new URL(String(reply.headers.location), `${SCANNED}${url}`).href, `${SCANNED}${to}`, 'resolved against the scanned address');
    t.equal((await get(String(reply.headers.location))).statusCode, 200, 'which answers the code');
  }
  const head = await get(redirects[2].url, 'HEAD');
  t.equal(head.headers.location, redirects[2].to, 'HEAD too');
});

t.test('with PUBLIC_BASE_URL a redirect names that origin', async (t) => {
  const { get, redirects } = await scanRedirects(t, TEST_BASE_URL);
  for (const { url, status, to } of redirects) {
    const reply = await get(url);
    t.equal(reply.statusCode, status, url);
    t.equal(reply.headers.location, `${TEST_BASE_URL}${to}`, `${url}: the configured origin`);
  }
});

t.test('the service process: PUBLIC_BASE_URL unset, a path-absolute Location; set, that origin', async (t) => {
  const storage = await serviceStorage(t);
  const slash = `/01/${GTIN}/21/ABC123/`;
  for (const [env, location] of [
    [{}, `/01/${GTIN}/21/ABC123`],
    [{ PUBLIC_BASE_URL: 'https://fj.example.cn' }, `https://fj.example.cn/01/${GTIN}/21/ABC123`],
  ] as const) {
    const service = await startService(t, storage, env);
    const reply = await fetch(`${service.base}${slash}`, { redirect: 'manual' });
    t.equal(reply.status, 308, `${JSON.stringify(env)}: ${slash}`);
    t.equal(reply.headers.get('location'), location);
    t.same(await service.stop('SIGTERM'), { code: 0, signal: null }, 'and the service stops');
  }
});
