import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a new key’s partyCode left empty or blank names no party', async (t) => {
  const world = await createWorld(t);
  for (const role of ['admin', 'regulator', 'brand_office']) {
    for (const partyCode of ['', '   ']) {
      const issued = await world.admin.post('/api-keys', { role, partyCode });
      expectStatus(t, issued, 201, `${role} key with partyCode ${JSON.stringify(partyCode)}`);
      t.equal(issued.body.partyCode, null, 'bound to no party');
    }
  }
  for (const role of ['operator', 'reader']) {
    const refused = await world.admin.post('/api-keys', { role, partyCode: ' ' });
    expectStatus(t, refused, 400, `${role} key with a blank partyCode`);
    t.same(refused.body.errors, [{ in: 'body', pointer: '/partyCode', detail: `required for role ${role}` }]);
  }
});
