// Migration 0020 fills event_lots.named_as_instance for events captured before capture wrote it:
// for every way an event can name a lot, the backfill must say what capture now says.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { captured, epcisDocument, observation } from '../fixtures/epcis.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const backfill = migrationStatement('0020_event_lots_named_as_instance.sql', 1);

t.test('the backfill of named_as_instance says what capture writes', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const sgtin = (serial: number) => `urn:epc:id:sgtin:0614141.812345.${serial}`;
  const lgtin = 'urn:epc:class:lgtin:0614141.812345.LOT1';
  const { job } = await captured(
    world,
    plant.key,
    epcisDocument([
      observation(1, { epcList: [sgtin(1), sgtin(2)] }),
      observation(2, { quantityList: [{ epcClass: lgtin, quantity: 5 }] }),
      observation(3, { epcList: [sgtin(1)], quantityList: [{ epcClass: lgtin }] }),
      observation(4, {
        epcList: ['urn:epc:id:sscc:0614141.1234567890'],
        quantityList: [{ epcClass: 'urn:epc:idpat:sgtin:0614141.812345.*' }],
      }),
      observation(5, { epcList: [sgtin(2)], quantityList: [{ epcClass: 'https://id.gs1.org/01/80614141123458/10/LOT1' }] }),
      observation(6, { epcList: [sgtin(3)], quantityList: [{ epcClass: 'urn:example:class:abc' }] }),
      observation(7, { epcList: [sgtin(3)], quantityList: [{ epcClass: 'https://example.com/class/abc' }] }),
      {
        type: 'AggregationEvent',
        eventTime: '2026-03-08T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'OBSERVE',
        parentID: 'urn:epc:id:sscc:0614141.1234567890',
        childEPCs: [sgtin(1)],
        childQuantityList: [{ epcClass: lgtin }],
      },
    ]),
  );
  t.match(job, { success: true });
  const named = () =>
    queryRows<{ eventTime: string; lotCode: string; role: string; instance: boolean | null }>(
      world.database.db,
      sql`select e.event_time::text as "eventTime", el.lot_code as "lotCode", el.role, el.named_as_instance as instance
        from event_lots el join events e on e.id = el.event_id order by 1, 2, 3`,
    );
  const written = await named();
  t.equal(new Set(written.map((row) => row.eventTime)).size, 8, 'every event stored');
  t.ok(written.some((row) => row.instance) && written.some((row) => row.instance === false), 'instances and classes both');
  await queryRows(world.database.db, sql`update event_lots set named_as_instance = null`);
  await queryRows(world.database.db, sql.raw(backfill));
  t.strictSame(await named(), written, 'as captured, event by event');
});
