// A brand office's flag reads find its brand's flags through the brands stored with them
// (code_flags_brand_codes_idx): a brand with a few misuse flags among many of another brand's reads those few,
// not every brand_misuse flag.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { planNodes, rowsRead } from '../fixtures/plans.js';
import { createWorld } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const MANY = 5000;

t.test('a brand with a few misuse flags among many reads its own through its index', async (t) => {
  const world = await createWorld(t);
  const db = world.database.db;
  const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  await world.ok(county.post('/brands', { code: 'FEW', kind: 'regional', regionCode: '500236', nameZh: '少', nameEn: 'FEW' }));
  const maker = await world.party('processor');
  const finding = (brand: string) => `品牌 (${brand}): code issued on 2026-08-01, while its owner was not admitted to the brand`;
  await queryRows(
    db,
    sql`insert into code_flags (code, kind, party_code, first_at, last_at, detail, brand_codes)
      select 'MANY-' || lpad(g::text, 5, '0'), 'brand_misuse', ${maker.code}, timestamptz '2026-08-01' + g * interval '1 minute',
        timestamptz '2026-08-01' + g * interval '1 minute', ${finding('MANY')}, '{MANY}'
      from generate_series(1, ${MANY}) g`,
  );
  const raise = (code: string, brandCodes: string[], minute: number) =>
    world.app.services.scans.raiseFlag({
      code,
      kind: 'brand_misuse',
      lotCode: null,
      partyCode: maker.code,
      detail: brandCodes.map(finding).join('\n'),
      brandCodes,
      at: new Date(Date.UTC(2026, 7, 1, 0, minute)),
    });
  await raise('FEW-1', ['FEW'], 10);
  await raise('FEW-2', ['FEW', 'MANY'], 20);
  await raise('FEW-3', ['FEW'], 30);
  await queryRows(db, sql`analyze code_flags`);

  const statements: { text: string; params: readonly unknown[] }[] = [];
  const stop = world.database.stats.observe((query) => {
    if (/"code_flags"/.test(query.text) && /brand_codes/.test(query.text)) statements.push({ text: query.text, params: query.params });
  });
  const listed = await world.ok(world.regulator.get('/brands/FEW/flags?status=all'), 200);
  t.same(
    listed.items.map((flag: { code: string }) => flag.code),
    ['FEW-3', 'FEW-2', 'FEW-1'],
    'its flags, the latest first',
  );
  t.equal((await world.ok(world.regulator.get('/brands/FEW/flags/FEW-2'), 200)).code, 'FEW-2', 'and one of them');
  stop();
  t.equal(statements.length, 2, 'the list and the read each ask by the brand');

  for (const [index, { text, params }] of statements.entries()) {
    const nodes = await planNodes(db, `brand_flags_${index}`, text, params);
    const read = rowsRead(nodes);
    t.ok(read < 20, `${index === 0 ? 'the list' : 'the read'}: ${read} rows read of ${MANY + 3} brand_misuse flags`);
    const scans = nodes.filter((node) => node['Relation Name'] === 'code_flags').map((node) => node['Index Name'] ?? node['Node Type']);
    t.ok(
      scans.length > 0 && !scans.includes('Seq Scan'),
      `${index === 0 ? 'the list' : 'the read'}: code_flags by an index (${scans.join(', ')})`,
    );
  }
});
