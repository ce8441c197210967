// The service's PostgreSQL sessions run in UTC whatever the server's or the database's own time
// zone (a county's server set to Asia/Shanghai): times the service reads as text, in JSON, are
// written with offsets Node parses (before 1901 Shanghai's local mean time has an offset in seconds,
// "+08:05:43", which Date cannot read).

import { sql } from 'drizzle-orm';
import { openPostgres, queryRows } from '../../src/db/client.js';
import { createEmptyPostgresDatabase } from '../database.js';
import { usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test(
  'a database set to Asia/Shanghai is read in UTC',
  { skip: !usingPostgres() && 'PGlite: the service creates its data directory, in UTC' },
  async (t) => {
    const name = `session_time_zone_${process.pid}`;
    const { url, drop } = await createEmptyPostgresDatabase(name, ["timezone = 'Asia/Shanghai'"]);
    t.teardown(drop);
    const database = await openPostgres(url);
    t.teardown(() => database.close());

    const [row] = await queryRows<{ zone: string; written: { at: string } }>(
      database.db,
      sql`select current_setting('TimeZone') as zone, json_build_object('at', '1900-06-01T00:00:00Z'::timestamptz) as written`,
    );
    t.equal(row?.zone, 'UTC');
    t.equal(new Date(row?.written.at ?? '').toISOString(), '1900-06-01T00:00:00.000Z', 'a time in JSON reads as the instant it is');
  },
);
