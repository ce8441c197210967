// A link's query parameter the resolver cannot read (`?format=xml`) is the link's fault, not the code's: on every scan
// route a genuine code's page says which parameter is wrong (400), never that the code is invalid, and a JSON client
// gets problem+json naming the parameter's path.
import { completeGs1 } from '../../src/codes/gs1.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = completeGs1('0690123456789');
const PRODUCT_GTIN = completeGs1('0690123456790');

t.test('a bad query parameter on every scan route names the parameter, not an invalid code', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: GTIN });
  await processor.product('piece', { gtin: PRODUCT_GTIN });
  const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-1' }] }));
  const [pack] = await issuePacks(world, processor, made.createdLotCodes[0] as string, 1);
  const scan = (url: string, headers: Record<string, string>) =>
    world.app.inject({ method: 'GET', url, headers: { 'user-agent': 'a phone', ...headers } });

  const paths = [
    `/t/${pack}`,
    `/t/${pack.toLowerCase()}/`,
    `/01/${GTIN}/21/${pack}`,
    `/01/${GTIN}/10/KZ-1`,
    `/01/${PRODUCT_GTIN}`,
    '/00/106141412345678908',
    `/414/${completeGs1('061414100001')}`,
  ];
  for (const path of paths) {
    const url = `${path}?format=xml`;
    const page = await scan(url, { accept: 'text/html' });
    t.equal(page.statusCode, 400, `${url}: 400`);
    t.match(page.headers['content-type'], /^text\/html/, 'a page');
    t.match(page.body, TEXT['zh-CN'].badParameter, 'saying the link’s parameter is wrong');
    t.match(page.body, '<code>format</code>', 'naming it');
    t.notMatch(page.body, TEXT['zh-CN'].invalidCode, 'not that the code is invalid');
    t.notMatch(page.body, TEXT['zh-CN'].invalidCodeBody);

    const english = await scan(`${url}&lang=en`, { accept: 'text/html' });
    t.equal(english.statusCode, 400);
    t.match(english.body, TEXT.en.badParameter, 'in English too');
    t.match(english.body, '<code>format</code>');
    t.notMatch(english.body, TEXT.en.invalidCode);

    const json = await scan(url, { accept: 'application/json' });
    t.equal(json.statusCode, 400, `${url} as JSON: 400`);
    t.match(json.headers['content-type'], /^application\/problem\+json/);
    t.match(json.json(), { status: 400, errors: [{ in: 'querystring', pointer: '/format' }] }, 'the parameter’s path');
  }

  // a shopper's browser asking with Accept */* gets the page; the code is still shown once the link is right
  const plain = await scan(`/t/${pack}?format=pdf`, { accept: '*/*' });
  t.equal(plain.statusCode, 400);
  t.match(plain.body, '<code>format</code>');
  t.equal((await scan(`/t/${pack}`, { accept: 'text/html' })).statusCode, 200, 'the code itself is genuine');

  // a parameter's value is escaped where the page names it, and the parameter is named without its value
  const hostile = await scan(`/t/${pack}?format=%3Cscript%3E`, { accept: 'text/html' });
  t.equal(hostile.statusCode, 400);
  t.notMatch(hostile.body, '<script>');

  // a code that is no trace code is still the invalid code's page
  const invalid = await scan('/t/NOTACODE?format=html', { accept: 'text/html' });
  t.equal(invalid.statusCode, 400);
  t.match(invalid.body, TEXT['zh-CN'].invalidCode, 'a malformed code is an invalid code');
  const both = await scan('/t/NOTACODE?format=xml', { accept: 'text/html' });
  t.equal(both.statusCode, 400);
  t.match(both.body, '<code>format</code>', 'the parameter is read before the code: it is named');
});
