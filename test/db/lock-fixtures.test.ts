// The fixtures that line PostgreSQL races up (test/fixtures/locks.ts) when a race does not go as
// planned: a wait for requests to line up fails, saying what the database's server processes do.
import { sql } from 'drizzle-orm';
import { holdLocked, waitBlockedBy, waitersReach } from '../fixtures/locks.js';
import { createWorld } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly('the fixtures line up transactions of PostgreSQL');

t.test(
  'a wait for requests to line up that they never do fails, with what each server process of the database is doing (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const { code } = await world.party('processor');
    const lock = sql`select 1 from parties where code = ${code} for update`;
    const hold = await holdLocked(world, lock);
    const behind = holdLocked(world, lock);
    await waitBlockedBy(world, hold.pid, behind);
    // one waits, never two
    const failed = await waitersReach(world, 2, new Promise(() => {}), 500).then(
      () => undefined,
      (error: Error) => error,
    );
    t.match(failed?.message, /^no 2 statements waiting for a lock after 500 ms \(1 now\)/, 'it fails, saying what it waited for');
    t.match(
      failed?.message,
      new RegExp(`pid \\d+ active waiting for Lock/\\w+ behind ${hold.pid}: select 1 from parties where code = \\$1 for update`),
      'the waiting request: what it waits for, behind which process, and its statement',
    );
    t.match(failed?.message, new RegExp(`pid ${hold.pid} idle in transaction[^:]*: select pg_backend_pid\\(\\) as pid`), 'and the hold');
    hold.release();
    await hold.done;
    const next = await behind;
    next.release();
    await next.done;
  },
);
