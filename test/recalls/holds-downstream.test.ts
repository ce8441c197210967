import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/**
 * A farm's lot A: part made into B at the farm, part into F (which the farm holds), part sent to a
 * plant that made all of it into C and all of C into E, packed in case K. C has ended; the rest is
 * in circulation.
 */
async function chain(t: Parameters<typeof createWorld>[0]) {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const product = await farm.product('kg');
  const a = await farm.commission(product, 100);
  const [b] = await farm.transform([{ lotCode: a, quantity: 20 }], [{ productCode: product, quantity: 20 }]);
  const [f] = await farm.transform([{ lotCode: a, quantity: 5 }], [{ productCode: product, quantity: 5 }]);
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [f], reason: '自检待复检' }), 201, 'the farm holds F');
  await world.handOver(farm, plant, a, 30);
  const plantProduct = await plant.product('kg');
  const [c] = await plant.transform([{ lotCode: a, quantity: 30 }], [{ productCode: plantProduct, quantity: 30 }]);
  const [e] = await plant.transform([{ lotCode: c, quantity: 30 }], [{ productCode: plantProduct, quantity: 25 }]);
  const k = await plant.pack([{ lotCode: e }]);
  return { world, farm, plant, shop, a, b, c, e, f, k };
}

const sorted = (codes: string[]) => [...codes].sort();

t.test('an owner holds its own lots downstream and counts the others', async (t) => {
  const { world, farm, plant, shop, a, b, f, k } = await chain(t);
  const held = expectStatus(
    t,
    await farm.api.post('/holds', { lotCodes: [a], reason: '抽检不合格', downstream: true }),
    201,
    'the owner holds downstream',
  );
  t.same(sorted(held.body.held), sorted([a, b]), 'its own lots in circulation');
  t.same(held.body.alreadyOnHold, [f], 'F was held already');
  t.same(held.body.notInCirculation, [], 'none of its own has ended');
  t.equal(held.body.othersInCirculation, 1, "the plant's E counted, not named");
  t.match(held.body, { type: 'hold', partyCode: farm.code });
  expectStatus(t, await farm.event({ type: 'sell', lines: [{ lotCode: b, quantity: 1 }] }), 409, 'B is on hold');
  expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: k }] }),
    201,
    "the plant's E is not the farm's to hold",
  );

  const stranger = await world.party('retailer');
  expectStatus(
    t,
    await stranger.api.post('/holds', { lotCodes: [a], reason: 'x', downstream: true }),
    403,
    'another party holds nothing downstream of a lot not its own',
  );
  const unknown = expectStatus(
    t,
    await farm.api.post('/holds', { lotCodes: [a, 'LOT-NOPE'], reason: 'x', downstream: true }),
    422,
    'an unknown lot',
  );
  t.equal(unknown.body.errors[0].pointer, '/lotCodes/1');
});

t.test('a regulator holds every lot downstream in one event, once under a key', async (t) => {
  const { world, farm, plant, shop, a, b, c, e, f, k } = await chain(t);
  const bureau = await world.partyRegulator();
  const headers = { 'idempotency-key': 'downstream-1' };
  const body = { lotCodes: [a], reason: '瘦肉精 阳性', pendingTest: '复检', downstream: true };
  const held = expectStatus(t, await bureau.post('/holds', body, headers), 201, 'the regulator holds downstream');
  t.same(sorted(held.body.held), sorted([a, b, e, f]), "the plant's E, and F taken over from the farm's hold");
  t.same(held.body.notInCirculation, [c], 'C was all made into E');
  t.same(held.body.alreadyOnHold, []);
  t.equal(held.body.othersInCirculation, 0);
  t.notOk(held.body.held.includes(k), 'the case is not held itself');
  t.equal(held.body.details.replacedHoldEventIds.length, 1, "the farm's hold on F replaced");

  const again = expectStatus(t, await bureau.post('/holds', body, headers), 201, 'the same key');
  t.equal(again.body.id, held.body.id, 'answered as first');
  expectStatus(t, await bureau.post('/holds', body), 409, 'a new hold finds nothing left to hold');

  expectStatus(t, await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: k }] }), 409, 'the case with E stays');
  expectStatus(t, await farm.event({ type: 'sell', lines: [{ lotCode: b, quantity: 1 }] }), 409, 'B is not sold');
  expectStatus(t, await farm.api.post('/holds/release', { lotCodes: [f], reason: 'x' }), 403, "the farm cannot release the bureau's hold");
});
