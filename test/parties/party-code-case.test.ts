import type { Test } from 'tap';
import { BRANDS_REGISTERED, createWorld, expectStatus } from '../fixtures/world.js';
import { type Client, client } from '../helper.js';
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
      // registered before the admissions below start
      await world.onClock(BRANDS_REGISTERED, () =>
        office.post('/brands', { code: 'FSHP', kind: 'regional', regionCode: '500236', nameZh: '奉上好品', nameEn: 'Fengjie Finest' }),
      ),
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

t.test('a lot, product, location or party code in a path, query or body is read whatever its case and padding', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const processor = await world.party('processor');
  const pigs = await farm.product('head');
  const lot = await farm.commission(pigs, 10);
  await world.handOver(farm, processor, lot, 4);
  const typed = (code: string) => encodeURIComponent(` ${code.toLowerCase()} `);
  const codes = async (t: Test, api: Client, url: string, field = 'code') =>
    (expectStatus(t, await api.get(url), 200, url).body.items as Record<string, string>[]).map((item) => item[field]);

  t.test('lots, shipments and events', async (t) => {
    const got = expectStatus(t, await farm.api.get(`/lots/${typed(lot)}`), 200, 'a lot by a lower-case code in its path');
    t.equal(got.body.code, lot);
    t.same(await codes(t, farm.api, `/lots?partyCode=${typed(farm.code)}&productCode=${typed(pigs)}`), [lot], 'lots by owner and product');
    t.same(await codes(t, farm.api, `/shipments?partyCode=${typed(farm.code)}`, 'fromPartyCode'), [farm.code], 'shipments by party');
    t.same(await codes(t, farm.api, `/events?partyCode=${typed(farm.code)}&lotCode=${typed(lot)}`, 'type'), ['ship', 'commission']);
    for (const blank of ['', '%20']) {
      t.same(await codes(t, farm.api, `/lots?partyCode=${blank}&productCode=${blank}`), [lot], 'a blank filter filters nothing');
      t.same(await codes(t, farm.api, `/shipments?partyCode=${blank}`, 'fromPartyCode'), [farm.code], 'a blank filter filters nothing');
      t.same(await codes(t, farm.api, `/events?partyCode=${blank}&lotCode=${blank}`, 'type'), ['ship', 'commission']);
    }
  });

  t.test('RFID readers and read points', async (t) => {
    const location = await farm.location('cold_store');
    const reader = await farm.api.post('/rfid/readers', { partyCode: ` ${farm.code.toLowerCase()} `, hostName: 'FX9600-CASE' });
    expectStatus(t, reader, 201, 'a reader registered by a lower-case code');
    t.equal(reader.body.partyCode, farm.code);
    const readPoint = await farm.api.post('/rfid/read-points', {
      partyCode: farm.code.toLowerCase(),
      locationCode: ` ${location.toLowerCase()}`,
      name: '冷库 1 号门',
      role: 'observe',
      antennas: [{ readerId: reader.body.id, antenna: 1 }],
    });
    expectStatus(t, readPoint, 201, 'a read point by lower-case party and location codes');
    t.equal(readPoint.body.locationCode, location);
    for (const partyCode of [typed(farm.code), '', '%20']) {
      t.same(await codes(t, farm.api, `/rfid/readers?partyCode=${partyCode}`, 'id'), [reader.body.id], `readers, partyCode=${partyCode}`);
      t.same(await codes(t, farm.api, `/rfid/read-points?partyCode=${partyCode}`, 'id'), [readPoint.body.id], 'read points');
    }
  });

  t.test('credit', async (t) => {
    const score = expectStatus(t, await farm.api.get(`/credit/${typed(farm.code)}`), 200, 'a score by a lower-case code');
    t.equal(score.body.partyCode, farm.code);
    expectStatus(t, await farm.api.get(`/credit/${typed(farm.code)}/history`), 200, 'its history');
  });

  t.test('item codes and complaints about them', async (t) => {
    const job = expectStatus(t, await farm.api.post(`/lots/${typed(lot)}/items`, { count: 1 }), 202, 'issued for a lower-case lot code');
    t.equal(job.body.lotCode, lot);
    await world.app.services.items.idle();
    const [pack] = ((await farm.api.get(`/code-jobs/${job.body.id}/codes.csv`)).body as string).trim().split('\n')[1].split(',');
    expectStatus(t, await farm.api.get(`/items/${typed(pack)}/qr.svg`), 200, 'the QR of a lower-case code');
    const filed = await client(world.app).post('/complaints', { code: ` ${pack.toLowerCase()} `, category: 'quality', text: '有异味' });
    expectStatus(t, filed, 201, 'a complaint about a lower-case code');
    t.equal(filed.body.code, pack);
    t.same(await codes(t, world.regulator, '/regulator/complaints', 'lotCode'), [lot], 'tied to the lot of the code');
    t.same(await codes(t, world.regulator, `/regulator/complaints?lotCode=${typed(lot)}`, 'lotCode'), [lot], 'listed by its lot');
  });
});
