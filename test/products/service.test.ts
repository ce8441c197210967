// The product service with exactly its narrowed repository, on a real database.

import { createAuditService } from '../../src/audit/service.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { newPartyCode } from '../../src/codes/service-codes.js';
import type { Db } from '../../src/db/client.js';
import { type CreateProductInput, createProductBody } from '../../src/products/schemas.js';
import { createProductService } from '../../src/products/service.js';
import { ADMIN, createChain, narrow, REGULATOR } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('products', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const { repositories } = chain;
  const transaction = <T>(work: (tx: Db) => Promise<T>) => database.db.transaction((tx) => work(tx as unknown as Db));
  const service = createProductService({
    products: narrow(repositories.products, ['insert', 'findByCode', 'findByGtin', 'list']),
    partyExists: async (code) => (await repositories.parties.findByCode(code)) !== undefined,
    parties: narrow(repositories.parties, ['lockCompanyPrefixes', 'companyPrefixesFor']),
    transaction,
    audit: createAuditService({ audit: repositories.audit, transaction, now: () => new Date() }),
  });
  const processor = await chain.party('processor');
  const other = await chain.party('processor');
  const input = (extra: Record<string, unknown>) =>
    createProductBody.parse({ partyCode: processor.code, name: '奉节腊肉 500g', category: 'cured_meat', unit: 'piece', ...extra });

  t.test('a GTIN is checked, stored as GTIN-14, and registered once in any of its forms', async (t) => {
    const registered = await service.register(processor.principal, input({ gtin: '9506000134352' }));
    t.equal(registered.gtin, '09506000134352', 'GTIN-13 stored as GTIN-14');
    t.match(registered.code, /^M[0-9A-Y]{11}$/);
    t.same(await service.get(registered.code), registered, 'read back as registered');

    for (const [form, gtin] of [
      ['GTIN-14', '09506000134352'],
      ['GTIN-13', '9506000134352'],
    ]) {
      await t.rejects(
        service.register(other.principal, input({ partyCode: other.code, gtin })),
        {
          status: 409,
          detail: `GTIN 09506000134352 is already registered by party ${processor.code}`,
          errors: [{ in: 'body', pointer: '/gtin', detail: `already registered by party ${processor.code}` }],
        },
        `the same GTIN as ${form}, by another party`,
      );
    }
    t.equal((await service.register(processor.principal, input({ gtin: '12345670' }))).gtin, '00000012345670', 'GTIN-8 padded');
    t.equal((await service.register(processor.principal, input({ gtin: '614141000012' }))).gtin, '00614141000012', 'GTIN-12 padded');

    const badCheckDigit = createProductBody.safeParse({
      partyCode: processor.code,
      name: 'x',
      category: 'other',
      unit: 'kg',
      gtin: '9506000134353',
    });
    t.notOk(badCheckDigit.success, 'a wrong check digit is refused by the schema, before the service');
    t.match(badCheckDigit.error?.issues[0], { path: ['gtin'], message: /valid check digit/ });
  });

  t.test('a restricted circulation, coupon or all-zero GTIN is refused by the service, not only by the HTTP schema', async (t) => {
    for (const [gtin, why] of [
      [completeGs1('200123456789'), /restricted circulation number/],
      [completeGs1('982123456789'), /coupon/],
      ['00000000', /all zeros/],
    ] as const) {
      // as any caller of the service passes it, the schema's check aside
      const unchecked: CreateProductInput = { partyCode: processor.code, name: '腊肉', category: 'cured_meat', unit: 'kg', gtin };
      await t.rejects(
        service.register(processor.principal, unchecked),
        { status: 400, errors: [{ in: 'body', pointer: '/gtin', detail: why }] },
        `GTIN ${gtin}`,
      );
    }
    t.notOk(
      (await service.list(processor.code)).some((product) => product.name === '腊肉'),
      'none stored',
    );
  });

  t.test('two registrations of one GTIN at the same time: one product, one conflict', async (t) => {
    const outcomes = await Promise.allSettled([
      service.register(processor.principal, input({ gtin: '96385074' })),
      service.register(other.principal, input({ partyCode: other.code, gtin: '96385074' })),
    ]);
    t.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, 'one is registered');
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    t.match(refused?.reason, { status: 409, errors: [{ pointer: '/gtin' }] }, 'the other is a conflict naming the field, not a failure');
    t.equal((await service.list()).filter((product) => product.gtin === '00000096385074').length, 1);
  });

  t.test('marks are kept once each; no GTIN is fine', async (t) => {
    const product = await service.register(
      processor.principal,
      input({ marks: ['green_food', 'geographical_indication', 'green_food'], shelfLifeDays: 180 }),
    );
    t.same(product.marks, ['green_food', 'geographical_indication']);
    t.equal(product.gtin, null);
    t.equal(product.shelfLifeDays, 180);
  });

  t.test('who registers: an operator for its own party, an admin for any, never a regulator', async (t) => {
    await t.rejects(service.register(other.principal, input({})), {
      status: 403,
      message: `this key may not write data of party ${processor.code}`,
    });
    await t.rejects(service.register(REGULATOR, input({})), {
      status: 403,
      message: `this key may not write data of party ${processor.code}`,
    });
    t.equal((await service.register(ADMIN, input({}))).partyCode, processor.code, 'an admin registers for the party');
    const unknown = newPartyCode('retailer', '500236');
    await t.rejects(service.register(ADMIN, input({ partyCode: unknown })), { status: 404, message: `no party ${unknown}` });
  });

  t.test('reads: by code, and listed per party in registration order', async (t) => {
    await t.rejects(service.get('MXXXXXXXXXXX'), { status: 404, message: 'no product MXXXXXXXXXXX' });
    const shop = await chain.party('retailer');
    const first = await service.register(
      shop.principal,
      createProductBody.parse({ partyCode: shop.code, name: 'a', category: 'other', unit: 'kg' }),
    );
    const second = await service.register(
      shop.principal,
      createProductBody.parse({ partyCode: shop.code, name: 'b', category: 'other', unit: 'box' }),
    );
    t.same(
      (await service.list(shop.code)).map((product) => product.code),
      [first.code, second.code],
    );
    const butcher = await chain.party('retailer');
    const third = await service.register(
      butcher.principal,
      createProductBody.parse({ partyCode: butcher.code, name: 'c', category: 'other', unit: 'kg' }),
    );
    const everyone = (await service.list()).map((product) => product.code);
    t.ok(
      [first, second, third].every((product) => everyone.includes(product.code)),
      'without a party: every party’s products',
    );
  });

  t.test("a product's unit decides how finely its lots are counted", async (t) => {
    const pieces = await processor.product('piece');
    const kilograms = await processor.product('kg');
    await t.rejects(processor.commission(pieces, 1.5), {
      status: 400,
      errors: [{ pointer: '/lots/0/quantity', detail: /whole number of piece/ }],
    });
    const lot = await processor.commission(kilograms, 1.5);
    const [stored] = await repositories.lots.findByCodes([lot]);
    t.match(stored, { unit: 'kg', quantity: 1.5 });
  });

  t.test('a failed insert that is not a duplicate is not reported as one', async (t) => {
    // the route's input guard (and the name's schema) refuse NUL first; the service must not turn the database's refusal into a 409
    const refused = await service
      .register(processor.principal, { ...input({ gtin: '95012346' }), name: 'nul\u0000name' })
      .catch((error) => error);
    t.notMatch(refused, { status: 409 });
    t.ok(refused instanceof Error);
  });
});
