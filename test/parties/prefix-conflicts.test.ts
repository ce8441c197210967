// Company prefixes and GTINs stored before prefixes were held apart and GTINs to their prefix's owner
// (or written around the service) are never checked again by a registration: a regulator or admin
// lists them, to settle each with the parties concerned.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
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
