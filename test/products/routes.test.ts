// The product routes through HTTP: request validation names the field, and what the service
// decides leaves as the right status.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('products over HTTP', async (t) => {
  const world = await createWorld(t);
  const operator = await world.party('processor');
  const product = await operator.api.post('/products', {
    partyCode: operator.code,
    name: '奉节腊肉 500g',
    gtin: '9506000134352',
    category: 'cured_meat',
    unit: 'piece',
    shelfLifeDays: 180,
    marks: ['geographical_indication', 'green_food'],
  });
  expectStatus(t, product, 201, 'product with GTIN');
  t.equal(product.body.gtin, '09506000134352', 'stored as GTIN-14');
  t.match(product.body.code, /^M[0-9A-Y]{11}$/);
  const twice = await operator.api.post('/products', {
    partyCode: operator.code,
    name: 'x',
    gtin: '09506000134352',
    category: 'other',
    unit: 'kg',
  });
  expectStatus(t, twice, 409, 'GTIN registered twice');
  t.equal(twice.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(twice.body.errors[0].pointer, '/gtin');
  const checkDigit = await operator.api.post('/products', {
    partyCode: operator.code,
    name: 'x',
    gtin: '9506000134353',
    category: 'other',
    unit: 'kg',
  });
  expectStatus(t, checkDigit, 400, 'GTIN check digit');
  t.equal(checkDigit.body.errors[0].pointer, '/gtin');
  const mark = await operator.api.post('/products', {
    partyCode: operator.code,
    name: 'x',
    category: 'other',
    unit: 'kg',
    marks: ['michelin'],
  });
  expectStatus(t, mark, 400, 'unknown mark');
  t.equal(mark.body.errors[0].pointer, '/marks/0');

  const got = await world.regulator.get(`/products/${product.body.code.toLowerCase()}`);
  expectStatus(t, got, 200, 'read by code in any case');
  t.equal(got.body.name, '奉节腊肉 500g');
  const listed = await world.regulator.get(`/products?partyCode=${operator.code.toLowerCase()}`);
  t.same(
    listed.body.items.map((item: { code: string }) => item.code),
    [product.body.code],
    "a party's products",
  );
  expectStatus(t, await world.regulator.get('/products/MXXXXXXXXXXL'), 404, 'unknown product');
});
