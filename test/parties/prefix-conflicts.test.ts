// Company prefixes and GTINs stored before prefixes were held apart and GTINs to their prefix's owner
// (or written around the service) are never checked again by a registration: a regulator or admin
// lists them, to settle each with the parties concerned.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('overlapping company prefixes and GTINs under another party’s prefix, stored earlier, are listed', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const overlapping = await world.party('processor');
  const squatter = await world.party('distributor');
  const clean = await world.party('processor');
  const { db } = world.database;
  const squatted = await squatter.product('kg', { gtin: completeGs1('690123400001') });
  await clean.product('kg', { gtin: completeGs1('695555500002') });
  // as a database of a version before the checks holds them
  const prefixes = new Map([
    [owner.code, '6901234'],
    [overlapping.code, '69012345'],
    [clean.code, '6955555'],
  ]);
  for (const [code, prefix] of prefixes) await db.execute(sql`update parties set gs1_company_prefix = ${prefix} where code = ${code}`);

  const listed = expectStatus(t, await world.regulator.get('/regulator/company-prefix-conflicts'), 200, 'a regulator lists them');
  const [first, second] = [owner.code, overlapping.code].sort();
  t.same(
    listed.body.overlappingPrefixes,
    [{ partyCode: first, prefix: prefixes.get(first), otherPartyCode: second, otherPrefix: prefixes.get(second) }],
    'each overlapping pair once',
  );
  t.same(listed.body.gtinsUnderAnotherPartysPrefix, [
    {
      productCode: squatted,
      gtin: `0${completeGs1('690123400001')}`,
      partyCode: squatter.code,
      prefix: '6901234',
      prefixPartyCode: owner.code,
    },
  ]);
  expectStatus(t, await world.admin.get('/regulator/company-prefix-conflicts'), 200, 'so does an admin');
  expectStatus(t, await owner.api.get('/regulator/company-prefix-conflicts'), 403, 'an operator does not');
});

t.test('the lists come a page at a time: limit (at most 1,000) and offset apply to each', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const squatter = await world.party('distributor');
  const gtins = ['690123400001', '690123400002', '690123400003'].map(completeGs1);
  for (const gtin of gtins) await squatter.product('kg', { gtin });
  await world.database.db.execute(sql`update parties set gs1_company_prefix = '6901234' where code = ${owner.code}`);
  const listed = async (query: string) =>
    expectStatus(
      t,
      await world.regulator.get(`/regulator/company-prefix-conflicts?${query}`),
      200,
      query,
    ).body.gtinsUnderAnotherPartysPrefix.map((row: { gtin: string }) => row.gtin);
  t.same(
    await listed('limit=2'),
    gtins.slice(0, 2).map((gtin) => `0${gtin}`),
    'the first page',
  );
  t.same(
    await listed('limit=2&offset=2'),
    gtins.slice(2).map((gtin) => `0${gtin}`),
    'the rest',
  );
  for (const query of ['limit=0', 'limit=1001', 'offset=-1']) {
    const reply = await world.regulator.get(`/regulator/company-prefix-conflicts?${query}`);
    expectStatus(t, reply, 400, query);
    t.match(reply.body.errors, [{ in: 'querystring', pointer: `/${query.split('=')[0]}` }], `${query} at its parameter`);
  }
});

t.test('GLNs stored earlier under another party’s prefix, or a site named by another party’s GLN, are listed', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const squatter = await world.party('distributor');
  const other = await world.party('farm');
  const { db } = world.database;
  const gln = (data: string) => completeGs1(data);
  const site = async (party: typeof owner, code: string) =>
    (
      await world.ok(
        party.api.post('/locations', { partyCode: party.code, name: '库房', kind: 'cold_store', regionCode: '500236', gln: gln(code) }),
      )
    ).code as string;
  // as a database of a version before the checks holds them
  const underPrefix = await site(squatter, '690123400001');
  const ofOther = await site(squatter, '695000000001');
  await site(owner, '690123400009');
  await db.execute(sql`update parties set gln = ${gln('690123400002')} where code = ${squatter.code}`);
  await db.execute(sql`update parties set gln = ${gln('690123400003')} where code = ${owner.code}`);
  await db.execute(sql`update parties set gln = ${gln('695000000001')} where code = ${other.code}`);
  await db.execute(sql`update parties set gs1_company_prefix = '6901234' where code = ${owner.code}`);

  const listed = expectStatus(t, await world.regulator.get('/regulator/company-prefix-conflicts'), 200, 'a regulator lists them');
  t.same(
    listed.body.glnsUnderAnotherPartysPrefix,
    [
      { gln: gln('690123400001'), partyCode: squatter.code, locationCode: underPrefix, prefix: '6901234', prefixPartyCode: owner.code },
      { gln: gln('690123400002'), partyCode: squatter.code, locationCode: null, prefix: '6901234', prefixPartyCode: owner.code },
    ],
    'a site’s GLN and a party’s own, not the prefix owner’s',
  );
  t.same(listed.body.locationGlnsOfAnotherParty, [
    { gln: gln('695000000001'), locationCode: ofOther, partyCode: squatter.code, glnPartyCode: other.code },
  ]);
  t.same(listed.body.gtinsUnderAnotherPartysPrefix, [], 'no GTINs');
  const paged = expectStatus(t, await world.regulator.get('/regulator/company-prefix-conflicts?limit=1&offset=1'), 200, 'paged');
  t.same(
    paged.body.glnsUnderAnotherPartysPrefix.map((row: { gln: string }) => row.gln),
    [gln('690123400002')],
    'a page of them',
  );
});

t.test('lots captured earlier under a GTIN another party owns, by its product or its prefix, are listed', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const brand = await world.party('processor');
  const squatter = await world.party('distributor');
  const { post } = epcisRequests(world);
  const underPrefix = completeGs1('0690123400001');
  const ofProduct = completeGs1('0695555500002');
  const unowned = completeGs1('0697777700003');
  const commission = async (party: typeof owner, epcs: string[], classes: string[] = []) => {
    const reply = await post(party.key, '/epcis/events', {
      '@context': EPCIS_CONTEXT,
      type: 'ObjectEvent',
      eventTime: '2026-03-01T08:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: 'commissioning',
      epcList: epcs,
      quantityList: classes.map((epcClass) => ({ epcClass, quantity: 5, uom: 'KGM' })),
    });
    t.equal(reply.statusCode, 201, reply.body);
  };
  const lotOf = async (identifier: string) =>
    (
      (await world.database.db.execute(
        sql`select lot_code from lot_identifiers where kind = 'epc' and value = ${identifier}`,
      )) as unknown as { rows: { lot_code: string }[] }
    ).rows[0].lot_code;
  // captured while no party owned the GTINs: two serials of one lot-less class count once per lot
  const serials = [`https://id.gs1.org/01/${underPrefix}/21/S1`, `https://id.gs1.org/01/${underPrefix}/21/S2`];
  await commission(squatter, serials, [`https://id.gs1.org/01/${ofProduct}/10/L1`, `https://id.gs1.org/01/${unowned}/10/L2`]);
  await commission(owner, [], [`https://id.gs1.org/01/${underPrefix}/10/L3`]);
  await commission(brand, [], [`https://id.gs1.org/01/${ofProduct}/10/L4`]);
  // then the GTINs' owners came: a prefix stored before the checks, a product registered under the other
  await world.database.db.execute(sql`update parties set gs1_company_prefix = '6901234' where code = ${owner.code}`);
  const product = await brand.product('kg', { gtin: ofProduct });

  const listed = expectStatus(t, await world.regulator.get('/regulator/company-prefix-conflicts'), 200, 'a regulator lists them');
  const rows = [
    {
      lotCode: await lotOf(serials[0]),
      partyCode: squatter.code,
      gtin: underPrefix,
      gtinPartyCode: owner.code,
      productCode: null,
      prefix: '6901234',
    },
    {
      lotCode: await lotOf(serials[1]),
      partyCode: squatter.code,
      gtin: underPrefix,
      gtinPartyCode: owner.code,
      productCode: null,
      prefix: '6901234',
    },
    {
      lotCode: await lotOf(`https://id.gs1.org/01/${ofProduct}/10/L1`),
      partyCode: squatter.code,
      gtin: ofProduct,
      gtinPartyCode: brand.code,
      productCode: product,
      prefix: null,
    },
  ].sort((a, b) => a.gtin.localeCompare(b.gtin) || a.lotCode.localeCompare(b.lotCode));
  t.same(listed.body.lotsUnderAnotherPartysGtin, rows, 'the squatter’s lots, each once; not the owners’ nor one under no owner’s GTIN');
  const paged = expectStatus(t, await world.regulator.get('/regulator/company-prefix-conflicts?limit=1&offset=2'), 200, 'paged');
  t.same(paged.body.lotsUnderAnotherPartysGtin, rows.slice(2), 'a page of them');
});

t.test('the lots listed: once per GTIN, not voided, owned by the longest prefix, and by a product before any prefix', async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  const [short, long, brand, squatter] = await Promise.all(
    (['processor', 'processor', 'processor', 'distributor'] as const).map((kind) => world.party(kind)),
  );
  // overlapping prefixes and a product under another party's prefix, as stored before they were refused
  await db.execute(sql`update parties set gs1_company_prefix = '690123' where code = ${short.code}`);
  await db.execute(sql`update parties set gs1_company_prefix = '6901234' where code = ${long.code}`);
  const underShort = completeGs1('0690123900001');
  const underLong = completeGs1('0690123400001');
  const ofProduct = completeGs1('0690123400002');
  await db.execute(
    sql`insert into products (code, party_code, name, gtin, category, unit) values ('MLX000000001', ${brand.code}, '腊肉', ${ofProduct}, 'other', 'kg')`,
  );
  const lots: [string, string, string | null, string[]][] = [
    ['BLX000000001', squatter.code, null, [`${underLong}/21/S1`, `${underLong}/21/S2`, `${underLong}/10/L1`]],
    ['BLX000000002', squatter.code, 'void', [`${underLong}/21/S3`]],
    ['BLX000000003', long.code, null, [`${underLong}/21/S4`]],
    ['BLX000000004', squatter.code, null, [`${ofProduct}/21/S5`]],
    ['BLX000000005', brand.code, null, [`${ofProduct}/21/S6`]],
    ['BLX000000006', short.code, null, [`${underShort}/21/S7`]],
    ['BLX000000007', long.code, null, [`${underShort}/21/S8`]],
  ];
  for (const [code, partyCode, voided, gtinParts] of lots) {
    await db.execute(sql`insert into lots (code, kind, party_code, quantity, unit, status, created_by_event_id, voided_by_event_id)
      values (${code}, 'lot', ${partyCode}, 1, 'kg', 'active', 'seed', ${voided})`);
    for (const part of gtinParts)
      await db.execute(
        sql`insert into lot_identifiers (kind, value, lot_code, party_code) values ('epc', ${`https://id.gs1.org/01/${part}`}, ${code}, ${partyCode})`,
      );
  }
  const listed = expectStatus(t, await world.regulator.get('/regulator/company-prefix-conflicts'), 200, 'a regulator lists them');
  t.same(
    listed.body.lotsUnderAnotherPartysGtin,
    [
      {
        lotCode: 'BLX000000001',
        partyCode: squatter.code,
        gtin: underLong,
        gtinPartyCode: long.code,
        productCode: null,
        prefix: '6901234',
      },
      {
        lotCode: 'BLX000000004',
        partyCode: squatter.code,
        gtin: ofProduct,
        gtinPartyCode: brand.code,
        productCode: 'MLX000000001',
        prefix: null,
      },
      { lotCode: 'BLX000000007', partyCode: long.code, gtin: underShort, gtinPartyCode: short.code, productCode: null, prefix: '690123' },
    ].sort((a, b) => a.gtin.localeCompare(b.gtin)),
    'a lot once however many EPCs; no voided lot; the longer prefix owns; a product owns before any prefix',
  );
});
