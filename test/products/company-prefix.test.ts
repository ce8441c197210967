// A GTIN belongs to the party whose GS1 company prefix it carries; company prefixes do not overlap.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('GS1 company prefixes and the GTINs under them', async (t) => {
  const world = await createWorld(t);
  let named = 0;
  const registerParty = (gs1CompanyPrefix?: string) =>
    world.admin.post('/parties', {
      kind: 'processor',
      name: `夔州食品 ${++named}`,
      uscc: randomUscc(),
      regionCode: '500236',
      ...(gs1CompanyPrefix ? { gs1CompanyPrefix } : {}),
    });
  const operatorOf = async (code: string) =>
    client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: code }))).key);
  const owner = await world.ok(registerParty('6901234'));
  const ownerApi = await operatorOf(owner.code);
  const squatter = await world.ok(registerParty());
  const squatterApi = await operatorOf(squatter.code);
  const withOwnPrefix = await world.ok(registerParty('6909876'));
  const withOwnPrefixApi = await operatorOf(withOwnPrefix.code);
  const product = (partyCode: string, gtin: string) => ({ partyCode, name: 'x', category: 'other', unit: 'kg', gtin });

  t.test('a GTIN under another party’s company prefix is refused, naming the prefix’s owner', async (t) => {
    const gtin = completeGs1('690123400001');
    const squatted = await squatterApi.post('/products', product(squatter.code, gtin));
    expectStatus(t, squatted, 409, 'another party’s GTIN');
    t.match(squatted.body.errors, [{ in: 'body', pointer: '/gtin' }]);
    t.match(squatted.body.detail, owner.code, 'the owner is named by its party code');
    t.notMatch(squatted.body.detail, owner.name, 'and by nothing else');
    const asGtin14 = await squatterApi.post('/products', product(squatter.code, `0${gtin}`));
    expectStatus(t, asGtin14, 409, 'the same GTIN written as GTIN-14');
    expectStatus(t, await ownerApi.post('/products', product(owner.code, gtin)), 201, 'the owner registers it');
  });

  t.test('a party with a company prefix registers only GTINs under it', async (t) => {
    const unowned = await withOwnPrefixApi.post('/products', product(withOwnPrefix.code, completeGs1('950600013435')));
    expectStatus(t, unowned, 409, 'a GTIN under no prefix of this party');
    t.match(unowned.body.errors, [{ in: 'body', pointer: '/gtin' }]);
    t.match(unowned.body.detail, '6909876');
    expectStatus(t, await withOwnPrefixApi.post('/products', product(withOwnPrefix.code, completeGs1('690987600001'))), 201, 'its own');
    expectStatus(
      t,
      await squatterApi.post('/products', product(squatter.code, completeGs1('950600013436'))),
      201,
      'no prefix: any unowned GTIN',
    );
  });

  t.test('company prefixes do not overlap', async (t) => {
    for (const [prefix, what] of [
      ['6901234', 'the same prefix'],
      ['69012345', 'one that starts with another'],
      ['690123', 'one another starts with'],
    ]) {
      const reply = await registerParty(prefix);
      expectStatus(t, reply, 409, what);
      t.match(reply.body.errors, [{ in: 'body', pointer: '/gs1CompanyPrefix' }]);
      t.match(reply.body.detail, owner.code);
    }
    expectStatus(t, await registerParty('690123599'), 201, 'a neighbouring prefix');
  });

  t.test('a prefix covering a GTIN another party registered first is refused, naming that party', async (t) => {
    const gtin = completeGs1('692468000017');
    expectStatus(t, await squatterApi.post('/products', product(squatter.code, gtin)), 201, 'an unowned GTIN');
    for (const prefix of ['6924680', '692468000']) {
      const reply = await registerParty(prefix);
      expectStatus(t, reply, 409, `prefix ${prefix} would take the GTIN from its registrant`);
      t.match(reply.body.errors, [{ in: 'body', pointer: '/gs1CompanyPrefix', detail: squatter.code }]);
      t.match(reply.body.detail, squatter.code, 'the registrant is named by its party code');
      t.notMatch(reply.body.detail, squatter.name, 'and by nothing else');
    }
    expectStatus(t, await registerParty('6924681'), 201, 'a prefix beside it');
  });

  t.test('overlapping prefixes registered at the same time: one party, one conflict', async (t) => {
    const replies = await Promise.all([registerParty('6912345'), registerParty('69123456'), registerParty('6912345')]);
    t.same(replies.map((reply) => reply.status).sort(), [201, 409, 409]);
  });
});

t.test('a prefix owner whose GTIN another party registered before the prefix is told who holds it and where it is listed', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const squatter = await world.party('distributor');
  const gtin = completeGs1('690123400001');
  const product = (partyCode: string) => ({ partyCode, name: '腊肉', category: 'cured_meat', unit: 'kg', gtin });
  await world.ok(squatter.api.post('/products', product(squatter.code)));
  // as a database of a version before a prefix covering another party's GTIN was refused holds it
  await world.database.db.execute(sql`update parties set gs1_company_prefix = '6901234' where code = ${owner.code}`);

  const refused = expectStatus(t, await owner.api.post('/products', product(owner.code)), 409, 'the owner’s own GTIN, held by another');
  t.match(refused.body, {
    detail: `GTIN 0${gtin} is under GS1 company prefix 6901234 of party ${owner.code}, but party ${squatter.code} registered it first; it is listed at GET /regulator/company-prefix-conflicts for a regulator to settle`,
    errors: [
      { in: 'body', pointer: '/gtin', detail: `registered by party ${squatter.code}, under the company prefix of party ${owner.code}` },
    ],
  });
  t.match(
    expectStatus(t, await world.regulator.get('/regulator/company-prefix-conflicts'), 200, 'listed').body.gtinsUnderAnotherPartysPrefix,
    [{ gtin: `0${gtin}`, partyCode: squatter.code, prefixPartyCode: owner.code }],
    'where the reply says',
  );
  const again = expectStatus(t, await squatter.api.post('/products', product(squatter.code)), 409, 'the squatter again');
  t.match(again.body.errors, [{ in: 'body', pointer: '/gtin', detail: `under the company prefix of party ${owner.code}` }]);
});

t.test('under overlapping prefixes stored earlier, a GTIN is the longer prefix’s', async (t) => {
  const world = await createWorld(t);
  const short = await world.party('processor');
  const long = await world.party('processor');
  // as a database of a version before overlapping prefixes were refused holds them, the shorter stored first
  await world.database.db.execute(sql`update parties set gs1_company_prefix = '690123' where code = ${short.code}`);
  await world.database.db.execute(sql`update parties set gs1_company_prefix = '6901234' where code = ${long.code}`);
  const gtin = completeGs1('690123400015');
  const product = (partyCode: string) => ({ partyCode, name: '腊肉', category: 'cured_meat', unit: 'kg', gtin });
  expectStatus(t, await long.api.post('/products', product(long.code)), 201, 'the longer prefix’s party registers it');
  const refused = expectStatus(t, await short.api.post('/products', product(short.code)), 409, 'the shorter prefix’s party does not');
  t.match(refused.body.errors, [{ in: 'body', pointer: '/gtin' }]);
});
