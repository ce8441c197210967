// A failed test is an anomaly while anything made of the tested lot is still on sale: a farm lot
// slaughtered since is listed while its carcass lots are, naming them so that the regulator can hold
// them, and the dashboard counts what the list holds.
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { at, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const county = { keyId: 'county', role: 'regulator' as const, partyCode: null };

/** The anomalies' failed tests as [tested lot, report number, lots in circulation named, how many], and their count. */
async function failures(world: World, query = '') {
  const reply = expectStatus(world.t, await world.regulator.get(`/regulator/anomalies${query}`), 200, `anomalies${query}`);
  const listed = reply.body.failedInspectionsWithoutHold.map(
    (row: { lotCode: string; reportNumber: string; inCirculation: { lotCodes: string[]; count: number } }) => [
      row.lotCode,
      row.reportNumber,
      row.inCirculation.lotCodes,
      row.inCirculation.count,
    ],
  );
  return { listed, count: reply.body.counts.failedInspectionsWithoutHold as number, reply };
}

const dashboardCount = async (world: World) =>
  (await world.app.services.dashboard.view(county, {})).anomalyCounts.failedInspectionsWithoutHold;

t.test('a failed farm lot slaughtered since is listed while the carcass lots made of it are on sale', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const lab = await world.party('lab');
  const pigs = await farm.product('head');
  const carcass = await plant.product('kg');
  const cuts = await plant.product('kg');

  const lot = await farm.commission(pigs, 10);
  await world.handOver(farm, plant, lot);
  const [carcassA, carcassB] = await plant.transform(
    [{ lotCode: lot, quantity: 10 }],
    [
      { productCode: carcass, quantity: 40 },
      { productCode: carcass, quantity: 60 },
    ],
  );
  // half of B cut up and the cuts packed in a case: the cuts are made of the farm lot too, the case only carries them
  const [cutLot] = await plant.transform([{ lotCode: carcassB, quantity: 30 }], [{ productCode: cuts, quantity: 25 }]);
  const packedCase = await plant.pack([{ lotCode: cutLot }]);
  t.equal((await farm.lot(lot)).status, 'consumed', 'the farm lot was slaughtered');
  await world.ok(
    lab.event({
      type: 'inspect',
      lotCodes: [lot],
      inspection: {
        kind: 'third_party',
        labPartyCode: lab.code,
        result: 'fail',
        reportNumber: 'LAB-F',
        items: [{ name: '盐酸克伦特罗', result: 'fail' }],
      },
    }),
  );

  const onSale = [carcassA, carcassB, cutLot].sort();
  const found = await failures(world);
  t.strictSame(found.listed, [[lot, 'LAB-F', onSale, 3]], 'listed, naming the carcass lots and the cuts in circulation, not the case');
  t.match(found.reply.body.failedInspectionsWithoutHold[0], { partyCode: farm.code, status: 'consumed', onHold: false });
  t.notOk(found.listed[0][2].includes(packedCase));
  t.equal(found.count, 1, 'counted');
  t.equal(await dashboardCount(world), 1, 'the dashboard counts the same list');
  sentAsDeclared(t, await servedOpenApi(world.app), ['GET', '/regulator/anomalies'], found.reply, 200);

  // the region filter takes the failure by the tested lot's owner, as before
  t.equal((await failures(world, '?region=500236')).count, 1, "the farm's county");
  t.equal((await failures(world, '?region=110101')).count, 0, 'not Beijing');

  await world.ok(plant.api.post('/holds', { lotCodes: [carcassA, cutLot], reason: '瘦肉精检测不合格' }));
  t.strictSame((await failures(world)).listed, [[lot, 'LAB-F', [carcassB], 1]], 'one carcass lot still on sale');
  await world.ok(plant.api.post('/holds', { lotCodes: [carcassB], reason: '瘦肉精检测不合格' }));
  const held = await failures(world);
  t.strictSame(held.listed, [], 'every lot made of it held: no longer listed');
  t.equal(held.count, 0);
  t.equal(await dashboardCount(world), 0, 'nor counted on the dashboard');

  await world.ok(plant.api.post('/holds/release', { lotCodes: [carcassA], reason: '误扣' }));
  t.strictSame((await failures(world)).listed, [[lot, 'LAB-F', [carcassA], 1]], 'one released: listed again');
});

t.test('only the tested lot held while lots made of it are on sale: listed, until a re-test settles it', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const raw = await processor.product('kg');
  const packs = await processor.product('piece');
  const lot = await processor.commission(raw, 100);
  const [packed] = await processor.transform([{ lotCode: lot, quantity: 50 }], [{ productCode: packs, quantity: 100 }]);
  const inspect = (result: 'pass' | 'fail', hour: number) =>
    world.ok(
      processor.event({
        type: 'inspect',
        eventTime: at(hour),
        lotCodes: [lot],
        inspection: { kind: 'self', result, reportNumber: `SELF-${result}` },
      }),
    );
  await inspect('fail', 500);
  t.strictSame((await failures(world)).listed, [[lot, 'SELF-fail', [lot, packed].sort(), 2]], 'the lot and its packs');

  await world.ok(processor.api.post('/holds', { lotCodes: [lot], reason: '自检不合格' }));
  const found = await failures(world);
  t.strictSame(found.listed, [[lot, 'SELF-fail', [packed], 1]], 'the tested lot held, its packs on sale: listed');
  t.match(found.reply.body.failedInspectionsWithoutHold[0], { status: 'active', onHold: true });
  t.equal(found.count, 1);
  t.equal(await dashboardCount(world), 1);

  await inspect('pass', 501);
  const settled = await failures(world);
  t.strictSame(settled.listed, [], 'a re-test that passed settles it');
  t.equal(settled.count, 0);
  t.equal(await dashboardCount(world), 0);
});

t.test('a failure whose lots downstream were all sold or destroyed is not listed', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const pigs = await farm.product('head');
  const carcass = await plant.product('kg');
  const lot = await farm.commission(pigs, 4);
  await world.handOver(farm, plant, lot);
  await world.ok(plant.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'rapid', result: 'fail', reportNumber: 'R-1' } }));
  const [sold, destroyed] = await plant.transform(
    [{ lotCode: lot, quantity: 4 }],
    [
      { productCode: carcass, quantity: 100 },
      { productCode: carcass, quantity: 50 },
    ],
  );
  t.strictSame((await failures(world)).listed, [[lot, 'R-1', [sold, destroyed].sort(), 2]], 'both carcass lots on sale');

  await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: sold, quantity: 100 }] }));
  await world.ok(plant.event({ type: 'destroy', lines: [{ lotCode: destroyed, quantity: 50 }], reason: '无害化处理' }));
  const found = await failures(world);
  t.strictSame(found.listed, [], 'nothing of it left in circulation');
  t.equal(found.count, 0);
  t.equal(await dashboardCount(world), 0);
});
