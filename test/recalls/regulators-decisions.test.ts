// A regulator's hold and a recall it opened are its own decisions: another county's regulator
// neither lifts the hold nor closes the recall early; the regulator party that made them does, or an
// admin (recorded under that party, with the admin's key). A release lifts the holds among the lots
// it names and lists the others.
import { createWorld, expectStatus, randomUscc, type World } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const FENGJIE = '500236';
const YUZHONG = '500103';

/** A county's market regulator: its regulator party and a regulator key issued for it. */
async function countyRegulator(world: World, name: string, regionCode: string) {
  const party = await world.ok(world.admin.post('/parties', { kind: 'regulator', name, uscc: randomUscc(regionCode), regionCode }));
  const { key } = await world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: party.code }));
  return { code: party.code as string, name, api: client(world.app, key) };
}

/** Whether the lot is on hold, as its trace shows. */
async function onHold(world: World, lotCode: string): Promise<boolean> {
  return (await world.regulator.get(`/trace/${lotCode}`)).body.nodes[0].onHold;
}

async function counties(t: Parameters<typeof createWorld>[0]) {
  const world = await createWorld(t);
  const fengjie = await countyRegulator(world, '奉节县市场监督管理局', FENGJIE);
  const yuzhong = await countyRegulator(world, '渝中区市场监督管理局', YUZHONG);
  const farm = await world.party('farm');
  const product = await farm.product('piece');
  return { world, fengjie, yuzhong, farm, product };
}

t.test('a regulator’s hold is lifted only by the regulator party that put it on, or an admin', async (t) => {
  const { world, fengjie, yuzhong, farm, product } = await counties(t);
  const [first, second] = [await farm.commission(product, 140), await farm.commission(product, 20)];
  expectStatus(t, await fengjie.api.post('/holds', { lotCodes: [first, second], reason: '瘦肉精快检阳性' }), 201, 'Fengjie holds');
  const release = (lotCode: string) => ({ lotCodes: [lotCode], reason: '复检合格' });

  const crossCounty = expectStatus(t, await yuzhong.api.post('/holds/release', release(first)), 403, 'another county’s regulator');
  t.match(crossCounty.body, {
    detail: `the hold on lot ${first} was put on by ${fengjie.code}; only ${fengjie.code} or an admin may release it`,
    errors: [{ pointer: '/lotCodes/0' }],
  });
  t.match(String(crossCounty.headers['content-type']), /application\/problem\+json/);
  expectStatus(t, await farm.api.post('/holds/release', release(first)), 403, 'the owner');
  t.equal(await onHold(world, first), true, 'still held');
  t.same(
    (await world.regulator.get(`/events?lotCode=${first}&limit=100`)).body.items
      .filter((event: any) => event.type === 'hold' || event.type === 'release')
      .map((event: any) => [event.type, event.partyCode]),
    [['hold', fengjie.code]],
    'no release recorded',
  );

  const own = expectStatus(t, await fengjie.api.post('/holds/release', release(first)), 201, 'the regulator that held it');
  t.match(own.body, { type: 'release', partyCode: fengjie.code, notHeld: [] });

  const byAdmin = expectStatus(t, await world.admin.post('/holds/release', release(second)), 201, 'an admin');
  t.match(byAdmin.body, { type: 'release', partyCode: fengjie.code, notHeld: [] }, 'recorded under the party whose hold it lifted');
  const adminKey = (await world.admin.get('/api-keys')).body.items.find((key: any) => key.role === 'admin' && key.revokedAt === null);
  t.equal(byAdmin.body.details.keyId, adminKey.id, 'with the admin’s key');
  t.equal(await onHold(world, second), false);

  // an owner’s hold stays any regulator’s to lift, and to take over
  const owners = await farm.commission(product, 5);
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [owners], reason: '自检待复检' }), 201, 'the owner holds');
  expectStatus(t, await yuzhong.api.post('/holds/release', release(owners)), 201, 'any regulator lifts the owner’s hold');
  t.match((await fengjie.api.get('/audit/verify')).body, { ok: true });
});

t.test('an admin releases one party’s holds at a time', async (t) => {
  const { world, fengjie, yuzhong, farm, product } = await counties(t);
  const [a, b] = [await farm.commission(product, 5), await farm.commission(product, 5)];
  await world.ok(fengjie.api.post('/holds', { lotCodes: [a], reason: 'x' }));
  await world.ok(yuzhong.api.post('/holds', { lotCodes: [b], reason: 'y' }));
  const mixed = expectStatus(t, await world.admin.post('/holds/release', { lotCodes: [a, b], reason: 'z' }), 409, 'two parties’ holds');
  t.match(mixed.body.detail, `held by ${[fengjie.code, yuzhong.code].sort().join(', ')}`);
  t.equal(await onHold(world, a), true, 'nothing released');
  const unknown = expectStatus(t, await world.admin.post('/holds/release', { lotCodes: ['LOT-NONE-0000'], reason: 'z' }), 422, 'no lot');
  t.match(unknown.body.errors, [{ pointer: '/lotCodes/0' }]);
  expectStatus(t, await world.admin.post('/holds', { lotCodes: [a], reason: 'x' }), 403, 'an admin puts no hold on');
});

t.test('a release lifts the holds among the lots it names and lists the others; none held is 409', async (t) => {
  const { world, fengjie, farm, product } = await counties(t);
  const [free, held, alsoFree] = [await farm.commission(product, 5), await farm.commission(product, 5), await farm.commission(product, 5)];
  await world.ok(fengjie.api.post('/holds', { lotCodes: [held], reason: '待检' }));
  const partly = expectStatus(
    t,
    await fengjie.api.post('/holds/release', { lotCodes: [free, held], reason: '复检合格' }),
    201,
    'one of two held',
  );
  t.same(partly.body.notHeld, [free], 'the lot not on hold is named');
  t.same(partly.body.details.notHeldLotCodes, [free], 'and kept with the release');
  t.same(
    partly.body.lots.map((lot: any) => lot.lotCode),
    [held],
    'the release names only the lot it released',
  );
  t.equal(await onHold(world, held), false, 'released');
  const none = expectStatus(
    t,
    await fengjie.api.post('/holds/release', { lotCodes: [free, alsoFree], reason: 'x' }),
    409,
    'none of them held',
  );
  t.match(none.body, { detail: 'none of the 2 lots is on hold', errors: [{ pointer: '/lotCodes/0' }, { pointer: '/lotCodes/1' }] });
  const one = expectStatus(t, await fengjie.api.post('/holds/release', { lotCodes: [held], reason: 'x' }), 409, 'released already');
  t.match(one.body, { detail: `lot ${held} is not on hold`, errors: [{ pointer: '/lotCodes/0' }] });
});

t.test('a recall a regulator opened is closed early only by that regulator party or an admin; the recall says who closed it', async (t) => {
  const { world, fengjie, yuzhong, farm, product } = await counties(t);
  const open = async (lotCode: string) =>
    world.ok(fengjie.api.post('/recalls', { lotCodes: [lotCode], level: 1, reason: '瘦肉精 检出', hazard: '克伦特罗残留' }));
  const first = await open(await farm.commission(product, 140));
  const second = await open(await farm.commission(product, 10));
  t.equal(first.closedBy, null, 'an open recall names no closer');
  const override = { overrideReason: '已电话确认下架' };

  const crossCounty = expectStatus(t, await yuzhong.api.post(`/recalls/${first.id}/close`, override), 403, 'another county’s regulator');
  t.match(crossCounty.body.detail, `opened by ${fengjie.code}; only ${fengjie.code} or an admin may close it`);
  t.equal((await fengjie.api.get(`/recalls/${first.id}`)).body.status, 'open', 'still open');

  const closed = expectStatus(t, await fengjie.api.post(`/recalls/${first.id}/close`, override), 200, 'the regulator that opened it');
  t.match(closed.body, { status: 'closed', closedBy: { partyCode: fengjie.code, name: fengjie.name } });
  const report = await yuzhong.api.get(`/recalls/${first.id}/report`);
  t.match(report.body.recall.closedBy, { partyCode: fengjie.code, name: fengjie.name }, 'in the final report');
  const page = await yuzhong.api.get(`/recalls/${first.id}/report?format=html`);
  t.match(page.body, `<dt>结束方</dt><dd>${fengjie.name} <code>${fengjie.code}</code></dd>`, 'and on its page');

  const byAdmin = expectStatus(t, await world.admin.post(`/recalls/${second.id}/close`, override), 200, 'an admin');
  t.match(byAdmin.body.closedBy, { partyCode: fengjie.code }, 'recorded under the party that opened it');
  const event = (await world.regulator.get(`/events/${byAdmin.body.closeEventId}`)).body;
  t.match(event, { partyCode: fengjie.code, details: { phase: 'close', overrideReason: '已电话确认下架' } });
  t.not(event.details.keyId, null, 'with the admin’s key');
  t.same((await world.regulator.get('/recalls?status=open')).body.items, [], 'both closed');

  // a recall the producer opened is any regulator’s to close early
  const own = await world.ok(
    farm.api.post('/recalls', { lotCodes: [await farm.commission(product, 3)], level: 3, reason: '自查', hazard: '标签错误' }),
  );
  expectStatus(t, await yuzhong.api.post(`/recalls/${own.id}/close`, override), 200, 'a regulator closes the producer’s recall early');
});
