// The marks a product declares are shown to consumers only where they are earned. The 地理标志 (GI)
// mark, also counted so by the regulators' figures: the lot's owner a member of a GI brand covering the
// product (as its badge is judged), or holding a GI use permit declared on its approved application to
// join. The 绿色食品 and 有机产品 marks: the owner holding such a certification on the day the lot was made.
import { shanghaiIso } from '../../src/codes/timestamp.js';
import { clearOfMidnightInChina } from '../fixtures/china-day.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { type Actor, BRANDS_REGISTERED, createWorld, expectStatus, registrationBody, settableClock } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const inTwoYears = () => new Date(Date.now() + 2 * 365 * 86_400_000).toISOString().slice(0, 10);

t.test('the GI mark shows, and counts, only where a GI brand or a GI use permit grants it', async (t) => {
  await clearOfMidnightInChina(60_000);
  // its brand registered before 2026, admitting its member from 2026-01-01
  const clock = settableClock();
  const world = await createWorld(t, undefined, { now: clock.now });
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const scan = (code: string, accept = 'application/json') =>
    world.app.inject({ method: 'GET', url: `/t/${code}`, headers: { accept, 'accept-language': 'zh-CN', 'user-agent': 'phone' } });
  const marksOf = async (code: string) => (await scan(code)).json().product.marks;
  const pageOf = async (code: string) => (await scan(code, 'text/html')).body;
  const giRegistered = async () =>
    (await world.ok(world.regulator.get('/regulator/figures/activity'), 200)).overall.geographicalIndication.registered;
  /** A pack of a new lot of the party's product. */
  const packOf = async (party: Actor, product: string) => (await issuePacks(world, party, await party.commission(product, 5), 1))[0];

  const outsider = await world.party('processor');
  const declared = await outsider.product('piece', { marks: ['geographical_indication', 'green_food'] });
  const outsiderPack = await packOf(outsider, declared);
  t.same(await marksOf(outsiderPack), [], "a party in no GI brand, with no permit nor certification: its product's marks are not shown");
  t.notMatch(await pageOf(outsiderPack), '地理标志产品', 'nor on the page');
  t.notMatch(await pageOf(outsiderPack), '绿色食品', 'the green-food mark neither');
  t.same(
    (await world.ok(outsider.api.get(`/products/${declared}`), 200)).marks,
    ['geographical_indication', 'green_food'],
    'the product keeps what it declared',
  );
  t.equal(await giRegistered(), 0, 'nor is it counted as GI');

  const member = await world.party('processor');
  const branded = await member.product('piece', { marks: ['geographical_indication'] });
  await clock.on(BRANDS_REGISTERED, () =>
    world.brand(
      office,
      { code: 'GI-1', kind: 'gi', nameZh: '奉节腊肉', nameEn: 'Fengjie Cured Pork', products: [branded] },
      { registeredNow: true },
    ),
  );
  const admitted = { partyCode: member.code, tier: 'authorized', validFrom: '2026-01-01', reason: '准入' };
  await world.ok(office.post('/brands/GI-1/authorizations', admitted));
  const memberPack = await packOf(member, branded);
  t.same(await marksOf(memberPack), ['geographical_indication'], 'a member of a GI brand covering the product: the mark shows');
  t.match(await pageOf(memberPack), '<span class="badge geographical_indication">地理标志产品</span>');
  t.equal(await giRegistered(), 1, 'and counts');

  const exit = { state: 'exited', reason: '退出' };
  expectStatus(t, await office.post(`/brands/GI-1/authorizations/${member.code}/state`, exit), 200, 'the member exits');
  t.same(await marksOf(memberPack), [], 'the exit withdraws the mark with the badge');
  t.notMatch(await pageOf(memberPack), '地理标志产品');
  t.equal(await giRegistered(), 0, 'and it no longer counts');

  const applied = await client(world.app).post(
    '/registrations',
    registrationBody({ certifications: [{ type: 'gi_use_permit', number: 'GI-USE-1', validUntil: inTwoYears() }] }),
  );
  expectStatus(t, applied, 201, 'an enterprise holding a GI use permit applies');
  const { partyCode } = (await world.ok(world.regulator.post(`/regulator/registrations/${applied.body.id}/approve`, {}), 200)) as {
    partyCode: string;
  };
  const permitted = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode }))).key);
  const permittedProduct = (
    await world.ok(
      permitted.post('/products', { partyCode, name: '腊肉', category: 'cured_meat', unit: 'piece', marks: ['geographical_indication'] }),
    )
  ).code as string;
  const made = await world.ok(
    permitted.post('/events', {
      type: 'commission',
      eventTime: new Date().toISOString(),
      lots: [{ productCode: permittedProduct, quantity: 5 }],
    }),
  );
  const permittedActor = { ...outsider, code: partyCode, api: permitted } as Actor;
  const [permitPack] = await issuePacks(world, permittedActor, made.createdLotCodes[0], 1);
  t.same(await marksOf(permitPack), ['geographical_indication'], 'a valid GI use permit grants the mark in no brand');
  t.equal(await giRegistered(), 1, 'and counts');
});

t.test('green-food and organic marks show only while the maker holds that certification', async (t) => {
  await clearOfMidnightInChina(60_000);
  const world = await createWorld(t);
  const scan = (code: string, accept = 'application/json') =>
    world.app.inject({ method: 'GET', url: `/t/${code}`, headers: { accept, 'accept-language': 'zh-CN', 'user-agent': 'phone' } });
  const declared = { marks: ['green_food', 'organic'] };

  const farm = await world.party('farm');
  const uncertified = await farm.product('piece', declared);
  const [farmPack] = await issuePacks(world, farm, await farm.commission(uncertified, 5), 1);
  t.same((await scan(farmPack)).json().product.marks, [], 'a farm with no certification: neither mark is shown');
  const page = (await scan(farmPack, 'text/html')).body;
  t.notMatch(page, '绿色食品', 'no 绿色食品 badge');
  t.notMatch(page, '有机产品', 'no 有机产品 badge');
  t.same((await world.ok(farm.api.get(`/products/${uncertified}`), 200)).marks, declared.marks, 'its product keeps what it declared');

  const applied = await client(world.app).post(
    '/registrations',
    registrationBody({
      certifications: [
        { type: 'green_food', number: 'LB-15-1', validFrom: shanghaiIso(new Date()).slice(0, 10), validUntil: inTwoYears() },
      ],
    }),
  );
  expectStatus(t, applied, 201, 'an enterprise certified 绿色食品 applies');
  const { partyCode } = (await world.ok(world.regulator.post(`/regulator/registrations/${applied.body.id}/approve`, {}), 200)) as {
    partyCode: string;
  };
  const certified = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode }))).key);
  const product = (
    await world.ok(certified.post('/products', { partyCode, name: '腊肉', category: 'cured_meat', unit: 'piece', ...declared }))
  ).code as string;
  const made = await world.ok(
    certified.post('/events', { type: 'commission', eventTime: new Date().toISOString(), lots: [{ productCode: product, quantity: 5 }] }),
  );
  const [pack] = await issuePacks(world, { ...farm, code: partyCode, api: certified } as Actor, made.createdLotCodes[0], 1);
  t.same((await scan(pack)).json().product.marks, ['green_food'], 'its green-food certification earns that mark, not the organic one');
  const certifiedPage = (await scan(pack, 'text/html')).body;
  t.match(certifiedPage, '绿色食品');
  t.notMatch(certifiedPage, '有机产品');

  const before = await world.ok(
    certified.post('/events', {
      type: 'commission',
      eventTime: new Date().toISOString(),
      lots: [{ productCode: product, quantity: 5, productionDate: '2020-01-01' }],
    }),
  );
  const [oldPack] = await issuePacks(world, { ...farm, code: partyCode, api: certified } as Actor, before.createdLotCodes[0], 1);
  t.same((await scan(oldPack)).json().product.marks, [], 'a lot made before the certification was valid earns none');
});
