// The fixtures that line PostgreSQL races up (test/fixtures/locks.ts) when a race does not go as
// planned: a wait for requests to line up fails, saying what the database's server processes do,
// and a test that ends with transactions still open does not keep its process alive.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { postgresBaseUrl } from '../database.js';
import { holdLocked, waitBlockedBy, waitersReach } from '../fixtures/locks.js';
import { spawnProcess } from '../fixtures/service-process.js';
import { createWorld } from '../fixtures/world.js';
import { openTestDatabase, postgresOnly } from '../helper.js';
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

t.test('a hold its test never let go is let go when the test ends, its transaction committed (PostgreSQL)', onPostgres, async (t) => {
  let left!: Promise<void>;
  await t.test('a test that leaves a row held', async (t) => {
    const world = await createWorld(t, 'postgres');
    const { code } = await world.party('processor');
    left = (await holdLocked(world, sql`select 1 from parties where code = ${code} for update`)).done;
    t.pass('it ends, the row held');
  });
  await t.resolves(left, 'the hold ends');
});

t.test(
  'a test file that times out with transactions still open, and requests and a capture job behind them, ends its process and drops its database (PostgreSQL)',
  onPostgres,
  async (t) => {
    const database = await openTestDatabase(t, 'postgres');
    // without a time limit of its own: the process ends only once nothing of it is left open
    const stuck = spawnProcess(t, ['test/fixtures/stuck-race.ts'], { DATABASE_URL: postgresBaseUrl(), TAP_TIMEOUT: '0' });
    const killing = setTimeout(() => stuck.child.kill('SIGKILL'), 120_000);
    const { signal } = await stuck.exited;
    clearTimeout(killing);
    const output = stuck.output();
    t.equal(signal, null, 'it ends by itself', { output });
    t.match(output, /# stuck\n[\s\S]*not ok 1 - timeout!/, 'its test timed out once stuck');
    t.notMatch(output, /Unhandled 'error' event/, 'no lost connection went unhandled');
    const name = /# database (\w+)/.exec(output)?.[1];
    const [{ left }] = await queryRows<{ left: number }>(
      database.db,
      sql`select count(*)::int as left from pg_database where datname = ${name ?? ''}`,
    );
    t.ok(name && left === 0, `its database ${name} is dropped`);
  },
);
