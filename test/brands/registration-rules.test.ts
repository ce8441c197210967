// Who registers which brand: an office issued for a party registers its party's enterprise brands only;
// the county's regional public brands and GI marks are registered by the county's brand office (a key of
// no party), regulators or admins. A brand's Chinese name is its own (unique).
import { sql } from 'drizzle-orm';
import { shanghaiIso } from '../../src/codes/timestamp.js';
import { queryRows } from '../../src/db/client.js';
import { clearOfMidnightInChina } from '../fixtures/china-day.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const today = () => shanghaiIso(new Date()).slice(0, 10);

t.test('a party-bound brand office registers enterprise brands only', async (t) => {
  await clearOfMidnightInChina(60_000);
  const world = await createWorld(t);
  const enterprise = await world.party('processor');
  const own = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office', partyCode: enterprise.code }))).key);
  const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const product = await enterprise.product('piece', { marks: ['geographical_indication'] });

  for (const kind of ['gi', 'regional']) {
    const refused = await own.post('/brands', {
      code: `OWN-${kind.toUpperCase()}`,
      kind,
      nameZh: `自封${kind}`,
      nameEn: 'self-made',
      ownerPartyCode: enterprise.code,
      products: [product],
    });
    expectStatus(t, refused, 403, `a ${kind} brand is not the enterprise's to register`);
    t.equal(refused.body.errors?.[0]?.pointer, '/kind');
    expectStatus(t, await world.regulator.get(`/brands/OWN-${kind.toUpperCase()}`), 404, 'nothing registered');
  }
  const body = { kind: 'enterprise', nameEn: 'Kuizhou', ownerPartyCode: enterprise.code, products: [product] };
  await world.ok(own.post('/brands', { code: 'KZLW', nameZh: '夔州腊味', ...body }));
  const admission = { partyCode: enterprise.code, tier: 'head', validFrom: today(), reason: '自有' };
  await world.ok(own.post('/brands/KZLW/authorizations', admission));
  const [pack] = await issuePacks(world, enterprise, await enterprise.commission(product, 5), 1);
  const scanned = (await world.app.inject({ method: 'GET', url: `/t/${pack}`, headers: { accept: 'application/json' } })).json();
  t.same(scanned.product.marks, [], 'its own enterprise brand earns its product no GI mark');

  await world.ok(
    county.post('/brands', { code: 'FJLR', kind: 'gi', regionCode: '500236', nameZh: '奉节腊肉', nameEn: 'Fengjie Cured Pork' }),
  );
  await world.ok(
    world.regulator.post('/brands', { code: 'FSHP', kind: 'regional', regionCode: '500236', nameZh: '奉上好品', nameEn: 'Fengjie Finest' }),
  );
  await world.ok(
    world.admin.post('/brands', { code: 'FJQC', kind: 'gi', regionCode: '500236', nameZh: '奉节脐橙', nameEn: 'Fengjie Navel Orange' }),
  );
});

t.test("a brand's Chinese name is its own", async (t) => {
  const world = await createWorld(t);
  const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  await world.ok(
    county.post('/brands', { code: 'FJLR', kind: 'gi', regionCode: '500236', nameZh: '奉节腊肉', nameEn: 'Fengjie Cured Pork' }),
  );
  const again = await county.post('/brands', {
    code: 'FJLR2',
    kind: 'regional',
    regionCode: '500236',
    nameZh: ' 奉节腊肉 ',
    nameEn: 'Imitation',
  });
  expectStatus(t, again, 409, 'a second brand of that name (as read: trimmed)');
  t.equal(again.body.errors?.[0]?.pointer, '/nameZh');
  t.match(again.body.detail, '奉节腊肉');
  expectStatus(t, await county.get('/brands/FJLR2'), 404, 'nothing registered');
});

t.test('migration: brands sharing a Chinese name keep it, the later ones marked; a new brand gets none of them', async (t) => {
  const world = await createWorld(t);
  const db = world.database.db;
  await queryRows(db, sql`drop index brands_name_zh_key`);
  await queryRows(db, sql`alter table brands drop column name_shared_before`);
  // registered a minute apart: statements a moment apart may share a clock reading, and a tie goes by code
  for (const [code, nameZh, createdAt] of [
    ['FJLR', '奉节腊肉', '2026-01-05T09:00:00+08:00'],
    ['AAA', '奉节腊肉', '2026-01-05T09:01:00+08:00'],
    ['ZZZ', '奉节腊肉', '2026-01-05T09:02:00+08:00'],
    ['FSHP', '奉上好品', '2026-01-05T09:03:00+08:00'],
  ])
    await queryRows(
      db,
      sql`insert into brands (code, kind, name_zh, name_en, created_at) values (${code}, 'gi', ${nameZh}, ${code}, ${createdAt}::timestamptz)`,
    );
  const [chainBefore] = await queryRows(db, sql`select count(*)::int as n from brands`);
  for (const statement of migrationStatements('0107_brands_name_zh_unique.sql')) await queryRows(db, sql.raw(statement));
  t.same(
    await queryRows(db, sql`select code, name_zh as "nameZh", name_shared_before as "shared" from brands order by code`),
    [
      { code: 'AAA', nameZh: '奉节腊肉', shared: true },
      { code: 'FJLR', nameZh: '奉节腊肉', shared: false },
      { code: 'FSHP', nameZh: '奉上好品', shared: false },
      { code: 'ZZZ', nameZh: '奉节腊肉', shared: true },
    ],
    'every name kept, the first registered of a name its holder',
  );
  t.same(await queryRows(db, sql`select count(*)::int as n from brands`), [chainBefore], 'no brand added or lost');
  const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  expectStatus(
    t,
    await county.post('/brands', { code: 'NEW', kind: 'gi', regionCode: '500236', nameZh: '奉节腊肉', nameEn: 'New' }),
    409,
    'the name is taken',
  );
  await t.rejects(
    queryRows(db, sql`insert into brands (code, kind, name_zh, name_en) values ('RACE', 'gi', '奉节腊肉', 'Race')`),
    'the index refuses it too',
  );
});

t.test('complaints are listed with status=all, as flags are', async (t) => {
  const world = await createWorld(t);
  const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  await world.ok(
    county.post('/brands', { code: 'FJLR', kind: 'gi', regionCode: '500236', nameZh: '奉节腊肉', nameEn: 'Fengjie Cured Pork' }),
  );
  t.same((await world.ok(county.get('/brands/FJLR/complaints?status=all'), 200)).items, [], "a brand's, any status");
  t.same((await world.ok(world.regulator.get('/regulator/complaints?status=all'), 200)).items, [], "the regulators'");
  expectStatus(t, await county.get('/brands/FJLR/complaints?status=some'), 400, 'another word is still a 400');
});

t.test("a member reads its authorization's history without the office's keys", async (t) => {
  const world = await createWorld(t);
  const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office', label: '品牌办' }))).key);
  const member = await world.party('processor');
  await world.ok(
    county.post('/brands', { code: 'FSHP', kind: 'regional', regionCode: '500236', nameZh: '奉上好品', nameEn: 'Fengjie Finest' }),
  );
  await world.ok(
    county.post('/brands/FSHP/authorizations', { partyCode: member.code, tier: 'authorized', validFrom: today(), reason: '准入' }),
  );
  const [own] = (await world.ok(member.api.get('/brands/FSHP/authorizations'), 200)).items;
  t.notOk('keyId' in own.history[0] || 'keyLabel' in own.history[0], 'no keyId or keyLabel for the member');
  for (const [who, api] of [
    ['the office', county],
    ['a regulator', world.regulator],
    ['an admin', world.admin],
  ] as const) {
    const [read] = (await world.ok(api.get('/brands/FSHP/authorizations'), 200)).items;
    t.match(read.history[0], { keyId: String, keyLabel: '品牌办' }, `${who} sees the key`);
  }
});

t.test("an admission starts no earlier than its brand's registration day and no more than a year ahead", async (t) => {
  const registeredAt = '2026-03-10T23:30:00+08:00'; // 15:30 UTC: the registration day is China's, 2026-03-10
  const clock = { at: new Date(registeredAt) };
  const world = await createWorld(t, undefined, { now: () => clock.at });
  const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const created = await world.ok(
    county.post('/brands', { code: 'FSHP', kind: 'regional', regionCode: '500236', nameZh: '奉上好品', nameEn: 'Fengjie Finest' }),
  );
  t.equal(created.createdAt, new Date(registeredAt).toISOString(), "created at the service's clock, not the database's");
  t.equal((await world.ok(county.get('/brands/FSHP'), 200)).createdAt, created.createdAt, 'and stored so');

  clock.at = new Date('2026-05-20T10:00:00+08:00'); // today, in China
  const admit = async (validFrom: string) => {
    const party = await world.party('processor');
    return county.post('/brands/FSHP/authorizations', { partyCode: party.code, tier: 'authorized', validFrom, reason: '准入' });
  };
  const early = expectStatus(t, await admit('2026-03-09'), 422, 'the day before the registration day');
  t.match(early.headers['content-type'], /^application\/problem\+json/);
  t.equal(early.body.type, '/problems/admission-out-of-bounds');
  t.same(early.body.errors, [
    { in: 'body', pointer: '/validFrom', detail: 'must not be before 2026-03-10, the day brand FSHP was registered' },
  ]);
  t.match(early.body.detail, /2026-03-09, before the brand was registered \(2026-03-10\)/);
  expectStatus(t, await admit('2026-03-10'), 201, 'the registration day itself');
  expectStatus(t, await admit('2027-05-20'), 201, 'a year from today');
  const late = expectStatus(t, await admit('2027-05-21'), 422, 'a day more');
  t.same(late.body.errors, [{ in: 'body', pointer: '/validFrom', detail: 'must not be after 2027-05-20, a year from today' }]);
  t.equal(late.body.type, '/problems/admission-out-of-bounds');
  t.equal((await world.ok(county.get('/brands/FSHP/authorizations'), 200)).items.length, 2, 'the refused admitted none');
});
