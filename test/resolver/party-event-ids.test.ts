// Event ids are each party's own (partyEventKey): two parties on one chain may record events under
// one eventID. A consumer scanning the chain's pack sees each party's event as its own, none lost
// and none with the other's findings.
import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { EPCIS_CONTEXT, observation } from '../fixtures/epcis.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const SHARED = 'urn:uuid:7d1e4c2a-0000-4000-8000-00000000000a';
const FARM_GTIN = completeGs1('0690123456101');
const PLANT_GTIN = completeGs1('0690123456102');
const lgtin = (gtin: string, lotNumber: string) => `https://id.gs1.org/01/${gtin}/10/${lotNumber}`;

const FARM_TEST = {
  kind: 'rapid',
  result: 'pass',
  items: [{ name: '盐酸克伦特罗（瘦肉精）', value: '阴性', result: 'pass' }],
};
const PLANT_TEST = {
  kind: 'self',
  result: 'fail',
  reportNumber: 'PLANT-1',
  items: [{ name: '亚硝酸盐（以NaNO2计）', value: 38, unit: 'mg/kg', limit: '≤30', result: 'fail' }],
};

/** The party's inspection, captured through EPCIS under the eventID it chose. */
async function inspect(t: Test, who: Actor, eventID: string, day: number, epcClass: string, inspection: object) {
  const event = observation(day, {
    eventID,
    bizStep: 'inspecting',
    quantityList: [{ epcClass }],
    'cntrace:inspection': inspection,
  });
  expectStatus(t, await who.api.post('/epcis/events', { '@context': EPCIS_CONTEXT, ...event }), 201, `${who.code} inspects`);
}

async function scanned(world: World, gtin: string, lotNumber: string) {
  const reply = await world.app.inject({ method: 'GET', url: `/01/${gtin}/10/${lotNumber}`, headers: { accept: 'application/json' } });
  if (reply.statusCode !== 200) throw new Error(`scan: ${reply.statusCode} ${reply.body}`);
  return reply.json();
}

type ShownTest = { kind: string; result: string; reportNumber: string | null; items: { name: string; result: string }[] };
/** Each test shown as one line: its kind, result, report number and findings. */
const shown = (tests: ShownTest[]) =>
  tests
    .map(({ kind, result, reportNumber, items }) =>
      [kind, result, String(reportNumber), ...items.map((item) => `${item.name}=${item.result}`)].join(' '),
    )
    .sort();

t.test('two parties’ inspections under one eventID: the consumer sees each with its own result and findings', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm', '某某养殖场');
  const plant = await world.party('slaughterhouse', '某某屠宰场');
  const pigs = await farm.product('kg', { gtin: FARM_GTIN });
  const carcasses = await plant.product('kg', { gtin: PLANT_GTIN });
  const farmLot = await farm.commission(pigs, 100, { lotNumber: 'PIGS-1' });
  await inspect(t, farm, SHARED, 10, lgtin(FARM_GTIN, 'PIGS-1'), FARM_TEST);
  await world.handOver(farm, plant, farmLot);

  // on one lot: the plant tests the pigs it received under the eventID the farm used for its own test
  await inspect(t, plant, SHARED, 11, lgtin(FARM_GTIN, 'PIGS-1'), PLANT_TEST);
  const pigsScanned = await scanned(world, FARM_GTIN, 'PIGS-1');
  t.strictSame(
    shown(pigsScanned.tests),
    ['rapid pass null 盐酸克伦特罗（瘦肉精）=pass', 'self fail PLANT-1 亚硝酸盐（以NaNO2计）=fail'],
    'the lot’s two tests, each its own',
  );
  t.strictSame(
    pigsScanned.tests.map((test: { time: string }) => test.time),
    ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z'],
    'in time order',
  );
  t.strictSame(
    pigsScanned.tests.map((test: { party: string }) => test.party),
    ['某某养殖场', '某某屠宰场'],
    'each by the party that recorded it',
  );
  // a regulator's trace: each inspection with the party that recorded it, named in the trace's parties
  const trace = await world.ok(world.regulator.get(`/trace/${farmLot}`), 200);
  const [pigsNode] = trace.nodes.filter((node: { code: string }) => node.code === farmLot);
  t.strictSame(
    pigsNode.inspections.map((inspection: { eventId: string; partyCode: string; result: string }) => [
      inspection.eventId,
      inspection.partyCode,
      inspection.result,
    ]),
    [
      [SHARED, farm.code, 'pass'],
      [SHARED, plant.code, 'fail'],
    ],
    'one eventID, two parties’ inspections, each with its party',
  );
  const recorders = async (who: Actor) =>
    (await world.ok(who.api.get(`/trace/${farmLot}`), 200)).nodes
      .find((node: { code: string }) => node.code === farmLot)
      .inspections.map((inspection: { partyCode: string | null }) => inspection.partyCode);
  t.strictSame(await recorders(plant), [farm.code, plant.code], 'the plant, which holds the pigs: the owner’s and its own');
  t.strictSame(await recorders(farm), [farm.code, null], 'the farm: its own, and not who else held its pigs and tested them');
  t.strictSame(
    trace.parties
      .filter((party: { code: string }) => [farm.code, plant.code].includes(party.code))
      .map((party: { name: string }) => party.name)
      .sort(),
    ['某某屠宰场', '某某养殖场'].sort(),
    'both named',
  );

  // on two lots of one chain: the farm's test of its pigs, the plant's of the carcasses made from them
  const [carcassLot] = await plant.transform(
    [{ lotCode: farmLot, quantity: 100 }],
    [{ productCode: carcasses, quantity: 70, lotNumber: 'CARC-1' }],
  );
  t.ok(carcassLot, 'the plant makes carcasses of the pigs');
  const another = 'urn:uuid:7d1e4c2a-0000-4000-8000-00000000000b';
  await inspect(t, farm, another, 12, lgtin(FARM_GTIN, 'PIGS-1'), { ...FARM_TEST, reportNumber: 'FARM-2' });
  await inspect(t, plant, another, 13, lgtin(PLANT_GTIN, 'CARC-1'), { ...PLANT_TEST, reportNumber: 'PLANT-2' });
  t.strictSame(
    shown((await scanned(world, PLANT_GTIN, 'CARC-1')).tests),
    [
      'rapid pass FARM-2 盐酸克伦特罗（瘦肉精）=pass',
      'rapid pass null 盐酸克伦特罗（瘦肉精）=pass',
      'self fail PLANT-1 亚硝酸盐（以NaNO2计）=fail',
      'self fail PLANT-2 亚硝酸盐（以NaNO2计）=fail',
    ],
    'the chain’s four tests, each with its own findings',
  );
});

t.test(
  'a reading of the case a lot travelled in, under an eventID another party used on the chain, is on the consumer’s timeline',
  async (t) => {
    const world = await createWorld(t);
    const farm = await world.party('farm', '某某养殖场');
    const plant = await world.party('slaughterhouse', '某某屠宰场');
    const pigs = await farm.product('kg', { gtin: FARM_GTIN });
    const farmLot = await farm.commission(pigs, 100, { lotNumber: 'PIGS-1' });
    const observed = (who: Actor, day: number, fields: object) =>
      who.api.post('/epcis/events', { '@context': EPCIS_CONTEXT, ...observation(day, { eventID: SHARED, ...fields }) });
    expectStatus(
      t,
      await observed(farm, 10, { quantityList: [{ epcClass: lgtin(FARM_GTIN, 'PIGS-1') }] }),
      201,
      'the farm observes its pigs',
    );
    await world.handOver(farm, plant, farmLot);
    const sscc = completeGs1('06901234500000001');
    await world.ok(plant.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: farmLot }] }));
    expectStatus(t, await observed(plant, 11, { epcList: [`https://id.gs1.org/00/${sscc}`] }), 201, 'the plant observes the case');

    const { timeline } = await scanned(world, FARM_GTIN, 'PIGS-1');
    t.strictSame(
      timeline.filter((step: { action: string }) => step.action === 'sighted').map((step: { party: string }) => step.party),
      ['某某养殖场', '某某屠宰场'],
      'the farm’s observation of the pigs and the plant’s of their case',
    );
  },
);
