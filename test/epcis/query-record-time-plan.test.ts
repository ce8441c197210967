// A query bounded by recordTime reads no more of a large event log than its page needs: an event
// declared in error within the bounds is found through its declaration, and the events recorded within
// them through the order's index, a page's worth at a time, as before declarations counted.
import { type SQL, sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createEpcisRepository, type EventFilter } from '../../src/epcis/repository.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const EVENTS = 5000;

type PlanNode = { 'Relation Name'?: string; 'Actual Rows': number; 'Actual Loops': number; Plans?: PlanNode[] };
/** Rows the plan read from `events`, over every node that scans it. */
const eventRowsRead = (node: PlanNode): number =>
  (node['Relation Name'] === 'events' ? node['Actual Rows'] * node['Actual Loops'] : 0) +
  (node.Plans ?? []).reduce((sum, child) => sum + eventRowsRead(child), 0);

t.test('a page of events bounded by recordTime reads a page of the log, not the whole window', async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  const plant = await world.party('slaughterhouse');
  // recorded a minute apart from 2026-01-01, one in 500 declared in error a month later
  await queryRows(
    db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload, epcis_type)
      select 'plan-' || lpad(g::text, 5, '0'), 'observe', timestamptz '2026-01-01' + g * interval '1 minute', '+08:00',
        timestamptz '2026-01-01' + g * interval '1 minute', ${plant.code}, 'shipping', '{}', 'ObjectEvent'
      from generate_series(1, ${EVENTS}) g`,
  );
  await queryRows(
    db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload, corrects_event_id)
      select 'plan-' || lpad(g::text, 5, '0') || '#error', 'correction', timestamptz '2026-02-01', '+08:00',
        timestamptz '2026-02-01' + g * interval '1 second', ${plant.code}, 'correction', '{}', 'plan-' || lpad(g::text, 5, '0')
      from generate_series(1, ${EVENTS}, 500) g`,
  );
  await queryRows(db, sql`analyze events`);
  const repository = createEpcisRepository(db);

  const cases: [string, Omit<EventFilter, 'limit'>][] = [
    [
      'since a time before every event, by eventTime',
      { recordTimeFrom: new Date('2025-12-01'), order: { by: 'eventTime', direction: 'ASC' } },
    ],
    ['since then, the latest recorded first', { recordTimeFrom: new Date('2025-12-01'), order: { by: 'recordTime', direction: 'DESC' } }],
    [
      'one party’s, since then',
      { partyCode: plant.code, recordTimeFrom: new Date('2025-12-01'), order: { by: 'eventTime', direction: 'ASC' } },
    ],
  ];
  for (const [name, filter] of cases) {
    const page = repository.query({ ...filter, limit: 10 }) as unknown as { getSQL(): SQL } & PromiseLike<unknown[]>;
    t.equal((await page).length, 10, `${name}: a full page`);
    const [explained] = await queryRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(db, sql`explain (analyze, format json) ${page.getSQL()}`);
    const read = eventRowsRead(explained['QUERY PLAN'][0].Plan);
    t.ok(read < 200, `${name}: ${read} rows of ${EVENTS} read for a page of 10`);
  }

  // and what they find: events declared in error within the bounds by their declaration, in the
  // order of their own recordTime, and an event both recorded and declared within them once
  const declared = await repository.query({
    recordTimeFrom: new Date('2026-02-01'),
    order: { by: 'recordTime', direction: 'ASC' },
    limit: 100,
  });
  t.same(
    declared.map((event) => event.id),
    Array.from({ length: 10 }, (_, i) => `plan-${String(1 + i * 500).padStart(5, '0')}`),
    'the events declared since, each by its declaration',
  );
  const all = await repository.query({
    recordTimeFrom: new Date('2026-01-01'),
    recordTimeBefore: new Date('2026-03-01'),
    order: { by: 'eventTime', direction: 'DESC' },
    limit: EVENTS + 100,
  });
  t.equal(all.length, EVENTS, 'every event once, though some were declared in error within the bounds too');
  t.equal(new Set(all.map((event) => event.id)).size, EVENTS, 'none twice');
  const after = await repository.query({
    recordTimeFrom: new Date('2026-02-01'),
    order: { by: 'recordTime', direction: 'ASC' },
    after: { time: declared[4].orderInstant, id: declared[4].id },
    limit: 3,
  });
  t.same(
    after.map((event) => event.id),
    declared.slice(5, 8).map((event) => event.id),
    'a page after a declared event goes on from it',
  );
});

t.test('EQ_correctiveEventID probes the declarations naming the ids, not every event', async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  const plant = await world.party('slaughterhouse');
  await queryRows(
    db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload, epcis_type)
      select 'plan-' || lpad(g::text, 5, '0'), 'observe', timestamptz '2026-01-01' + g * interval '1 minute', '+08:00',
        timestamptz '2026-01-01' + g * interval '1 minute', ${plant.code}, 'shipping', '{}', 'ObjectEvent'
      from generate_series(1, ${EVENTS}) g`,
  );
  // one in 50 declared in error, each naming its corrective event
  await queryRows(
    db,
    sql`insert into events (id, type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload, corrects_event_id,
        corrective_event_ids)
      select 'plan-' || lpad(g::text, 5, '0') || '#error', 'correction', timestamptz '2026-02-01', '+08:00',
        timestamptz '2026-02-01' + g * interval '1 second', ${plant.code}, 'correction',
        jsonb_build_object('correctiveEventIDs', jsonb_build_array('urn:uuid:fix-' || g)), 'plan-' || lpad(g::text, 5, '0'),
        array['urn:uuid:fix-' || g]
      from generate_series(1, ${EVENTS}, 50) g`,
  );
  await queryRows(db, sql`analyze events`);
  const repository = createEpcisRepository(db);
  for (const order of [
    { by: 'eventTime', direction: 'ASC' },
    { by: 'recordTime', direction: 'DESC' },
  ] as const) {
    const filter = { correctiveEventIds: ['urn:uuid:fix-51', 'urn:uuid:fix-4951'], order, limit: 10 };
    const page = repository.query(filter) as unknown as { getSQL(): SQL } & PromiseLike<{ id: string }[]>;
    t.same(
      (await page).map((event) => event.id).sort(),
      ['plan-00051', 'plan-04951'],
      `${order.by} ${order.direction}: the events declared in error with those corrective events`,
    );
    const [explained] = await queryRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(db, sql`explain (analyze, format json) ${page.getSQL()}`);
    const read = eventRowsRead(explained['QUERY PLAN'][0].Plan);
    t.ok(read < 20, `${order.by} ${order.direction}: ${read} rows of ${EVENTS} read`);
  }
});
