// A release refused for one of several lots (a hold a regulator put on) points at that lot by its
// place in the request, as a refusal to act on another party's lot does.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a release of several lots refused for one held by a regulator points at that lot', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const bureau = await world.party('regulator', '奉节县市场监督管理局');
  const product = await owner.product('kg');
  const own = await owner.commission(product, 10);
  const regulatorHeld = await owner.commission(product, 10);
  expectStatus(t, await owner.api.post('/holds', { lotCodes: [own], reason: '待检' }), 201, 'the owner holds one lot');
  const regulator = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }))).key);
  expectStatus(t, await regulator.post('/holds', { lotCodes: [regulatorHeld], reason: '抽检不合格' }), 201, 'the regulator the other');

  const refused = expectStatus(
    t,
    await owner.api.post('/holds/release', { lotCodes: [own, regulatorHeld], reason: '复检合格' }),
    403,
    'the owner may not release the regulator’s hold',
  );
  t.equal(
    refused.body.detail,
    `the hold on lot ${regulatorHeld} was put on by ${bureau.code}; only ${bureau.code} or an admin may release it`,
  );
  t.match(refused.body.errors, [{ in: 'body', pointer: '/lotCodes/1' }], 'the lot refused, by its place in the request');
  t.equal(refused.body.errors.length, 1);
  // nothing released half-way: the owner's own hold stands too
  expectStatus(t, await owner.event({ type: 'ship', toPartyCode: bureau.code, lines: [{ lotCode: own }] }), 409, 'its own lot still held');
  expectStatus(t, await owner.api.post('/holds/release', { lotCodes: [own], reason: '复检合格' }), 201, 'released alone');
});
