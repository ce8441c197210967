// A PostgreSQL connection lost while a transaction holds it: its server process terminated (by an
// administrator, or the database dropped with force) between two of its statements.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { openTestDatabase, postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test(
  'a transaction whose server process is terminated between its statements fails, and the process goes on (PostgreSQL)',
  await postgresOnly('PGlite has no server processes'),
  async (t) => {
    const database = await openTestDatabase(t, 'postgres');
    let began!: (pid: number) => void;
    const beginning = new Promise<number>((resolve) => {
      began = resolve;
    });
    let go!: () => void;
    const going = new Promise<void>((resolve) => {
      go = resolve;
    });
    const transaction = database.db.transaction(async (tx) => {
      const [{ pid }] = await queryRows<{ pid: number }>(tx as never, sql`select pg_backend_pid() as pid`);
      began(pid);
      await going;
      await tx.execute(sql`select 1`);
    });
    const pid = await beginning;
    await queryRows(database.db, sql`select pg_terminate_backend(${pid})`);
    // its server process has ended once it is no longer listed: its connection has been told
    for (;;) {
      const [{ listed }] = await queryRows<{ listed: number }>(
        database.db,
        sql`select count(*)::int as listed from pg_stat_activity where pid = ${pid}`,
      );
      if (listed === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    go();
    await t.rejects(transaction, 'the transaction fails');
    const [{ answer }] = await queryRows<{ answer: number }>(database.db, sql`select 1 as answer`);
    t.equal(answer, 1, 'the database answers on another connection');
  },
);
