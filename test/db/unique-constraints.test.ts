// Which unique constraint a failed statement broke, as each driver reports it.
import { sql } from 'drizzle-orm';
import { violatedUniqueConstraint } from '../../src/db/errors.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a unique violation names its constraint; other failures name none', async (t) => {
  const { db } = await openTestDatabase(t);
  const failure = (statement: ReturnType<typeof sql>) =>
    db.execute(statement).then(
      () => undefined,
      (error: unknown) => error,
    );
  await db.execute(sql`insert into api_keys (id, key_hash, key_prefix, role) values ('k1', 'h1', 'ctk_', 'admin')`);

  const duplicate = await failure(sql`insert into api_keys (id, key_hash, key_prefix, role) values ('k2', 'h1', 'ctk_', 'admin')`);
  t.equal(violatedUniqueConstraint(duplicate), 'api_keys_hash_key', 'the unique index that refused the row');
  const samePrimaryKey = await failure(sql`insert into api_keys (id, key_hash, key_prefix, role) values ('k1', 'h2', 'ctk_', 'admin')`);
  t.equal(violatedUniqueConstraint(samePrimaryKey), 'api_keys_pkey', 'a primary key is a unique constraint too');
  const missingColumn = await failure(sql`insert into api_keys (id) values ('k3')`);
  t.ok(missingColumn instanceof Error, 'that statement failed');
  t.equal(violatedUniqueConstraint(missingColumn), undefined, 'a not-null violation is not a duplicate');
  t.equal(violatedUniqueConstraint(new Error('plain')), undefined);
  t.equal(violatedUniqueConstraint(undefined), undefined, 'not an error at all');
  t.equal(
    violatedUniqueConstraint(Object.assign(new Error('driver'), { code: '23505' })),
    undefined,
    'a unique violation without a constraint name names none',
  );
});
