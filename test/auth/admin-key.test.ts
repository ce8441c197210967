// The configured ADMIN_API_KEY: stored on the first start, kept on the next, and never brought back
// once it has been revoked.
import { createAuditRepository } from '../../src/audit/repository.js';
import { createAuditService } from '../../src/audit/service.js';
import { createApiKeysRepository } from '../../src/auth/repository.js';
import { createApiKeyService, RevokedAdminKeyError } from '../../src/auth/service.js';
import type { Db } from '../../src/db/client.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a revoked ADMIN_API_KEY stays revoked: the next start refuses it and says so', async (t) => {
  const database = await openTestDatabase(t);
  const transaction = <T>(work: (tx: Db) => Promise<T>) => database.db.transaction((tx) => work(tx as unknown as Db));
  const service = () =>
    createApiKeyService({
      apiKeys: createApiKeysRepository(database.db),
      partyKind: async () => undefined,
      transaction,
      audit: createAuditService({ audit: createAuditRepository(database.db), transaction, now: () => new Date() }),
    });
  const configured = 'configured-admin-key-000000000000';
  const bearer = `Bearer ${configured}`;

  t.equal(await service().ensureAdminKey(configured), null, 'the first start stores it');
  t.equal(await service().ensureAdminKey(configured), null, 'the next start keeps it');
  const { keyId } = await service().authenticate(bearer);
  t.equal((await service().list()).length, 1, 'stored once');

  await service().revoke(keyId);
  const restarted = service();
  const refusal = await restarted.ensureAdminKey(configured).then(
    () => null,
    (error: unknown) => error,
  );
  t.ok(refusal instanceof RevokedAdminKeyError, `a start with the revoked key is refused (${refusal})`);
  t.match(String((refusal as Error)?.message), /^ADMIN_API_KEY was revoked/, 'saying why');
  await t.rejects(restarted.authenticate(bearer), /unknown or revoked/, 'and the key is not brought back');
  t.equal((await restarted.list()).length, 1, 'no second row for it');
  t.equal(await restarted.ensureAdminKey('another-admin-key-00000000000000'), null, 'another configured key is stored');
});

t.test('the generated admin key is made on the very first start only: revoking every admin key does not bring a new one', async (t) => {
  const database = await openTestDatabase(t);
  const transaction = <T>(work: (tx: Db) => Promise<T>) => database.db.transaction((tx) => work(tx as unknown as Db));
  const service = createApiKeyService({
    apiKeys: createApiKeysRepository(database.db),
    partyKind: async () => undefined,
    transaction,
    audit: createAuditService({ audit: createAuditRepository(database.db), transaction, now: () => new Date() }),
  });
  const generated = await service.ensureAdminKey();
  t.match(generated, /^ctk_/, 'the first start generates one');
  t.equal(await service.ensureAdminKey(), null, 'the next start does not');
  const { keyId } = await service.authenticate(`Bearer ${generated}`);
  await service.revoke(keyId);
  t.equal(
    await service.ensureAdminKey(),
    null,
    'nor a start after it was revoked: the revocation stands (npm run admin-key issues another)',
  );
  t.equal((await service.list()).length, 1, 'no second admin key');
});
