// EPCIS queries ordered by a time page on (time, id) with the time to the microsecond, as the
// database stores it: events written by SQL (record_time's default now(), imports) carry
// sub-millisecond digits, and a token cut to the millisecond would repeat them or page forever.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A text[] literal of values the test chose (no quotes in them). */
const textArray = (values: string[]) => sql.raw(`array[${values.map((value) => `'${value}'`).join(', ')}]`);

t.test('a query ordered by a time reads events with sub-millisecond times once each, and ends', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  // three in one millisecond, so that a page of two ends between two of them, then two more
  const times = ['00.000100', '00.000200', '00.000300', '00.001500', '00.002700'];
  await queryRows(
    world.database.db,
    sql`insert into events (id, type, epcis_type, event_time, event_time_zone_offset, record_time, party_code, biz_step, payload)
      select 'urn:uuid:00000000-0000-4000-8000-00000000000' || n, 'observe', 'ObjectEvent', ('2026-11-01T00:00:' || r || 'Z')::timestamptz, '+08:00',
        ('2026-11-01T00:00:' || r || 'Z')::timestamptz, ${plant.code}, 'inspecting', '{}'
      from unnest(${textArray(times)}) with ordinality as given(r, n)`,
  );
  for (const [by, direction, expected] of [
    ['recordTime', 'ASC', '12345'],
    ['recordTime', 'DESC', '54321'],
    ['eventTime', 'ASC', '12345'],
    ['eventTime', 'DESC', '54321'],
  ]) {
    const read: string[] = [];
    let token: string | undefined;
    for (let pages = 0; pages <= times.length; pages++) {
      const query = new URLSearchParams({
        orderBy: by,
        orderDirection: direction,
        perPage: '2',
        ...(token ? { nextPageToken: token } : {}),
      });
      const reply = expectStatus(t, await plant.api.get(`/epcis/events?${query}`), 200, `${by} ${direction}, a page`);
      read.push(...reply.body.epcisBody.queryResults.resultsBody.eventList.map((event: { eventID: string }) => event.eventID.slice(-1)));
      token = /nextPageToken=([^&>]+)/.exec(String(reply.headers.link ?? ''))?.[1];
      if (token === undefined) break;
      token = decodeURIComponent(token);
    }
    t.equal(read.join(''), expected, `${by} ${direction}: each event once, in order, and paging ends`);
  }
});
