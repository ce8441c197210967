// A product is registered under a GTIN that can identify a trade item in an open supply chain: a
// restricted circulation number (a store's or a company's own), a coupon or an all-zero GTIN is
// refused, naming the field and why. Products stored before the rule keep their GTINs.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a restricted circulation, coupon or all-zero GTIN registers no product', async (t) => {
  const world = await createWorld(t);
  const operator = await world.party('processor');
  const register = (gtin: string) =>
    operator.api.post('/products', { partyCode: operator.code, name: '腊肉', category: 'cured_meat', unit: 'kg', gtin });
  const refused: [string, RegExp][] = [
    [completeGs1('200123456789'), /restricted circulation number/],
    [completeGs1('041234567890'), /GS1 prefix 04/],
    [completeGs1('20123456789'), /U\.P\.C\. prefix 2/],
    [completeGs1('2012345'), /GS1-8 prefix 0 or 2/],
    [completeGs1('0201234'), /GS1-8 prefix 0 or 2/],
    [completeGs1('1250123456789'), /GS1 prefix 200–299/],
    [completeGs1('982123456789'), /coupon/],
    ['0000000000000', /all zeros/],
    ['00000000', /all zeros/],
  ];
  for (const [gtin, why] of refused) {
    const reply = await register(gtin);
    expectStatus(t, reply, 400, `GTIN ${gtin}`);
    t.equal(reply.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(reply.body.errors, [{ in: 'body', pointer: '/gtin', detail: why }], `GTIN ${gtin}: the field and why`);
  }
  const stored = (await world.database.db.execute(
    sql`select count(*)::int as n from products where party_code = ${operator.code}`,
  )) as unknown as {
    rows: { n: number }[];
  };
  t.equal(stored.rows[0].n, 0, 'none stored');
  expectStatus(t, await register(completeGs1('690123456789')), 201, 'a GTIN under GS1 China’s prefix is registered');
});
