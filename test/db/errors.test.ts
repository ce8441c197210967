import { sql } from 'drizzle-orm';
import { isConcurrencyFailure, isUniqueViolation } from '../../src/db/errors.js';
import { openTestDatabase, usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a unique violation is told apart from other failures, on either driver', async (t) => {
  const { db } = await openTestDatabase(t);
  const insert = () => db.execute(sql`insert into rate_limits (key, window_start, hits) values ('k', now(), 1)`);
  await insert();
  const duplicate = await insert().catch((error: unknown) => error);
  t.ok(isUniqueViolation(duplicate), 'the same key twice');
  const other = await db.execute(sql`select 1 / 0`).catch((error: unknown) => error);
  t.notOk(isUniqueViolation(other), 'a division by zero');
  t.notOk(isUniqueViolation('not an error'));
});

t.test(
  'a deadlock is told apart as a failure that sending again can mend (PostgreSQL)',
  { skip: !usingPostgres() && 'PGlite runs one transaction at a time' },
  async (t) => {
    const { db } = await openTestDatabase(t);
    await db.execute(sql`insert into rate_limits (key, window_start, hits) values ('a', now(), 1), ('b', now(), 1)`);
    // each transaction takes one row, then (once the other holds its row) asks for the other's
    let bothHold: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      let count = 0;
      bothHold = () => {
        count += 1;
        if (count === 2) resolve();
      };
    });
    const crosswise = (first: string, second: string) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`update rate_limits set hits = hits + 1 where key = ${first}`);
        bothHold();
        await held;
        await tx.execute(sql`update rate_limits set hits = hits + 1 where key = ${second}`);
      });
    const outcomes = await Promise.allSettled([crosswise('a', 'b'), crosswise('b', 'a')]);
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => outcome.reason);
    t.equal(failures.length, 1, 'PostgreSQL ends one of the two');
    t.ok(isConcurrencyFailure(failures[0]), 'as a deadlock');
    t.notOk(isConcurrencyFailure(await db.execute(sql`select 1 / 0`).catch((error: unknown) => error)), 'a division by zero is not');
  },
);
