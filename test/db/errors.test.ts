import { sql } from 'drizzle-orm';
import { isUniqueViolation } from '../../src/db/errors.js';
import { openTestDatabase } from '../helper.js';
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
