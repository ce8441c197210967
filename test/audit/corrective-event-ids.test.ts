// A native correction's payload names its replacement (correctiveEventIDs): its audit entry is
// hashed over that payload as stored, and the corrective eventIDs EQ_correctiveEventID looks up,
// kept beside it, are checked against it.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a native correction with a replacement verifies; its corrective eventIDs altered do not', async (t) => {
  const world = await createWorld(t);
  const { database, regulator } = world;
  const farm = await world.party('farm');
  const pigs = await farm.product('head');
  const original = expectStatus(
    t,
    await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 20, lotNumber: 'W-1' }] }),
    201,
    'commissioned',
  ).body;
  const corrected = expectStatus(
    t,
    await farm.event({
      type: 'correction',
      correctsEventId: original.event.id,
      reason: 'typed 20 for 2',
      replacement: {
        type: 'commission',
        eventTime: original.event.eventTime,
        lots: [{ productCode: pigs, quantity: 2, lotNumber: 'W-1' }],
      },
    }),
    201,
    'corrected with a replacement',
  ).body;
  const verified = expectStatus(t, await regulator.get(`/audit/verify?party=${farm.code}`), 200, 'verified');
  t.ok(verified.body.ok, 'the log verifies');

  // pointed at another event, EQ_correctiveEventID would find the corrected event by an event that never replaced it
  await queryRows(
    database.db,
    sql`update events set corrective_event_ids = array['urn:uuid:00000000-0000-4000-8000-000000000000'] where id = ${corrected.event.id}`,
  );
  const altered = expectStatus(t, await regulator.get(`/audit/verify?party=${farm.code}`), 200, 'verified again');
  t.notOk(altered.body.ok, 'the altered corrective eventIDs break the chain');

  // a payload altered into JSON null names no corrective event: reported, not a failure of verification
  await queryRows(database.db, sql`update events set payload = 'null'::jsonb where id = ${corrected.event.id}`);
  const nulled = expectStatus(t, await regulator.get(`/audit/verify?party=${farm.code}`), 200, 'verified with a null payload');
  t.match(
    nulled.body.chains,
    [{ ok: false, firstBroken: { subjectId: corrected.event.id, problem: 'payload-mismatch' } }],
    'its event broken',
  );
});

t.test('a captured declaration verifies with its corrective eventIDs as backfilled, duplicates and all', async (t) => {
  const world = await createWorld(t);
  const { database, regulator } = world;
  const plant = await world.party('slaughterhouse');
  const event = {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    type: 'ObjectEvent',
    eventID: 'urn:uuid:3b9d4e5f-0000-4000-8000-000000000001',
    eventTime: '2026-03-01T08:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'shipping',
    epcList: ['https://id.gs1.org/01/06901234000030/21/1'],
  };
  expectStatus(t, await plant.api.post('/epcis/events', event), 201, 'captured');
  const corrective = 'urn:uuid:3b9d4e5f-0000-4000-8000-0000000000aa';
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      ...event,
      errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', correctiveEventIDs: [corrective, corrective.toUpperCase()] },
    }),
    200,
    'declared naming one corrective event twice',
  );
  const verify = async () => expectStatus(t, await regulator.get(`/audit/verify?party=${plant.code}`), 200, 'verified').body.ok;
  t.ok(await verify(), 'as written');
  // the migration keeps each as named, the writer each once: the same corrective events
  await queryRows(database.db, sql`update events set corrective_event_ids = null`);
  await queryRows(database.db, sql.raw(migrationStatement('0037_corrective_event_ids.sql', 2)));
  t.ok(await verify(), 'as backfilled');
  await queryRows(database.db, sql`update events set corrective_event_ids = null`);
  t.notOk(await verify(), 'dropped, they no longer verify');
});
