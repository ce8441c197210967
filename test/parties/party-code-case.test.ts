import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a party code in a request is read whatever its case, as events read it', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const typed = ` ${farm.code.toLowerCase()} `;

  t.test('products and locations: an operator naming its own code, an admin naming any', async (t) => {
    for (const api of [farm.api, world.admin]) {
      const product = expectStatus(
        t,
        await api.post('/products', { partyCode: typed, name: '腊肉', category: 'cured_meat', unit: 'kg' }),
        201,
        'product',
      );
      t.equal(product.body.partyCode, farm.code);
      const location = expectStatus(
        t,
        await api.post('/locations', { partyCode: typed, name: '一号圈舍', kind: 'barn', regionCode: '500236' }),
        201,
        'location',
      );
      t.equal(location.body.partyCode, farm.code);
    }
    const products = expectStatus(t, await farm.api.get(`/products?partyCode=${encodeURIComponent(typed)}`), 200, 'products listed');
    t.same(
      products.body.items.map((product: { partyCode: string }) => product.partyCode),
      [farm.code, farm.code],
      'listed by a lower-case code',
    );
    const locations = expectStatus(t, await farm.api.get(`/locations?partyCode=${encodeURIComponent(typed)}`), 200, 'locations listed');
    t.equal(locations.body.items.length, 2, 'listed by a lower-case code');
  });

  t.test('api keys', async (t) => {
    const issued = expectStatus(t, await world.admin.post('/api-keys', { role: 'operator', partyCode: typed }), 201, 'an operator key');
    t.equal(issued.body.partyCode, farm.code);
  });

  t.test('brands: owner, admission, listing and state change', async (t) => {
    const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
    const owned = await office.post('/brands', { code: 'OWNED', kind: 'enterprise', nameZh: '自家', nameEn: 'Own', ownerPartyCode: typed });
    expectStatus(t, owned, 201, 'a brand owned by a lower-case code');
    t.equal(owned.body.ownerPartyCode, farm.code);
    expectStatus(
      t,
      await office.post('/brands', { code: 'FSHP', kind: 'regional', nameZh: '奉上好品', nameEn: 'Fengjie Finest' }),
      201,
      'brand',
    );
    const admitted = await office.post('/brands/FSHP/authorizations', {
      partyCode: typed.trim(),
      tier: 'authorized',
      validFrom: '2026-01-01',
      reason: '准入审核通过',
    });
    const padded = await office.post('/brands/FSHP/authorizations', {
      partyCode: typed.padEnd(33),
      tier: 'authorized',
      validFrom: '2026-01-01',
      reason: '准入审核通过',
    });
    expectStatus(t, padded, 400, 'a member code is at most 32 characters as typed');
    expectStatus(t, admitted, 201, 'admitted by a lower-case code');
    t.equal(admitted.body.partyCode, farm.code);
    const listed = expectStatus(t, await office.get(`/brands/FSHP/authorizations?partyCode=${farm.code.toLowerCase()}`), 200, 'listed');
    t.equal(listed.body.items.length, 1);
    const suspended = await office.post(`/brands/FSHP/authorizations/${farm.code.toLowerCase()}/state`, {
      state: 'suspended',
      reason: '抽检不合格',
    });
    expectStatus(t, suspended, 200, 'suspended by a lower-case code');
  });
});
