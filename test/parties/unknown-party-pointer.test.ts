import { mod31CheckChar } from '../../src/codes/mod31.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a well-formed party code in a body that names no party: 404 pointing at the field', async (t) => {
  const world = await createWorld(t);
  const unknown = `J500236XXXXXXX${mod31CheckChar('J500236XXXXXXX')}`;
  const requests = {
    'POST /api-keys': () => world.admin.post('/api-keys', { role: 'operator', partyCode: unknown }),
    'POST /products': () => world.admin.post('/products', { partyCode: unknown, name: '腊肉', category: 'cured_meat', unit: 'kg' }),
    'POST /locations': () => world.admin.post('/locations', { partyCode: unknown, name: '厂区', kind: 'plant', regionCode: '500236' }),
  };
  for (const [what, request] of Object.entries(requests)) {
    const reply = await request();
    expectStatus(t, reply, 404, what);
    t.same(reply.body.errors, [{ in: 'body', pointer: '/partyCode', detail: 'no such party' }], `${what}: the field is named`);
  }
});
