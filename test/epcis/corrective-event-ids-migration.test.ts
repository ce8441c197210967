// Migration 0037: corrections keep the corrective events their declaration names, as eventIDs
// compare, for EQ_correctiveEventID. Declarations captured before are backfilled from their payload
// as the writer now keeps them.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const observed = (serial: number) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
  type: 'ObjectEvent',
  eventID: `urn:uuid:3b9d4e5f-0000-4000-8000-00000000000${serial}`,
  eventTime: `2026-03-0${serial}T08:00:00+08:00`,
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'shipping',
  epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`],
});

t.test('the corrective events of earlier declarations are backfilled as the writer keeps them', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const named = [
    ['URN:UUID:3B9D4E5F-0000-4000-8000-0000000000AA', 'urn:uuid:3b9d4e5f-0000-4000-8000-0000000000aa'],
    ['NI:///SHA-256;AbCdEf?ver=CBV2.0', 'ni:///sha-256;AbCdEf?ver=CBV2.0'],
    ['https://example.com/Events/7', 'https://example.com/Events/7'],
  ];
  expectStatus(t, await plant.api.post('/epcis/events', observed(1)), 201, 'captured');
  expectStatus(t, await plant.api.post('/epcis/events', observed(2)), 201, 'captured');
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      ...observed(1),
      errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', correctiveEventIDs: named.map(([sent]) => sent) },
    }),
    200,
    'declared naming corrective events',
  );
  expectStatus(
    t,
    await plant.api.post('/epcis/events', { ...observed(2), errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z' } }),
    200,
    'declared naming none',
  );
  const { db } = world.database;
  const stored = async () =>
    new Map(
      (
        await queryRows<{ id: string; ids: string[] | null }>(
          db,
          sql`select id, corrective_event_ids as ids from events where corrects_event_id is not null`,
        )
      ).map((row) => [row.id, row.ids]),
    );
  const written = await stored();
  t.same(
    written.get(`${observed(1).eventID}#error`),
    named.map(([, kept]) => kept),
    'the writer keeps them as eventIDs compare',
  );
  t.equal(written.get(`${observed(2).eventID}#error`), null, 'and none for a declaration naming none');

  await queryRows(db, sql`update events set corrective_event_ids = null`);
  await queryRows(db, sql.raw(migrationStatement('0037_corrective_event_ids.sql', 2)));
  t.same(await stored(), written, 'the backfill gives what the writer wrote');
});
