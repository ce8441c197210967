// Who recorded an inspection, as a trace's nodes show it (`partyCode`) and as its `parties` and
// `events` name it: an operator is not told which other party tested a lot, neither on the lot
// itself nor through an inspection of several lots that names its recorder on another of them.
import type { Test } from 'tap';
import { createWorld } from '../fixtures/world.js';
import type { Client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

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

  const trace = async (t: Test, api: Client, code: string, query: string): Promise<Shown> => {
    const reply = await api.get(`/trace/${code}?${query}`);
    t.equal(reply.status, 200, `${code}?${query}`);
    return reply.body;
  };
  /** Each report's recorder on a node, by report number. */
  const recorders = (shown: Shown, code: string) =>
    Object.fromEntries(
      (shown.nodes.find((node) => node.code === code)?.inspections ?? []).map((inspection) => [
        inspection.reportNumber,
        inspection.partyCode,
      ]),
    );
  const eventIdOf = (shown: Shown, code: string, report: string) =>
    shown.nodes.find((node) => node.code === code)?.inspections.find((inspection) => inspection.reportNumber === report)?.eventId;
  const parties = (shown: Shown) => shown.parties.map((party) => party.code);

  for (const include of ['graph', 'events']) {
    t.test(`the farm, tracing its pigs forward (include=${include})`, async (t) => {
      const shown = await trace(t, farm.api, pigs, `direction=forward&include=${include}`);
      t.strictSame(recorders(shown, pigs), { 'PLANT-1': null, 'LAB-1': lab.code }, 'is not told the plant tested its pigs');
      t.strictSame(
        recorders(shown, sausages),
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
      recorders(shown, sausages),
      { 'PLANT-1': null, 'SHOP-1': shop.code, 'LAB-1': lab.code },
      'is not told who tested the sausages with the farm’s pigs either: its backward trace reaches the pigs',
    );
    const backward = await trace(t, shop.api, sausages, 'direction=backward');
    t.strictSame(recorders(backward, pigs), { 'PLANT-1': null, 'LAB-1': lab.code });
  });

  t.test('the plant reads its own test on both lots, and its event', async (t) => {
    const shown = await trace(t, plant.api, sausages, 'direction=backward');
    t.equal(recorders(shown, pigs)['PLANT-1'], plant.code);
    t.equal(recorders(shown, sausages)['PLANT-1'], plant.code);
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
      t.strictSame(recorders(shown, pigs), { 'PLANT-1': plant.code, 'LAB-1': lab.code });
      t.strictSame(recorders(shown, sausages), { 'PLANT-1': plant.code, 'SHOP-1': shop.code, 'LAB-1': lab.code });
      t.ok(
        [plant.code, shop.code, lab.code].every((code) => parties(shown).includes(code)),
        'and names them among the parties',
      );
    });
  }
});
