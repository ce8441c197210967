// A product's GTIN registered while another party registers the company prefix that GTIN carries:
// on PostgreSQL the two run side by side (PGlite runs one transaction at a time), and exactly one
// of them may be stored, else the GTIN would be one party's product under another party's prefix.
// Many rounds meet in whatever order they happen to; two meet in a fixed order, each held by a
// transaction of the test's own just after its checks while the other is sent.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { holdLocked, meetInOrder } from '../fixtures/locks.js';
import { createWorld, expectStatus, randomUscc, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();
const ROUNDS = 30;

t.test(
  'a GTIN and the company prefix it carries, registered at the same time by two parties: one of them wins (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const producer = await world.party('processor');
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const prefix = `69${String(round).padStart(3, '0')}77`;
      const [product, party] = await Promise.all([
        producer.api.post('/products', {
          partyCode: producer.code,
          name: `腊肉 ${round}`,
          category: 'cured_meat',
          unit: 'kg',
          gtin: completeGs1(`${prefix}00001`),
        }),
        world.admin.post('/parties', {
          kind: 'processor',
          name: `夔州食品 ${round}`,
          uscc: randomUscc(),
          regionCode: '500236',
          gs1CompanyPrefix: prefix,
        }),
      ]);
      outcomes.push(`${product.status}/${party.status}`);
      if (product.status === 409) t.match(product.body.errors, [{ in: 'body', pointer: '/gtin' }]);
      if (party.status === 409) t.match(party.body.errors, [{ in: 'body', pointer: '/gs1CompanyPrefix' }]);
    }
    const settled = outcomes.filter((outcome) => outcome === '201/409' || outcome === '409/201');
    t.equal(settled.length, ROUNDS, `every round has one winner and one conflict: ${outcomes.join(' ')}`);
  },
);

t.test(
  'a GTIN and the company prefix it carries, meeting in a fixed order: the second is refused, naming the first (PostgreSQL)',
  onPostgres,
  async (t) => {
    const prefix = '6954321';
    const gtin = completeGs1(`${prefix}00001`);
    const registerParty = (world: World) =>
      world.admin.post('/parties', {
        kind: 'processor',
        name: '夔州食品',
        uscc: randomUscc(),
        regionCode: '500236',
        gs1CompanyPrefix: prefix,
      });
    const registerProduct = (producer: Awaited<ReturnType<World['party']>>) =>
      producer.api.post('/products', { partyCode: producer.code, name: '腊肉', category: 'cured_meat', unit: 'kg', gtin });

    t.test('the prefix first: the GTIN under it is refused', async (t) => {
      const world = await createWorld(t, 'postgres');
      const producer = await world.party('processor');
      // an admin's registration records it on the system audit chain after its checks: holding that head holds it there
      const [party, product] = await meetInOrder(
        world,
        holdLocked(world, sql`select 1 from audit_heads where party_code = 'system' for update`),
        () => registerParty(world),
        () => registerProduct(producer),
      );
      expectStatus(t, party, 201, 'the prefix is registered');
      const refused = expectStatus(t, product, 409, 'the GTIN under it is refused');
      t.match(refused.body.errors, [{ in: 'body', pointer: '/gtin', detail: `under the company prefix of party ${party.body.code}` }]);
    });

    t.test('the GTIN first: the prefix covering it is refused', async (t) => {
      const world = await createWorld(t, 'postgres');
      const producer = await world.party('processor');
      // the product's row checks its party's key after the checks: holding the party's row holds it there
      const [product, party] = await meetInOrder(
        world,
        holdLocked(world, sql`select 1 from parties where code = ${producer.code} for update`),
        () => registerProduct(producer),
        () => registerParty(world),
      );
      expectStatus(t, product, 201, 'the GTIN is registered');
      const refused = expectStatus(t, party, 409, 'the prefix covering it is refused');
      t.match(refused.body, {
        detail: `GS1 company prefix ${prefix} covers GTIN 0${gtin}, registered by party ${producer.code}`,
        errors: [{ in: 'body', pointer: '/gs1CompanyPrefix', detail: `covers a GTIN registered by party ${producer.code}` }],
      });
    });
  },
);
