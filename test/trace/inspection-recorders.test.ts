// Who recorded an inspection, as a trace's nodes show it (`partyCode`) and as its `parties` and
// `events` name it: an operator is not told which other party tested a lot, neither on the lot
// itself nor through an inspection of several lots that names its recorder on another of them.
import type { Test } from 'tap';
import { createWorld } from '../fixtures/world.js';
import type { Client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const trace = async (t: Test, api: Client, code: string, query: string): Promise<Shown> => {
  const reply = await api.get(`/trace/${code}?${query}`);
  t.equal(reply.status, 200, `${code}?${query}`);
  return reply.body;
};

type Shown = {
  nodes: { code: string; inspections: { eventId: string; partyCode: string | null; reportNumber: string | null }[] }[];
  parties: { code: string }[];
  events: { id: string; partyCode: string }[];
};

t.test('an inspection names its recorder on every lot it tested or on none', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lab = await world.party('lab');
  const pigs = await farm.commission(await farm.product('head'), 10);
  await world.handOver(farm, plant, pigs);
  const [sausages] = await plant.transform([{ lotCode: pigs, quantity: 5 }], [{ productCode: await plant.product('kg'), quantity: 400 }]);
  // the plant tests the farm's pigs it holds and its own sausages in one event
  await world.ok(
    plant.event({ type: 'inspect', lotCodes: [pigs, sausages], inspection: { kind: 'self', result: 'pass', reportNumber: 'PLANT-1' } }),
  );
  await world.handOver(plant, shop, sausages, 100);
  await world.ok(
    shop.event({ type: 'inspect', lotCodes: [sausages], inspection: { kind: 'self', result: 'pass', reportNumber: 'SHOP-1' } }),
  );
  await world.ok(
    lab.event({
      type: 'inspect',
      lotCodes: [pigs, sausages],
      inspection: { kind: 'third_party', labPartyCode: lab.code, result: 'pass', reportNumber: 'LAB-1' },
    }),
  );

  // each inspection's report as a regulator reads it: a withheld recorder's report number is withheld too
  const reports = new Map(
    (await trace(t, world.regulator, sausages, 'direction=backward')).nodes.flatMap((node) =>
      node.inspections.map((inspection) => [inspection.eventId, inspection.reportNumber]),
    ),
  );
  /** Each inspection's recorder on a node, by its report number as a regulator reads it. */
  const recorders = (t: Test, shown: Shown, code: string) =>
    Object.fromEntries(
      (shown.nodes.find((node) => node.code === code)?.inspections ?? []).map((inspection) => {
        const report = reports.get(inspection.eventId);
        t.equal(
          inspection.reportNumber,
          inspection.partyCode === null ? null : report,
          `${report}: its number shown with its recorder only`,
        );
        return [reports.get(inspection.eventId), inspection.partyCode];
      }),
    );
  const eventIdOf = (shown: Shown, code: string, report: string) =>
    shown.nodes.find((node) => node.code === code)?.inspections.find((inspection) => reports.get(inspection.eventId) === report)?.eventId;
  const parties = (shown: Shown) => shown.parties.map((party) => party.code);

  for (const include of ['graph', 'events']) {
    t.test(`the farm, tracing its pigs forward (include=${include})`, async (t) => {
      const shown = await trace(t, farm.api, pigs, `direction=forward&include=${include}`);
      t.strictSame(recorders(t, shown, pigs), { 'PLANT-1': null, 'LAB-1': lab.code }, 'is not told the plant tested its pigs');
      t.strictSame(
        recorders(t, shown, sausages),
        { 'PLANT-1': null, 'SHOP-1': null, 'LAB-1': lab.code },
        'nor told so by the same test on the plant’s own sausages',
      );
      t.equal(eventIdOf(shown, pigs, 'PLANT-1'), eventIdOf(shown, sausages, 'PLANT-1'), 'one eventID on both');
      t.notOk(parties(shown).includes(shop.code), 'the shop, named by nothing shown, is not among the parties');
      t.ok(parties(shown).includes(lab.code), 'the lab named is');
      const plantTest = eventIdOf(shown, pigs, 'PLANT-1');
      t.notOk(
        shown.events.some((event) => event.id === plantTest || event.partyCode !== farm.code),
        'no event body names another party’s test (only the farm’s own events)',
      );
    });
  }

  t.test('the shop, tracing the sausages forward, where the pigs are not reached', async (t) => {
    const shown = await trace(t, shop.api, sausages, 'direction=forward');
    t.same(
      shown.nodes.map((node) => node.code),
      [sausages],
    );
    t.strictSame(
      recorders(t, shown, sausages),
      { 'PLANT-1': null, 'SHOP-1': shop.code, 'LAB-1': lab.code },
      'is not told who tested the sausages with the farm’s pigs either: its backward trace reaches the pigs',
    );
    const backward = await trace(t, shop.api, sausages, 'direction=backward');
    t.strictSame(recorders(t, backward, pigs), { 'PLANT-1': null, 'LAB-1': lab.code });
  });

  t.test('the plant reads its own test on both lots, and its event', async (t) => {
    const shown = await trace(t, plant.api, sausages, 'direction=backward');
    t.equal(recorders(t, shown, pigs)['PLANT-1'], plant.code);
    t.equal(recorders(t, shown, sausages)['PLANT-1'], plant.code);
    const plantTest = eventIdOf(shown, pigs, 'PLANT-1');
    t.strictSame(
      shown.events.filter((event) => event.id === plantTest).map((event) => event.partyCode),
      [plant.code],
      'the event body names the recorder the nodes name',
    );
  });

  for (const [who, api] of [
    ['a regulator', world.regulator],
    ['an admin', world.admin],
  ] as const) {
    t.test(`${who} reads every recorder`, async (t) => {
      const shown = await trace(t, api, sausages, 'direction=backward');
      t.strictSame(recorders(t, shown, pigs), { 'PLANT-1': plant.code, 'LAB-1': lab.code });
      t.strictSame(recorders(t, shown, sausages), { 'PLANT-1': plant.code, 'SHOP-1': shop.code, 'LAB-1': lab.code });
      t.ok(
        [plant.code, shop.code, lab.code].every((code) => parties(shown).includes(code)),
        'and names them among the parties',
      );
    });
  }
});

t.test(
  'a withheld recorder is not named through its report number, which a correction or another event of the report repeats',
  async (t) => {
    const world = await createWorld(t);
    const farm = await world.party('farm');
    const plant = await world.party('processor');
    const pigs = await farm.commission(await farm.product('head'), 10);
    await world.handOver(farm, plant, pigs);
    const [sausages] = await plant.transform([{ lotCode: pigs, quantity: 5 }], [{ productCode: await plant.product('kg'), quantity: 400 }]);
    const inspect = (lotCodes: string[], reportNumber: string) =>
      world.ok(plant.event({ type: 'inspect', lotCodes, inspection: { kind: 'self', result: 'pass', reportNumber } }));
    // the plant's test of both lots, corrected to its sausages alone under the same report
    const both = await inspect([pigs, sausages], 'PLANT-1');
    await world.ok(
      plant.event({
        type: 'correction',
        correctsEventId: both.event.id,
        reason: 'the pigs were not tested',
        replacement: {
          type: 'inspect',
          eventTime: both.event.eventTime,
          lotCodes: [sausages],
          inspection: { kind: 'self', result: 'pass', reportNumber: 'PLANT-1' },
        },
      }),
    );
    // one report recorded as an event per lot
    await inspect([pigs], 'PLANT-2');
    await inspect([sausages], 'PLANT-2');

    const shown = await trace(t, farm.api, pigs, 'direction=forward');
    const inspections = (code: string) =>
      (shown.nodes.find((node) => node.code === code)?.inspections ?? []).map(({ partyCode, reportNumber }) => ({
        partyCode,
        reportNumber,
      }));
    t.strictSame(
      inspections(pigs),
      [
        { partyCode: null, reportNumber: null },
        { partyCode: null, reportNumber: null },
      ],
      'on the pigs, neither the plant nor its reports are named',
    );
    t.strictSame(
      inspections(sausages)
        .filter((inspection) => inspection.partyCode !== null)
        .sort((a, b) => String(a.reportNumber).localeCompare(String(b.reportNumber))),
      [
        { partyCode: plant.code, reportNumber: 'PLANT-1' },
        { partyCode: plant.code, reportNumber: 'PLANT-2' },
      ],
      'the tests of the plant’s own sausages alone name it with their reports',
    );
  },
);
