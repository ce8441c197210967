import { createWorld, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Two farms → one slaughter lot → two products → one mixed retail lot. */
async function buildDiamond(world: World) {
  const farm1 = await world.party('farm', 'farm one');
  const farm2 = await world.party('farm', 'farm two');
  const plant = await world.party('slaughterhouse', 'plant');
  const shop = await world.party('retailer', 'shop');
  const pigs = await farm1.product('head');
  const pigs2 = await farm2.product('head');
  const [carcass, belly, leg, mixed] = [
    await plant.product('kg'),
    await plant.product('kg'),
    await plant.product('kg'),
    await shop.product('kg'),
  ];
  const f1 = await farm1.commission(pigs, 3, {
    lotNumber: 'F1',
    attributes: { earTags: ['150023611000001', '150023611000002', '150023611000003'] },
  });
  const f2 = await farm2.commission(pigs2, 2, { lotNumber: 'F2', attributes: { earTags: ['150023622000001', '150023622000002'] } });
  await world.handOver(farm1, plant, f1);
  await world.handOver(farm2, plant, f2);
  const [slaughter] = await plant.transform(
    [
      { lotCode: f1, quantity: 3 },
      { lotCode: f2, quantity: 2 },
    ],
    [{ productCode: carcass, lotNumber: 'S', quantity: 400, attributes: { meatQualityCertificate: 'MQ-1' } }],
  );
  const [a, b] = await plant.transform(
    [{ lotCode: slaughter, quantity: 400 }],
    [
      { productCode: belly, lotNumber: 'A', quantity: 120 },
      { productCode: leg, lotNumber: 'B', quantity: 150 },
    ],
  );
  await world.handOver(plant, shop, a, 100);
  await world.handOver(plant, shop, b, 100);
  const [retail] = await shop.transform(
    [
      { lotCode: a, quantity: 100 },
      { lotCode: b, quantity: 100 },
    ],
    [{ productCode: mixed, lotNumber: 'R', quantity: 190 }],
  );
  return { f1, f2, slaughter, a, b, retail, parties: { farm1, farm2, plant, shop } };
}

const depthsOf = (trace: { nodes: { code: string; depth: number }[] }) => Object.fromEntries(trace.nodes.map((n) => [n.code, n.depth]));

t.test('trace on a diamond DAG', async (t) => {
  const world = await createWorld(t);
  const d = await buildDiamond(world);

  const back = (await world.regulator.get(`/trace/${d.retail}`)).body;
  t.same(
    depthsOf(back),
    { [d.retail]: 0, [d.a]: 1, [d.b]: 1, [d.slaughter]: 2, [d.f1]: 3, [d.f2]: 3 },
    'each node once, at its shortest distance',
  );
  t.same(back.summary.earTags, ['150023611000001', '150023611000002', '150023611000003', '150023622000001', '150023622000002']);
  t.same(back.summary.farms, [d.parties.farm1.code, d.parties.farm2.code].sort());
  const transformEdges = back.edges
    .filter((e: { kind: string }) => e.kind === 'transform')
    .map((e: { from: string; to: string }) => `${e.from}>${e.to}`)
    .sort();
  t.same(
    transformEdges,
    [
      `${d.f1}>${d.slaughter}`,
      `${d.f2}>${d.slaughter}`,
      `${d.slaughter}>${d.a}`,
      `${d.slaughter}>${d.b}`,
      `${d.a}>${d.retail}`,
      `${d.b}>${d.retail}`,
    ].sort(),
    'every input → output edge',
  );
  t.ok(back.nodes.find((n: { code: string }) => n.code === d.slaughter).certificates.some((c: { number: string }) => c.number === 'MQ-1'));

  const forward = (await world.regulator.get(`/trace/${d.f1}?direction=forward`)).body;
  t.same(
    depthsOf(forward),
    { [d.f1]: 0, [d.slaughter]: 1, [d.a]: 2, [d.b]: 2, [d.retail]: 3 },
    'forward from one farm reaches every downstream lot, never sideways to the other farm',
  );
  const holders = forward.summary.currentHolders
    .map((h: { lotCode: string; partyCode: string; onHand: number }) => `${h.lotCode}@${h.partyCode}=${h.onHand}`)
    .sort();
  t.same(
    holders,
    [`${d.a}@${d.parties.plant.code}=20`, `${d.b}@${d.parties.plant.code}=50`, `${d.retail}@${d.parties.shop.code}=190`].sort(),
    'current holders with remaining quantities',
  );
  const shipments = forward.edges.filter((e: { kind: string }) => e.kind === 'custody');
  t.same(shipments.map((e: { from: string }) => e.from).sort(), [d.f1, d.a, d.b].sort(), 'every custody hand-over of a reached lot');

  const capped = (await world.regulator.get(`/trace/${d.retail}?depth=1`)).body;
  t.same(Object.keys(depthsOf(capped)).sort(), [d.retail, d.a, d.b].sort(), 'the depth cap bounds the walk');

  const byNumber = await world.regulator.get(`/trace/${d.parties.shop.code}:R`);
  t.equal(byNumber.body.query.lotCodes[0], d.retail, 'a party-scoped lot number is a trace start');
  const byTag = await world.regulator.get('/trace/150023622000002?direction=forward');
  t.ok(depthsOf(byTag.body)[d.retail] !== undefined, 'from one pig to the retail lot');
});

t.test("backward, a chain lot's other uses are not part of the trace; forward they are", async (t) => {
  const world = await createWorld(t);
  const d = await buildDiamond(world);
  const { plant } = d.parties;
  // the plant makes sausage from the 20 kg of belly it kept: a branch off the retail lot's chain
  const sausageProduct = await plant.product('kg');
  const [sausage] = (
    await world.ok(
      plant.event({
        type: 'transform',
        inputs: [{ lotCode: d.a, quantity: 20 }],
        outputs: [{ productCode: sausageProduct, lotNumber: 'SAUSAGE', quantity: 15 }],
        referenceDocuments: [{ type: 'commitment_certificate', number: 'BRANCH-1' }],
      }),
    )
  ).createdLotCodes;
  type Body = {
    nodes: { code: string; certificates: { number: string }[] }[];
    events: { lots: { lotCode: string }[] }[];
  };
  const madeSausage = (body: Body) => body.events.filter((event) => event.lots.some((lot) => lot.lotCode === sausage));
  const certificatesOfA = (body: Body) => body.nodes.find((node) => node.code === d.a)?.certificates.map((c) => c.number);

  for (const include of ['events', 'graph']) {
    const back: Body = (await world.regulator.get(`/trace/${d.retail}?include=${include}`)).body;
    t.notOk(
      back.nodes.some((node) => node.code === sausage),
      `${include}: the sausage is not upstream of the retail lot`,
    );
    t.notOk(certificatesOfA(back)?.includes('BRANCH-1'), `${include}: the branch's document is not shown on the chain's lot`);
    const forward: Body = (await world.regulator.get(`/trace/${d.a}?direction=forward&include=${include}`)).body;
    t.ok(certificatesOfA(forward)?.includes('BRANCH-1'), `${include}: forward from the belly, its use is shown`);
  }
  const back: Body = (await world.regulator.get(`/trace/${d.retail}`)).body;
  t.same(madeSausage(back), [], 'backward: the event that made the sausage is left out');
  t.ok(
    back.events.some((event) => event.lots.some((lot) => lot.lotCode === d.retail)),
    'backward: the event that made the retail lot is there',
  );
  t.equal(
    back.events.filter((event) => event.lots.some((lot) => lot.lotCode === d.f1)).length,
    4,
    'and the first farm lot: made, shipped, received, slaughtered',
  );
  const forward: Body = (await world.regulator.get(`/trace/${d.a}?direction=forward`)).body;
  t.equal(madeSausage(forward).length, 1, 'forward: the sausage event is there');
  const fromSausage: Body = (await world.regulator.get(`/trace/${sausage}`)).body;
  t.equal(madeSausage(fromSausage).length, 1, 'and backward from the sausage itself');
});

t.test('include=graph: the same nodes and edges without the event bodies', async (t) => {
  const world = await createWorld(t);
  const d = await buildDiamond(world);
  // what the graph finds without reading every event: an inspection, and a document on an event
  const { plant, shop } = d.parties;
  await world.ok(
    plant.event({ type: 'inspect', lotCodes: [d.slaughter], inspection: { kind: 'rapid', result: 'pass', reportNumber: 'R-1' } }),
  );
  await world.ok(
    shop.event({
      type: 'observe',
      lotCodes: [d.retail],
      referenceDocuments: [{ type: 'test_report', number: 'IR-7' }],
    }),
  );
  for (const [code, direction] of [
    [d.retail, 'backward'],
    [d.f1, 'forward'],
  ] as const) {
    const full = (await world.regulator.get(`/trace/${code}?direction=${direction}`)).body;
    const graph = (await world.regulator.get(`/trace/${code}?direction=${direction}&include=graph`)).body;
    t.ok(full.events.length > 0, `${direction}: the full trace carries its events`);
    t.same(graph.events, [], `${direction}: the graph carries none`);
    t.equal(graph.query.include, 'graph');
    t.same(
      [graph.nodes, graph.edges, graph.summary],
      [full.nodes, full.edges, full.summary],
      `${direction}: the same nodes, edges and summary`,
    );
  }
  const nodes = (await world.regulator.get(`/trace/${d.retail}?include=graph`)).body.nodes as {
    code: string;
    inspections: { reportNumber: string }[];
    certificates: { number: string }[];
  }[];
  const node = (code: string) => nodes.find((n) => n.code === code);
  t.same(
    node(d.slaughter)?.inspections.map((inspection) => inspection.reportNumber),
    ['R-1'],
    'the inspection shows on its lot',
  );
  t.ok(
    node(d.retail)?.certificates.some((certificate) => certificate.number === 'IR-7'),
    'the document shows on its lot',
  );
});

t.test('the parties and sites of a trace are only those it shows', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const shopFront = await shop.location('shop');
  const pigs = await farm.product('head');
  const pigLot = await farm.commission(pigs, 10);
  await world.handOver(farm, plant, pigLot);
  const [sausages] = await plant.transform(
    [{ lotCode: pigLot, quantity: 10 }],
    [{ productCode: await plant.product('kg'), quantity: 800 }],
  );
  const { shipmentId } = await world.ok(
    plant.event({ type: 'ship', toPartyCode: shop.code, toLocationCode: shopFront, lines: [{ lotCode: sausages, quantity: 50 }] }),
  );
  await shop.receive(shipmentId);

  const forward = async (api: typeof farm.api) => (await api.get(`/trace/${pigLot}?direction=forward`)).body;
  const seen = await forward(farm.api);
  const node = seen.nodes.find((n: { code: string }) => n.code === sausages);
  t.match(node, { redacted: true, holders: null }, 'the sausages are the plant’s: their holders are withheld');
  t.notOk(
    seen.edges.some((edge: { toPartyCode: string | null }) => edge.toPartyCode === shop.code),
    'so is the plant’s hand-over to the shop',
  );
  t.same(seen.parties.map((party: { code: string }) => party.code).sort(), [farm.code, plant.code].sort(), 'nor is the shop named');
  t.notOk(
    seen.locations.some((location: { code: string }) => location.code === shopFront),
    'nor the shop’s site where the hidden receipt took place',
  );

  const regulator = await forward(world.regulator);
  t.ok(
    regulator.parties.some((party: { code: string }) => party.code === shop.code) &&
      regulator.locations.some((location: { code: string }) => location.code === shopFront),
    'a regulator sees the shop and its site',
  );
});

const onPostgres = await postgresOnly('the traces on both are compared');
t.test('identical traces on PGlite and PostgreSQL', onPostgres, async (t) => {
  const normalized = [];
  for (const kind of ['pglite', 'postgres'] as const) {
    const world = await createWorld(t, kind);
    const d = await buildDiamond(world);
    // codes are random per database; compare by party name and lot number
    const names = new Map<string, string>();
    for (const [label, code] of Object.entries(d)) if (typeof code === 'string') names.set(code, label);
    for (const [label, actor] of Object.entries(d.parties)) names.set(actor.code, label);
    const label = (code: string | null) => (code === null ? null : (names.get(code) ?? code));
    const view = async (url: string) => {
      const trace = (await world.regulator.get(url)).body;
      return {
        nodes: trace.nodes
          .map((n: any) => ({
            ...n,
            code: label(n.code),
            partyCode: label(n.partyCode),
            productCode: null,
            originLocationCode: null,
            holders: n.holders.map((h: any) => ({ ...h, partyCode: label(h.partyCode) })),
            inspections: [],
          }))
          .sort((x: any, y: any) => x.depth - y.depth || x.code.localeCompare(y.code)),
        edges: trace.edges
          .map((e: any) => ({
            kind: e.kind,
            from: label(e.from),
            to: label(e.to),
            quantity: e.quantity,
            fromPartyCode: label(e.fromPartyCode),
            toPartyCode: label(e.toPartyCode),
            status: e.status,
          }))
          .sort((x: any, y: any) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
        events: trace.events.map((e: any) => ({
          type: e.type,
          eventTime: e.eventTime,
          partyCode: label(e.partyCode),
          lots: e.lots
            .map((l: any) => ({ ...l, lotCode: label(l.lotCode) }))
            .sort((x: any, y: any) => `${x.lotCode}${x.role}`.localeCompare(`${y.lotCode}${y.role}`)),
        })),
        summary: {
          ...trace.summary,
          farms: trace.summary.farms.map(label).sort(),
          currentHolders: trace.summary.currentHolders
            .map((h: any) => ({ ...h, lotCode: label(h.lotCode), partyCode: label(h.partyCode) }))
            .sort((x: any, y: any) => `${x.lotCode}${x.partyCode}`.localeCompare(`${y.lotCode}${y.partyCode}`)),
        },
      };
    };
    normalized.push({ backward: await view(`/trace/${d.retail}`), forward: await view(`/trace/${d.f1}?direction=forward`) });
  }
  t.same(normalized[1].backward, normalized[0].backward, 'backward traces match');
  t.same(normalized[1].forward, normalized[0].forward, 'forward traces match');
});
