// A correction finds the lots its event created through the index on the event that created them,
// not by reading every lot: the read the correction makes once it holds its lots (lotsFacts).
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { planNodes, rowsRead } from '../fixtures/plans.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const LOTS = 5000;

t.test("a correction reads the lots its event created through lots' index on the creating event", async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  const farm = await world.party('farm');
  const pigs = await farm.product('head');
  const commissioned = await world.ok(farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 10 }] }));
  // a county's lots, each made by an event of its own
  await queryRows(
    db,
    sql`insert into lots (code, kind, party_code, quantity, unit, status, created_by_event_id)
      select 'BPL' || lpad(i::text, 9, '0'), 'lot', ${farm.code}, 1, 'head', 'active', 'plan-' || i from generate_series(1, ${LOTS}) i`,
  );
  await queryRows(db, sql`analyze lots`);

  const statements: { text: string; params: readonly unknown[] }[] = [];
  const stop = world.database.stats.observe((query) => {
    if (/l\.created_by_event_id = /.test(query.text)) statements.push({ text: query.text, params: query.params });
  });
  const corrected = await farm.event({ type: 'correction', correctsEventId: commissioned.event.id, reason: '录错了' });
  stop();
  expectStatus(t, corrected, 201, 'the commissioning is declared in error');
  t.equal((await farm.api.get(`/lots/${commissioned.createdLotCodes[0]}`)).body.voidedByEventId, corrected.body.event.id, 'its lot voided');
  t.equal(statements.length, 1, 'one statement reads the lots the event created');

  const nodes = await planNodes(db, 'correction_lots_facts', statements[0].text, statements[0].params);
  t.same(
    nodes.filter((node) => node['Relation Name'] === 'lots' && node['Node Type'] === 'Seq Scan'),
    [],
    'lots is not read whole',
  );
  t.ok(
    nodes.some((node) => node['Index Name'] === 'lots_created_by_event_idx'),
    'the lots are found by the event that created them',
  );
  const read = rowsRead(nodes);
  t.ok(read < 50, `a few rows read (${read} of ${LOTS})`);
});
