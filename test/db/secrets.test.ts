// The service's own secrets (the salt of hashed client IPs): made once, by the first process to ask,
// and the same for every process and restart on the database.
import { storedSecret } from '../../src/db/secrets.js';
import { openTestDatabase, usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a secret is made once: random, then the same at every later ask', async (t) => {
  const { db } = await openTestDatabase(t);
  const first = await storedSecret(db, 'ip-hash-salt');
  t.match(first, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
  t.equal(await storedSecret(db, 'ip-hash-salt'), first, 'asked again: the same');
  t.not(await storedSecret(db, 'another'), first, 'another name: another secret');
});

t.test('processes asking at once all get the one secret', { skip: !usingPostgres() && 'one connection on PGlite' }, async (t) => {
  const { db } = await openTestDatabase(t);
  const secrets = await Promise.all(Array.from({ length: 20 }, () => storedSecret(db, 'ip-hash-salt')));
  t.equal(new Set(secrets).size, 1);
});
