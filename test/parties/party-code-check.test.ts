import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

// A party code that fails its check character was mistyped, as a lot or pack code that fails is:
// the routes naming a party in their path say so, where an unknown code with a sound check is a 404.
t.test('a party code in a path with a wrong check character is a 400 saying so', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const mistyped = `${farm.code.slice(0, 14)}${farm.code[14] === 'A' ? 'B' : 'A'}`;
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  await world.ok(
    office.post('/brands', { code: 'FSHP', kind: 'regional', regionCode: '500236', nameZh: '奉上好品', nameEn: 'Fengjie Finest' }),
  );

  const paths = [
    ['GET', `/parties/${mistyped}`, 'code'],
    ['GET', `/credit/${mistyped}`, 'partyCode'],
    ['GET', `/credit/${mistyped}/history`, 'partyCode'],
    ['POST', `/brands/FSHP/authorizations/${mistyped}/state`, 'partyCode'],
  ] as const;
  for (const [method, url, parameter] of paths) {
    const api = method === 'POST' ? office : world.regulator;
    const reply = method === 'POST' ? await api.post(url, { state: 'suspended', reason: '停产整顿' }) : await api.get(url);
    expectStatus(t, reply, 400, `${method} ${url}`);
    t.match(reply.body.errors, [{ in: 'params', pointer: `/${parameter}`, detail: 'check character wrong — probably a typo' }]);
    const lower =
      method === 'POST'
        ? await api.post(url.replace(mistyped, mistyped.toLowerCase()), { state: 'suspended', reason: '停产整顿' })
        : await api.get(url.replace(mistyped, mistyped.toLowerCase()));
    expectStatus(t, lower, 400, 'in lower case too');
  }

  const unknown = 'Y500236PBPQCCJ2';
  expectStatus(t, await world.regulator.get(`/parties/${unknown}`), 404, 'an unknown code with a sound check character');
  expectStatus(t, await world.regulator.get(`/credit/${unknown}`), 404, 'has no credit score');
  expectStatus(t, await world.regulator.get('/credit/NO-SUCH-PARTY'), 404, 'nor has a name that is no party code');
  expectStatus(t, await world.regulator.get(`/credit/${farm.code}`), 200, 'the code as issued');
});
