// A code typed full-width (as a Chinese input method can write it) is the same code.
import { normalizeCode } from '../../src/codes/service-codes.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The full-width form of printable ASCII (U+FF01–U+FF5E), an ideographic space for a space. */
const fullWidth = (text: string) =>
  [...text].map((char) => (char === ' ' ? '\u3000' : String.fromCharCode(char.charCodeAt(0) + 0xfee0))).join('');

t.test('normalizeCode reads full-width letters and digits as their ASCII forms', async (t) => {
  t.equal(normalizeCode(fullWidth(' j500236pbpqccj2 ')), 'J500236PBPQCCJ2');
  t.equal(normalizeCode('Ｂ３ｘ'), 'B3X');
});

t.test('a full-width code finds what its ASCII form names, in a path, a query and a body', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const typed = encodeURIComponent(fullWidth(farm.code));
  const party = expectStatus(t, await world.regulator.get(`/parties/${typed}`), 200, 'GET /parties/{code}');
  t.equal(party.body.code, farm.code);
  const product = expectStatus(
    t,
    await farm.api.post('/products', { partyCode: fullWidth(farm.code.toLowerCase()), name: '腊肉', category: 'cured_meat', unit: 'kg' }),
    201,
    'a product for the party named full-width',
  );
  t.equal(product.body.partyCode, farm.code);
  const listed = expectStatus(t, await world.regulator.get(`/products?partyCode=${typed}`), 200, 'products filtered');
  t.same(
    listed.body.items.map((item: { code: string }) => item.code),
    [product.body.code],
  );
  const lot = await farm.commission(product.body.code, 10);
  const read = expectStatus(t, await farm.api.get(`/lots/${encodeURIComponent(fullWidth(lot))}`), 200, 'a lot named full-width');
  t.equal(read.body.code ?? read.body.lot?.code, lot);
  expectStatus(t, await world.regulator.get(`/trace/${encodeURIComponent(fullWidth(lot))}`), 200, 'traced');
});
