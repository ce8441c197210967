// API keys are remembered for a few seconds after they authenticate, so a busy client does not
// cost a database round trip per request; revocation still takes effect.
import { createAuditRepository } from '../../src/audit/repository.js';
import { createAuditService } from '../../src/audit/service.js';
import { createApiKeysRepository } from '../../src/auth/repository.js';
import { API_KEY_CACHE_MS, createApiKeyService } from '../../src/auth/service.js';
import type { Database, Db } from '../../src/db/client.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Issuing and revoking keys record audit entries, in the transaction of the act. */
const recording = (database: Database) => {
  const transaction = <T>(work: (tx: Db) => Promise<T>) => database.db.transaction((tx) => work(tx as unknown as Db));
  return { transaction, audit: createAuditService({ audit: createAuditRepository(database.db), transaction, now: () => new Date() }) };
};

t.test('a key authenticated a moment ago is not looked up again; revoking it here forgets it at once', async (t) => {
  const database = await openTestDatabase(t);
  const apiKeys = createApiKeysRepository(database.db);
  let clock = 1_000_000;
  const service = createApiKeyService({ apiKeys, partyKind: async () => 'processor', now: () => clock, ...recording(database) });
  const issued = await service.issue({ role: 'regulator' });
  const bearer = `Bearer ${issued.key}`;

  const before = database.stats.queries;
  t.same(await service.authenticate(bearer), { keyId: issued.id, role: 'regulator', partyCode: null });
  t.equal(database.stats.queries - before, 1, 'the first request looks the key up');
  await service.authenticate(bearer);
  await service.authenticate(bearer);
  t.equal(database.stats.queries - before, 1, 'the next ones within the cache time do not');

  clock += API_KEY_CACHE_MS;
  await service.authenticate(bearer);
  t.equal(database.stats.queries - before, 2, 'after the cache time it is looked up again');
  clock += API_KEY_CACHE_MS;
  await Promise.all(Array.from({ length: 5 }, () => service.authenticate(bearer)));
  t.equal(database.stats.queries - before, 3, 'requests arriving together share one look-up');

  await service.revoke(issued.id);
  await t.rejects(service.authenticate(bearer), /unknown or revoked/, 'revoked in this process: refused at once');
  await t.rejects(service.authenticate('Bearer ctk_unknown'), /unknown or revoked/, 'an unknown key is refused');
  await t.rejects(service.authenticate('Bearer ctk_unknown'), /unknown or revoked/, 'and refused again: a refusal is not remembered');
  await t.rejects(service.authenticate(undefined), /send the API key/, 'no key at all');
});

t.test('a key revoked elsewhere stops working within the cache time', async (t) => {
  const database = await openTestDatabase(t);
  const apiKeys = createApiKeysRepository(database.db);
  let clock = 1_000_000;
  const here = createApiKeyService({ apiKeys, partyKind: async () => 'processor', now: () => clock, ...recording(database) });
  const elsewhere = createApiKeyService({ apiKeys, partyKind: async () => 'processor', ...recording(database) });
  const issued = await here.issue({ role: 'regulator' });
  const bearer = `Bearer ${issued.key}`;
  await here.authenticate(bearer);
  await elsewhere.revoke(issued.id);
  t.equal((await here.authenticate(bearer)).keyId, issued.id, 'still trusted for the rest of the cache time');
  clock += API_KEY_CACHE_MS;
  await t.rejects(here.authenticate(bearer), /unknown or revoked/, 'refused once the cache time has passed');
});
