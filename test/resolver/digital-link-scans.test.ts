// A Digital Link naming a pack is a scan as /t/{code} is: one naming a serial never issued, or a genuine serial
// under another product or lot, is counted and flagged; its extension parameters are passed over as written.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { queryRows } from '../../src/db/client.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { phoneAddress } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = completeGs1('0690123456789');
const OTHER_GTIN = completeGs1('0690123456790');

type Flag = { code: string; kind: string; lotCode: string | null; partyCode: string | null; detail: string; occurrences: number };

async function packWorld(t: Parameters<typeof createWorld>[0]) {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: GTIN });
  await processor.product('piece', { gtin: OTHER_GTIN });
  const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-1' }] }));
  const lotCode = made.createdLotCodes[0] as string;
  const [pack] = await issuePacks(world, processor, lotCode, 1);
  let phones = 0;
  const addresses = new Map<string, string>();
  const addressOf = (phone: string) =>
    addresses.get(phone) ?? (addresses.set(phone, phoneAddress(addresses.size + 1)).get(phone) as string);
  // each phone from an address of its own (one address is one client); a phone named scans from its own
  const scan = (url: string, accept = 'application/json', userAgent = `phone ${++phones}`) =>
    world.app.inject({ method: 'GET', url, remoteAddress: addressOf(userAgent), headers: { accept, 'user-agent': userAgent } });
  const flags = async (): Promise<Flag[]> => (await world.regulator.get('/regulator/flags?kind=unknown_code')).body.items;
  const logged = async (code: string) => {
    await world.app.services.scans.flush();
    const [{ n }] = await queryRows<{ n: number }>(world.database.db, sql`select count(*)::int as n from scans where raw_code = ${code}`);
    return Number(n);
  };
  /** Each link answers the not-genuine 404 (JSON and page) and is flagged by the link it names, once per phone: two phones. */
  const eachUnknown = async (t: Parameters<typeof createWorld>[0], links: Record<string, string>) => {
    for (const [url, code] of Object.entries(links)) {
      const answer = await scan(url);
      t.equal(answer.statusCode, 404, `${url}: 404`);
      t.match(answer.json(), { detail: /may not be genuine/ });
      const page = await scan(url, 'text/html');
      t.equal(page.statusCode, 404);
      t.ok(page.body.includes(TEXT['zh-CN'].notGenuine), `${url}: the not-genuine page`);
      t.match(
        (await flags()).filter((flag) => flag.code === code),
        [{ kind: 'unknown_code', lotCode: null, partyCode: null, detail: /never issued/, occurrences: 2 }],
        `${url}: flagged by the link it names, once per phone`,
      );
      t.equal(await logged(code), 2, `${url}: each phone's scan logged`);
    }
  };
  return { world, processor, lotCode, pack, scan, flags, logged, eachUnknown };
}

t.test('a Digital Link naming a serial never issued is counted and flagged unknown_code, as /t/{code} is', async (t) => {
  const { pack, scan, flags, logged, eachUnknown } = await packWorld(t);
  const body = '0000000555';
  const neverIssued = body + mod31CheckChar(body);
  const links = {
    [`/01/${GTIN}/21/${neverIssued}`]: `https://id.gs1.org/01/${GTIN}/21/${neverIssued}`,
    [`/01/${GTIN}/10/KZ-1/21/NOPE-7`]: `https://id.gs1.org/01/${GTIN}/10/KZ-1/21/NOPE-7`,
    // AI (21) is case-sensitive: the pack's code in lower case is another serial, never issued
    [`/01/${GTIN}/21/${pack.toLowerCase()}`]: `https://id.gs1.org/01/${GTIN}/21/${pack.toLowerCase()}`,
    '/01/09506000134352/21/X': 'https://id.gs1.org/01/09506000134352/21/X',
  };
  await eachUnknown(t, links);

  const [first, code] = Object.entries(links)[0];
  for (let i = 0; i < 3; i++) await scan(first, 'text/html', 'one phone');
  t.equal(await logged(code), 3, 'a phone reloading the page within ten minutes is one scan');
  t.equal((await flags()).find((flag) => flag.code === code)?.occurrences, 3, 'and one occurrence');
  const linkset = await scan(`/01/${GTIN}/21/${neverIssued}?linkType=linkset`, 'application/json', 'a linkset client');
  t.equal(linkset.statusCode, 404);
  t.equal(await logged(code), 3, 'asking for the linkset is no scan, as at /t/{code}');

  const before = (await flags()).length;
  for (const url of [`/01/${GTIN}/10/NO-SUCH-LOT`, `/01/${GTIN}`, `/01/09506000134352/10/X`]) {
    t.equal((await scan(url)).statusCode, 404, `${url}: 404`);
  }
  t.equal((await flags()).length, before, 'a lot or product link is no pack scan: nothing flagged');
});

t.test('a (235) extension names no code issued here: counted and flagged unknown_code as a serial never issued is', async (t) => {
  const { pack, scan, flags, logged, eachUnknown } = await packWorld(t);
  const links = {
    [`/01/${GTIN}/235/TPX-0001`]: `https://id.gs1.org/01/${GTIN}/235/TPX-0001`,
    // a genuine pack's code as the extension is no code of this service either, nor that pack's scan
    [`/01/${GTIN}/235/${pack}`]: `https://id.gs1.org/01/${GTIN}/235/${pack}`,
    [`/01/09506000134352/235/${'X'.repeat(28)}`]: `https://id.gs1.org/01/09506000134352/235/${'X'.repeat(28)}`,
  };
  await eachUnknown(t, links);
  const [first, code] = Object.entries(links)[0];
  t.equal((await scan(`${first}?linkType=linkset`)).statusCode, 404);
  t.equal(await logged(code), 2, 'asking for the linkset is no scan');
  t.equal((await scan(`${first}?linkType=gs1:pip`)).statusCode, 404);
  t.equal(await logged(code), 3, 'a linkType has no link to lead to: the scan is counted here');

  const own = (await scan(`/t/${pack}`)).json();
  t.equal(own.scans.count, 1, "the genuine pack's count is its own scans alone");
  t.same(own.warnings, [], 'and it is not called counterfeit');
  t.notOk(
    (await flags()).some((flag) => flag.code === pack),
    'no flag on the pack’s own code',
  );

  const before = (await flags()).length;
  for (const url of [
    `/01/${GTIN}/235/${'X'.repeat(29)}`,
    `/01/${GTIN}/235/A%20B`,
    `/01/${GTIN}/235/%C3%A9`,
    `/01/${GTIN}/235/`,
    `/01/${GTIN}/10/KZ-1/235/X`,
    `/01/${GTIN}/235/X/21/Y`,
    `/01/${GTIN}?235=X`,
    '/00/106901234500000010/235/X',
  ]) {
    t.equal((await scan(url)).statusCode, 400, `${url}: malformed`);
  }
  t.equal((await flags()).length, before, 'a malformed link flags nothing');
});

t.test('a genuine serial under another lot or product is flagged with its own lot and maker; its own page is not', async (t) => {
  const { processor, lotCode, pack, scan, flags, logged } = await packWorld(t);
  const links = {
    [`/01/${GTIN}/10/OTHERLOT/21/${pack}`]: `https://id.gs1.org/01/${GTIN}/10/OTHERLOT/21/${pack}`,
    [`/01/${OTHER_GTIN}/21/${pack}`]: `https://id.gs1.org/01/${OTHER_GTIN}/21/${pack}`,
    [`/01/${OTHER_GTIN}/10/KZ-1/21/${pack}`]: `https://id.gs1.org/01/${OTHER_GTIN}/10/KZ-1/21/${pack}`,
    // a consumer product variant (22) its product does not have
    [`/01/${GTIN}/22/ANY/21/${pack}`]: `https://id.gs1.org/01/${GTIN}/22/ANY/21/${pack}`,
    [`/01/${GTIN}/22/ANY/10/KZ-1/21/${pack}`]: `https://id.gs1.org/01/${GTIN}/22/ANY/10/KZ-1/21/${pack}`,
  };
  for (const [url, code] of Object.entries(links)) {
    const answer = await scan(url);
    t.equal(answer.statusCode, 404, `${url}: still not genuine`);
    t.notOk(answer.body.includes(lotCode), 'naming no lot to the shopper');
    t.ok((await scan(url, 'text/html')).body.includes(TEXT['zh-CN'].notGenuine), `${url}: the not-genuine page`);
    const [flag] = (await flags()).filter((flag) => flag.code === code);
    t.match(flag, { kind: 'unknown_code', lotCode, partyCode: processor.code, occurrences: 2 }, `${url}: flagged with the pack's lot`);
    t.match(flag?.detail, pack, 'the detail names the genuine pack');
    t.match(flag?.detail, /not its own/, 'and says it was presented under another product or lot');
    t.equal(await logged(code), 2);
  }
  // a lot or product link under a variant names the lot or product, as the variant's lot or product would
  t.equal((await scan(`/01/${GTIN}/22/ANY/10/KZ-1`)).statusCode, 200, 'the lot under a variant: its page');
  t.equal((await scan(`/01/${GTIN}/22/ANY`)).statusCode, 404, 'the product under a variant: the registered product');
  t.match((await scan(`/01/${GTIN}/22/ANY`)).json(), { detail: /is registered/ });
  const own = await scan(`/01/${GTIN}/10/KZ-1/21/${pack}`);
  t.equal(own.statusCode, 200, 'the pack under its own GTIN and lot is genuine');
  t.same(own.json().warnings, [], 'and not called counterfeit by the other links');
  t.notOk(
    (await flags()).some((flag) => flag.code === pack),
    'no flag on the pack’s own code',
  );
});

t.test('a Digital Link’s extension parameters the resolver does not read pass as written, whatever their encoding', async (t) => {
  const { scan } = await packWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  // a GBK-encoded campaign tag, a stray "%", a key that is not UTF-8
  // what browsers send raw in a query string though no URI may carry it, and keys that cannot be AIs (a letter in them)
  // however malformed their escapes
  const raw = ['utm=a|b', 'q={x}', 'q=a`b', 'q=a^b', 'q=a\\b', 'fb1=a|b', 'c1d=x^y', '%=1', 'a%zz=1', '%ZZ=1'];
  for (const query of ['utm=%B0%D9', 'utm=%B0%D9&lang=en', 'off=50%', '%B0%D9=1', 'x=%FF', ...raw]) {
    const answer = await scan(`${lotLink}?${query}`);
    t.equal(answer.statusCode, 200, `?${query}: the lot's page`);
  }
  const redirect = await scan(`${lotLink}?utm=%B0%D9&linkType=gs1:traceability&lang=en`);
  t.equal(redirect.statusCode, 307);
  t.equal(redirect.headers.location, `${lotLink}?utm=%B0%D9&lang=en&format=json`, 'passed on as scanned');
  for (const query of ['lang=%B0%D9', 'linkType=%FF', 'region=%B0', 'format=%FF', '17=%B0', '99=%FF', 'x=1&1%=1', '17=a|b', 'lang=a|b']) {
    const answer = await scan(`${lotLink}?${query}`);
    t.equal(answer.statusCode, 400, `?${query}: what the resolver reads, and AIs, are still checked`);
  }
});

t.test('full-width characters in a parameter the resolver does not read pass as written; in an AI they are read as ASCII', async (t) => {
  const { pack, scan } = await packWorld(t);
  const lotLink = `/01/${GTIN}/10/KZ-1`;
  // an ideographic space, the full-width forms of what a URI may not carry raw, and of "&", "=", "#", "+", "%", "?"
  const values = ['奉\u3000节', ...'＜＞＂｛｝｜＼＾｀＆＝＃＋％？'].map(encodeURIComponent);
  for (const query of [
    ...values.map((value) => `q=${value}`),
    `q=${values.join('')}`,
    `${encodeURIComponent('＆')}=1`,
    `k${encodeURIComponent('＝')}v=1`,
  ]) {
    const answer = await scan(`${lotLink}?${query}`);
    t.equal(answer.statusCode, 200, `?${query}: the lot's summary`);
    t.equal((await scan(`/t/${pack}?${query}`)).statusCode, 200, 'as /t/{code} answers it');
    const redirect = await scan(`${lotLink}?${query}&linkType=gs1:traceability`);
    t.equal(redirect.headers.location, `${lotLink}?${query}&format=json`, 'and a linkType redirect passes it on as scanned');
    const slash = await scan(`${lotLink}/?${query}`);
    t.equal(slash.headers.location, `${lotLink}?${query}`, 'as a trailing-slash redirect does');
  }
  // an AI's key and value typed full-width are the AI and value in ASCII, checked as such
  const fullWidth = (text: string) =>
    encodeURIComponent(text.replace(/[!-~]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0)));
  for (const query of [
    `17=${fullWidth('261231')}`,
    `${fullWidth('17')}=261231`,
    `${fullWidth('17=261231')}`,
    `q=1&${fullWidth('17=261231')}`,
  ]) {
    t.equal((await scan(`${lotLink}?${query}`)).statusCode, 200, `?${query}: (17) 261231`);
  }
  for (const query of [
    `17=${fullWidth('261232')}`,
    `17=${fullWidth('26123')}`,
    `${fullWidth('17')}=2612${encodeURIComponent('\u3000')}1`,
    `17=261231&${fullWidth('17=261231')}`,
    `${fullWidth('17=261231&17=261231')}`,
    `${fullWidth('10')}=LOT`,
  ]) {
    const answer = await scan(`${lotLink}?${query}`);
    t.equal(answer.statusCode, 400, `?${query}: a malformed AI`);
    t.match(answer.json(), { detail: /malformed GS1 Digital Link/ });
  }
});
