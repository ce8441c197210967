import { assembleTrace, type NodeEdge, type NodeEvent, type NodeLot, type NodeShipment, type TraceInput } from '../../src/trace/graph.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A lot as the repository reads it: its attributes (null for none) where the node's certificates will be. */
const lot = ({
  attributes = null,
  ...over
}: Partial<Omit<NodeLot, 'certificates'>> &
  Pick<NodeLot, 'code' | 'partyCode' | 'depth'> & { attributes?: Record<string, unknown> | null }): NodeLot => ({
  kind: 'lot',
  redacted: false,
  productCode: null,
  lotNumber: null,
  sscc: null,
  status: 'active',
  onHold: false,
  productionDate: null,
  expiryDate: null,
  sellByDate: null,
  originLocationCode: null,
  certificates: attributes,
  earTags: null,
  inspections: null,
  quantity: 0,
  unit: 'kg',
  holders: null,
  ...over,
});

const event = (over: Partial<NodeEvent> & Pick<NodeEvent, 'id' | 'type' | 'eventTime' | 'partyCode'>): NodeEvent => ({
  lots: [],
  payload: {},
  referenceDocuments: [],
  declaredInErrorBy: null,
  testedLotOwners: null,
  recorderKind: null,
  ...over,
});

const at = (iso: string) => new Date(iso);

// Backward trace from Z-MEAT (plant). Cattle came from the farm; feed stayed at the farm. The lots
// are listed out of their trace order, which assembly restores.
function world(canSee: (party: string) => boolean): TraceInput<NodeEvent> {
  const lots: NodeLot[] = [
    lot({
      code: 'M-CATTLE',
      depth: 1,
      partyCode: 'FARM',
      kind: 'livestock',
      quantity: 10,
      unit: 'head',
      attributes: { quarantineCertificate: 'Q-1', earTags: ['T1', 'T2'] },
    }),
    lot({
      code: 'Z-MEAT',
      depth: 0,
      partyCode: 'PLANT',
      kind: 'meat',
      quantity: 50,
      unit: 'kg',
      attributes: { meatQualityCertificate: 'M-1', commitmentCertificate: 'C-1', unrelated: 'X' },
    }),
    lot({ code: 'K-FEED', depth: 1, partyCode: 'FARM', kind: 'feed', quantity: 100, unit: 'kg', attributes: { earTags: 'not-an-array' } }),
  ];
  const edges: NodeEdge[] = [
    {
      kind: 'transform',
      from: 'M-CATTLE',
      to: 'Z-MEAT',
      quantity: 6,
      unit: 'head',
      eventId: 'E-SLAUGHTER',
      fromPartyCode: null,
      toPartyCode: null,
      shipmentId: null,
      status: null,
    },
    {
      kind: 'aggregate',
      from: 'K-FEED',
      to: 'Z-MEAT',
      quantity: null,
      unit: null,
      eventId: 'E-PACK',
      fromPartyCode: null,
      toPartyCode: null,
      shipmentId: null,
      status: 'unpacked',
    },
  ];
  const shipments: NodeShipment[] = [
    {
      id: 'S1',
      shipEventId: 'E-SHIP',
      receiveEventId: 'E-RECV',
      fromPartyCode: 'FARM',
      toPartyCode: 'PLANT',
      status: 'received',
      shippedAt: at('2026-03-01T10:00:00Z'),
      receivedAt: at('2026-03-02T08:00:00Z'),
      lines: [
        { lotCode: 'M-CATTLE', quantity: 10, receivedQuantity: 9, receiveEventId: 'E-RECV' },
        { lotCode: 'X-OTHER', quantity: 5, receivedQuantity: 5, receiveEventId: 'E-RECV' },
      ],
    },
    {
      id: 'S2',
      shipEventId: 'E-SHIP-FEED',
      receiveEventId: null,
      fromPartyCode: 'FARM',
      toPartyCode: 'SHOP',
      status: 'open',
      shippedAt: at('2026-03-01T11:00:00Z'),
      receivedAt: null,
      lines: [{ lotCode: 'K-FEED', quantity: 20, receivedQuantity: null, receiveEventId: null }],
    },
    {
      id: 'S3',
      shipEventId: 'E-SHIP-MEAT',
      receiveEventId: null,
      fromPartyCode: 'PLANT',
      toPartyCode: 'SHOP',
      status: 'open',
      shippedAt: at('2026-03-04T09:00:00Z'),
      receivedAt: null,
      lines: [{ lotCode: 'Z-MEAT', quantity: 30, receivedQuantity: null, receiveEventId: null }],
    },
  ];
  const events: NodeEvent[] = [
    event({
      id: 'E-SLAUGHTER',
      type: 'transform',
      eventTime: at('2026-03-02T12:00:00Z'),
      partyCode: 'PLANT',
      lots: [
        { lotCode: 'M-CATTLE', role: 'input', quantity: 6 },
        { lotCode: 'Z-MEAT', role: 'output', quantity: 50 },
      ],
      referenceDocuments: [{ type: 'meat_quality_certificate', number: 'M-1' }],
    }),
    event({
      id: 'E-INSPECT-BAD',
      type: 'inspect',
      eventTime: at('2026-03-03T09:00:00Z'),
      partyCode: 'PLANT',
      lots: [{ lotCode: 'Z-MEAT', role: 'subject', quantity: null }],
      payload: { inspection: { kind: 'residue', result: 'fail' } },
      referenceDocuments: [{ type: 'inspection_report', number: 'R-BAD' }],
      declaredInErrorBy: 'E-VOID',
      testedLotOwners: ['PLANT'],
    }),
    event({
      id: 'E-FEED',
      type: 'commission',
      eventTime: at('2026-02-01T00:00:00Z'),
      partyCode: 'FARM',
      lots: [{ lotCode: 'K-FEED', role: 'output', quantity: 100 }],
      referenceDocuments: [{ type: 'purchase_invoice', number: 'INV-9' }],
    }),
    event({
      id: 'E-RECV',
      type: 'receive',
      eventTime: at('2026-03-02T08:00:00Z'),
      partyCode: 'PLANT',
      lots: [{ lotCode: 'M-CATTLE', role: 'subject', quantity: 9 }],
      referenceDocuments: [{ type: 'quarantine_certificate', number: 'Q-1' }],
    }),
    event({
      id: 'E-INSPECT',
      type: 'inspect',
      eventTime: at('2026-03-03T09:00:00Z'),
      partyCode: 'PLANT',
      lots: [{ lotCode: 'Z-MEAT', role: 'subject', quantity: null }],
      payload: { inspection: { kind: 'residue', result: 'pass', reportNumber: 'R-1', labPartyCode: 'LAB' } },
      referenceDocuments: [{ type: 'inspection_report', number: 'R-1' }],
      testedLotOwners: ['PLANT'],
    }),
    event({
      id: 'E-SHIP',
      type: 'ship',
      eventTime: at('2026-03-01T10:00:00Z'),
      partyCode: 'FARM',
      lots: [{ lotCode: 'M-CATTLE', role: 'subject', quantity: 10 }],
      referenceDocuments: [{ type: 'despatch_advice', number: 'DA-1' }],
    }),
  ];
  const holdings = [
    { lotCode: 'M-CATTLE', partyCode: 'FARM', onHand: 0 },
    { lotCode: 'M-CATTLE', partyCode: 'PLANT', onHand: 3 },
    { lotCode: 'M-CATTLE', partyCode: 'SHOP', onHand: -1 },
    { lotCode: 'Z-MEAT', partyCode: 'PLANT', onHand: 20 },
    { lotCode: 'K-FEED', partyCode: 'FARM', onHand: 80 },
    { lotCode: 'X-OTHER', partyCode: 'PLANT', onHand: 5 },
  ];
  return {
    direction: 'backward',
    lots,
    edges,
    shipments,
    events,
    holdings,
    canSee,
    shownLines: (lines) => lines,
  };
}

const sortDocs = (docs: { type: string; number: string }[]) =>
  [...docs].sort((a, b) => `${a.type}:${a.number}`.localeCompare(`${b.type}:${b.number}`));

t.test('assembleTrace as the plant', async (t) => {
  const trace = assembleTrace(world((party) => party === 'PLANT'));
  const node = (code: string) => {
    const found = trace.nodes.find((n) => n.code === code);
    if (!found) throw new Error(`no node ${code}`);
    return found;
  };

  t.test('nodes: sorted by depth then code', async (t) => {
    t.strictSame(
      trace.nodes.map((n) => [n.depth, n.code]),
      [
        [0, 'Z-MEAT'],
        [1, 'K-FEED'],
        [1, 'M-CATTLE'],
      ],
    );
  });

  t.test('redaction', async (t) => {
    const meat = node('Z-MEAT');
    t.equal(meat.redacted, false, 'own lot');
    t.equal(meat.quantity, 50);
    t.equal(meat.unit, 'kg');
    t.strictSame(meat.holders, [{ partyCode: 'PLANT', onHand: 20 }]);

    const cattle = node('M-CATTLE');
    t.equal(cattle.redacted, false, 'owned by the farm but held by the plant');
    t.equal(cattle.quantity, 10);
    t.equal(cattle.unit, 'head');
    t.strictSame(cattle.holders, [{ partyCode: 'PLANT', onHand: 3 }], 'holders with onHand <= 0 omitted');
    t.strictSame(cattle.earTags, ['T1', 'T2']);
    t.equal(cattle.kind, 'livestock');
    t.equal(cattle.partyCode, 'FARM');

    const feed = node('K-FEED');
    t.equal(feed.redacted, true, 'neither owner nor holder visible');
    t.equal(feed.quantity, null);
    t.equal(feed.unit, null);
    t.equal(feed.holders, null);
    t.equal(feed.partyCode, 'FARM', 'identity stays visible');
    t.equal(feed.kind, 'feed');
    t.strictSame(feed.earTags, [], 'non-array earTags ignored');
  });

  t.test('certificates', async (t) => {
    t.strictSame(
      sortDocs(node('Z-MEAT').certificates),
      sortDocs([
        { type: 'meat_quality_certificate', number: 'M-1' },
        { type: 'commitment_certificate', number: 'C-1' },
        { type: 'inspection_report', number: 'R-1' },
      ]),
      'from attributes and events, deduplicated, without the event declared in error',
    );
    t.notOk(
      node('Z-MEAT').certificates.some((c) => c.number === 'R-BAD'),
      'reference document of an event declared in error is dropped',
    );
    t.strictSame(
      sortDocs(node('M-CATTLE').certificates),
      sortDocs([
        { type: 'quarantine_certificate', number: 'Q-1' },
        { type: 'despatch_advice', number: 'DA-1' },
        { type: 'meat_quality_certificate', number: 'M-1' },
      ]),
    );
    t.strictSame(node('K-FEED').certificates, [{ type: 'purchase_invoice', number: 'INV-9' }], 'certificates survive redaction');
  });

  t.test('inspections', async (t) => {
    const inspections = [...node('Z-MEAT').inspections].sort((a, b) => a.eventId.localeCompare(b.eventId));
    t.strictSame(inspections, [
      {
        eventId: 'E-INSPECT',
        eventTime: at('2026-03-03T09:00:00Z'),
        partyCode: 'PLANT',
        kind: 'residue',
        // stored naming a lab, which only a regulator's sampling names besides its recorder (inspectionClaimAsRead)
        labPartyCode: null,
        result: 'pass',
        reportNumber: 'R-1',
        declaredInError: false,
      },
      {
        eventId: 'E-INSPECT-BAD',
        eventTime: at('2026-03-03T09:00:00Z'),
        partyCode: 'PLANT',
        kind: 'residue',
        labPartyCode: null,
        result: 'fail',
        reportNumber: null,
        declaredInError: true,
      },
    ]);
    t.strictSame(node('M-CATTLE').inspections, [], 'non-inspect events give no inspections');
  });

  t.test('edges', async (t) => {
    const lotEdges = trace.edges.filter((e) => e.kind !== 'custody');
    t.strictSame(lotEdges, [
      {
        kind: 'transform',
        from: 'M-CATTLE',
        to: 'Z-MEAT',
        quantity: 6,
        unit: 'head',
        eventId: 'E-SLAUGHTER',
        fromPartyCode: null,
        toPartyCode: null,
        shipmentId: null,
        status: null,
      },
      {
        kind: 'aggregate',
        from: 'K-FEED',
        to: 'Z-MEAT',
        quantity: null,
        unit: null,
        eventId: 'E-PACK',
        fromPartyCode: null,
        toPartyCode: null,
        shipmentId: null,
        status: 'unpacked',
      },
    ]);

    const custody = trace.edges.filter((e) => e.kind === 'custody');
    t.strictSame(
      custody,
      [
        {
          kind: 'custody',
          from: 'M-CATTLE',
          to: 'M-CATTLE',
          quantity: 9,
          unit: null,
          eventId: 'E-RECV',
          fromPartyCode: 'FARM',
          toPartyCode: 'PLANT',
          shipmentId: 'S1',
          status: 'received',
        },
        {
          kind: 'custody',
          from: 'Z-MEAT',
          to: 'Z-MEAT',
          quantity: 30,
          unit: null,
          eventId: 'E-SHIP-MEAT',
          fromPartyCode: 'PLANT',
          toPartyCode: 'SHOP',
          shipmentId: 'S3',
          status: 'open',
        },
      ],
      'received quantity when received, shipped quantity while open; unreached X-OTHER and FARM->SHOP left out',
    );
  });

  t.test('events: visible parties only, in time order', async (t) => {
    t.strictSame(
      trace.events.map((e) => e.id),
      ['E-RECV', 'E-SLAUGHTER', 'E-INSPECT', 'E-INSPECT-BAD'],
      'farm events dropped; equal times ordered by id',
    );
  });
});

t.test('assembleTrace as a regulator (sees everything)', async (t) => {
  const trace = assembleTrace(world(() => true));
  t.ok(trace.nodes.every((n) => !n.redacted));
  const feed = trace.nodes.find((n) => n.code === 'K-FEED');
  t.equal(feed?.quantity, 100);
  t.strictSame(feed?.holders, [{ partyCode: 'FARM', onHand: 80 }]);
  t.strictSame(
    trace.edges.filter((e) => e.kind === 'custody').map((e) => e.shipmentId),
    ['S1', 'S2', 'S3'],
  );
  t.strictSame(
    trace.events.map((e) => e.id),
    ['E-FEED', 'E-SHIP', 'E-RECV', 'E-SLAUGHTER', 'E-INSPECT', 'E-INSPECT-BAD'],
  );
});

t.test('assembleTrace as the public (sees nobody)', async (t) => {
  const trace = assembleTrace(world(() => false));
  t.equal(trace.nodes.length, 3);
  for (const n of trace.nodes) {
    t.equal(n.redacted, true, `${n.code} redacted`);
    t.equal(n.quantity, null);
    t.equal(n.unit, null);
    t.equal(n.holders, null);
  }
  t.ok(trace.nodes.find((n) => n.code === 'Z-MEAT')?.certificates.length, 'certificates still shown');
  t.strictSame(
    trace.edges.filter((e) => e.kind === 'custody'),
    [],
    'no custody edges',
  );
  t.equal(trace.edges.length, 2, 'lot edges are kept');
  const slaughter = trace.edges.find((e) => e.eventId === 'E-SLAUGHTER');
  t.equal(slaughter?.quantity, null, 'how much went into a lot the viewer cannot see is withheld');
  t.equal(slaughter?.unit, null);
  t.strictSame(trace.events, []);
});

t.test('who recorded an inspection: the owner, the lab it names, or a party the viewer may read; else withheld', async (t) => {
  const input = world((party) => party === 'FARM');
  const inspected = (id: string, partyCode: string, labPartyCode?: string) =>
    event({
      id,
      type: 'inspect',
      eventTime: at('2026-03-04T09:00:00Z'),
      partyCode,
      lots: [{ lotCode: 'Z-MEAT', role: 'subject', quantity: null }],
      payload: { inspection: { kind: 'residue', result: 'pass', ...(labPartyCode ? { labPartyCode } : {}) } },
      testedLotOwners: ['PLANT'],
    });
  input.events.push(inspected('E-SHOP', 'SHOP'), inspected('E-LAB', 'LAB', 'LAB'), inspected('E-FARM', 'FARM'));
  const meat = assembleTrace(input).nodes.find((n) => n.code === 'Z-MEAT');
  t.strictSame(
    meat?.inspections.map((inspection) => [inspection.eventId, inspection.partyCode]),
    [
      ['E-INSPECT-BAD', 'PLANT'],
      ['E-INSPECT', 'PLANT'],
      ['E-SHOP', null],
      ['E-LAB', 'LAB'],
      ['E-FARM', 'FARM'],
    ],
    'another holder’s test does not name it',
  );
});

// An inspection of several lots is one eventID on each of their nodes: named on one and withheld on
// another, the null would read as the party named beside it.
t.test('an inspection of several lots names its recorder on every node or on none', async (t) => {
  const inspection = (id: string, partyCode: string, lotCodes: string[], testedLotOwners: string[], labPartyCode?: string) =>
    event({
      id,
      type: 'inspect',
      eventTime: at('2026-03-04T09:00:00Z'),
      partyCode,
      lots: lotCodes.map((lotCode) => ({ lotCode, role: 'subject', quantity: null })),
      payload: { inspection: { kind: 'residue', result: 'pass', ...(labPartyCode ? { labPartyCode } : {}) } },
      testedLotOwners,
    });
  const inspected = (canSee: (party: string) => boolean) => {
    const input = world(canSee);
    input.events.push(
      // the plant's test of its meat and of the farm's cattle it holds
      inspection('E-BOTH', 'PLANT', ['Z-MEAT', 'M-CATTLE'], ['PLANT', 'FARM']),
      // of its meat and of a lot outside this trace, the shop's: named here, it would be withheld in a trace that reaches both
      inspection('E-OUTSIDE', 'PLANT', ['Z-MEAT', 'S-SHOP'], ['PLANT', 'SHOP']),
      // of its meat and of another of its own lots outside the trace
      inspection('E-OWN', 'PLANT', ['Z-MEAT', 'Z-OTHER'], ['PLANT']),
      // a lab's of lots of two owners, naming itself
      inspection('E-LAB-BOTH', 'LAB', ['Z-MEAT', 'M-CATTLE'], ['PLANT', 'FARM'], 'LAB'),
    );
    const trace = assembleTrace(input);
    const recorders = (code: string) =>
      Object.fromEntries(
        (trace.nodes.find((node) => node.code === code)?.inspections ?? [])
          .filter((shown) => shown.eventId.startsWith('E-') && !shown.eventId.startsWith('E-INSPECT'))
          .map((shown) => [shown.eventId, shown.partyCode]),
      );
    return { meat: recorders('Z-MEAT'), cattle: recorders('M-CATTLE'), events: trace.events };
  };

  const asFarm = inspected((party) => party === 'FARM');
  t.strictSame(
    asFarm.meat,
    { 'E-BOTH': null, 'E-OUTSIDE': null, 'E-OWN': 'PLANT', 'E-LAB-BOTH': 'LAB' },
    'to the farm, the plant is named only for a test of its own lots alone',
  );
  t.strictSame(asFarm.cattle, { 'E-BOTH': null, 'E-LAB-BOTH': 'LAB' }, 'and withheld on the farm’s cattle alike');
  t.notOk(
    asFarm.events.some((shown) => shown.partyCode === 'PLANT'),
    'nor does an event body of the plant’s name it (include=events)',
  );

  const asPlant = inspected((party) => party === 'PLANT');
  t.strictSame(asPlant.meat, { 'E-BOTH': 'PLANT', 'E-OUTSIDE': 'PLANT', 'E-OWN': 'PLANT', 'E-LAB-BOTH': 'LAB' }, 'the plant reads its own');
  t.strictSame(asPlant.cattle, { 'E-BOTH': 'PLANT', 'E-LAB-BOTH': 'LAB' });
  t.ok(
    asPlant.events.some((shown) => shown.id === 'E-BOTH' && shown.partyCode === 'PLANT'),
    'and its event body names it as the nodes do',
  );

  const asRegulator = inspected(() => true);
  t.strictSame(asRegulator.meat, { 'E-BOTH': 'PLANT', 'E-OUTSIDE': 'PLANT', 'E-OWN': 'PLANT', 'E-LAB-BOTH': 'LAB' });
  t.strictSame(asRegulator.cattle, { 'E-BOTH': 'PLANT', 'E-LAB-BOTH': 'LAB' }, 'a regulator reads every recorder');
});

// Visibility comes through any holding, a drained one included; the holders listed are only
// those of parties the viewer may see.
t.test('a party that held a lot and drained it still sees it', async (t) => {
  const input = world((party) => party === 'PLANT');
  input.holdings = input.holdings.map((h) => (h.lotCode === 'M-CATTLE' && h.partyCode === 'PLANT' ? { ...h, onHand: 0 } : h));
  const cattle = assembleTrace(input).nodes.find((n) => n.code === 'M-CATTLE');
  t.equal(cattle?.redacted, false);
  t.equal(cattle?.quantity, 10);
  t.strictSame(cattle?.holders, [], 'but no zero holding is listed');
});

t.test("other parties' stock levels are not listed", async (t) => {
  // the assembly completes the lots it is given: one world for each viewer
  const farmHoldsFive = (input: TraceInput<NodeEvent>) => ({
    ...input,
    holdings: input.holdings.map((h) => (h.lotCode === 'M-CATTLE' && h.partyCode === 'FARM' ? { ...h, onHand: 5 } : h)),
  });
  const cattle = assembleTrace(farmHoldsFive(world((party) => party === 'PLANT'))).nodes.find((n) => n.code === 'M-CATTLE');
  t.strictSame(cattle?.holders, [{ partyCode: 'PLANT', onHand: 3 }]);
  const asRegulator = assembleTrace(farmHoldsFive(world(() => true))).nodes.find((n) => n.code === 'M-CATTLE');
  t.strictSame(asRegulator?.holders, [
    { partyCode: 'FARM', onHand: 5 },
    { partyCode: 'PLANT', onHand: 3 },
  ]);
});

t.test('an EPCIS inspecting event (seen, with no kind or result) is no inspection and does not break the trace', async (t) => {
  const input = world(() => true);
  input.events = [
    ...input.events,
    event({
      id: 'E-EPCIS-INSPECTING',
      type: 'inspect',
      eventTime: at('2026-03-03T10:00:00Z'),
      partyCode: 'PLANT',
      lots: [{ lotCode: 'Z-MEAT', role: 'subject', quantity: null }],
      payload: { epcis: { type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting' } },
    }),
  ];
  const meat = assembleTrace(input).nodes.find((n) => n.code === 'Z-MEAT');
  t.strictSame(meat?.inspections.map((inspection) => inspection.eventId).sort(), ['E-INSPECT', 'E-INSPECT-BAD']);
});
