import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('GET /locations names the party whose sites it lists: left empty or blank, a 400 at partyCode', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  await farm.location('farm');
  for (const query of ['?partyCode=', '?partyCode=%20%20', '']) {
    const reply = await world.regulator.get(`/locations${query}`);
    expectStatus(t, reply, 400, `GET /locations${query}`);
    t.match(reply.body.errors, [{ in: 'querystring', pointer: '/partyCode' }]);
  }
  const listed = expectStatus(t, await world.regulator.get(`/locations?partyCode=${farm.code}`), 200, 'a party named');
  t.equal(listed.body.items.length, 1);
});
