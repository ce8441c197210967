// event_lots.evidence marks the links of inspections and of events with reference documents: a
// trace's graph reads inspections and certificates through them alone. The writer marks them for
// every door (native events, EPCIS capture), and migration 0022's backfill says the same.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { captured, epcisDocument, observation } from '../fixtures/epcis.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const backfill = migrationStatement('0022_event_lots_evidence.sql', 1);

t.test('the links of inspections and of documented events are evidence; the backfill agrees', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 100);
  await world.ok(plant.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'self', result: 'pass', reportNumber: 'S-1' } }));
  await world.ok(plant.event({ type: 'observe', lotCodes: [lot], referenceDocuments: [{ type: 'test_report', number: 'IR-7' }] }));
  await world.ok(plant.event({ type: 'observe', lotCodes: [lot] }));
  const observed = (day: number, what: object) => observation(day, { epcList: ['urn:epc:id:sgtin:0614141.812345.1'], ...what });
  const { job } = await captured(
    world,
    plant.key,
    epcisDocument([
      observed(1, {}),
      observed(2, { bizStep: 'inspecting' }),
      observed(3, { bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO-1' }] }),
    ]),
  );
  t.match(job, { success: true, captured: 3 });

  const marks = () =>
    queryRows<{ type: string; documents: number; evidence: boolean }>(
      world.database.db,
      sql`select e.type, jsonb_array_length(e.reference_documents) as documents, el.evidence
        from event_lots el join events e on e.id = el.event_id order by e.record_time, e.id, el.lot_code, el.role`,
    );
  const written = await marks();
  t.same(
    written.map((row) => row.evidence),
    written.map((row) => row.type === 'inspect' || row.documents > 0),
    'evidence: an inspection or an event with documents, natively and captured',
  );
  t.equal(written.filter((row) => row.evidence).length, 4, 'two of each door');
  await queryRows(world.database.db, sql`update event_lots set evidence = false`);
  await queryRows(world.database.db, sql.raw(backfill));
  t.strictSame(await marks(), written, 'the backfill marks what the writer marked');
});
