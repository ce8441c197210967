import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { createRepositories } from '../../src/app.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { queryRows } from '../../src/db/client.js';
import { createResolverService } from '../../src/resolver/service.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { DIGITAL_LINK_VECTORS } from '../fixtures/digital-link-vectors.js';
import { issuePacks, voidCodedAsBefore } from '../fixtures/rfid-world.js';
import { type Actor, at, createWorld, type World } from '../fixtures/world.js';
import { buildTestApp, client, phoneAddress, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Requests each from a phone of its own (a user agent of its own); `scan`: the warnings a scan answers in JSON. */
function phoneScans(world: World) {
  let phones = 0;
  const get = (url: string, accept: string) =>
    world.app.inject({ method: 'GET', url, remoteAddress: phoneAddress(++phones), headers: { accept, 'user-agent': `phone ${phones}` } });
  return { get, scan: async (url: string) => (await get(url, 'application/json')).json().warnings };
}

/** Packs the lots into a case under the SSCC; the case's lot code. */
async function packCase(world: World, processor: Actor, sscc: string, children: { lotCode: string; quantity: number }[]) {
  const packed = await world.ok(processor.event({ type: 'aggregate', parent: { sscc }, children }));
  return packed.createdLotCodes[0] as string;
}

const unissuedCode = () => {
  const body = '0000000001';
  return body + mod31CheckChar(body);
};

t.test('resolver: short codes and GS1 Digital Links, with content negotiation', async (t) => {
  const { app, adminKey } = await buildTestApp(t, undefined, { flagPolicy: { overScanThreshold: 3, maxTravelKmh: 800 } });
  const demo = await seedDemoChain(app.services);
  const regulator = client(app, adminKey);
  // each request a different phone on its own address: one phone reloading its page is not a new scan (tested below)
  let phones = 0;
  const get = (url: string, headers: Record<string, string> = {}) => {
    phones++;
    return app.inject({
      method: 'GET',
      url,
      remoteAddress: `198.51.100.${phones}`,
      headers: { 'user-agent': `phone ${phones}`, ...headers },
    });
  };
  const code = demo.itemCode;

  const json = await get(`/t/${code}`, { accept: 'application/json' });
  t.equal(json.statusCode, 200);
  const summary = json.json();
  t.equal(summary.product.name, '奉上好品·奉节腊肉 500g');
  // the product declares 地理标志 and 绿色食品: the GI brand earns the first, and the processor holds no green-food certification
  t.same(summary.product.marks, ['geographical_indication']);
  t.same(
    summary.brands.map((brand: { code: string }) => brand.code),
    ['FJLR', 'FSHP'],
    'the demo processor was admitted to 奉节腊肉 GI and 奉上好品 when it made the lot: both badges',
  );
  t.same(
    summary.origins.map((o: { farm: string }) => o.farm).sort(),
    ['奉节县永乐镇绿源生猪养殖专业合作社', '奉节县草堂镇高山生态养殖场'].sort(),
  );
  t.ok(
    summary.tests.some(
      (test: { kind: string; result: string; reportNumber: string }) =>
        test.kind === 'third_party' && test.result === 'pass' && /^YJ-\d{4}-SP-10871$/.test(test.reportNumber),
    ),
  );
  t.same(
    summary.timeline.map((s: { stage: string }) => s.stage).filter((s: string, i: number, all: string[]) => all.indexOf(s) === i),
    ['farm', 'slaughter', 'cutting', 'processing', 'cold_chain', 'distribution', 'retail'],
  );
  t.match(summary.coldChain, { readings: 3, minCelsius: 2.6, maxCelsius: 3.1, withinLimits: true });
  t.equal(summary.scans.count, 1, 'the first scan is counted');
  t.same(summary.warnings, []);
  t.notOk(JSON.stringify(summary).includes('"onHand"'), 'no commercial quantities for consumers');
  t.equal(json.headers.link, `<${TEST_BASE_URL}/t/${code}?linkType=linkset>; rel="linkset"; type="application/linkset+json"`);

  const page = await get(`/t/${code}`);
  t.equal(page.statusCode, 200, 'a phone gets the page');
  t.match(page.headers['content-type'], /text\/html/);
  t.ok(page.body.includes('奉上好品·奉节腊肉 500g'));
  t.equal((await get(`/t/${code.toLowerCase()}?format=json`)).json().scans.count, 3, 'every resolution counts; codes are case-insensitive');

  const head = await app.inject({ method: 'HEAD', url: `/t/${code}` });
  t.equal(head.statusCode, 200, 'HEAD works');
  t.equal((await get(`/t/${code}?format=json`)).json().scans.count, 4, 'HEAD is not a scan');

  const options = await app.inject({
    method: 'OPTIONS',
    url: `/t/${code}`,
    headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' },
  });
  t.ok([200, 204].includes(options.statusCode), 'CORS preflight answered');
  t.equal(options.headers['access-control-allow-origin'], '*');
  const crossOrigin = await get(`/t/${code}?linkType=linkset`, { origin: 'https://shop.example' });
  t.equal(crossOrigin.headers['access-control-allow-origin'], '*', 'CORS on resolution');

  const linkset = await get(`/t/${code}`, { accept: 'application/linkset+json' });
  t.equal(linkset.statusCode, 200);
  t.match(linkset.headers['content-type'], /application\/linkset\+json/);
  const links = linkset.json().linkset[0];
  t.equal(links.anchor, `${TEST_BASE_URL}/t/${code}`);
  t.equal(links['https://gs1.org/voc/pip'][0].href, `${TEST_BASE_URL}/t/${code}?format=html`);
  t.ok(links['https://gs1.org/voc/traceability'] && links['https://gs1.org/voc/certificationInfo'], 'traceability and certification links');
  t.same((await get(`/t/${code}?linkType=linkset`)).json(), linkset.json(), '?linkType=linkset is the same linkset');

  const redirect = await get(`/t/${code}?linkType=gs1:certificationInfo`);
  t.equal(redirect.statusCode, 307);
  t.equal(redirect.headers.location, `/t/${code}?format=certificates`);
  t.equal(redirect.headers.link, `<${TEST_BASE_URL}/t/${code}?linkType=linkset>; rel="linkset"; type="application/linkset+json"`);
  // the query string is passed on: a shopper who asked for English and the region of the scan keep them
  const english = await get(`/t/${code}?lang=en&linkType=gs1:pip&region=500236`);
  t.equal(english.headers.location, `/t/${code}?lang=en&region=500236&format=html`);
  const followed = await get(String(english.headers.location));
  t.match(followed.body, '<html lang="en">', 'the page it leads to is in English');
  const certificates = (await get(`/t/${code}?format=certificates`)).json().certificates.map((c: { type: string }) => c.type);
  t.ok(
    certificates.includes('quarantine_certificate') && certificates.includes('meat_quality_certificate'),
    'quarantine and meat-quality certificates',
  );
  t.notOk(certificates.includes('invoice') || certificates.includes('despatch_advice'), 'commercial documents stay private');
  for (const relation of Object.keys(links).filter((key) => key !== 'anchor')) {
    const followed = await get(`/t/${code}?linkType=${encodeURIComponent(relation)}`);
    t.equal(followed.statusCode, 307, `the linkset's ${relation} is a linkType the resolver answers`);
    t.equal(new URL(String(followed.headers.location), TEST_BASE_URL).href, links[relation][0].href, 'and leads where the linkset says');
  }
  // GS1 conformance: a linkType the resolver has no link for leads to the default link, never to an error
  const unmatched = await get(`/t/${code}?linkType=gs1:recipeInfo&lang=en`, { accept: 'text/html' });
  t.equal(unmatched.statusCode, 307, 'a linkType with no link here redirects');
  t.equal(unmatched.headers.location, `/t/${code}?lang=en&format=html`, 'to the default link, the query passed on');
  const landed = await get(String(unmatched.headers.location), { accept: 'text/html' });
  t.equal(landed.statusCode, 200, 'where a genuine code shows its page');
  t.notMatch(landed.body, TEXT.en.invalidCode, 'and never says the code is invalid');
  t.equal((await get(`/t/${code}?linkType=gs1:nothing`)).headers.location, `/t/${code}?format=html`);
  t.equal((await get(`/t/${code}?linkType=all`)).statusCode, 200, 'linkType=all is still the linkset');
  t.equal((await get(`/t/${unissuedCode()}?linkType=gs1:recipeInfo`)).statusCode, 404, 'an unknown code is 404 whatever the linkType');
  // the GS1 Web Vocabulary names each link type by https://ref.gs1.org/voc/…, and lists gs1.org/voc/…
  // and www.gs1.org/voc/… as the same property: a client may use any of them
  for (const namespace of ['https://ref.gs1.org/voc/', 'https://www.gs1.org/voc/', 'https://gs1.org/voc/']) {
    const followed = await get(`/t/${code}?linkType=${encodeURIComponent(`${namespace}traceability`)}`);
    t.equal(followed.statusCode, 307, `${namespace}traceability is gs1:traceability`);
    t.equal(followed.headers.location, `/t/${code}?format=json`, 'and leads to the trace summary');
  }
  t.equal(
    (await get(`/t/${code}?linkType=${encodeURIComponent('https://example.org/voc/traceability')}`)).headers.location,
    `/t/${code}?format=html`,
    'another namespace is not GS1: the default link',
  );
  for (const member of ['toString', 'constructor', 'gs1:hasOwnProperty', '__proto__']) {
    t.equal(
      (await get(`/t/${code}?linkType=${member}`)).headers.location,
      `/t/${code}?format=html`,
      `linkType ${member} is unknown, not an Object member: the default link`,
    );
  }

  const fake = await get(`/t/${unissuedCode()}`);
  t.equal(fake.statusCode, 404, 'an unknown code is 404, never a 200 error page');
  t.match(fake.body, /未登记|not genuine|not registered/i);
  t.equal(
    (await get(`/t/${unissuedCode()}`, { accept: 'application/json' })).headers['content-type'],
    'application/problem+json; charset=utf-8',
  );
  t.equal((await get('/t/ABC')).statusCode, 400, 'malformed');
  t.equal((await get(`/t/${code.slice(0, 10)}${code[10] === 'A' ? 'B' : 'A'}`)).statusCode, 400, 'wrong check character');

  const gtin = summary.product.gtin;
  const dl = await get(`/01/${gtin}/10/${demo.retailLotNumber}/21/${code}`, { accept: 'application/json' });
  t.equal(dl.statusCode, 200, 'Digital Link with GTIN, lot and serial');
  t.equal(dl.json().code, code);
  t.equal((await get(`/01/${gtin}/10/${demo.retailLotNumber}/21/${code}?linkType=linkset`)).statusCode, 200, 'query string');
  t.equal(
    (await get(`/01/${gtin}/21/${code}?linkType=gs1:recipeInfo&17=261231`)).headers.location,
    `/01/${gtin}/21/${code}?17=261231&format=html`,
    'a Digital Link with a linkType that has no link here leads to the default link',
  );
  const slash = await get(`/01/${gtin}/10/${demo.retailLotNumber}/21/${code}/?linkType=linkset`, { accept: 'application/json' });
  t.equal(slash.statusCode, 308, 'a trailing slash is redirected to the canonical form, the method kept');
  t.equal(slash.headers.location, `/01/${gtin}/10/${demo.retailLotNumber}/21/${code}?linkType=linkset`, 'without the slash');
  const slashHead = await app.inject({ method: 'HEAD', url: `/01/${gtin}/21/${code}/` });
  t.equal(slashHead.statusCode, 308, 'HEAD too');
  t.equal(slashHead.headers.location, `/01/${gtin}/21/${code}`);
  const slashBad = await get(`/01/${gtin.slice(1)}/21/${code}/`, { accept: 'application/json' });
  t.equal(slashBad.statusCode, 400, 'a slash after a malformed link is not redirected to another malformed one');
  t.notOk(slashBad.headers.location);
  const short = await get(`/01/${gtin.slice(1)}/21/${code}`, { accept: 'application/json' });
  t.equal(short.statusCode, 400, 'a zero-suppressed GTIN-13 is malformed');
  t.match(short.json().detail, `must be written with 14 digits: ${gtin}`);
  t.notOk(short.headers.location, 'and not redirected');
  t.equal(
    (await get(`/01/${gtin}/21/${code}?17=261231&linkType=gs1:traceability&format=html&lang=en`)).headers.location,
    `/01/${gtin}/21/${code}?17=261231&lang=en&format=json`,
    'a Digital Link redirect passes its data attributes and language on, its format replaced',
  );
  t.equal(
    (await get(`/01/${gtin}/21/${code}?17=261231&99=ABC&utm_source=label&lang=en`, { accept: 'application/json' })).statusCode,
    200,
    'data attributes and non-AI parameters',
  );
  for (const query of ['99=ABC&999=faux', '98=XYZ+987', `99=${'A'.repeat(91)}`, '17=261301', '17=2612', `10=${demo.retailLotNumber}`]) {
    t.equal((await get(`/01/${gtin}/21/${code}?${query}`)).statusCode, 400, `?${query.slice(0, 30)} is malformed`);
  }
  t.equal((await get(`/01/${gtin}/235/${code}`)).statusCode, 404, 'a (235) extension is never issued here: not genuine');
  t.equal((await get(`/01/${gtin}/10/${demo.retailLotNumber}/235/${code}`)).statusCode, 400, '(235) does not mix with (10)');
  t.equal((await get(`/01/${gtin}/01/${gtin}/21/${code}`)).statusCode, 404, "a path before the key is not this resolver's");
  t.equal((await get(`/01/${gtin.slice(0, 13)}${(Number(gtin[13]) + 1) % 10}/21/${code}`)).statusCode, 400, 'GTIN check digit');
  t.equal((await get(`/01/${gtin}/21/${code}/10/${demo.retailLotNumber}`)).statusCode, 400, 'qualifiers out of order');
  t.equal((await get(`/01/${gtin}/10/OTHER-LOT/21/${code}`, { accept: 'application/json' })).statusCode, 404, 'serial of another lot');
  // AI (21) is case-sensitive: the pack's serial is its upper-case code, and no other serial names it
  for (const serial of [code.toLowerCase(), `${code.slice(0, 5)}${code.slice(5).toLowerCase()}`]) {
    const scanned = await get(`/01/${gtin}/21/${serial}`, { accept: 'application/json' });
    t.equal(scanned.statusCode, 404, `serial ${serial} is another serial than ${code}`);
  }
  t.equal(
    (await get(`/01/${gtin}/10/${demo.retailLotNumber}`, { accept: 'application/json' })).json().lot.code,
    demo.retailLotCode,
    'GTIN + lot resolves the lot',
  );
  t.equal((await get('/01/09506000134352/21/X')).statusCode, 404, 'unregistered GTIN');
  t.equal((await get('/00/106901234500000010', { accept: 'application/json' })).statusCode, 404, 'unregistered SSCC');

  const wellKnown = await get('/.well-known/gs1resolver');
  t.equal(wellKnown.statusCode, 200);
  const description = wellKnown.json();
  t.same(description.supportedPrimaryKeys, ['01', '00']);
  t.same(description.supportedLinkType, [{ namespace: 'https://gs1.org/voc/', prefix: 'gs1:' }]);
  t.same(description.linkTypes, ['gs1:pip', 'gs1:traceability', 'gs1:certificationInfo', 'linkset']);
  t.same(description.digitalLink.keyQualifiers, { '01': [['22', '10', '21'], ['235']], '00': [] });
  t.same(description.digitalLink.queryParameters, ['linkType', 'format', 'lang', 'region', 'context']);
  t.match(description.digitalLink.zeroSuppressedGtin, /14 digits.*400/);
  t.match(description.digitalLink.trailingSlash, /308/);
  t.same(description.digitalLink.statuses, { malformed: 400, wellFormedButUnknown: 404, unsupportedKey: 404 });

  // counterfeit signals
  await get(`/t/${unissuedCode()}?format=json`);
  await get(`/t/${code}?format=json&region=500103`);
  await get(`/t/${code}?format=json&region=110101`);
  await get(`/t/${code}?format=json&region=509999`);
  const flags = (await regulator.get('/regulator/flags')).body.items;
  const kinds = new Set(flags.map((f: { kind: string; code: string }) => `${f.kind}:${f.code}`));
  t.ok(kinds.has(`unknown_code:${unissuedCode()}`), 'unknown code flagged');
  t.ok(kinds.has(`over_scanned:${code}`), 'over-scanned code flagged');
  t.ok(kinds.has(`impossible_travel:${code}`), 'Chongqing → Beijing within minutes flagged');
  const flaggedNow = (await get(`/t/${code}?format=json`)).json();
  t.ok(flaggedNow.warnings.includes('counterfeit_suspected'), 'the consumer is warned');
  const lotScans = (await regulator.get(`/regulator/lots/${demo.retailLotCode}/scans`)).body;
  t.ok(lotScans.totalScans >= 8);
  t.equal(lotScans.distinctCodes, 1);
  t.ok(lotScans.byRegion.some((r: { region: string }) => r.region === '110101'));
  t.notOk(
    lotScans.byRegion.some((r: { region: string }) => r.region === '509999'),
    'a region not in GB/T 2260 is not recorded',
  );
  t.equal((await client(app).get('/regulator/flags')).status, 401, 'flags are not public');
});

t.test('an anonymous scan shows farms by name and county, never their address or contact; the maker keeps its address', async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const get = (url: string, accept: string) => app.inject({ method: 'GET', url, headers: { accept, 'user-agent': 'a phone' } });
  const gtin = (await get(`/t/${demo.itemCode}`, 'application/json')).json().product.gtin;
  const farms = ['奉节县永乐镇绿源生猪养殖专业合作社', '奉节县草堂镇高山生态养殖场'];
  // the demo farms' addresses and contacts
  const personal = ['永乐镇大坝村3组', '草堂镇石马村5组', '刘德兵', '谭明芳', '023-56551201', '023-56552318'];
  const answers = {
    page: await get(`/t/${demo.itemCode}`, 'text/html'),
    'English page': await get(`/t/${demo.itemCode}?lang=en`, 'text/html'),
    JSON: await get(`/t/${demo.itemCode}`, 'application/json'),
    'Digital Link JSON': await get(`/01/${gtin}/10/${demo.retailLotNumber}/21/${demo.itemCode}`, 'application/json'),
    certificates: await get(`/t/${demo.itemCode}?format=certificates`, 'application/json'),
    linkset: await get(`/t/${demo.itemCode}?linkType=linkset`, 'application/json'),
  };
  for (const [what, answer] of Object.entries(answers)) {
    t.equal(answer.statusCode, 200, what);
    for (const text of personal) t.notMatch(answer.body, text, `${what}: no ${text}`);
  }
  const origins = answers.page.body.slice(answers.page.body.indexOf('<h2>原料产地</h2>')).split('</section>')[0];
  for (const farm of farms) t.match(origins, farm, `the page names ${farm}`);
  t.match(origins, '重庆市奉节县', 'and its county');
  t.match(answers.page.body, '重庆市奉节县夔门街道食品工业园12号', 'the processor’s address, as on its label');
  const summary = answers.JSON.json();
  t.same(
    summary.origins
      .map(({ farm, regionCode, ...rest }: { farm: string; regionCode: string }) => ({
        farm,
        regionCode,
        rest: Object.keys(rest),
      }))
      .sort((a: { farm: string }, b: { farm: string }) => a.farm.localeCompare(b.farm)),
    [...farms].sort((a, b) => a.localeCompare(b)).map((farm) => ({ farm, regionCode: '500236', rest: ['earTagCount'] })),
    'the JSON names each farm with its region only',
  );
  t.equal(summary.producer.address, '重庆市奉节县夔门街道食品工业园12号');
});

t.test('a recalled lot shows its banner only, flags scans, and is never called counterfeit', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const processorKey = (await client(app, adminKey).post('/api-keys', { role: 'operator', partyCode: demo.parties.processor })).body.key;
  await client(app, processorKey).post('/recalls', {
    lotCodes: [demo.retailLotCode],
    level: 3,
    reason: '标签错误',
    hazard: '过敏原未标示',
  });
  const scanned = await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json` });
  t.ok(scanned.json().warnings.includes('recalled'));
  const flags = (await client(app, adminKey).get('/regulator/flags?kind=inactive_lot')).body.items;
  t.same(
    flags.map((f: { code: string }) => f.code),
    [demo.itemCode],
  );
  // the code is flagged now, but a recalled pack is not a counterfeit one
  const again = await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json`, headers: { 'user-agent': 'another phone' } });
  t.same(again.json().warnings, ['recalled'], 'recalled, and nothing else');
  const page = await app.inject({ method: 'GET', url: `/t/${demo.itemCode}`, headers: { 'user-agent': 'a third phone' } });
  t.match(page.body, `role="alert">${TEXT['zh-CN'].banners.recalled}`, 'the recall banner');
  t.equal(page.body.match(/class="alert /g)?.length, 1, 'and only it');
  t.notMatch(page.body, TEXT['zh-CN'].counterfeit, 'never called counterfeit');
  t.notMatch(page.body, TEXT['zh-CN'].genuine, 'nor genuine');
  // no cache (a CDN, an in-app browser) answers a scan from before the recall: each asks again first
  const notGenuine = await app.inject({ method: 'GET', url: '/t/0000000000Q' });
  for (const [what, answer] of [
    ['the page', page],
    ['the summary', again],
    ['an error', notGenuine],
  ] as const) {
    t.equal(answer.headers['cache-control'], 'no-cache', `${what}: kept by a cache only to be revalidated`);
  }
});

t.test('a hold, its release, a failed test and a brand exit show on the very next scan, though the lot page is cached', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const admin = client(app, adminKey);
  const processor = client(app, (await admin.post('/api-keys', { role: 'operator', partyCode: demo.parties.processor })).body.key);
  const office = client(app, (await admin.post('/api-keys', { role: 'brand_office' })).body.key);
  let phones = 0;
  const scan = async () =>
    (
      await app.inject({
        method: 'GET',
        url: `/t/${demo.itemCode}?format=json`,
        remoteAddress: phoneAddress(++phones),
        headers: { 'user-agent': `phone ${phones}` },
      })
    ).json();

  t.same((await scan()).warnings, [], 'nothing to warn of: the page is cached now');
  t.equal((await processor.post('/holds', { lotCodes: [demo.retailLotCode], reason: '自检异常' })).status, 201);
  t.same((await scan()).warnings, ['on_hold'], 'held: 暂停销售 on the next scan');
  t.equal((await processor.post('/holds/release', { lotCodes: [demo.retailLotCode], reason: '复检合格' })).status, 201);
  t.same((await scan()).warnings, [], 'released: no warning on the next scan');

  const inspected = await processor.post('/events', {
    type: 'inspect',
    eventTime: new Date().toISOString(),
    lotCodes: [demo.retailLotCode],
    inspection: { kind: 'self', result: 'fail' },
  });
  t.equal(inspected.status, 201);
  t.same((await scan()).warnings, ['held'], 'a failed test of the lot shows on the next scan');

  t.same(
    (await scan()).brands.map((brand: { code: string }) => brand.code),
    ['FJLR', 'FSHP'],
  );
  const exited = await office.post(`/brands/FSHP/authorizations/${demo.parties.processor}/state`, { state: 'exited', reason: '退出' });
  t.equal(exited.status, 200);
  t.same(
    (await scan()).brands.map((brand: { code: string }) => brand.code),
    ['FJLR'],
    'the badge of the brand its maker left is gone on the next scan',
  );
});

t.test('a scan of a destroyed lot is flagged, and once the destroy is corrected its pack is not called counterfeit', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'XH-1' }] }));
  const lotCode = made.createdLotCodes[0];
  const [code] = await issuePacks(world, processor, lotCode, 1);
  let phones = 0;
  const scan = (accept = 'application/json') => {
    phones++;
    return world.app.inject({
      method: 'GET',
      url: `/t/${code}?lang=en`,
      remoteAddress: `198.51.100.${phones}`,
      headers: { accept, 'user-agent': `phone ${phones}` },
    });
  };
  t.same((await scan()).json().warnings, []);
  const destroyed = await world.ok(processor.event({ type: 'destroy', reason: '破损', lines: [{ lotCode }] }));
  t.same((await scan()).json().warnings, ['destroyed'], 'destroyed, not counterfeit');
  t.match((await world.regulator.get('/regulator/flags?kind=inactive_lot')).body.items, [{ code }], 'the scan is flagged');

  await world.ok(processor.event({ type: 'correction', correctsEventId: destroyed.event.id, reason: '录入错误' }));
  t.same((await scan()).json().warnings, [], 'the lot is active again: nothing to warn of');
  const page = await scan('text/html');
  t.notMatch(page.body, TEXT.en.counterfeit, 'never called counterfeit');
});

t.test('one address cannot make a genuine pack suspected, whatever user agents and regions it sends', async (t) => {
  const world = await createWorld(t, undefined, { flagPolicy: { overScanThreshold: 3, maxTravelKmh: 800 } });
  const processor = await world.party('processor');
  const lotCode = await processor.commission(await processor.product('piece'), 5);
  const [travelled, reloaded] = await issuePacks(world, processor, lotCode, 2);
  const scan = (code: string, userAgent: string, query = '', headers: Record<string, string> = {}) =>
    world.app.inject({
      method: 'GET',
      url: `/t/${code}?format=json${query}`,
      remoteAddress: '203.0.113.5',
      headers: { 'user-agent': userAgent, ...headers },
    });
  await scan(travelled, 'ua1', '&region=110101');
  const urumqi = (await scan(travelled, 'ua2', '&region=650102')).json();
  t.same(urumqi.warnings, [], 'Beijing, then Urumqi, from one address');
  t.equal(urumqi.scans.count, 1, 'another user agent at the address within ten minutes is the same scan');
  await scan(reloaded, 'ua3', '', { 'x-region': '650102' });
  t.same((await scan(travelled, 'ua4', '', { 'x-region': '650102' })).json().warnings, [], 'an X-Region header is no region');
  for (let i = 0; i < 5; i++) await scan(reloaded, `browser ${i}`);
  const last = (await scan(reloaded, 'browser 5')).json();
  t.equal(last.scans.count, 1, 'one address is one scan whatever user agents it sends');
  t.same(last.warnings, [], 'and one scanner: not over-scanned');
  t.same((await world.regulator.get('/regulator/flags')).body.items, [], 'nothing flagged');
  const regions = (await world.regulator.get(`/regulator/lots/${lotCode}/scans`)).body.byRegion;
  t.same(regions.map((row: { region: string | null }) => row.region).sort(), ['110101', null], 'the header recorded no region');
});

t.test("the packs of a lot whose making was declared in error are not genuine, the lot's page cached or not", async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: '6901234567892' });
  const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-1' }] }));
  const lotCode = made.createdLotCodes[0];
  const [scanned, unscanned] = await issuePacks(world, processor, lotCode, 2);
  let phones = 0;
  const scan = (url: string, accept = 'application/json') =>
    world.app.inject({ method: 'GET', url, remoteAddress: phoneAddress(++phones), headers: { accept, 'user-agent': `phone ${phones}` } });
  t.equal((await scan(`/t/${scanned}`)).json().genuine, true, 'genuine while the lot exists: its page is cached now');

  // corrections refuse this now: the lot as an earlier one left it
  await voidCodedAsBefore(world, processor, made.event.id);
  for (const code of [scanned, unscanned]) {
    for (const url of [`/t/${code}`, `/01/06901234567892/21/${code}`]) {
      const json = await scan(url);
      t.equal(json.statusCode, 404, `${url}: not genuine`);
      t.match(json.json(), { type: '/problems/not-found', detail: /is not registered: it may not be genuine/ });
      t.notOk(json.body.includes(lotCode), 'naming no lot');
      const page = await scan(url, 'text/html');
      t.equal(page.statusCode, 404);
      t.ok(page.body.includes(TEXT['zh-CN'].notGenuine), 'the not-genuine page');
    }
  }
  const flags = (await world.regulator.get('/regulator/flags?kind=unknown_code')).body.items;
  t.match(
    flags.filter((flag: { code: string }) => flag.code === unscanned),
    [{ lotCode, partyCode: processor.code, detail: /declared in error/ }],
    'flagged, with the lot and its maker for the regulator',
  );
});

t.test('a GTIN-only Digital Link names its product: a page saying so for a browser, the problem for JSON', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor', '奉节县<夔州>腊味食品有限公司');
  const product = await processor.product('piece', { gtin: '6901234567892', name: '奉节腊肉 500g & 礼盒' });
  let phones = 0;
  const scan = (url: string, headers: Record<string, string> = {}) =>
    world.app.inject({
      method: 'GET',
      url,
      remoteAddress: phoneAddress(++phones),
      headers: { 'user-agent': `phone ${phones}`, ...headers },
    });
  const textOf = (page: string) => page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  const zh = await scan('/01/06901234567892', { accept: 'text/html' });
  t.equal(zh.statusCode, 404, 'still 404: the code names no lot or pack');
  t.equal(zh.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(zh.headers.vary, 'Accept, Accept-Language');
  t.match(zh.headers['content-security-policy'], "default-src 'none'");
  t.equal(zh.headers['x-content-type-options'], 'nosniff');
  t.match(zh.body, '<html lang="zh-CN">');
  t.match(zh.body, '奉节腊肉 500g &amp; 礼盒', 'names the product, escaped');
  t.match(zh.body, '奉节县&lt;夔州&gt;腊味食品有限公司', 'and its maker, as the consumer page names a producer');
  t.match(textOf(zh.body), '已在本平台登记', 'registered here');
  t.match(textOf(zh.body), '不对应具体的批次或包装', 'naming no lot or pack');
  t.match(textOf(zh.body), '请扫描包装上印的溯源码', 'and what to scan instead');
  t.notMatch(zh.body, TEXT['zh-CN'].invalidCode, 'not the invalid-code page');
  t.notMatch(zh.body, TEXT['zh-CN'].notGenuine, 'nor the not-genuine one');
  t.notMatch(zh.body, product, 'no internal product code');
  t.match(zh.body, 'href="?lang=en"', 'the language switch');

  const en = await scan('/01/06901234567892?lang=en', { accept: 'text/html' });
  t.equal(en.statusCode, 404);
  t.match(en.body, '<html lang="en">');
  t.match(en.body, '奉节腊肉 500g &amp; 礼盒');
  t.match(textOf(en.body), /registered on this platform/);
  t.match(textOf(en.body), /names no particular lot or pack/);
  t.match(textOf(en.body), /scan the trace code printed on the pack/i);
  t.match(en.body, 'href="?lang=zh-CN"');
  t.match((await scan('/01/06901234567892', { accept: 'text/html', 'accept-language': 'en-GB,en;q=0.9' })).body, '<html lang="en">');
  t.match((await scan('/01/06901234567892?format=html')).body, '奉节腊肉 500g &amp; 礼盒', 'format=html asks for the page');
  const linked = await scan('/01/06901234567892?linkType=gs1:pip', { accept: 'text/html' });
  t.equal(linked.statusCode, 404, 'a linkType has no link to lead to either');
  t.match(linked.body, '奉节腊肉 500g &amp; 礼盒');

  for (const headers of [{ accept: 'application/json' }, { accept: 'text/html' }]) {
    const json = await scan(`/01/06901234567892?format=json`, headers);
    t.equal(json.statusCode, 404);
    t.equal(json.headers['content-type'], 'application/problem+json; charset=utf-8', `${headers.accept} with format=json: the problem`);
  }
  const json = await scan('/01/06901234567892', { accept: 'application/json' });
  t.equal(json.statusCode, 404);
  t.equal(json.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(json.json(), {
    type: '/problems/not-found',
    status: 404,
    detail: 'GTIN 06901234567892 is registered (奉节腊肉 500g & 礼盒); scan a code with a lot or serial for its chain',
  });

  const unregistered = await scan('/01/06901234567885', { accept: 'text/html' });
  t.equal(unregistered.statusCode, 404, 'a GTIN no product has');
  t.match(unregistered.body, TEXT['zh-CN'].notGenuine, 'is not genuine, as before');
  t.notMatch(unregistered.body, '奉节腊肉');
  t.match((await scan('/01/06901234567885', { accept: 'application/json' })).json(), {
    detail: /is not registered: it may not be genuine/,
  });

  const flags = (await world.regulator.get('/regulator/flags')).body.items;
  t.notOk(
    flags.some((flag: { code: string }) => flag.code.includes('06901234567892')),
    'a product code raises no flag',
  );
});

t.test('a hold that comes between reading a lot and reading its chain leaves no page cached to outlive its release', async (t) => {
  const { app, adminKey, database } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const processor = client(
    app,
    (await client(app, adminKey).post('/api-keys', { role: 'operator', partyCode: demo.parties.processor })).body.key,
  );
  const repositories = createRepositories(database);
  let holdBeforeTrace = true;
  const racing = createResolverService({
    ...app.services,
    items: repositories.items,
    failures: repositories.events,
    containers: repositories.lineage,
    lots: repositories.lots,
    trace: {
      trace: async (...args: Parameters<typeof app.services.trace.trace>) => {
        if (holdBeforeTrace) {
          holdBeforeTrace = false;
          t.equal((await processor.post('/holds', { lotCodes: [demo.retailLotCode], reason: '自检异常' })).status, 201);
        }
        return app.services.trace.trace(...args);
      },
    },
    ipSalt: 'racing',
  });
  const scan = async () => {
    const resolved = await racing.resolveCode(demo.itemCode, { record: false, region: null, ip: '203.0.113.1', userAgent: 'phone' });
    return resolved.lot.warnings;
  };
  t.same(await scan(), ['on_hold'], 'the chain was read after the hold');
  t.equal((await processor.post('/holds/release', { lotCodes: [demo.retailLotCode], reason: '复检合格' })).status, 201);
  t.same(await scan(), [], 'released: the page read before the hold is not shown again');
});

t.test('a shopper reloading the page is one scan: repeated resolutions by one client within ten minutes count once', async (t) => {
  let clock = Date.now();
  const { app, adminKey } = await buildTestApp(t, undefined, {
    flagPolicy: { overScanThreshold: 20, maxTravelKmh: 800 },
    now: () => new Date(clock),
  });
  const demo = await seedDemoChain(app.services);
  const scan = (userAgent: string, remoteAddress = '203.0.113.9') =>
    app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json`, remoteAddress, headers: { 'user-agent': userAgent } });
  let last = await scan('shopper phone');
  for (let i = 0; i < 20; i++) last = await scan('shopper phone');
  t.equal(last.json().scans.count, 1, '21 reloads by one phone are one scan');
  await app.services.scans.flush();
  last = await scan('shopper phone');
  t.equal(last.json().scans.count, 1, 'still one after the scans are stored');
  t.same(last.json().warnings, [], 'a genuine pack reloaded 22 times is not flagged as over-scanned');
  t.equal((await scan('MicroMessenger')).json().scans.count, 1, 'another app at the same address is the same scan');
  t.equal((await scan('another phone', '198.51.100.5')).json().scans.count, 2, 'another phone (address) is another scan');
  t.equal((await scan('shopper phone', '198.51.100.4')).json().scans.count, 3, 'the same phone model elsewhere is another scan');
  const flags = (await client(app, adminKey).get(`/regulator/flags?lotCode=${demo.retailLotCode}`)).body.items;
  t.same(flags, [], 'no flags raised');
  await app.services.scans.flush();
  clock += 11 * 60_000;
  t.equal((await scan('shopper phone')).json().scans.count, 4, 'eleven minutes later the same phone scans again');
});

t.test(
  'an unknown code, or a pack of a voided lot, reloaded by one client within ten minutes is one scan and one occurrence',
  async (t) => {
    let clock = Date.now();
    const world = await createWorld(t, undefined, { now: () => new Date(clock) });
    const processor = await world.party('processor');
    const product = await processor.product('piece', { gtin: '6901234567892' });
    const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-1' }] }));
    const [voided] = await issuePacks(world, processor, made.createdLotCodes[0], 1);
    await voidCodedAsBefore(world, processor, made.event.id);
    const body = '0000000777';
    const unknown = body + mod31CheckChar(body);
    const get = async (url: string, userAgent = 'one phone', remoteAddress = '203.0.113.9') => {
      const answer = await world.app.inject({
        method: 'GET',
        url,
        remoteAddress,
        headers: { accept: 'text/html', 'user-agent': userAgent },
      });
      t.equal(answer.statusCode, 404, `${url} by ${userAgent}: not genuine`);
    };
    /** The unknown_code flag's occurrences of `code`, and the scans of it logged. */
    const counted = async (code: string) => {
      await world.app.services.scans.flush();
      const flags = (await world.regulator.get('/regulator/flags?kind=unknown_code')).body.items;
      const [{ logged }] = await queryRows<{ logged: number }>(
        world.database.db,
        sql`select count(*)::int as logged from scans where raw_code = ${code}`,
      );
      return { occurrences: flags.find((flag: { code: string }) => flag.code === code)?.occurrences, logged: Number(logged) };
    };

    for (let i = 0; i < 3; i++) await get(`/t/${unknown}?linkType=gs1:pip`);
    for (let i = 0; i < 3; i++) await get(`/t/${unknown}`);
    await get(`/t/${unknown.toLowerCase()}`);
    t.strictSame(await counted(unknown), { occurrences: 1, logged: 1 }, 'seven reloads held in memory, one in lower case: one scan');
    await get(`/t/${unknown}`);
    t.strictSame(await counted(unknown), { occurrences: 1, logged: 1 }, 'a reload once the scan is stored: the same scan');

    for (const url of [`/t/${voided}`, `/01/06901234567892/21/${voided}`, `/t/${voided}`]) await get(url);
    await world.app.services.scans.flush();
    await get(`/01/06901234567892/21/${voided}`);
    t.strictSame(
      await counted(voided),
      { occurrences: 1, logged: 1 },
      'a pack of a voided lot, by its code and its Digital Link: one scan',
    );

    await get(`/t/${unknown}`, 'MicroMessenger');
    t.strictSame(await counted(unknown), { occurrences: 1, logged: 1 }, 'another app at the same address: the same scan');
    await get(`/t/${unknown}`, 'another phone', '198.51.100.9');
    t.strictSame(await counted(unknown), { occurrences: 2, logged: 2 }, 'another phone (address) is another scan');
    clock += 10 * 60_000;
    await get(`/t/${unknown}?linkType=gs1:pip`);
    t.strictSame(await counted(unknown), { occurrences: 3, logged: 3 }, 'ten minutes later the same phone scans again');
  },
);

t.test('a phone that sends its scan twice at once (a prefetch and the load, a double tap) is one scan', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const gtin = (await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json`, remoteAddress: '192.0.2.1' })).json().product
    .gtin;
  const twice = (url: string) =>
    Promise.all(
      [1, 2].map(() => app.inject({ method: 'GET', url, remoteAddress: '203.0.113.9', headers: { 'user-agent': 'shopper phone' } })),
    );
  const [first, second] = await twice(`/t/${demo.itemCode}?format=json`);
  t.same([first.json().scans.count, second.json().scans.count], [2, 2], 'both answers say two scans: the lookup and this phone');
  await twice(`/01/${gtin}/10/${demo.retailLotNumber}`);
  await app.services.scans.flush();
  const figures = (await client(app, adminKey).get(`/regulator/lots/${demo.retailLotCode}/scans`)).body;
  t.equal(figures.totalScans, 3, "the lot's figures: the lookup, the phone's pack and its lot-level label, each once");
});

t.test('a lot with no tests or certificates has no certificationInfo link: that linkType leads to the default link', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 5);
  const [code] = await issuePacks(world, processor, lot, 1);
  const get = (url: string) => world.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
  const links = (await get(`/t/${code}?linkType=linkset`)).json().linkset[0];
  t.notOk(links['https://gs1.org/voc/certificationInfo'], 'the linkset has no certificationInfo link');
  for (const linkType of ['gs1:certificationInfo', 'https://gs1.org/voc/certificationInfo']) {
    const redirect = await get(`/t/${code}?linkType=${encodeURIComponent(linkType)}&lang=en`);
    t.equal(redirect.statusCode, 307, linkType);
    t.equal(redirect.headers.location, `/t/${code}?lang=en&format=html`, 'to the default link, as a linkType with no link here');
  }
});

t.test('a trace code with a trailing slash (a messenger or a printer adds one) is redirected to its own path', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 5);
  const [code] = await issuePacks(world, processor, lot, 1);
  const get = (url: string, accept = 'text/html') =>
    world.app.inject({ method: 'GET', url, headers: { accept, 'user-agent': 'one phone' } });
  const slash = await get(`/t/${code}/?lang=en&from=singlemessage`);
  t.equal(slash.statusCode, 308, 'redirected, the method kept');
  t.equal(slash.body, '', 'with no body');
  t.equal(slash.headers.location, `/t/${code}?lang=en&from=singlemessage`, 'without the slash, the query kept');
  t.equal((await get(`/t/${code.toLowerCase()}/`)).headers.location, `/t/${code}`, 'to the code as issued');
  const head = await world.app.inject({ method: 'HEAD', url: `/t/${code}/` });
  t.equal(head.statusCode, 308, 'HEAD too');
  t.equal(head.headers.location, `/t/${code}`);
  const bad = await get(`/t/${code.slice(0, -1)}${code.endsWith('2') ? '3' : '2'}/`, 'application/json');
  t.equal(bad.statusCode, 400, 'a mistyped code is not redirected');
  t.notOk(bad.headers.location);
  t.match(bad.headers['content-type'], /^application\/problem\+json/);
  const landed = await get(String(slash.headers.location), 'application/json');
  t.equal(landed.statusCode, 200, 'where the pack resolves');
  t.equal(landed.json().scans.count, 1, 'the redirect was no scan');
});

t.test('an unknown code scanned with a linkType is answered as its link would be: not genuine, and flagged', async (t) => {
  const world = await createWorld(t);
  let phones = 0;
  const get = (url: string, accept: string) =>
    world.app.inject({ method: 'GET', url, remoteAddress: phoneAddress(++phones), headers: { accept, 'user-agent': `phone ${phones}` } });
  const codes: string[] = [];
  for (const [index, linkType] of ['gs1:pip', 'gs1:recipeInfo', 'https://gs1.org/voc/pip'].entries()) {
    const body = `000000010${index}`;
    const code = body + mod31CheckChar(body);
    codes.push(code);
    const page = await get(`/t/${code}?linkType=${encodeURIComponent(linkType)}&lang=en`, 'text/html');
    t.equal(page.statusCode, 404, `${linkType}: 404, no redirect to follow`);
    t.ok(page.body.includes(TEXT.en.notGenuine), `${linkType}: the page says the code may not be genuine`);
    t.notOk(page.body.includes(TEXT.en.invalidCode), `${linkType}: not that it is malformed`);
  }
  const body = '0000000199';
  const tracedCode = body + mod31CheckChar(body);
  codes.push(tracedCode);
  const traced = await get(`/t/${tracedCode}?linkType=gs1:traceability`, 'application/json');
  t.equal(traced.statusCode, 404, 'the trace summary of an unknown code');
  t.match(traced.json(), { type: '/problems/not-found', detail: /may not be genuine/ }, 'is a problem for a JSON client');
  const named = await get(`/t/${tracedCode}?linkType=gs1:pip&format=json`, 'text/html');
  t.equal(named.statusCode, 404);
  t.match(named.headers['content-type'], /^application\/problem\+json/, 'as for a client naming a format, as every scan error is');
  const flagged = (await world.regulator.get('/regulator/flags?kind=unknown_code')).body.items.map((flag: { code: string }) => flag.code);
  t.same(flagged.sort(), [...codes].sort(), 'each scan is flagged as the scan of an unknown code, as its redirect target would be');
  // the not-genuine answer follows what the client asks for, as every scan error does
  const unknown = codes[0];
  for (const accept of ['application/problem+json', 'application/json, text/html;q=0.5', 'application/linkset+json']) {
    const answer = await get(`/t/${unknown}`, accept);
    t.equal(answer.statusCode, 404);
    t.match(answer.headers['content-type'], /^application\/problem\+json/, `a problem for Accept: ${accept}`);
  }
  const browserLinkset = await get(`/t/${unknown}?linkType=linkset`, 'text/html');
  t.equal(browserLinkset.statusCode, 404);
  t.ok(
    browserLinkset.body.includes(TEXT['zh-CN'].notGenuine),
    "a browser asking for an unknown code's linkset is told it may not be genuine",
  );
  t.ok((await get(`/t/${unknown}?format=html`, 'application/json')).body.includes(TEXT['zh-CN'].notGenuine), 'so is one naming the page');
});

t.test('a redirect passes on a query with a stray "%" escaped, to be read as scanned, as a trailing-slash redirect does', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 5);
  const [code] = await issuePacks(world, processor, lot, 1);
  // a stray "%" is no URI's: written "%25"; the value with an escape that decodes too (`a%20%ZZ`) is read as it came, so
  // its every "%" is escaped (escaping the stray one alone would make it read otherwise: "a %ZZ")
  const redirect = await world.app.inject({ method: 'GET', url: `/t/${code}?linkType=gs1:pip&off=50%&note=a%20%ZZ&lang=en` });
  t.equal(redirect.statusCode, 307);
  t.equal(redirect.headers.location, `/t/${code}?off=50%25&note=a%2520%25ZZ&lang=en&format=html`, 'a URI, read as scanned');
  const slash = await world.app.inject({ method: 'GET', url: `/t/${code}/?off=50%&note=a%20%ZZ&lang=en` });
  t.equal(slash.headers.location, `/t/${code}?off=50%25&note=a%2520%25ZZ&lang=en`, 'as the trailing-slash redirect keeps it');
  const followed = await world.app.inject({ method: 'GET', url: String(redirect.headers.location) });
  t.equal(followed.statusCode, 200, 'and the link it leads to is a scan like any other');
});

t.test('a query key given twice takes its first value: a genuine code is never called invalid', async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  const open = (url: string, accept = BROWSER) => app.inject({ method: 'GET', url, headers: { accept } });
  const code = demo.itemCode;
  const gtin = (await open(`/t/${code}?format=json`)).json().product.gtin;
  for (const path of [`/t/${code}`, `/01/${gtin}/21/${code}`]) {
    const english = await open(`${path}?lang=en&lang=zh-CN`);
    t.equal(english.statusCode, 200, `${path}: two langs`);
    t.match(english.body, '<html lang="en">', 'the first is the language');
    t.notMatch(english.body, TEXT.en.invalidCode, 'and the code is not called invalid');
    const chinese = await open(`${path}?lang=zh-CN&lang=en`);
    t.match(chinese.body, '<html lang="zh-CN">', 'whichever comes first');
    const twoLinks = await open(`${path}?linkType=gs1:traceability&linkType=gs1:pip&region=500236&region=110101`);
    t.equal(twoLinks.statusCode, 307, `${path}: two linkTypes`);
    t.equal(twoLinks.headers.location, `${path}?region=500236&region=110101&format=json`, 'the first names the link');
    const twoFormats = await open(`${path}?format=json&format=html`);
    t.equal(twoFormats.statusCode, 200, `${path}: two formats`);
    t.equal(twoFormats.json().code, code, 'the first is the format');
  }
  t.equal((await open(`/01/${gtin}/21/${code}?17=261231&17=261231`)).statusCode, 400, 'an AI twice is still malformed');
});

t.test('a bad code opened in a browser gets a page in its language; JSON clients get problem+json', async (t) => {
  const { app } = await buildTestApp(t);
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  const open = (url: string, accept = BROWSER) => app.inject({ method: 'GET', url, headers: { accept } });
  const cases: [url: string, status: number, why: string][] = [
    ['/t/ABC', 400, 'a short code too short to be one'],
    [`/t/${unissuedCode().slice(0, 10)}${unissuedCode()[10] === 'A' ? 'B' : 'A'}`, 400, 'a wrong check character'],
    ['/01/9506000134352/21/X', 400, 'a zero-suppressed GTIN'],
    ['/01/9506000134352/21/X/', 400, 'a zero-suppressed GTIN, a trailing slash after it'],
    ['/01/09506000134352/21/X?99=ABC&999=faux', 400, 'an unknown AI in the query string'],
    ['/00/12', 400, 'an SSCC short of digits'],
    ['/t/%E0%A4%A', 400, 'a URL the router cannot decode'],
    ['/t/A/B', 404, 'a path under /t/ that no route takes'],
    ['/01', 404, 'a key without its value'],
  ];
  for (const [url, status, why] of cases) {
    const page = await open(url);
    t.equal(page.statusCode, status, `${why}: ${status}`);
    t.match(page.headers['content-type'], /^text\/html/, `${why}: a page`);
    t.match(page.body, /^<!doctype html>/i);
    t.match(page.body, '<html lang="zh-CN">', `${why}: in Chinese`);
    t.match(page.body, `role="alert">${TEXT['zh-CN'].invalidCode}<`, `${why}: says the code is not valid`);
    t.match(page.headers.vary, /\bAccept\b/, `${why}: a cache keeps the page apart from problem+json`);
    const json = await open(url, 'application/json');
    t.equal(json.statusCode, status);
    t.equal(json.headers['content-type'], 'application/problem+json; charset=utf-8', `${why}: problem+json for JSON clients`);
    t.equal(json.json().status, status);
    const and = url.includes('?') ? '&' : '?';
    t.equal((await open(`${url}${and}format=json`)).headers['content-type'], 'application/problem+json; charset=utf-8');
    // the page link of a linkset, followed by any client: the page it asks for
    const asked = await open(`${url}${and}format=html`, 'application/json');
    t.equal(asked.statusCode, status, `${why}, format=html: ${status}`);
    t.match(asked.headers['content-type'], /^text\/html/, `${why}, format=html: a page, whatever Accept says`);
    t.match(asked.body, `role="alert">${TEXT['zh-CN'].invalidCode}<`);
    const garbled = await open(`${url}${and}format=zzz`);
    t.match(garbled.headers['content-type'], /^text\/html/, `${why}, a format the resolver does not have: a browser still gets a page`);
    t.equal((await open(`${url}${and}format=zzz`, 'application/json')).headers['content-type'], 'application/problem+json; charset=utf-8');
  }
  const badFormat = await open(`/t/${unissuedCode()}?format=zzz`);
  t.equal(badFormat.statusCode, 400, 'a format the resolver does not have is a 400');
  t.match(badFormat.headers['content-type'], /^text\/html/, 'to a browser, the page');
  const english = await open('/t/ABC?lang=en');
  t.match(english.body, '<html lang="en">');
  t.match(english.body, TEXT.en.invalidCode, 'in English when asked');
  const unknown = await open(`/t/${unissuedCode()}`);
  t.equal(unknown.statusCode, 404, 'a well-formed code never issued');
  t.match(unknown.body, TEXT['zh-CN'].notGenuine, 'is the not-genuine page');
  const api = await open('/parties/NOPE');
  t.match(api.headers['content-type'], /^application\/problem\+json/, 'the API answers browsers with problem+json as ever');
});

t.test('Digital Link vectors through the resolver: 400 malformed, 404 well-formed but unknown', async (t) => {
  const { app } = await buildTestApp(t);
  const routed = DIGITAL_LINK_VECTORS.filter((v) => v.http !== null && /^\/(01|00|414|8003)\//.test(v.uri));
  t.ok(routed.length >= 100, `${routed.length} vectors reach a Digital Link route`);
  for (const vector of routed) {
    const expected = vector.http ?? (vector.error && vector.error !== 'unsupported-key' ? 400 : 404);
    const reply = await app.inject({ method: 'GET', url: vector.uri, headers: { accept: 'application/json' } });
    t.equal(reply.statusCode, expected, `${vector.uri.slice(0, 100)} — ${vector.rule}`);
    if (expected === 308) t.equal(reply.headers.location, vector.uri.replace(/\/(?=\?|$)/, ''), 'to the canonical form');
    else t.notOk(reply.headers.location, 'never redirected');
  }
  const page = await app.inject({ method: 'GET', url: '/01/09520123456788/10/ABC123' });
  t.equal(page.statusCode, 404, 'a phone gets the not-genuine page');
  t.match(page.headers['content-type'], /text\/html/);
});

// A lot number with a character a Digital Link escapes (GS1 allows "/" in a lot) is echoed as
// scanned: the Link header, the linkset's anchor and a linkType redirect name the same URI, and
// following the redirect resolves the same pack.
t.test('a Digital Link with an escaped lot number is echoed as scanned', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: '09506000134352' });
  const lot = await processor.commission(product, 10, { lotNumber: 'A/B1' });
  const job = await world.ok(processor.api.post(`/lots/${lot}/items`, { count: 1 }), 202);
  await world.app.services.items.idle();
  const csv = String((await processor.api.get(`/code-jobs/${job.id}/codes.csv`)).body);
  const link = csv.match(/https?:\/\/[^,\s]*\/01\/[^,\s]*/)?.[0] ?? '';
  const path = link.slice(TEST_BASE_URL.length);
  t.match(path, /^\/01\/09506000134352\/10\/A%2FB1\/21\//, 'the label carries the lot escaped');

  const json = await world.app.inject({ method: 'GET', url: path, headers: { accept: 'application/json' } });
  t.equal(json.statusCode, 200);
  t.equal(
    json.headers.link,
    `<${TEST_BASE_URL}${path}?linkType=linkset>; rel="linkset"; type="application/linkset+json"`,
    'the Link header names the scanned URI',
  );
  const linkset = await world.app.inject({ method: 'GET', url: `${path}?linkType=linkset` });
  t.equal(linkset.json().linkset[0].anchor, `${TEST_BASE_URL}${path}`, 'so does the linkset’s anchor');
  const redirect = await world.app.inject({ method: 'GET', url: `${path}?linkType=gs1:pip` });
  t.equal(redirect.headers.location, `${path}?format=html`, 'and the redirect');
  const followed = await world.app.inject({ method: 'GET', url: String(redirect.headers.location) });
  t.equal(followed.statusCode, 200, 'which resolves the same genuine pack');

  const raw = await world.app.inject({ method: 'GET', url: '/01/09506000134352/10/A"B/21/X1', headers: { accept: 'application/json' } });
  t.match(raw.headers.link, /\/10\/A%22B\/21\/X1\?linkType=linkset>/, 'a character a URI may not carry raw is escaped in the header');
});

// 食品保质期 is counted in China's days: a pack that expired on 1 March is expired at 07:00 on 2 March
// in Chongqing, though it is still 1 March in UTC.
t.test('a lot past its expiry date in China is expired, whatever the UTC date', async (t) => {
  let clock = Date.parse('2026-03-01T20:00:00+08:00');
  const world = await createWorld(t, undefined, { now: () => new Date(clock) });
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: '09506000134352' });
  await processor.commission(product, 10, { lotNumber: 'L0301', expiryDate: '2026-03-01' });
  const warnings = async () =>
    (await world.app.inject({ method: 'GET', url: '/01/09506000134352/10/L0301?format=json' })).json().warnings as string[];
  t.notOk((await warnings()).includes('expired'), 'on its expiry date it is not expired yet');
  clock = Date.parse('2026-03-02T07:00:00+08:00');
  t.ok((await warnings()).includes('expired'), 'the next morning in China it is');
});

// A shared or bookmarked link may carry a language the page is not written in (`lang=fr`), or one
// written another way (`zh`, `en-US`, `EN`): the pack is still genuine, so the page is served in the
// nearest language it has, never a "this code is not valid" page.
t.test('a lang the page does not have is not a malformed code', async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const cases: [string, string][] = [
    ['fr', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['en-US', 'en'],
    ['EN', 'en'],
    ['', 'zh-CN'],
  ];
  for (const [lang, served] of cases) {
    const page = await app.inject({
      method: 'GET',
      url: `/t/${demo.itemCode}?lang=${encodeURIComponent(lang)}`,
      headers: { accept: 'text/html' },
    });
    t.equal(page.statusCode, 200, `lang=${lang}: the page`);
    t.match(page.body, `<html lang="${served}">`, `lang=${lang}: in ${served}`);
    t.match(page.body, TEXT[served as 'en' | 'zh-CN'].genuine, `lang=${lang}: genuine`);
  }
  const json = await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?lang=fr`, headers: { accept: 'application/json' } });
  t.equal(json.statusCode, 200, 'the JSON summary ignores it too');
  const unknown = await app.inject({ method: 'GET', url: `/t/${unissuedCode()}?lang=en-GB`, headers: { accept: 'text/html' } });
  t.equal(unknown.statusCode, 404, 'an unknown code is still not genuine');
  t.match(unknown.body, TEXT.en.notGenuine, 'in English');
  const garbled = await app.inject({ method: 'GET', url: '/t/ABC?lang=en-GB', headers: { accept: 'text/html' } });
  t.match(garbled.body, TEXT.en.invalidCode, 'and a garbled one is not valid, in English');
});

// A phone opens a label's link with no lang: the page speaks the browser's language when the pages
// have it (Accept-Language, by q-value), Chinese otherwise; the lang of a link (the page's language
// switch) comes first. A cache keeps the languages apart (Vary), and the lot's sections rendered
// once per language never leak from one to the other.
t.test("a scan page without lang is in the browser's language, and says it varies with it", async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const gtin = (await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json` })).json().product.gtin;
  const open = (url: string, acceptLanguage?: string) =>
    app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}) } });
  for (const path of [`/t/${demo.itemCode}`, `/01/${gtin}/10/${demo.retailLotNumber}/21/${demo.itemCode}`]) {
    const english = await open(path, 'en-GB,en;q=0.9,zh-CN;q=0.5');
    t.equal(english.statusCode, 200, `${path}: the page`);
    t.match(english.body, '<html lang="en">', `${path}: in English for an English browser`);
    t.match(english.body, TEXT.en.genuine, `${path}: every section in English`);
    t.notMatch(english.body, TEXT['zh-CN'].genuine);
    t.match(english.body, `${path}?lang=zh-CN`, `${path}: the switch leads to Chinese`);
    t.match(
      english.body,
      `action="/complaints?lang=en&amp;from=${encodeURIComponent(path)}"`,
      `${path}: the complaint form answers in English, and names the page to lead back to`,
    );
    t.match(english.headers.vary, /\bAccept-Language\b/, `${path}: a cache keeps the languages apart`);
    t.match(english.headers.vary, /\bAccept\b/, `${path}: and the page apart from JSON`);
    const chinese = await open(path, 'zh-Hans,en;q=0.5');
    t.match(chinese.body, '<html lang="zh-CN">', `${path}: zh-Hans is Chinese`);
    t.match(chinese.body, TEXT['zh-CN'].genuine, `${path}: the lot's sections in Chinese after the English ones`);
    t.notMatch(chinese.body, TEXT.en.genuine);
    t.match((await open(path, 'fr-FR,fr;q=0.9,en;q=0.8')).body, '<html lang="en">', `${path}: the best language the pages have`);
    t.match((await open(path, 'de,fr')).body, '<html lang="zh-CN">', `${path}: none of them: Chinese`);
    t.match((await open(`${path}?lang=zh-CN`, 'en')).body, '<html lang="zh-CN">', `${path}: the lang of a link comes first`);
    t.match((await open(path)).body, '<html lang="zh-CN">', `${path}: no header: Chinese`);
  }
  const json = await app.inject({ method: 'GET', url: `/t/${demo.itemCode}`, headers: { accept: 'application/json' } });
  t.match(json.headers.vary, /\bAccept-Language\b/, 'the JSON answer at the same URL says so too: a page is one Accept away');
  const notGenuine = await open(`/t/${unissuedCode()}`, 'en-US');
  t.equal(notGenuine.statusCode, 404);
  t.match(notGenuine.body, TEXT.en.notGenuine, 'the not-genuine page follows the browser');
  const unknownPath = `/t/${unissuedCode()}`;
  t.match(
    (await open(unknownPath, 'en-US')).body,
    `action="/complaints?lang=en&amp;from=${encodeURIComponent(unknownPath)}"`,
    'and carries the complaint form, answering in its language and leading back to it',
  );
  t.match(notGenuine.headers.vary, /\bAccept-Language\b/);
  const garbled = await open('/t/ABC', 'en-US');
  t.equal(garbled.statusCode, 400);
  t.match(garbled.body, TEXT.en.invalidCode, 'so does the page of a garbled code');
  t.match(garbled.headers.vary, /\bAccept-Language\b/);
});

// A case's (or a lot-level) label scanned at a shop is a consumer scan like a pack's: a regulator's
// figures of the case or lot count it, once per client within the repeat window; it raises no
// counterfeit flag (many shoppers scan one case) and its page shows no count (the code is no pack's).
t.test('a scan of a case (SSCC) or of a lot-level Digital Link counts in the scan figures, once per client', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const admin = client(app, adminKey);
  const gtin = (await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json`, remoteAddress: '192.0.2.1' })).json().product
    .gtin;
  // each phone on an address of its own (one address is one client, whatever its user agent)
  const addresses: Record<string, string> = { lookup: '203.0.113.1', 'shop phone': '203.0.113.2', 'another phone': '203.0.113.3' };
  const scan = (url: string, userAgent: string) =>
    app.inject({
      method: 'GET',
      url,
      remoteAddress: addresses[userAgent] ?? '203.0.113.9',
      headers: { accept: 'text/html', 'user-agent': userAgent },
    });
  const pallet = `/00/${completeGs1('06901234500000001')}`;
  const palletCode = (await scan(`${pallet}?format=json`, 'lookup')).json().code;
  const page = await scan(pallet, 'shop phone');
  t.equal(page.statusCode, 200, 'the case page');
  t.notMatch(page.body, 'class="muted scans"', 'which shows no scan count');
  t.notMatch(page.body, '<section id="complaint">', 'nor a complaint form: POST /complaints refuses a case code');
  await scan(pallet, 'shop phone');
  await scan(pallet, 'another phone');
  t.equal((await app.inject({ method: 'HEAD', url: pallet, remoteAddress: '198.51.100.7' })).statusCode, 200);
  await scan(`${pallet}?linkType=linkset`, 'a resolver client');
  const figures = (await admin.get(`/regulator/lots/${palletCode}/scans`)).body;
  t.equal(figures.totalScans, 3, 'three clients scanned the case: a reload, a HEAD and a linkset are no scans');
  t.same(
    figures.recent.map((scan: { itemCode: string | null }) => scan.itemCode),
    [null, null, null],
    'scans of no pack',
  );

  const lotLink = `/01/${gtin}/10/${demo.retailLotNumber}`;
  t.match((await scan(lotLink, 'shop phone')).body, '<section id="complaint">', "a lot-level label's page has the form");
  await scan(lotLink, 'shop phone');
  const lotFigures = (await admin.get(`/regulator/lots/${demo.retailLotCode}/scans`)).body;
  t.equal(lotFigures.totalScans, 2, "the lot's figures: the pack scanned first, and its lot-level label once");
  const flags = (await admin.get(`/regulator/flags?lotCode=${palletCode}`)).body.items;
  t.same(flags, [], 'no flags raised');
});

t.test(
  'a failed test anywhere on the chain warns until a re-test settles it as the anomalies do; a held case warns its packs only',
  async (t) => {
    const world = await createWorld(t);
    const processor = await world.party('processor');
    let phones = 0;
    const get = (code: string, accept: string) =>
      world.app.inject({
        method: 'GET',
        url: `/t/${code}`,
        remoteAddress: phoneAddress(++phones),
        headers: { accept, 'user-agent': `phone ${phones}` },
      });
    const scan = async (code: string) => (await get(code, 'application/json')).json().warnings;
    const page = async (code: string) => (await get(code, 'text/html')).body;
    const inspect = (lotCode: string, result: 'pass' | 'fail') =>
      world.ok(processor.event({ type: 'inspect', lotCodes: [lotCode], inspection: { kind: 'self', result } }));
    const zh = TEXT['zh-CN'];
    const packProduct = await processor.product('piece');

    // the raw lot a packing used failed its test: each pack made of it shows it
    const raw = await processor.commission(await processor.product('kg'), 100);
    await inspect(raw, 'fail');
    const [packed] = await processor.transform([{ lotCode: raw, quantity: 100 }], [{ productCode: packProduct, quantity: 10 }]);
    const [fromFailedRaw] = await issuePacks(world, processor, packed, 1);
    t.same(await scan(fromFailedRaw), ['held'], 'the raw lot it was made from failed a test');
    const failedPage = await page(fromFailedRaw);
    t.match(failedPage, `<div class="alert stop" role="alert">${zh.banners.held}`);
    t.notMatch(failedPage, zh.genuine, 'not called genuine');
    t.notMatch(failedPage, '已暂扣', 'nothing held it: the page does not say detained');

    // a lot failed, then passed a re-test of the same kind: settled, on the page as in the anomalies
    const retested = await processor.commission(packProduct, 10);
    const standing = await processor.commission(packProduct, 10);
    await inspect(retested, 'fail');
    await inspect(standing, 'fail');
    await inspect(retested, 'pass');
    const anomalies = (await world.regulator.get('/regulator/anomalies')).body.failedInspectionsWithoutHold.map(
      (row: { lotCode: string }) => row.lotCode,
    );
    t.ok(anomalies.includes(standing) && !anomalies.includes(retested), 'the anomalies: the re-tested lot settled, the other not');
    const [retestedPack, otherPack] = await issuePacks(world, processor, retested, 2);
    const [standingPack] = await issuePacks(world, processor, standing, 1);
    t.same(await scan(retestedPack), [], 'the page: settled too');
    t.same(await scan(standingPack), ['held'], 'and standing');

    // a case of item codes on a pallet: a hold of either holds the pack in it, and no other pack of its lot
    t.same(await scan(otherPack), [], 'the lot page is cached now');
    t.notMatch(await page(otherPack), 'alert stop', 'its HTML parts too');
    const packedCase = (await world.ok(processor.event({ type: 'aggregate', parent: {}, itemCodes: [retestedPack] }))).createdLotCodes[0];
    const pallet = await processor.pack([{ lotCode: packedCase }]);
    await world.ok(processor.api.post('/holds', { lotCodes: [pallet], reason: '待检' }));
    t.same(await scan(retestedPack), ['on_hold'], 'on a held pallet: 暂停销售 on the next scan');
    t.match(await page(retestedPack), `<div class="alert stop" role="alert">${zh.banners.on_hold}`);
    t.same(await scan(otherPack), [], 'the lot’s pack in no container: nothing');
    const otherPage = await page(otherPack);
    t.notMatch(otherPage, 'alert stop', 'its page, from the same cached parts: no banner');
    t.match(otherPage, zh.genuine);
    await world.ok(processor.api.post('/holds/release', { lotCodes: [pallet], reason: '复检合格' }));
    t.same(await scan(retestedPack), [], 'released: nothing on the next scan');
    await world.ok(processor.api.post('/holds', { lotCodes: [packedCase], reason: '待检' }));
    t.same(await scan(retestedPack), ['on_hold'], 'its own case held');
    t.same(await scan(otherPack), []);

    // a recall of one lot marks the case and pallet it lies in, not the other lot packed beside it;
    // a recall that names a case takes back all it holds
    const [recalledLot, besideLot] = [await processor.commission(packProduct, 10), await processor.commission(packProduct, 10)];
    const [recalledPack] = await issuePacks(world, processor, recalledLot, 1);
    const [besidePack, namedPack] = await issuePacks(world, processor, besideLot, 2);
    const caseOf = async (itemCode: string) =>
      (await world.ok(processor.event({ type: 'aggregate', parent: {}, itemCodes: [itemCode] }))).createdLotCodes[0];
    const [recalledCase, besideCase, namedCase] = [await caseOf(recalledPack), await caseOf(besidePack), await caseOf(namedPack)];
    await processor.pack([{ lotCode: recalledCase }, { lotCode: besideCase }]);
    const recall = (lotCodes: string[]) =>
      world.ok(processor.api.post('/recalls', { lotCodes, level: 3, reason: '标签错误', hazard: '过敏原未标示' }));
    await recall([recalledLot]);
    t.same(await scan(recalledPack), ['recalled'], 'the recalled lot’s pack');
    t.same(await scan(besidePack), [], 'the pack of another lot on the same pallet: not recalled');
    t.match(await page(besidePack), zh.genuine);
    await recall([namedCase]);
    t.same(await scan(namedPack), ['recalled'], 'a pack in a case a recall named');
  },
);

// A case's label speaks for what the case holds: a lot with a failed test packed in it warns on the
// case (and the pallet it lies on), and once that lot is unpacked the case no longer warns for it. What
// a case holds is part of its chain, read again once its cached page expires (30 s), as a test of
// another lot of a chain is.
t.test('a case scanned by its SSCC warns of a failed test of what it holds now, not of a lot unpacked from it', async (t) => {
  let clock = Date.now();
  const world = await createWorld(t, undefined, { now: () => new Date(clock) });
  const processor = await world.party('processor');
  let phones = 0;
  const scan = async (url: string) =>
    (
      await world.app.inject({
        method: 'GET',
        url,
        remoteAddress: phoneAddress(++phones),
        headers: { accept: 'application/json', 'user-agent': `phone ${phones}` },
      })
    ).json().warnings;
  const product = await processor.product('piece');
  const [failing, sound] = [await processor.commission(product, 10), await processor.commission(product, 10)];
  await world.ok(processor.event({ type: 'inspect', lotCodes: [failing], inspection: { kind: 'self', result: 'fail' } }));
  const [caseSscc, palletSscc] = [completeGs1('06901234500000123'), completeGs1('06901234500000124')];
  const packedCase = await packCase(world, processor, caseSscc, [
    { lotCode: failing, quantity: 10 },
    { lotCode: sound, quantity: 10 },
  ]);
  await world.ok(processor.event({ type: 'aggregate', parent: { sscc: palletSscc }, children: [{ lotCode: packedCase }] }));
  t.same(await scan(`/00/${caseSscc}`), ['held'], 'the case holds the lot that failed its test');
  t.same(await scan(`/00/${palletSscc}`), ['held'], 'and so does the pallet it lies on');

  await world.ok(processor.event({ type: 'disaggregate', parentCode: packedCase, children: [failing] }));
  clock += 31_000;
  t.same(await scan(`/00/${caseSscc}`), [], 'unpacked from it: the case warns no more');
  t.same(await scan(`/00/${palletSscc}`), [], 'nor does the pallet');
  const [failingPack] = await issuePacks(world, processor, failing, 1);
  t.same(await scan(`/t/${failingPack}`), ['held'], 'the unpacked lot still warns on its own packs');
});

// A case destroyed takes the packs in it out of circulation as a destroyed lot's are, though the rest of
// their lot is not: a pack in it (or in a case on a destroyed pallet) warns `destroyed`, is called neither
// genuine nor counterfeit, and its scan raises the inactive-lot flag; the lot's other packs show nothing.
t.test('a pack or case in a destroyed container shows the destroyed banner, and the pack’s scan is flagged', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const { get, scan } = phoneScans(world);
  const lot = await processor.commission(await processor.product('piece'), 4);
  const [inCase, besideCase, onPallet] = await issuePacks(world, processor, lot, 4);
  const caseOf = async (itemCodes: string[], sscc?: string) =>
    (await world.ok(processor.event({ type: 'aggregate', parent: sscc ? { sscc } : {}, itemCodes }))).createdLotCodes[0] as string;
  const destroy = (lotCode: string) => world.ok(processor.event({ type: 'destroy', lines: [{ lotCode }], reason: 'case crushed' }));
  const crushed = await caseOf([inCase]);
  const caseSscc = completeGs1('06901234500000131');
  const palletedCase = await caseOf([onPallet], caseSscc);
  const pallet = await processor.pack([{ lotCode: palletedCase }]);
  t.same(await scan(`/t/${inCase}`), [], 'before: nothing to warn of');

  await destroy(crushed);
  t.same(await scan(`/t/${inCase}`), ['destroyed'], 'its case destroyed: the pack warns on the next scan');
  t.same(await scan(`/t/${besideCase}`), [], 'the lot’s pack in no case: nothing');
  for (const lang of ['zh-CN', 'en'] as const) {
    const text = TEXT[lang];
    const page = (await get(`/t/${inCase}?lang=${lang}`, 'text/html')).body;
    t.match(page, `<div class="alert stop" role="alert">${text.banners.destroyed}`, `${lang}: the destroyed banner`);
    t.equal(page.match(/class="alert /g)?.length, 1, `${lang}: and only it`);
    t.notMatch(page, text.genuine, `${lang}: not called genuine`);
    t.notMatch(page, text.counterfeit, `${lang}: nor counterfeit`);
    t.match((await get(`/t/${besideCase}?lang=${lang}`, 'text/html')).body, text.genuine, `${lang}: the lot’s other pack is genuine`);
  }
  const flagged = async () =>
    (await world.regulator.get(`/regulator/flags?kind=inactive_lot&lotCode=${lot}`)).body.items.map(
      (flag: { code: string; detail: string }) => [flag.code, flag.detail],
    );
  t.same(await flagged(), [[inCase, 'scanned while a container it lies in is destroyed']], 'the pack in the destroyed case only');

  await destroy(pallet);
  t.same(await scan(`/t/${onPallet}`), ['destroyed'], 'a pack in a case on a destroyed pallet');
  t.same(await scan(`/00/${caseSscc}`), ['destroyed'], 'and the case scanned by its SSCC');
  t.same(await scan(`/t/${besideCase}`), [], 'the lot’s pack in no case: still nothing');
});

// A case's label speaks for what it holds now: a hold of a lot packed in it (as the event writer stops
// the case with it) shows on the case and on the pallet it lies on at the next scan, as the lot's own
// packs show it; the lot packed beside it in no hold, unpacked from it no more.
t.test('a case scanned by its SSCC warns on_hold while a lot it holds now is on hold', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const { get, scan } = phoneScans(world);
  const product = await processor.product('piece');
  const [heldLot, besideLot] = [await processor.commission(product, 10), await processor.commission(product, 10)];
  const [heldPack] = await issuePacks(world, processor, heldLot, 1);
  const [caseSscc, palletSscc] = [completeGs1('06901234500000132'), completeGs1('06901234500000133')];
  const packedCase = await packCase(world, processor, caseSscc, [
    { lotCode: heldLot, quantity: 5 },
    { lotCode: besideLot, quantity: 10 },
  ]);
  await world.ok(processor.event({ type: 'aggregate', parent: { sscc: palletSscc }, children: [{ lotCode: packedCase }] }));
  t.same(await scan(`/00/${caseSscc}`), [], 'nothing to warn of: the case page is cached now');

  await world.ok(processor.api.post('/holds', { lotCodes: [heldLot], reason: '待检' }));
  t.same(await scan(`/t/${heldPack}`), ['on_hold'], 'the held lot’s pack');
  t.same(await scan(`/00/${caseSscc}`), ['on_hold'], 'the case that holds it: 暂停销售 on the next scan');
  t.same(await scan(`/00/${palletSscc}`), ['on_hold'], 'and the pallet the case lies on');
  for (const lang of ['zh-CN', 'en'] as const) {
    const page = (await get(`/00/${caseSscc}?lang=${lang}`, 'text/html')).body;
    t.match(page, `<div class="alert stop" role="alert">${TEXT[lang].banners.on_hold}`, `${lang}: the hold banner`);
    t.notMatch(page, TEXT[lang].genuine, `${lang}: not called genuine`);
  }

  await world.ok(processor.event({ type: 'disaggregate', parentCode: packedCase, children: [heldLot] }));
  t.same(await scan(`/00/${caseSscc}`), [], 'unpacked from it: the case warns no more on the next scan');
  t.same(await scan(`/00/${palletSscc}`), [], 'nor does the pallet');
  t.same(await scan(`/t/${heldPack}`), ['on_hold'], 'the held lot still warns on its own packs');
});

// A case's page lists the tests of what it holds now and of what that was made from, by the rule
// its held warning follows: a lot unpacked from it took its tests with it.
t.test('a case scanned by its SSCC lists the tests of what it holds now, not of a lot unpacked from it', async (t) => {
  let clock = Date.now();
  const world = await createWorld(t, undefined, { now: () => new Date(clock) });
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const [lotA, lotB] = [await processor.commission(product, 10), await processor.commission(product, 10)];
  await world.ok(
    processor.event({ type: 'inspect', lotCodes: [lotA], inspection: { kind: 'self', result: 'pass', reportNumber: 'R-A-PASS' } }),
  );
  await world.ok(
    processor.event({ type: 'inspect', lotCodes: [lotB], inspection: { kind: 'self', result: 'fail', reportNumber: 'R-B-FAIL' } }),
  );
  const caseSscc = completeGs1('06901234500000125');
  const packedCase = await packCase(world, processor, caseSscc, [
    { lotCode: lotA, quantity: 10 },
    { lotCode: lotB, quantity: 10 },
  ]);
  let phones = 0;
  const scan = (accept: string) =>
    world.app.inject({
      method: 'GET',
      url: `/00/${caseSscc}`,
      remoteAddress: phoneAddress(++phones),
      headers: { accept, 'user-agent': `phone ${phones}` },
    });
  const reports = async () =>
    ((await scan('application/json')).json().tests as { reportNumber: string }[]).map((test) => test.reportNumber);
  t.same(await reports(), ['R-A-PASS', 'R-B-FAIL'], 'packed with both lots: the tests of both');
  t.match((await scan('text/html')).body, /R-B-FAIL/, 'its page lists lot B’s failed test');

  await world.ok(processor.event({ type: 'disaggregate', parentCode: packedCase, children: [lotB] }));
  clock += 31_000;
  const json = (await scan('application/json')).json();
  t.same(json.warnings, [], 'lot B unpacked: no warning');
  t.same(
    json.tests.map((test: { reportNumber: string }) => test.reportNumber),
    ['R-A-PASS'],
    'and only the test of the lot it still holds',
  );
  const page = (await scan('text/html')).body;
  t.match(page, /R-A-PASS/, 'its page lists lot A’s test');
  t.notMatch(page, /R-B-FAIL/, 'and not lot B’s');

  const [packOfB] = await issuePacks(world, processor, lotB, 1);
  const ofB = (await world.app.inject({ method: 'GET', url: `/t/${packOfB}`, headers: { accept: 'application/json' } })).json();
  t.same(ofB.warnings, ['held'], 'lot B’s own packs still warn');
  t.same(
    ofB.tests.map((test: { reportNumber: string }) => test.reportNumber),
    ['R-B-FAIL'],
    'and list its test',
  );
});

/**
 * A processor's world with a clock the test moves (`later()`: past the resolver's 30 s cache) and its events
 * dated by the hour (`at`): commissioning and transforming a piece product, temperature readings, and packing
 * lots whole into a case of the given SSCC.
 */
async function caseWorld(t: Test) {
  let clock = Date.now();
  const world = await createWorld(t, undefined, { now: () => new Date(clock) });
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const event = (hour: number, body: Record<string, unknown>) => world.ok(processor.api.post('/events', { eventTime: at(hour), ...body }));
  const made = async (hour: number, body: Record<string, unknown>) => (await event(hour, body)).createdLotCodes[0] as string;
  return {
    world,
    processor,
    event,
    later: () => {
      clock += 31_000;
    },
    commission: (hour: number, quantity = 10) => made(hour, { type: 'commission', lots: [{ productCode: product, quantity }] }),
    transform: (hour: number, input: string, quantity: number, kind: string) =>
      made(hour, {
        type: 'transform',
        inputs: [{ lotCode: input, quantity }],
        outputs: [{ productCode: product, quantity }],
        process: { kind },
      }),
    observe: (hour: number, lotCodes: string[], celsius: number) =>
      event(hour, { type: 'observe', lotCodes, readings: [{ type: 'temperature', value: celsius, unit: 'Cel' }] }),
    packCase: (hour: number, sscc: string, children: { lotCode: string; quantity: number }[]) =>
      made(hour, { type: 'aggregate', parent: { sscc }, children }),
  };
}

// A case's timeline and cold chain are those of what it holds now, by the rule its tests and held
// warning follow: a lot unpacked from it takes its own steps and readings with it (its making, the
// steps it was made by, its readings before and after); the case's own steps and readings stay.
t.test('a case scanned by its SSCC shows the steps and readings of what it holds now, not of a lot unpacked from it', async (t) => {
  const { world, processor, event, later, commission, transform, observe, packCase } = await caseWorld(t);
  const lotA = await commission(1);
  const lotB = await transform(3, await commission(2), 10, 'smoking');
  await observe(4, [lotA], 3);
  await observe(4, [lotB], 30); // lot B's own warm reading before it was packed
  const caseSscc = completeGs1('06901234500000126');
  const packedCase = await packCase(5, caseSscc, [
    { lotCode: lotA, quantity: 10 },
    { lotCode: lotB, quantity: 10 },
  ]);
  await observe(6, [packedCase], 4);
  let phones = 0;
  const scan = async () =>
    (
      await world.app.inject({
        method: 'GET',
        url: `/00/${caseSscc}`,
        remoteAddress: phoneAddress(++phones),
        headers: { accept: 'application/json', 'user-agent': `phone ${phones}` },
      })
    ).json();
  type Step = { time: string; action: string };
  const steps = (summary: { timeline: Step[] }) => summary.timeline.map((step) => `${step.action} ${step.time}`);
  const stepAt = (action: string, hour: number) => `${action} ${new Date(at(hour)).toISOString()}`;
  const packed = await scan();
  t.ok(steps(packed).includes(stepAt('smoking', 3)), 'packed with lot B: lot B’s smoking is a step');
  t.match(packed.coldChain, { readings: 3, maxCelsius: 30, withinLimits: false }, 'and its warm reading counts');

  await event(7, { type: 'disaggregate', parentCode: packedCase, children: [lotB] });
  await observe(8, [lotB], 25); // lot B elsewhere
  await observe(9, [packedCase], 5);
  later();
  const unpacked = await scan();
  t.same(
    steps(unpacked),
    [stepAt('commission', 1), stepAt('observe', 4), stepAt('observe', 6), stepAt('observe', 9)],
    'lot A’s making and reading, the case’s own readings; none of lot B’s steps nor of its raw lot’s',
  );
  t.match(
    unpacked.coldChain,
    { readings: 3, minCelsius: 3, maxCelsius: 5, withinLimits: true },
    'lot A’s reading and the case’s, not lot B’s before or after',
  );

  // the case put on a pallet: the pallet's readings while the case lies on it are the case's
  const pallet = (await event(10, { type: 'aggregate', parent: {}, children: [{ lotCode: packedCase }] })).createdLotCodes[0] as string;
  await observe(11, [pallet], 6);
  later();
  const onPallet = await scan();
  t.same(steps(onPallet).slice(-1), [stepAt('observe', 11)], 'the pallet’s reading is a step');
  t.match(onPallet.coldChain, { readings: 4, minCelsius: 3, maxCelsius: 6, withinLimits: true }, 'and counts');

  const [packOfB] = await issuePacks(world, processor, lotB, 1);
  const ofB = (await world.app.inject({ method: 'GET', url: `/t/${packOfB}`, headers: { accept: 'application/json' } })).json();
  t.ok(steps(ofB).includes(stepAt('smoking', 3)), 'lot B’s own packs still show its steps');
  t.match(ofB.coldChain, { maxCelsius: 30, withinLimits: false }, 'and its readings');
});

// Lots made from one raw lot by separate transformations: a case that holds one of them does not show
// the other's making once that other is unpacked, nor draw it inside the case.
t.test('a case scanned by its SSCC shows no making of a lot unpacked from it that shared a raw lot with one it holds', async (t) => {
  const { world, processor, event, later, commission, transform, observe, packCase } = await caseWorld(t);
  const raw = await commission(1);
  const lotA = await transform(2, raw, 5, 'cutting');
  const lotB = await transform(3, raw, 5, 'smoking');
  const caseSscc = completeGs1('06901234500000127');
  const packedCase = await packCase(5, caseSscc, [
    { lotCode: lotA, quantity: 5 },
    { lotCode: lotB, quantity: 5 },
  ]);
  await observe(7, [lotA], 3);
  await event(8, { type: 'disaggregate', parentCode: packedCase, children: [lotB] });
  later();
  type Summary = {
    timeline: { time: string; action: string }[];
    lineage: { nodes: { code: string }[]; edges: { from: string; to: string }[] };
  };
  const scanned: Summary = (
    await world.app.inject({ method: 'GET', url: `/00/${caseSscc}`, headers: { accept: 'application/json', 'user-agent': 'phone' } })
  ).json();
  const stepAt = (action: string, hour: number) => `${action}@${new Date(at(hour)).toISOString()}`;
  t.same(
    scanned.timeline.map((step) => `${step.action}@${step.time}`),
    [stepAt('commission', 1), stepAt('cutting', 2), stepAt('observe', 7)],
    'the raw lot’s making and the making of the lot it holds, not the unpacked lot’s smoking',
  );
  const [packOfA] = await issuePacks(world, processor, lotA, 1);
  const ofA: Summary = (await world.app.inject({ method: 'GET', url: `/t/${packOfA}`, headers: { accept: 'application/json' } })).json();
  t.same(
    ofA.timeline.map((step) => `${step.action}@${step.time}`),
    scanned.timeline.map((step) => `${step.action}@${step.time}`),
    'the steps a pack of the lot it holds shows',
  );
  // upstream lots by public ids in chain order (raw, then lot A), never their codes; the case by its own
  t.same(
    scanned.lineage.nodes.map((node) => node.code),
    ['n1', 'n2', packedCase],
    'its chain: what it holds and what that was made from, not the unpacked lot',
  );
  t.same(scanned.lineage.edges.map((edge) => `${edge.from}>${edge.to}`).sort(), ['n1>n2', `n2>${packedCase}`].sort());
  const served = JSON.stringify(scanned);
  for (const code of [lotA, lotB, raw]) t.notOk(served.includes(code), 'no upstream lot code in the JSON');
});

// A reading of the pallet a case lies on counts for the case while it lay there, whatever else it names.
t.test('a case scanned by its SSCC counts its pallet’s reading that also names a lot unpacked from it', async (t) => {
  const { world, processor, event, later, commission, observe, packCase } = await caseWorld(t);
  const lotA = await commission(1);
  const lotB = await commission(2);
  const caseSscc = completeGs1('06901234500000128');
  const packedCase = await packCase(3, caseSscc, [
    { lotCode: lotA, quantity: 10 },
    { lotCode: lotB, quantity: 10 },
  ]);
  const pallet = (await event(4, { type: 'aggregate', parent: {}, children: [{ lotCode: packedCase }] })).createdLotCodes[0] as string;
  await event(5, { type: 'disaggregate', parentCode: packedCase, children: [lotB] });
  await observe(6, [pallet, lotB], 9); // the room's reading of the pallet and of lot B, loose beside it
  await observe(7, [pallet], 3);
  later();
  const scan = async (url: string) => (await world.app.inject({ method: 'GET', url, headers: { accept: 'application/json' } })).json();
  const expected = { readings: 2, minCelsius: 3, maxCelsius: 9, withinLimits: false };
  const [packOfA] = await issuePacks(world, processor, lotA, 1);
  t.match((await scan(`/t/${packOfA}`)).coldChain, expected, 'a pack of the lot it holds counts both pallet readings');
  t.match((await scan(`/00/${caseSscc}`)).coldChain, expected, 'and so does the case');
});

// A lot unpacked from a case took all its readings with it, those taken while it lay in the case too:
// the case's page is the page of what it holds now, as a pack of that lot shows it.
t.test('a case scanned by its SSCC shows the cold chain and timeline a pack of the lot it holds shows', async (t) => {
  const { world, processor, event, later, commission, observe, packCase } = await caseWorld(t);
  const lotA = await commission(1);
  const lotB = await commission(1);
  const caseSscc = completeGs1('06901234500000129');
  const packedCase = await packCase(3, caseSscc, [
    { lotCode: lotA, quantity: 10 },
    { lotCode: lotB, quantity: 10 },
  ]);
  await observe(4, [lotB], 15); // a probe of lot B inside the case
  await event(5, { type: 'disaggregate', parentCode: packedCase, children: [lotB] });
  await observe(7, [packedCase], 4);
  later();
  const [packOfA] = await issuePacks(world, processor, lotA, 1);
  const scan = async (url: string) => (await world.app.inject({ method: 'GET', url, headers: { accept: 'application/json' } })).json();
  const [ofCase, ofPack] = [await scan(`/00/${caseSscc}`), await scan(`/t/${packOfA}`)];
  t.match(ofPack.coldChain, { readings: 1, minCelsius: 4, maxCelsius: 4, withinLimits: true }, 'a pack of lot A: the case’s reading alone');
  t.same(ofCase.coldChain, ofPack.coldChain, 'the case: the same cold chain, not lot B’s probe');
  t.same(ofCase.timeline, ofPack.timeline, 'and the same timeline');
});
