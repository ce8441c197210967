// The location service with exactly its narrowed repository, on a real database.
import { createAuditService } from '../../src/audit/service.js';
import { newPartyCode } from '../../src/codes/service-codes.js';
import type { Db } from '../../src/db/client.js';
import { createLocationBody } from '../../src/locations/schemas.js';
import { createLocationService } from '../../src/locations/service.js';
import { ADMIN, createChain, narrow, REGULATOR } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('locations', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const { repositories } = chain;
  const transaction = <T>(work: (tx: Db) => Promise<T>) => database.db.transaction((tx) => work(tx as unknown as Db));
  const service = createLocationService({
    locations: narrow(repositories.locations, ['insert', 'findByCode', 'findByGln', 'listByParty']),
    partyExists: async (code) => (await repositories.parties.findByCode(code)) !== undefined,
    parties: narrow(repositories.parties, ['lockCompanyPrefixes', 'glnHolders']),
    tradingPartners: repositories.shipments.tradingPartners,
    transaction,
    audit: createAuditService({ audit: repositories.audit, transaction, now: () => new Date() }),
  });
  const farm = await chain.party('farm');
  const site = (extra: Record<string, unknown> = {}) =>
    createLocationBody.parse({
      partyCode: farm.code,
      name: '猪舍',
      kind: 'barn',
      regionCode: '500236',
      address: '石马村5组',
      latitude: 31.03,
      longitude: 109.49,
      ...extra,
    });

  t.test('region codes are checked against GB/T 2260 by the schema the route uses', async (t) => {
    for (const regionCode of ['509999', '999999', '5002', '500236x']) {
      const parsed = createLocationBody.safeParse({ partyCode: farm.code, name: 'x', kind: 'plant', regionCode });
      t.match(parsed.error?.issues, [{ path: ['regionCode'], message: /listed in GB\/T 2260/ }], `${regionCode} is refused`);
    }
    t.ok(createLocationBody.safeParse({ partyCode: farm.code, name: 'x', kind: 'plant', regionCode: '110101' }).success, 'a real county');
    const registered = await service.register(farm.principal, site({ regionCode: '500236' }));
    t.match(registered, { regionCode: '500236', code: /^A[0-9A-Y]{11}$/, details: 'full' });
  });

  t.test('a GLN names one site: a second registration is a 409 naming the field', async (t) => {
    const first = await service.register(farm.principal, site({ gln: '9521234000013' }));
    t.equal(first.gln, '9521234000013');
    const other = await chain.party('slaughterhouse');
    await t.rejects(service.register(other.principal, site({ partyCode: other.code, gln: '9521234000013' })), {
      status: 409,
      detail: 'GLN 9521234000013 is already registered',
      errors: [{ in: 'body', pointer: '/gln', detail: 'already registered' }],
    });
    t.notMatch(
      createLocationBody.safeParse({ partyCode: farm.code, name: 'x', kind: 'plant', regionCode: '500236', gln: '9521234000014' }),
      { success: true },
      'a GLN with a wrong check digit never reaches the service',
    );
  });

  t.test('two registrations of one GLN at the same time: one site, one conflict', async (t) => {
    const outcomes = await Promise.allSettled([
      service.register(farm.principal, site({ gln: '9521234000020' })),
      service.register(ADMIN, site({ gln: '9521234000020' })),
    ]);
    t.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, 'one is registered');
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    t.match(refused?.reason, { status: 409, errors: [{ pointer: '/gln' }] }, 'the other is a conflict, not a failure');
  });

  t.test('who registers: the party itself or an admin; never another party or a regulator', async (t) => {
    const other = await chain.party('processor');
    await t.rejects(service.register(other.principal, site()), {
      status: 403,
      message: `this key may not write data of party ${farm.code}`,
    });
    await t.rejects(service.register(REGULATOR, site()), { status: 403, message: `this key may not write data of party ${farm.code}` });
    t.equal((await service.register(ADMIN, site())).partyCode, farm.code);
    const unknown = newPartyCode('retailer', '500236');
    await t.rejects(service.register(ADMIN, site({ partyCode: unknown })), { status: 404, message: `no party ${unknown}` });
  });

  t.test('address and position are for the party, its trading partners, regulators and admins', async (t) => {
    const owner = await chain.party('farm');
    const barn = await service.register(owner.principal, site({ partyCode: owner.code }));
    const partner = await chain.party('slaughterhouse');
    const stranger = await chain.party('slaughterhouse');
    const addressee = await chain.party('slaughterhouse');
    const pigs = await owner.product('head');
    await partner.receive(await owner.ship(partner, [{ lotCode: await owner.commission(pigs, 2) }]));
    await owner.ship(addressee, [{ lotCode: await owner.commission(pigs, 2) }]);

    for (const [who, principal] of [
      ['the owner', owner.principal],
      ['a trading partner', partner.principal],
      ['a regulator', REGULATOR],
      ['an admin', ADMIN],
    ] as const) {
      t.match(await service.get(principal, barn.code), { details: 'full', address: '石马村5组', latitude: 31.03 }, who);
    }
    const seen = await service.get(stranger.principal, barn.code);
    t.match(seen, { details: 'public', address: null, latitude: null, longitude: null, name: '猪舍', regionCode: '500236' }, 'a stranger');
    t.match(
      await service.get(addressee.principal, barn.code),
      { details: 'public', address: null },
      'a party a shipment is only on its way to',
    );
    t.same(
      (await service.listByParty(stranger.principal, owner.code)).map(({ code, details, address }) => ({ code, details, address })),
      [{ code: barn.code, details: 'public', address: null }],
      'the same in a list',
    );
  });

  t.test('reads', async (t) => {
    await t.rejects(service.get(ADMIN, 'AXXXXXXXXXXX'), { status: 404, message: 'no location AXXXXXXXXXXX' });
    const shop = await chain.party('retailer');
    const first = await service.register(shop.principal, site({ partyCode: shop.code, name: 'front' }));
    const second = await service.register(shop.principal, site({ partyCode: shop.code, name: 'back' }));
    t.same(
      (await service.listByParty(shop.principal, shop.code)).map((location) => location.code),
      [first.code, second.code],
      "a party's sites in registration order",
    );
    t.same(await service.listByParty(ADMIN, 'Y500236XXXXXXX0'), [], 'an unknown party has none');
  });

  t.test('a failed insert that is not a duplicate is not reported as one', async (t) => {
    // the route's input guard (and the name's schema) refuse NUL first; the service must not turn the database's refusal into a 409
    const refused = await service
      .register(farm.principal, { ...site({ gln: '9521234000037' }), name: 'nul\u0000name' })
      .catch((error) => error);
    t.notMatch(refused, { status: 409 });
    t.ok(refused instanceof Error);
  });
});
