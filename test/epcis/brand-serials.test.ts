// Serials of a brand's product carry the brand as item codes do: a party commissions them through
// EPCIS only while admitted to every brand covering the product, as it issues item codes natively.
import { sql } from 'drizzle-orm';
import { createRepositories } from '../../src/app.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { chinaDay } from '../../src/codes/timestamp.js';
import { queryRows } from '../../src/db/client.js';
import { captured, epcisDocument as doc } from '../fixtures/epcis.js';
import { holdLocked, meetInOrder } from '../fixtures/locks.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/** The brands here: a GI mark of the county's, 奉节腊肉. */
const fengjiePork = { kind: 'gi', nameZh: '奉节腊肉', nameEn: 'Fengjie Cured Pork' } as const;

const commissioning = (epcList: string[], quantityList?: { epcClass: string; quantity: number; uom: string }[]) => ({
  type: 'ObjectEvent',
  eventTime: new Date(Date.now() - 60_000).toISOString(),
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  epcList,
  ...(quantityList ? { quantityList } : {}),
});

t.test('serials of a branded product are commissioned over EPCIS only by a party admitted to the brand', async (t) => {
  const world = await createWorld(t);
  const office = await world.brandOffice();
  const maker = await world.party('processor');
  const gtin = completeGs1('0695512399001');
  const product = await maker.product('piece', { gtin });
  const unbranded = completeGs1('0695512399002');
  await maker.product('piece', { gtin: unbranded });
  await world.brand(office, { code: 'FJLR', ...fengjiePork, products: [product] });

  const serial = (n: number, under = gtin) => `https://id.gs1.org/01/${under}/21/S${n}`;
  const refused = await captured(world, maker.key, doc([commissioning([serial(1), serial(2)])]));
  t.match(refused.job, { success: false, captured: 0 }, 'never admitted: the serials are refused');
  t.match(refused.job.errors, [{ pointer: '/epcisBody/eventList/0/epcList/0' }]);
  t.match(JSON.stringify(refused.job.errors), /FJLR.*never admitted/, 'naming the brand and why');
  const single = await maker.api.post('/epcis/events', {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    ...commissioning([serial(3)]),
  });
  expectStatus(t, single, 403, 'POST /epcis/events refuses them too');
  t.equal(single.body.type, '/problems/brand-not-admitted');
  t.match(single.body.errors, [{ pointer: '/epcList/0' }]);
  const native = await maker.commission(product, 5);
  const items = await maker.api.post(`/lots/${native}/items`, { count: 1 });
  expectStatus(t, items, 403, 'as the native door refuses its item codes');
  t.equal(items.body.type, '/problems/brand-not-admitted');

  const lot = await captured(
    world,
    maker.key,
    doc([commissioning([], [{ epcClass: `https://id.gs1.org/01/${gtin}/10/L1`, quantity: 5, uom: 'H87' }])]),
  );
  t.match(lot.job, { success: true, captured: 1 }, 'a lot (no serials) is commissioned as natively, where lots are not held to the brand');
  const plain = await captured(world, maker.key, doc([commissioning([serial(1, unbranded)])]));
  t.match(plain.job, { success: true, captured: 1 }, 'serials of an unbranded product as ever');

  await world.ok(
    office.post('/brands/FJLR/authorizations', { partyCode: maker.code, tier: 'authorized', validFrom: '2026-01-01', reason: '准入' }),
  );
  const admitted = await captured(world, maker.key, doc([commissioning([serial(4), serial(5)])]));
  t.match(admitted.job, { success: true, captured: 1 }, 'admitted: its serials are commissioned');
  await world.ok(office.post(`/brands/FJLR/authorizations/${maker.code}/state`, { state: 'suspended', reason: '抽检不合格' }), 200);
  const suspended = await captured(world, maker.key, doc([commissioning([serial(6)])]));
  t.match(suspended.job, { success: false, captured: 0 }, 'suspended: refused again');
  t.match(JSON.stringify(suspended.job.errors), /FJLR.*suspended/);
  const known = await captured(world, maker.key, doc([{ ...commissioning([serial(4)]), action: 'OBSERVE', bizStep: 'inspecting' }]));
  t.match(known.job, { success: true, captured: 1 }, 'serials commissioned while admitted are still named by later events');
});

t.test('a packing into a new parent that is a serial of a branded product commissions it: only a member packs into one', async (t) => {
  const world = await createWorld(t);
  const office = await world.brandOffice();
  const maker = await world.party('processor');
  const other = await world.party('processor');
  const gtin = completeGs1('0695512399011');
  const product = await maker.product('piece', { gtin });
  const unbranded = completeGs1('0695512399012');
  await maker.product('piece', { gtin: unbranded });
  const foreign = completeGs1('0695512399013');
  await other.product('piece', { gtin: foreign });
  // admitted once, for a period that has ended
  await world.brand(
    office,
    { code: 'FJLR2', ...fengjiePork, products: [product] },
    { members: [{ partyCode: maker.code, validUntil: '2026-01-31' }] },
  );
  const packing = (parentID: string, child: string) => ({
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    type: 'AggregationEvent',
    eventTime: new Date(Date.now() - 60_000).toISOString(),
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    bizStep: 'packing',
    parentID,
    childEPCs: [child],
  });
  const parent = `https://id.gs1.org/01/${gtin}/21/PARENT2`;
  const refused = await maker.api.post('/epcis/events', packing(parent, `https://id.gs1.org/01/${unbranded}/21/C2`));
  expectStatus(t, refused, 403, 'a new parent that is a serial of the branded product is refused to a party not admitted');
  t.equal(refused.body.type, '/problems/brand-not-admitted');
  t.match(refused.body.errors, [{ pointer: '/parentID', detail: /FJLR2.*not valid today/ }]);
  const scan = await world.app.inject({ method: 'GET', url: `/01/${gtin}/21/PARENT2`, headers: { accept: 'application/json' } });
  t.equal(scan.statusCode, 404, 'nothing of it was stored');

  const counterfeit = await maker.api.post(
    '/epcis/events',
    packing(`https://id.gs1.org/01/${foreign}/21/P3`, `https://id.gs1.org/01/${unbranded}/21/C3`),
  );
  expectStatus(t, counterfeit, 403, 'nor is a new parent under another party’s GTIN commissioned');
  t.match(counterfeit.body.errors, [{ pointer: '/parentID', detail: new RegExp(other.code) }]);

  await world.ok(
    office.post('/brands/FJLR2/authorizations', {
      partyCode: maker.code,
      tier: 'authorized',
      validFrom: chinaDay(new Date()),
      reason: '续期',
    }),
  );
  const packed = await maker.api.post('/epcis/events', packing(parent, `https://id.gs1.org/01/${unbranded}/21/C2`));
  expectStatus(t, packed, 201, 'admitted: it packs into it');
  const lot = await maker.api.get(`/trace/${encodeURIComponent(parent)}`);
  expectStatus(t, lot, 200, 'it is traced');
  t.match(
    lot.body.nodes.find((node: { depth: number }) => node.depth === 0),
    { kind: 'container', productCode: product },
    'the parent is a pack of the product its GTIN names',
  );
});

t.test('an EPCIS error declaration and its corrective event move no coded lot to a branded product', async (t) => {
  const world = await createWorld(t);
  const office = await world.brandOffice();
  const maker = await world.party('processor');
  const gtin = completeGs1('0695512399031');
  const branded = await maker.product('piece', { gtin });
  const unbranded = completeGs1('0695512399032');
  const plain = await maker.product('piece', { gtin: unbranded });
  await world.brand(office, { code: 'FJLR', ...fengjiePork, products: [branded] }, { members: [maker.code] });
  const post = (event: object) =>
    maker.api.post('/epcis/events', { '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'], ...event });
  const lotOf = (under: string) => ({ epcClass: `https://id.gs1.org/01/${under}/10/E1`, quantity: 5, uom: 'H87' });
  const original = { ...commissioning([], [lotOf(unbranded)]), eventID: 'urn:uuid:6d3f1c2a-0000-4000-8000-0000000000e1' };
  expectStatus(t, await post(original), 201, 'a lot of the unbranded product commissioned');
  const [{ lotCode }] = await queryRows<{ lotCode: string }>(
    world.database.db,
    sql`select lot_code as "lotCode" from lot_identifiers where value = ${lotOf(unbranded).epcClass}`,
  );
  await world.ok(maker.api.post(`/lots/${lotCode}/items`, { count: 1 }), 202);
  await world.app.services.items.idle();
  const packCode = (await createRepositories(world.database).items.firstCodeOfLot(lotCode)) as string;
  await world.ok(office.post(`/brands/FJLR/authorizations/${maker.code}/state`, { state: 'suspended', reason: '抽检不合格' }), 200);

  const corrective = { ...commissioning([], [lotOf(gtin)]), eventID: 'urn:uuid:6d3f1c2a-0000-4000-8000-0000000000e2' };
  const declaration = { declarationTime: new Date().toISOString(), reason: 'incorrect_data', correctiveEventIDs: [corrective.eventID] };
  expectStatus(t, await post({ ...original, errorDeclaration: declaration }), 200, 'declared in error');
  expectStatus(t, await post(corrective), 201, 'its corrective event makes a lot of the branded product: a lot labels no pack');
  t.equal((await maker.api.get(`/lots/${lotCode}`)).body.productCode, plain, 'the coded lot keeps its product');
  const scanned = await world.app.inject({
    method: 'GET',
    url: `/t/${packCode}`,
    headers: { accept: 'application/json', 'user-agent': 'phone' },
  });
  t.same(scanned.json().brands, [], 'and its packs no badge');
});

t.test('an authorization row with no change is never admitted at the EPCIS door as at the native one', async (t) => {
  const world = await createWorld(t);
  const office = await world.brandOffice();
  const maker = await world.party('processor');
  const gtin = completeGs1('0695512399031');
  const product = await maker.product('piece', { gtin });
  await world.brand(office, { code: 'BARE', ...fengjiePork, products: [product] });
  // an admitted row written straight into the database, behind the brand office's back: no change, no admission
  await queryRows(
    world.database.db,
    sql`insert into brand_authorizations (id, brand_code, party_code, tier, valid_from, valid_until, state, state_since)
      values (${`bare-${maker.code}`}, 'BARE', ${maker.code}, 'authorized', '2026-01-01', null, 'admitted', '2026-01-01')`,
  );
  const reasonOf = (detail: string) => detail.slice(detail.indexOf(' — ') + 3);
  const native = await maker.api.post(`/lots/${await maker.commission(product, 5)}/items`, { count: 1 });
  expectStatus(t, native, 403, 'no item codes under it');
  t.equal(reasonOf(native.body.detail), '奉节腊肉 (BARE): never admitted', 'the native door: never admitted');
  const single = await maker.api.post('/epcis/events', {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    ...commissioning([`https://id.gs1.org/01/${gtin}/21/B1`]),
  });
  expectStatus(t, single, 403, 'no serials under it');
  t.equal(single.body.type, '/problems/brand-not-admitted');
  t.equal(reasonOf(single.body.detail), reasonOf(native.body.detail), 'the EPCIS door gives the same reason');
});

/** A brand covering a new product of a new processor's, with its GTIN; `serial(n)` a Digital Link of one of its packs. */
async function brandedSerials(world: Awaited<ReturnType<typeof createWorld>>, brandCode: string, gtin: string) {
  const office = await world.brandOffice();
  const maker = await world.party('processor');
  const product = await maker.product('piece', { gtin });
  await world.brand(office, { code: brandCode, ...fengjiePork, products: [product] });
  const admit = (validFrom: string) =>
    world.ok(office.post(`/brands/${brandCode}/authorizations`, { partyCode: maker.code, tier: 'authorized', validFrom, reason: '准入' }));
  const suspend = () =>
    office.post(`/brands/${brandCode}/authorizations/${maker.code}/state`, { state: 'suspended', reason: '抽检不合格' });
  const serial = (n: number) => `https://id.gs1.org/01/${gtin}/21/S${n}`;
  const commission = (n: number) =>
    maker.api.post('/epcis/events', {
      '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
      ...commissioning([serial(n)]),
    });
  return { maker, admit, suspend, serial, commission };
}

t.test(
  'a scanned serial of a branded product made while its owner was not admitted raises a brand misuse flag, as an item code does',
  async (t) => {
    const world = await createWorld(t);
    const gtin = completeGs1('0695512399041');
    const { maker, admit, commission } = await brandedSerials(world, 'MISUSE', gtin);
    await admit('2026-01-01');
    const lotOf = async (n: number) => {
      expectStatus(t, await commission(n), 201, 'commissioned while admitted');
      const [{ code }] = await queryRows<{ code: string }>(
        world.database.db,
        sql`select lot_code as code from lot_identifiers where value like ${`%/21/S${n}`}`,
      );
      return code;
    };
    const scan = (n: number) =>
      world.app.inject({ method: 'GET', url: `/01/${gtin}/21/S${n}`, headers: { accept: 'application/json', 'user-agent': 'phone' } });
    const flagsOf = async (lot: string) => (await world.regulator.get(`/regulator/flags?kind=brand_misuse&lotCode=${lot}`)).body.items;
    const code = await lotOf(1);
    // dated, behind the service's back, before the admission: as serials captured before the check was kept would be
    await queryRows(world.database.db, sql`update lots set production_date = '2025-12-31' where code = ${code}`);
    const scanned = await scan(1);
    t.equal(scanned.statusCode, 200);
    t.same(scanned.json().brands, [], 'no badge');
    t.match(await flagsOf(code), [
      { kind: 'brand_misuse', lotCode: code, partyCode: maker.code, detail: /MISUSE\): produced on 2025-12-31/ },
    ]);
    t.match(
      (await world.ok(world.regulator.get('/brands/MISUSE/flags'), 200)).items,
      [{ lotCode: code, findings: [/MISUSE\): produced on 2025-12-31/] }],
      'the brand’s flags, as its office reads them',
    );
    const rightful = await lotOf(2);
    t.same(
      (await scan(2)).json().brands.map((brand: { code: string }) => brand.code),
      ['MISUSE'],
      'a serial made while admitted shows its badge',
    );
    t.same(await flagsOf(rightful), [], 'and is no misuse');
  },
);

t.test('a serial commissioned while a suspension is being recorded waits for it, and is refused (PostgreSQL)', onPostgres, async (t) => {
  const world = await createWorld(t, 'postgres');
  const gtin = completeGs1('0695512399051');
  const { admit, suspend, commission } = await brandedSerials(world, 'RACE', gtin);
  await admit('2026-01-01');
  // the suspension holds its authorization row, written, while it waits for the brand office's audit chain
  const hold = holdLocked(world, sql`select 1 from audit_heads where party_code = 'system' for update`);
  const [suspended, serial] = await meetInOrder(world, hold, suspend, () => commission(1), 'on the hold');
  expectStatus(t, suspended, 200, 'the suspension is stored');
  expectStatus(t, serial, 403, 'the serial, read once the suspension is, is refused');
  t.equal(serial.body.type, '/problems/brand-not-admitted');
  t.match(serial.body.detail, /RACE\): suspended/);
  const scan = await world.app.inject({ method: 'GET', url: `/01/${gtin}/21/S1`, headers: { accept: 'application/json' } });
  t.equal(scan.statusCode, 404, 'nothing of it was stored');
});
