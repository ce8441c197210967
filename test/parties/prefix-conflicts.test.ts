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
