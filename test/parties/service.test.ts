// The party service with exactly its narrowed repository, on a real database.
import { createAuditService } from '../../src/audit/service.js';
import type { Db } from '../../src/db/client.js';
import { createPartyBody } from '../../src/parties/schemas.js';
import { createPartyService } from '../../src/parties/service.js';
import { createChain, narrow } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a USCC and a GLN each name one party, also when two registrations race', async (t) => {
  const database = await openTestDatabase(t);
  const { repositories } = createChain(database);
  const transaction = <T>(work: (tx: Db) => Promise<T>) => database.db.transaction((tx) => work(tx as unknown as Db));
  const service = createPartyService({
    parties: narrow(repositories.parties, [
      'insert',
      'findByCode',
      'findByUscc',
      'list',
      'lockCompanyPrefixes',
      'findOverlappingCompanyPrefixes',
      'findProductUnderCompanyPrefix',
      'findGlnUnderCompanyPrefix',
      'glnHolders',
      'overlappingCompanyPrefixes',
      'gtinsUnderAnotherPartysPrefix',
      'glnsUnderAnotherPartysPrefix',
      'locationGlnsOfAnotherParty',
      'lotsUnderAnotherPartysGtin',
      'holdsRegion',
    ]),
    tradingPartners: repositories.shipments.tradingPartners,
    transaction,
    audit: createAuditService({ audit: repositories.audit, transaction, now: () => new Date() }),
  });
  const farm = (extra: Record<string, unknown>) => createPartyBody.parse({ kind: 'farm', name: '养殖场', regionCode: '500236', ...extra });

  for (const [field, value] of [
    ['uscc', '91500236MA60000010'],
    ['gln', '9521234000006'],
  ] as const) {
    const outcomes = await Promise.allSettled([service.register(farm({ [field]: value })), service.register(farm({ [field]: value }))]);
    t.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, `${field}: one party is registered`);
    t.match(
      outcomes.find((outcome) => outcome.status === 'rejected')?.reason,
      { status: 409, errors: [{ in: 'body', pointer: `/${field}`, detail: 'already registered' }] },
      `${field}: the other is a conflict naming the field`,
    );
  }
  const registered = (await repositories.parties.findByUscc('91500236MA60000010'))?.code;
  await t.rejects(service.register(farm({ uscc: '91500236MA60000010' })), {
    status: 409,
    message: `USCC 91500236MA60000010 is already registered as party ${registered}`,
  });
  // past the schema, which refuses control characters in names, to a NUL the database refuses
  const refused = await service.register({ ...farm({ gln: '9521234000044' }), name: 'nul\u0000name' }).catch((error) => error);
  t.ok(refused instanceof Error && !('status' in refused), 'a failed insert that is not a duplicate is not reported as one');
});
