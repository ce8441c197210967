// Migration 0048: the reports stored before it get the events they wrote, and recalls and reports
// their order numbers in the order of their times, as the code records them now.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { eventIdOfKey } from '../../src/gs1/event-id.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { endedLot } from '../fixtures/recalls.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('stored reports are linked to their events and numbered after the recalls opened before them', async (t) => {
  let clock = Date.parse('2026-06-01T02:00:00Z');
  const world = await createWorld(t, undefined, { now: () => new Date(clock) });
  const tick = () => {
    clock += 60_000;
  };
  const farm = await world.party('farm');
  const dealer = await world.party('distributor');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 20);
  await world.handOver(farm, dealer, lot, 12);
  await world.handOver(farm, shop, lot, 5);
  const box = await dealer.pack([{ lotCode: lot, quantity: 3 }]);
  await world.handOver(dealer, shop, box);
  const open = async (reason: string, also: string[] = []) => {
    tick();
    return (await world.ok(farm.api.post('/recalls', { lotCodes: [lot, ...also], level: 2, reason, hazard: 'h' }))).id as string;
  };
  const report = async (recallId: string, lines: object[]) => {
    tick();
    await world.ok(shop.api.post(`/recalls/${recallId}/reports`, { lines }));
  };
  const first = await open('标签错误');
  await report(first, [
    { lotCode: box, returned: 1 },
    { lotCode: lot, returned: 1, destroyed: 2 },
  ]);
  await report(first, [{ lotCode: lot, destroyed: 1 }]);
  await report(first, []);
  const second = await open('农残超标', [await endedLot(world, farm)]);
  await report(second, [{ lotCode: lot, destroyed: 1 }]);

  const { db } = world.database;
  // as stored by older code: a report stamped before its events (its time taken before its
  // transaction), or a little after; its events naming the recall only by the recall notice
  await queryRows(
    db,
    sql`update recall_reports set reported_at = reported_at + case when recall_id = ${first} then interval '-40 milliseconds'
      else interval '40 milliseconds' end`,
  );
  await queryRows(db, sql`update events set payload = payload - 'recallId' where payload ? 'recallId'`);
  const links = () =>
    queryRows<{ event_id: string; report_id: string; party_code: string }>(
      db,
      sql`select event_id, report_id, party_code from recall_report_events order by event_id`,
    );
  // the lines of one report share its time and are told apart by nothing else
  const order = () =>
    queryRows<{ key: string }>(
      db,
      sql`select key from (select id as key, order_number from recalls
        union all select recall_id || ' ' || reported_at::text, order_number from recall_reports) o order by order_number`,
    );
  const written = await links();
  const writtenOrder = await order();
  t.equal(written.length, 5, 'the case’s return, the lot’s return and destroy, its later destroy, the second recall’s destroy');

  // as stored before the migration: no events linked, numbers as adding the columns drew them
  await queryRows(db, sql`delete from recall_report_events`);
  await queryRows(db, sql`update recalls set order_number = -order_number`);
  await queryRows(db, sql`update recall_reports set order_number = -order_number`);
  const [, , , , link, renumber, restart] = migrationStatements('0048_recall_order_and_report_events.sql');
  for (const statement of [link, renumber, restart]) await queryRows(db, sql.raw(statement));

  t.same(await links(), written, 'each event linked to the report line that wrote it');
  t.same(await order(), writtenOrder, 'numbered in the order they were made');
  const [{ next }] = await queryRows<{ next: string }>(db, sql`select nextval('recall_order')::text as next`);
  t.equal(Number(next), writtenOrder.length + 1, 'the next number follows them');

  // a linked event naming its recall only by the notice is still a report's: it is not corrected
  const refused = await shop.event({ type: 'correction', correctsEventId: eventIdOfKey(written[0].event_id), reason: '撤回' });
  t.equal(refused.status, 409, 'a report’s event stays as reported');
  t.match(refused.body.detail, /reported to recall/);
});

t.test('an event far from any report, or declared in error, is not linked to one', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 10);
  await world.handOver(farm, shop, lot, 6);
  const recall = (await world.ok(farm.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '标签错误', hazard: 'h' }))).id as string;
  await world.ok(shop.api.post(`/recalls/${recall}/reports`, { lines: [{ lotCode: lot, destroyed: 2 }] }));
  // the shop's own destructions citing the recall notice, not made by a report
  const notice = [{ type: 'recall_notice', number: recall }];
  const later = await world.ok(
    shop.event({ type: 'destroy', reason: '变质', lines: [{ lotCode: lot, quantity: 1 }], referenceDocuments: notice }),
  );
  const corrected = await world.ok(
    shop.event({ type: 'destroy', reason: '变质', lines: [{ lotCode: lot, quantity: 1 }], referenceDocuments: notice }),
  );
  await world.ok(shop.event({ type: 'correction', correctsEventId: corrected.event.id, reason: '录错了' }));
  const { db } = world.database;
  // the report stamped an hour after the first of them, the other declared in error
  await queryRows(
    db,
    sql`update events set record_time = record_time - interval '1 hour' where payload->>'eventID' = ${later.event.id} or id = ${later.event.id}`,
  );
  await queryRows(db, sql`update events set payload = payload - 'recallId' where payload ? 'recallId'`);
  await queryRows(db, sql`delete from recall_report_events`);
  const [, , , , link] = migrationStatements('0048_recall_order_and_report_events.sql');
  await queryRows(db, sql.raw(link));
  const linked = await queryRows<{ event_id: string }>(db, sql`select event_id from recall_report_events`);
  t.equal(linked.length, 1, 'only the report’s own destruction');
  t.notOk(
    linked.some((row) => [later.event.id, corrected.event.id].includes(eventIdOfKey(row.event_id))),
    'neither the destruction an hour away nor the one declared in error',
  );
});
