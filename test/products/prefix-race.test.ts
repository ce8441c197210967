// A product's GTIN registered while another party registers the company prefix that GTIN carries:
// on PostgreSQL the two run side by side (PGlite runs one transaction at a time), and exactly one
// of them may be stored, else the GTIN would be one party's product under another party's prefix.
import { completeGs1 } from '../../src/codes/gs1.js';
import { createWorld, randomUscc } from '../fixtures/world.js';
import { postgresReachable } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const postgresUp = await postgresReachable();
const ROUNDS = 30;

t.test(
  'a GTIN and the company prefix it carries, registered at the same time by two parties: one of them wins (PostgreSQL)',
  { skip: postgresUp ? false : 'no PostgreSQL at DATABASE_URL or 127.0.0.1:5432 (PGlite runs one transaction at a time)' },
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
