// Registering a company prefix or a GTIN asks which registered prefixes overlap it and which GTINs it
// covers, inside the lock that serialises those registrations: on a registry of many parties and
// products, each question is answered through an index, not by reading every party or product.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const ROWS = 20_000;

/** A parameter as a literal of an EXECUTE: text, number, or a text array. */
function literal(value: unknown): string {
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return quote(`{${value.map((item) => `"${String(item).replaceAll('"', '\\"')}"`).join(',')}}`);
  return quote(String(value));
}

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
};
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

t.test('the company-prefix and GTIN checks of a registration read the registry through indexes', async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  // many parties with 8-digit prefixes 70000001…, each with a product under its prefix: the GTINs
  // registered here come after them in GTIN order
  await queryRows(
    db,
    sql`insert into parties (code, kind, name, region_code, gs1_company_prefix)
      select 'PFX' || lpad(i::text, 12, '0'), 'processor', 'party ' || i, '500236', (70000000 + i)::text
      from generate_series(1, ${ROWS}) i`,
  );
  await queryRows(
    db,
    sql`insert into products (code, party_code, name, gtin, category, unit)
      select 'MPX' || lpad(i::text, 9, '0'), 'PFX' || lpad(i::text, 12, '0'), 'product ' || i,
        '0' || (70000000 + i)::text || '00001', 'other', 'kg'
      from generate_series(1, ${ROWS}) i`,
  );
  await queryRows(db, sql`analyze parties`);
  await queryRows(db, sql`analyze products`);

  const statements: { text: string; params: readonly unknown[] }[] = [];
  const stop = world.database.stats.observe((query) => {
    if (/gs1_company_prefix|"gtin"/.test(query.text) && !/^\s*insert/i.test(query.text))
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
  const key = (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: registered.body.code }))).key;
  const product = await world.app.inject({
    method: 'POST',
    url: '/products',
    headers: { authorization: `Bearer ${key}` },
    payload: { partyCode: registered.body.code, name: '腊肉', category: 'cured_meat', unit: 'kg', gtin: '09501234567891' },
  });
  t.equal(product.statusCode, 201, `a GTIN under its own prefix: ${product.body}`);
  stop();
  t.ok(statements.length >= 4, `the registrations asked about prefixes and GTINs (${statements.length} statements)`);

  for (const [i, { text, params }] of statements.entries()) {
    // a statement of its own name each: one that fails leaves its transaction, and no deallocation, behind
    const name = `company_prefix_check_${i}`;
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`prepare ${name} as ${text}`));
      const execute = params.length ? `execute ${name}(${params.map(literal).join(', ')})` : `execute ${name}`;
      const [row] = await queryRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(
        tx,
        sql.raw(`explain (analyze, format json) ${execute}`),
      );
      await tx.execute(sql.raw(`deallocate ${name}`));
      const json = row['QUERY PLAN'];
      return (typeof json === 'string' ? JSON.parse(json) : json)[0].Plan as PlanNode;
    });
    const nodes = nodesOf(plan);
    const scanned = nodes.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name']);
    t.same(scanned, [], `statement ${i + 1} reads no table whole: ${text}`);
    const read = Math.max(
      ...nodes.map(
        (node) =>
          node['Actual Loops'] *
          (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)),
      ),
    );
    t.ok(read < 100, `statement ${i + 1} reads a few rows of ${ROWS} (${read})`);
  }
});
