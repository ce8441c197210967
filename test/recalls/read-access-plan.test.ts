import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A parameter as a literal of an EXECUTE: text, number, or a text array. */
function literal(value: unknown): string {
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return quote(`{${value.map((item) => `"${String(item).replaceAll('"', '\\"')}"`).join(',')}}`);
  return quote(String(value));
}

type PlanNode = {
  'Relation Name'?: string;
  'Actual Loops': number;
  'Actual Rows': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
};
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

// Whether an operator may read a recall through a lot of its scope is asked from the party's side:
// a party that never had any lot of a recall of many lots is not checked lot by lot, on listing or reading.
t.test('a party with no lot of a large recall is not checked against each lot of its scope', async (t) => {
  const world = await createWorld(t);
  const regulator = await world.partyRegulator();
  const producer = await world.party('farm');
  const stranger = await world.party('processor');
  const lot = await producer.commission(await producer.product('kg'), 10);
  const recall = await world.ok(regulator.post('/recalls', { lotCodes: [lot], level: 1, reason: '检出', hazard: '超标' }));

  // the recorded scope grown to many lots of the producer's (rows as opening records them)
  const SCOPE = 3000;
  const db = world.database.db;
  const [{ event }] = await queryRows<{ event: string }>(db, sql`select created_by_event_id as event from lots where code = ${lot}`);
  await queryRows(
    db,
    sql`insert into lots (code, kind, party_code, quantity, unit, status, created_by_event_id)
      select 'PAD' || lpad(i::text, 8, '0'), 'lot', ${producer.code}, 1, 'kg', 'recalled', ${event} from generate_series(1, ${SCOPE}) i`,
  );
  await queryRows(
    db,
    sql`insert into recall_lots (recall_id, lot_code, party_code, depth, item_count)
      select ${recall.id}, 'PAD' || lpad(i::text, 8, '0'), ${producer.code}, 1, 0 from generate_series(1, ${SCOPE}) i`,
  );
  await queryRows(db, sql`analyze`);

  const statements: { text: string; params: readonly unknown[] }[] = [];
  const stop = world.database.stats.observe((query) => {
    if (/recall_lots/.test(query.text)) statements.push({ text: query.text, params: query.params });
  });
  t.same((await stranger.api.get('/recalls')).body.items, [], 'the stranger lists no recall');
  t.equal((await stranger.api.get(`/recalls/${recall.id}`)).status, 403, 'nor reads it');
  stop();
  t.ok(statements.length >= 2, 'the list and the read each ask about the scope');

  for (const { text, params } of statements) {
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`prepare recall_read_check as ${text}`));
      try {
        const execute = params.length ? `execute recall_read_check(${params.map(literal).join(', ')})` : 'execute recall_read_check';
        const [row] = await queryRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(
          tx,
          sql.raw(`explain (analyze, format json) ${execute}`),
        );
        const json = row['QUERY PLAN'];
        return (typeof json === 'string' ? JSON.parse(json) : json)[0].Plan as PlanNode;
      } finally {
        await tx.execute(sql.raw('deallocate recall_read_check'));
      }
    });
    const work = Math.max(
      ...nodesOf(plan).map((node) => node['Actual Loops'] * (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0))),
      ...nodesOf(plan).map((node) => node['Actual Loops']),
    );
    t.ok(work < SCOPE / 10, `no step of the statement runs once per lot of the scope or reads each (${work})`);
  }
});
