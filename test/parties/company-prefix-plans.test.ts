// Registering a company prefix or a GTIN asks which registered prefixes overlap it and which GTINs it
// covers, inside the lock that serialises those registrations: on a registry of many parties and
// products, each question is answered through an index, not by reading every party or product.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { type Db, queryRows } from '../../src/db/client.js';
import { planNodes, rowsRead } from '../fixtures/plans.js';
import { createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const ROWS = 20_000;
/** Parties in the listing's registry: every pair of them compared would be millions of rows. */
const LISTED = 3_000;

/**
 * Parties PFX… with 8-digit prefixes 70000001…, each with its own GLN, a product (MPX…) and a site
 * (APX…) under its prefix; the GLNs are not check-digit valid, which no query here reads.
 */
async function seedRegistry(db: Db, rows: number): Promise<void> {
  await queryRows(
    db,
    sql`insert into parties (code, kind, name, region_code, gs1_company_prefix, gln)
      select 'PFX' || lpad(i::text, 12, '0'), 'processor', 'party ' || i, '500236', (70000000 + i)::text, (70000000 + i)::text || '00000'
      from generate_series(1, ${rows}) i`,
  );
  await queryRows(
    db,
    sql`insert into products (code, party_code, name, gtin, category, unit)
      select 'MPX' || lpad(i::text, 9, '0'), 'PFX' || lpad(i::text, 12, '0'), 'product ' || i,
        '0' || (70000000 + i)::text || '00001', 'other', 'kg'
      from generate_series(1, ${rows}) i`,
  );
  await queryRows(
    db,
    sql`insert into locations (code, party_code, name, kind, region_code, gln)
      select 'APX' || lpad(i::text, 9, '0'), 'PFX' || lpad(i::text, 12, '0'), 'site ' || i, 'plant', '500236',
        (70000000 + i)::text || '00002'
      from generate_series(1, ${rows}) i`,
  );
  for (const table of ['parties', 'products', 'locations']) await queryRows(db, sql.raw(`analyze ${table}`));
}

t.test('the company-prefix and GTIN checks of a registration read the registry through indexes', async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  // the GTINs and GLNs registered here come after the registry's in their order
  await seedRegistry(db, ROWS);

  const statements: { text: string; params: readonly unknown[] }[] = [];
  const stop = world.database.stats.observe((query) => {
    if (/gs1_company_prefix|"gtin"|gln/.test(query.text) && !/^\s*insert/i.test(query.text))
      statements.push({ text: query.text, params: query.params });
  });
  /** A county processor registered with this company prefix. */
  const processor = (name: string, gs1CompanyPrefix: string) =>
    world.admin.post('/parties', { kind: 'processor', name, uscc: randomUscc(), regionCode: '500236', gs1CompanyPrefix });
  const registered = await processor('奉节县某某腊肉加工厂', '9501234');
  expectStatus(t, registered, 201, 'a party with a company prefix no other overlaps');
  const overlapping = await processor('奉节县另一加工厂', '700012345');
  expectStatus(t, overlapping, 409, 'a prefix that starts with a registered one');
  const covering = await processor('奉节县第三加工厂', '7000012');
  expectStatus(t, covering, 409, 'a prefix that starts a registered one');
  const withGln = await world.admin.post('/parties', {
    kind: 'farm',
    name: '奉节县某某养殖场',
    uscc: randomUscc(),
    regionCode: '500236',
    gln: completeGs1('950999900000'),
  });
  expectStatus(t, withGln, 201, 'a party with a GLN no party holds');
  const key = (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: registered.body.code }))).key;
  const product = await world.app.inject({
    method: 'POST',
    url: '/products',
    headers: { authorization: `Bearer ${key}` },
    payload: { partyCode: registered.body.code, name: '腊肉', category: 'cured_meat', unit: 'kg', gtin: '09501234567891' },
  });
  t.equal(product.statusCode, 201, `a GTIN under its own prefix: ${product.body}`);
  const site = await world.app.inject({
    method: 'POST',
    url: '/locations',
    headers: { authorization: `Bearer ${key}` },
    payload: { partyCode: registered.body.code, name: '库房', kind: 'cold_store', regionCode: '500236', gln: completeGs1('950123400001') },
  });
  t.equal(site.statusCode, 201, `a site's GLN under its own prefix: ${site.body}`);
  stop();
  t.ok(statements.length >= 8, `the registrations asked about prefixes, GTINs and GLNs (${statements.length} statements)`);

  for (const [i, { text, params }] of statements.entries()) {
    const nodes = await planNodes(db, `company_prefix_check_${i}`, text, params);
    const scanned = nodes.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name']);
    t.same(scanned, [], `statement ${i + 1} reads no table whole: ${text}`);
    const read = rowsRead(nodes);
    t.ok(read < 100, `statement ${i + 1} reads a few rows of ${ROWS} (${read})`);
  }
});

t.test('the conflicts listing reads each table through its indexes, not every pair of rows', async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  await seedRegistry(db, LISTED);
  // one conflict of each kind, as a database of an earlier version holds them
  await queryRows(db, sql`update parties set gs1_company_prefix = '700000019' where code = 'PFX000000000002'`);
  await queryRows(db, sql`update products set gtin = '0700000030000' || '9' where code = 'MPX000000004'`);
  await queryRows(db, sql`update locations set gln = '7000000500009' where code = 'APX000000006'`);
  await queryRows(db, sql`update locations set gln = '7000000700000' where code = 'APX000000008'`);
  // a lot of each party under its own product's GTIN (by Digital Link), and one under another party's
  await queryRows(
    db,
    sql`insert into lots (code, kind, party_code, quantity, unit, status, created_by_event_id)
      select 'BPX' || lpad(i::text, 9, '0'), 'lot', 'PFX' || lpad(i::text, 12, '0'), 1, 'kg', 'active', 'seed'
      from generate_series(1, ${LISTED}) i`,
  );
  await queryRows(
    db,
    sql`insert into lot_identifiers (kind, value, lot_code, party_code)
      select 'epc', 'https://id.gs1.org/01/0' || (70000000 + case when i = 10 then 9 else i end)::text || '00001/10/L' || i,
        'BPX' || lpad(i::text, 9, '0'), 'PFX' || lpad(i::text, 12, '0')
      from generate_series(1, ${LISTED}) i`,
  );
  for (const table of ['lots', 'lot_identifiers']) await queryRows(db, sql.raw(`analyze ${table}`));

  const statements: { text: string; params: readonly unknown[] }[] = [];
  const stop = world.database.stats.observe((query) => {
    if (/gs1_company_prefix|gln/.test(query.text)) statements.push({ text: query.text, params: query.params });
  });
  const listed = expectStatus(t, await world.regulator.get('/regulator/company-prefix-conflicts?limit=1000'), 200, 'the listing');
  stop();
  t.match(listed.body, {
    overlappingPrefixes: [{ partyCode: 'PFX000000000001', otherPartyCode: 'PFX000000000002' }],
    gtinsUnderAnotherPartysPrefix: [{ productCode: 'MPX000000004', prefixPartyCode: 'PFX000000000003' }],
    glnsUnderAnotherPartysPrefix: [
      { locationCode: 'APX000000006', prefixPartyCode: 'PFX000000000005' },
      { locationCode: 'APX000000008', prefixPartyCode: 'PFX000000000007' },
    ],
    locationGlnsOfAnotherParty: [{ locationCode: 'APX000000008', glnPartyCode: 'PFX000000000007' }],
    lotsUnderAnotherPartysGtin: [{ lotCode: 'BPX000000010', productCode: 'MPX000000009', gtinPartyCode: 'PFX000000000009' }],
  });
  t.equal(statements.length, 5, 'five lists, a statement each');
  for (const [i, { text, params }] of statements.entries()) {
    const read = rowsRead(await planNodes(db, `company_prefix_listing_${i}`, text, params));
    // every party, product, site or lot once or twice (each prefix finds its own codes), never each pair
    t.ok(read <= 3 * LISTED, `statement ${i + 1} reads about the registry once (${read} rows of ${LISTED}): ${text}`);
  }
});
