import { type ConsumerSummary, consumerSummaryJson, type LotSummary, lotSummary, type PackFacts } from '../../src/resolver/summary.js';
import type { Trace } from '../../src/trace/schemas.js';
import { demoLot, demoPack } from '../fixtures/demo-summary.js';
import { fileTest } from '../root.js';

const t = fileTest();

const parse = (json: Buffer): ConsumerSummary => JSON.parse(json.toString('utf8'));

t.test('consumerSummaryJson: the lot part and the pack part in one document', async (t) => {
  const lot = demoLot();
  const summary = parse(consumerSummaryJson(lot, demoPack()));
  const { warnings, ...lotMembers } = lot;
  t.strictSame(summary, {
    code: 'K7QM2XR9P4D',
    genuine: true,
    scans: { count: 3, firstScannedAt: '2026-11-20T02:15:00.000Z' },
    warnings,
    ...lotMembers,
  });
});

t.test('consumerSummaryJson: each pack of a lot gets its own scans and counterfeit warning', async (t) => {
  const lot = { ...demoLot(), warnings: ['recalled' as const] };
  const fresh = parse(consumerSummaryJson(lot, { code: 'M3TW8KQ2R5X', scans: { count: 0, firstScannedAt: null }, flagged: false }));
  const copied = parse(
    consumerSummaryJson(lot, {
      code: 'K7QM2XR9P4D',
      scans: { count: 41, firstScannedAt: new Date('2026-11-01T00:00:00Z') },
      flagged: true,
    }),
  );
  t.equal(fresh.code, 'M3TW8KQ2R5X');
  t.strictSame(fresh.scans, { count: 0, firstScannedAt: null });
  t.strictSame(fresh.warnings, ['recalled']);
  t.equal(copied.code, 'K7QM2XR9P4D');
  t.strictSame(copied.scans, { count: 41, firstScannedAt: '2026-11-01T00:00:00.000Z' });
  t.strictSame(copied.warnings, ['recalled'], 'a recalled lot is never also called counterfeit');
  t.strictSame(parse(consumerSummaryJson(demoLot(), { ...demoPack(), flagged: true })).warnings, ['counterfeit_suspected']);
  t.strictSame(lot.warnings, ['recalled'], 'the shared lot summary is not changed by a pack');
  t.strictSame(parse(consumerSummaryJson(lot, demoPack())).warnings, ['recalled'], 'nor is the next pack');
  t.equal(fresh.product?.name, '奉上好品·奉节腊肉 500g');
  t.equal(copied.product?.name, '奉上好品·奉节腊肉 500g');
});

t.test('consumerSummaryJson: codes are JSON-escaped', async (t) => {
  const hostile = parse(consumerSummaryJson(demoLot(), { ...demoPack(), code: '"},"genuine":false,"x":"' }));
  t.equal(hostile.code, '"},"genuine":false,"x":"');
  t.equal(hostile.genuine, true);
});

t.test('consumerSummaryJson: a flagged code is called counterfeit only while its lot is in circulation', async (t) => {
  const flagged: PackFacts = { ...demoPack(), flagged: true };
  const warningsOf = (warnings: LotSummary['warnings'], pack = flagged) =>
    parse(consumerSummaryJson({ ...demoLot(), warnings }, pack)).warnings;
  t.strictSame(warningsOf([]), ['counterfeit_suspected']);
  t.strictSame(warningsOf(['recalled']), ['recalled']);
  t.strictSame(warningsOf(['held']), ['held']);
  t.strictSame(warningsOf(['destroyed']), ['destroyed']);
  t.strictSame(warningsOf(['held', 'expired']), ['held', 'expired']);
  t.strictSame(warningsOf(['expired']), ['expired', 'counterfeit_suspected'], 'an expired pack may still be a copy');
  t.strictSame(warningsOf(['expired'], demoPack()), ['expired'], 'an unflagged code is not');
});

// A small backward trace: two farm lots, the abattoir's carcass lot made from both, and the pack.
// The abattoir's rapid test covered both farm lots, so both nodes carry that one inspection.
const FARM_1 = 'P-FARM-1';
const FARM_2 = 'P-FARM-2';
const ABATTOIR = 'P-ABATTOIR';
const LAB = 'P-LAB';
const node = (code: string, depth: number, partyCode: string, inspections: Trace['nodes'][number]['inspections'] = []) => ({
  code,
  kind: 'lot',
  depth,
  redacted: false,
  partyCode,
  productCode: null,
  lotNumber: null,
  sscc: null,
  status: 'active',
  onHold: false,
  productionDate: null,
  expiryDate: null,
  sellByDate: null,
  originLocationCode: null,
  certificates: [],
  earTags: [],
  inspections,
  quantity: null,
  unit: null,
  holders: null,
});
const inspection = (eventId: string, time: string, kind: string, extra: { labPartyCode?: string; declaredInError?: boolean } = {}) => ({
  eventId,
  eventTime: new Date(time),
  partyCode: null,
  kind,
  labPartyCode: extra.labPartyCode ?? null,
  result: 'pass',
  reportNumber: null,
  declaredInError: extra.declaredInError ?? false,
});
const inspectEvent = (id: string, time: string, partyCode: string, lotCodes: string[], details: Record<string, unknown>) => ({
  id,
  type: 'inspect' as const,
  eventTime: new Date(time),
  eventTimeZoneOffset: '+08:00',
  recordTime: new Date(time),
  partyCode,
  bizStep: 'inspecting',
  disposition: null,
  readPoint: null,
  bizLocation: null,
  referenceDocuments: [],
  lots: lotCodes.map((lotCode) => ({ lotCode, role: 'subject' as const, quantity: null })),
  details,
  correctsEventId: null,
  declaredInErrorBy: null,
});
const RAPID = {
  kind: 'rapid',
  result: 'pass',
  items: [
    { name: '盐酸克伦特罗（瘦肉精）', value: '阴性', result: 'pass' },
    { name: '莱克多巴胺', value: '阴性', result: 'pass' },
  ],
};
const LAB_TEST = {
  kind: 'third_party',
  labPartyCode: LAB,
  result: 'pass',
  items: [{ name: '亚硝酸盐（以NaNO2计）', value: 8.6, unit: 'mg/kg', limit: '≤30', result: 'pass' }, { name: 'not an item' }],
};
const party = (code: string, kind: string) => ({ code, name: `${kind} ${code}`, kind, regionCode: '500236', address: null, contact: null });

const edge = (from: string, to: string, kind: 'transform' | 'aggregate' = 'transform', status: string | null = null) => ({
  kind,
  from,
  to,
  quantity: null,
  unit: null,
  eventId: `E-${from}-${to}`,
  fromPartyCode: null,
  toPartyCode: null,
  shipmentId: null,
  status,
});

function chain(): Trace {
  const rapid = inspection('E-RAPID', '2026-10-12T23:40:00.000Z', 'rapid');
  return {
    query: { identifier: 'L-PACK', lotCodes: ['L-PACK'], direction: 'backward', depth: 30, include: 'events' },
    summary: { nodes: 4, earTags: [], farms: [FARM_1, FARM_2], currentHolders: [] },
    nodes: [
      node('L-PACK', 0, ABATTOIR, [
        inspection('E-LAB', '2026-10-30T07:00:00.000Z', 'third_party', { labPartyCode: LAB }),
        inspection('E-WRONG', '2026-10-29T07:00:00.000Z', 'self', { declaredInError: true }),
        inspection('E-ELSEWHERE', '2026-10-20T07:00:00.000Z', 'self'),
      ]),
      node('L-CARCASS', 1, ABATTOIR),
      node('L-FARM-1', 2, FARM_1, [rapid]),
      node('L-FARM-2', 2, FARM_2, [rapid]),
    ],
    edges: [edge('L-FARM-1', 'L-CARCASS'), edge('L-FARM-2', 'L-CARCASS'), edge('L-CARCASS', 'L-PACK')],
    events: [
      inspectEvent('E-RAPID', '2026-10-12T23:40:00.000Z', ABATTOIR, ['L-FARM-1', 'L-FARM-2'], { inspection: RAPID }),
      inspectEvent('E-ELSEWHERE', '2026-10-20T07:00:00.000Z', ABATTOIR, ['L-PACK'], { inspection: { kind: 'self', result: 'pass' } }),
      {
        ...inspectEvent('E-WRONG', '2026-10-29T07:00:00.000Z', ABATTOIR, ['L-PACK'], { inspection: { kind: 'self', result: 'pass' } }),
        declaredInErrorBy: 'E-WRONG#error',
      },
      inspectEvent('E-LAB', '2026-10-30T07:00:00.000Z', LAB, ['L-PACK'], { inspection: LAB_TEST }),
    ],
    parties: [party(FARM_1, 'farm'), party(FARM_2, 'farm'), party(ABATTOIR, 'slaughterhouse'), party(LAB, 'lab')],
    products: [],
    locations: [],
  };
}

t.test('lotSummary: each inspection once, however many lots of the chain it covered, with what it tested', async (t) => {
  const { tests } = lotSummary({ lotCode: 'L-PACK', trace: chain(), today: '2026-11-20', brands: [] });
  t.strictSame(
    tests.map((test) => test.kind),
    ['rapid', 'self', 'third_party'],
    'the rapid test of two farm lots once; one declared in error left out; in time order',
  );
  const [rapid, own, lab] = tests;
  t.strictSame(rapid.items, [
    { name: '盐酸克伦特罗（瘦肉精）', value: '阴性', unit: null, limit: null, result: 'pass' },
    { name: '莱克多巴胺', value: '阴性', unit: null, limit: null, result: 'pass' },
  ]);
  t.strictSame(
    lab.items,
    [{ name: '亚硝酸盐（以NaNO2计）', value: 8.6, unit: 'mg/kg', limit: '≤30', result: 'pass' }],
    'malformed items left out',
  );
  t.equal(lab.lab, `lab ${LAB}`);
  t.strictSame(own.items, [], 'an inspection that names no items has none');
});

t.test('lotSummary: two parties’ inspections under one eventID, each with its own result and findings', async (t) => {
  const trace = chain();
  // the farm's own test of its pigs, under the eventID the abattoir gave its rapid test: each party's eventIDs are its own
  const farmTest = { kind: 'self', result: 'fail', items: [{ name: '体温', value: 41.5, unit: 'Cel', result: 'fail' }] };
  trace.nodes[2].inspections.push({ ...inspection('E-RAPID', '2026-10-11T23:40:00.000Z', 'self'), result: 'fail' });
  trace.events.unshift(inspectEvent('E-RAPID', '2026-10-11T23:40:00.000Z', FARM_1, ['L-FARM-1'], { inspection: farmTest }));
  const { tests } = lotSummary({ lotCode: 'L-PACK', trace, today: '2026-11-20', brands: [] });
  t.strictSame(
    tests.slice(0, 2).map(({ kind, result, items }) => ({ kind, result, items: items.map((item) => item.name) })),
    [
      { kind: 'self', result: 'fail', items: ['体温'] },
      { kind: 'rapid', result: 'pass', items: ['盐酸克伦特罗（瘦肉精）', '莱克多巴胺'] },
    ],
    'the farm’s test and the abattoir’s, each once with its own findings',
  );
  t.equal(tests.length, 4, 'beside the chain’s other two');
});

t.test('lotSummary: a farm is shown by name and region, never its address; the maker keeps its address', async (t) => {
  const withAddress = (code: string, kind: string) => ({ ...party(code, kind), address: `${kind} street 1`, contact: { phone: '023-1' } });
  const commissioned = (id: string, time: string, partyCode: string, lotCode: string) => ({
    ...inspectEvent(id, time, partyCode, [lotCode], {}),
    type: 'commission' as const,
  });
  const trace: Trace = {
    ...chain(),
    events: [
      commissioned('E-FARM', '2026-10-11T23:30:00.000Z', FARM_1, 'L-FARM-1'),
      commissioned('E-ABATTOIR', '2026-10-13T01:00:00.000Z', ABATTOIR, 'L-PACK'),
    ],
    parties: [withAddress(FARM_1, 'farm'), withAddress(FARM_2, 'farm'), withAddress(ABATTOIR, 'slaughterhouse'), party(LAB, 'lab')],
  };
  const summary = lotSummary({ lotCode: 'L-PACK', trace, today: '2026-11-20', brands: [] });
  t.strictSame(summary.origins, [
    { farm: `farm ${FARM_1}`, regionCode: '500236', earTagCount: 0 },
    { farm: `farm ${FARM_2}`, regionCode: '500236', earTagCount: 0 },
  ]);
  t.equal(summary.producer?.address, 'slaughterhouse street 1', 'the maker: its address is on its label');
  t.strictSame(
    summary.timeline.map((step) => step.place),
    ['重庆市奉节县', 'slaughterhouse street 1'],
    'a step without a site: the maker’s address; the farm’s county only',
  );
  const farmLot = lotSummary({ lotCode: 'L-FARM-1', trace, today: '2026-11-20', brands: [] });
  t.strictSame(farmLot.producer, { name: `farm ${FARM_1}`, regionCode: '500236', address: null }, 'a farm that made the lot too');
  t.notMatch(JSON.stringify([summary, farmLot]), 'farm street', 'no farm address anywhere');
});

t.test('lotSummary: a step naming no site shows the address of the lot’s maker only; any other party by its county', async (t) => {
  const DISTRIBUTOR = 'P-DISTRIBUTOR';
  const RETAILER = 'P-RETAILER';
  const CARRIER = 'P-CARRIER';
  const withAddress = (code: string, kind: string, regionCode = '500236') => ({
    ...party(code, kind),
    regionCode,
    address: `${kind} street 1`,
  });
  const step = (id: string, type: 'commission' | 'receive' | 'observe' | 'sell', time: string, partyCode: string) => ({
    ...inspectEvent(id, time, partyCode, ['L-PACK'], {}),
    type,
  });
  const trace: Trace = {
    ...chain(),
    events: [
      step('E-MADE', 'commission', '2026-10-13T01:00:00.000Z', ABATTOIR),
      step('E-RECEIVED', 'receive', '2026-10-14T01:00:00.000Z', DISTRIBUTOR),
      step('E-CARRIED', 'observe', '2026-10-14T05:00:00.000Z', CARRIER),
      step('E-SOLD', 'sell', '2026-10-15T01:00:00.000Z', RETAILER),
    ],
    parties: [
      withAddress(ABATTOIR, 'slaughterhouse'),
      withAddress(DISTRIBUTOR, 'distributor', '500101'),
      withAddress(CARRIER, 'logistics', '999999'),
      withAddress(RETAILER, 'retailer'),
    ],
  };
  const summary = lotSummary({ lotCode: 'L-PACK', trace, today: '2026-11-20', brands: [] });
  t.strictSame(
    summary.timeline.map((step) => step.place),
    ['slaughterhouse street 1', '重庆市万州区', null, '重庆市奉节县'],
    'the maker’s address; the others’ county (none for a code not in the region list)',
  );
  t.notMatch(JSON.stringify(summary), /distributor street|logistics street|retailer street/);
});

t.test('lotSummary: a standing failed test of any lot of the chain warns, a settled one does not', async (t) => {
  const warningsOf = (failedLots: string[], trace = chain()) =>
    lotSummary({ lotCode: 'L-PACK', trace, today: '2026-11-20', brands: [], failedLots: new Set(failedLots) }).warnings;
  t.strictSame(warningsOf([]), [], 'no standing failure on the chain');
  t.strictSame(warningsOf(['L-FARM-1']), ['held'], 'a raw lot the pack was made from failed a test');
  t.strictSame(warningsOf(['L-CARCASS', 'L-PACK']), ['held'], 'one warning, however many lots failed');
  t.strictSame(warningsOf(['L-ELSEWHERE']), [], 'a lot not on the chain is none of the pack’s business');
  // a failure of the lot itself that a re-test settled: the trace still shows the failed inspection
  const retested = chain();
  retested.nodes[0].inspections.push({ ...inspection('E-FAIL', '2026-10-25T07:00:00.000Z', 'sampling'), result: 'fail' });
  t.strictSame(warningsOf([], retested), [], 'settled by a later pass: no warning');
  t.strictSame(warningsOf(['L-PACK'], retested), ['held'], 'standing: the warning');
  const onHold = chain();
  onHold.nodes[0].onHold = true;
  t.strictSame(warningsOf(['L-FARM-2'], onHold), ['on_hold', 'held'], 'held for sale and failed: both');
});

/** A case's backward trace: L-PACK packed in it, L-OTHER packed and unpacked since, each made from its raw lot. */
function caseChain(): Trace {
  const trace = chain();
  trace.nodes = [
    { ...trace.nodes[0], code: 'C-CASE', kind: 'container' },
    ...trace.nodes.map((node) => ({ ...node, depth: node.depth + 1 })),
    { ...trace.nodes[0], code: 'L-OTHER', depth: 1 },
    { ...trace.nodes[2], code: 'L-OTHER-RAW', depth: 2, certificates: [{ type: 'quarantine_certificate', number: 'Q-OTHER' }] },
  ];
  trace.edges = [
    ...trace.edges,
    edge('L-PACK', 'C-CASE', 'aggregate'),
    edge('L-OTHER', 'C-CASE', 'aggregate', 'unpacked'),
    edge('L-OTHER-RAW', 'L-OTHER'),
  ];
  return trace;
}

t.test('lotSummary: a case warns of a failed test of what it holds now, not of a lot unpacked from it', async (t) => {
  const trace = caseChain();
  const warningsOf = (failedLots: string[], of = trace) =>
    lotSummary({ lotCode: 'C-CASE', trace: of, today: '2026-11-20', brands: [], failedLots: new Set(failedLots) }).warnings;
  t.strictSame(warningsOf(['L-PACK']), ['held'], 'a lot it holds');
  t.strictSame(warningsOf(['L-FARM-1']), ['held'], 'a raw lot of a lot it holds');
  t.strictSame(warningsOf(['L-OTHER']), [], 'a lot unpacked from it');
  t.strictSame(warningsOf(['L-OTHER-RAW']), [], 'nor what that lot was made from');
  const repacked = { ...trace, edges: [...trace.edges, edge('L-OTHER', 'C-CASE', 'aggregate')] };
  t.strictSame(warningsOf(['L-OTHER'], repacked), ['held'], 'packed into it again: it holds it now');

  // its farms and certificates, by the same rule
  const summaryOf = (of: Trace) => lotSummary({ lotCode: 'C-CASE', trace: of, today: '2026-11-20', brands: [], failedLots: new Set() });
  t.equal(summaryOf(trace).origins.length, 2, 'the farms of the lot it holds, not the unpacked lot’s');
  t.notOk(
    summaryOf(trace).certificates.some((certificate) => certificate.number === 'Q-OTHER'),
    'nor the unpacked lot’s certificates',
  );
  t.equal(summaryOf(repacked).origins.length, 3, 'packed into it again: its farm too');
  t.ok(
    summaryOf(repacked).certificates.some((certificate) => certificate.number === 'Q-OTHER'),
    'and its certificate',
  );

  // its tests, by the same rule: those of what it holds and what that was made from
  trace.events = [
    ...trace.events,
    inspectEvent('E-OTHER', '2026-10-21T07:00:00.000Z', ABATTOIR, ['L-OTHER'], { inspection: { kind: 'self', result: 'fail' } }),
  ];
  const testTimes = (of: Trace) =>
    lotSummary({ lotCode: 'C-CASE', trace: of, today: '2026-11-20', brands: [], failedLots: new Set() }).tests.map((test) => test.time);
  t.strictSame(
    testTimes(trace),
    ['2026-10-12T23:40:00.000Z', '2026-10-20T07:00:00.000Z', '2026-10-30T07:00:00.000Z'],
    'the tests of the lot it holds and of its raw lots, not the unpacked lot’s',
  );
  t.strictSame(
    testTimes({ ...trace, edges: [...trace.edges, edge('L-OTHER', 'C-CASE', 'aggregate')] }).length,
    4,
    'packed into it again: its test too',
  );
});

t.test('lotSummary: a case’s steps and cold chain are those of what it holds now and its own', async (t) => {
  const trace = caseChain();
  /**
   * An event of the type on the lots at the hour of 2026-10-20 (UTC), with temperature readings; each reading
   * by a logger of its own, so a step of its own (one party's logs one after another are one step).
   */
  const step = (type: 'commission' | 'transform' | 'observe' | 'receive', hour: number, lotCodes: string[], celsius: number[] = []) => ({
    ...inspectEvent(
      `E-${type}-${hour}`,
      `2026-10-20T${String(hour).padStart(2, '0')}:00:00.000Z`,
      type === 'observe' ? `P-LOGGER-${hour}` : ABATTOIR,
      lotCodes,
      {
        readings: celsius.map((value) => ({ type: 'temperature', value, unit: 'Cel' })),
      },
    ),
    type,
  });
  trace.events = [
    step('commission', 1, ['L-OTHER-RAW']),
    step('transform', 2, ['L-OTHER-RAW', 'L-OTHER']),
    step('transform', 3, ['L-CARCASS', 'L-PACK']),
    step('observe', 4, ['L-OTHER'], [30]),
    step('observe', 5, ['L-PACK'], [3]),
    step('receive', 6, ['L-OTHER', 'L-PACK']),
    step('observe', 7, ['C-CASE'], [4]),
    step('receive', 8, ['L-OTHER', 'L-ELSEWHERE']),
    step('observe', 9, ['L-OTHER'], [25]),
  ];
  // a reading of the pallet the case lies on, which the resolver finds for the time it lay there
  const containerReadings = [step('observe', 10, ['C-PALLET'], [6])];
  const summaryOf = (of: Trace) => lotSummary({ lotCode: 'C-CASE', trace: of, today: '2026-11-20', brands: [], containerReadings });
  const hours = (of: Trace) => summaryOf(of).timeline.map((step) => new Date(step.time).getUTCHours());
  t.strictSame(
    hours(trace),
    [3, 5, 6, 7, 10],
    'the making and reading of the lot it holds, a receipt of both lots, its own reading and its pallet’s; none of the unpacked lot’s alone',
  );
  t.strictSame(summaryOf(trace).coldChain, { readings: 3, minCelsius: 3, maxCelsius: 6, withinLimits: true });
  const repacked = { ...trace, edges: [...trace.edges, edge('L-OTHER', 'C-CASE', 'aggregate')] };
  t.strictSame(hours(repacked), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'packed into it again: the other lot’s too');
  t.match(summaryOf(repacked).coldChain, { readings: 5, maxCelsius: 30, withinLimits: false });
});

t.test('lotSummary: a case shows no step of a lot unpacked from it that only used a lot it holds, nor draws it', async (t) => {
  const trace = caseChain();
  // lot L-OTHER was made from L-FARM-1 too, whose other lot the case still holds
  trace.edges.push(edge('L-FARM-1', 'L-OTHER'));
  const hour = (h: number) => new Date(`2026-10-20T${String(h).padStart(2, '0')}:00:00.000Z`);
  /**
   * An event at the hour of 2026-10-20 (UTC) naming the lots in their roles, with temperature readings (each by a logger
   * of its own, so a step of its own) or a transformationID.
   */
  const step = (
    type: 'transform' | 'observe',
    h: number,
    lots: [string, 'input' | 'output' | 'subject'][],
    extra: { celsius?: number[]; transformationID?: string } = {},
  ) => ({
    ...inspectEvent(`E-${type}-${h}`, hour(h).toISOString(), type === 'observe' ? `P-LOGGER-${h}` : ABATTOIR, [], {
      readings: (extra.celsius ?? []).map((value) => ({ type: 'temperature', value, unit: 'Cel' })),
      ...(extra.transformationID ? { epcis: { type: 'TransformationEvent', transformationID: extra.transformationID } } : {}),
    }),
    type,
    lots: lots.map(([lotCode, role]) => ({ lotCode, role, quantity: null })),
  });
  const pallet = step(
    'observe',
    10,
    [
      ['C-PALLET', 'subject'],
      ['L-OTHER', 'subject'],
    ],
    { celsius: [9] },
  );
  trace.events = [
    step('transform', 1, [
      ['L-FARM-1', 'input'],
      ['L-FARM-2', 'input'],
      ['L-CARCASS', 'output'],
    ]),
    step('transform', 2, [
      ['L-FARM-1', 'input'],
      ['L-OTHER-RAW', 'input'],
      ['L-OTHER', 'output'],
    ]),
    // an EPCIS transformation in two halves, of its inputs and of its outputs
    step('transform', 3, [['L-CARCASS', 'input']], { transformationID: 'T-PACK' }),
    step('transform', 4, [['L-PACK', 'output']], { transformationID: 'T-PACK' }),
    step('transform', 5, [['L-FARM-1', 'input']], { transformationID: 'T-OTHER' }),
    step('transform', 6, [['L-OTHER', 'output']], { transformationID: 'T-OTHER' }),
    step('observe', 7, [['L-OTHER', 'subject']], { celsius: [15] }), // inside the case
    step('observe', 9, [['L-OTHER', 'subject']], { celsius: [25] }), // unpacked, in another container
    pallet, // the pallet's reading, which also names the unpacked lot lying beside it
  ];
  const summary = lotSummary({
    lotCode: 'C-CASE',
    trace,
    today: '2026-11-20',
    brands: [],
    containerReadings: [pallet],
  });
  t.strictSame(
    summary.timeline.map((shown) => new Date(shown.time).getUTCHours()),
    [1, 3, 4, 10],
    'the making of what it holds, both halves of its transformation, and its pallet’s reading; not the unpacked lot’s making nor its readings',
  );
  t.strictSame(summary.coldChain, { readings: 1, minCelsius: 9, maxCelsius: 9, withinLimits: false });
  // upstream lots are drawn by public ids (n1, n2, …): what it holds is the case's lot, its carcass and two farms' lots
  t.strictSame(
    summary.lineage.nodes.map((shown) => shown.code),
    ['n1', 'n2', 'n3', 'n4', 'C-CASE'],
    'its chain draws neither the unpacked lot nor what only it was made from',
  );
  t.equal(summary.lineage.edges.length, 4, 'the edges of what it holds');

  const repacked = { ...trace, edges: [...trace.edges, edge('L-OTHER', 'C-CASE', 'aggregate')] };
  const again = lotSummary({ lotCode: 'C-CASE', trace: repacked, today: '2026-11-20', brands: [], containerReadings: [pallet] });
  t.strictSame(
    again.timeline.map((shown) => new Date(shown.time).getUTCHours()),
    [1, 2, 3, 4, 5, 6, 7, 9, 10],
    'packed into it again: all of the other lot’s',
  );
  t.equal(again.coldChain?.readings, 3, 'the pallet’s reading once, as the lot’s own event');
  t.equal(again.lineage.nodes.length, 7, 'and drawn in it, with what it was made from');
  t.notOk(JSON.stringify(again.lineage).includes('L-'), 'by public ids, never an upstream lot code');
});

// An upstream party's lot codes are its own: with one, anyone could file a complaint against its lot.
t.test('lotSummary: the chain names upstream lots by public ids in chain order, never by code; the scanned lot by its own', async (t) => {
  const trace = chain();
  trace.products = [
    { code: 'PR-PIG', name: '生猪', gtin: null, category: 'live_pig', marks: [] },
    { code: 'PR-CARCASS', name: '白条猪', gtin: null, category: 'carcass', marks: [] },
  ] as Trace['products'];
  trace.nodes = trace.nodes.map((node) => ({
    ...node,
    productCode: node.code.startsWith('L-FARM') ? 'PR-PIG' : node.code === 'L-CARCASS' ? 'PR-CARCASS' : null,
  }));
  // listed in no particular order, as the trace may list them
  trace.nodes.reverse();
  const summary = lotSummary({ lotCode: 'L-PACK', trace, today: '2026-11-20', brands: [], failedLots: new Set() });
  t.strictSame(summary.lineage, {
    nodes: [
      { code: 'n1', depth: 2, label: '生猪', stage: 'farm' },
      { code: 'n2', depth: 2, label: '生猪', stage: 'farm' },
      { code: 'n3', depth: 1, label: '白条猪', stage: 'slaughter' },
      { code: 'L-PACK', depth: 0, label: '未登记品名', stage: 'slaughter' },
    ],
    edges: [
      { from: 'n1', to: 'n3' },
      { from: 'n2', to: 'n3' },
      { from: 'n3', to: 'L-PACK' },
    ],
  });
  const json = consumerSummaryJson(summary, { code: 'K7QM2XR9P4D', scans: { count: 1, firstScannedAt: null }, flagged: false }).toString();
  for (const code of ['L-FARM-1', 'L-FARM-2', 'L-CARCASS']) t.notOk(json.includes(code), `the JSON never names ${code}`);
  t.equal(parse(Buffer.from(json)).lot.code, 'L-PACK', 'the scanned lot is what the pack is: its code stays');
});

t.test('consumerSummaryJson: a pack in a held, recalled or destroyed container warns; the lot’s other packs do not', async (t) => {
  const lot = demoLot();
  const warningsOf = (pack: PackFacts, summary = lot) => parse(consumerSummaryJson(summary, pack)).warnings;
  const inContainer = (state: Partial<NonNullable<PackFacts['container']>>, flagged = false): PackFacts => ({
    ...demoPack(),
    flagged,
    container: { onHold: false, recalled: false, destroyed: false, ...state },
  });
  t.strictSame(warningsOf(inContainer({ onHold: true })), ['on_hold']);
  t.strictSame(warningsOf(inContainer({ recalled: true })), ['recalled']);
  t.strictSame(warningsOf(inContainer({ onHold: true, recalled: true })), ['recalled', 'on_hold']);
  t.strictSame(warningsOf(inContainer({ destroyed: true })), ['destroyed'], 'a destroyed container took the pack with it');
  t.strictSame(warningsOf(demoPack()), [], 'another pack of the lot, not in that container: none');
  t.strictSame(warningsOf(inContainer({})), []);
  t.strictSame(lot.warnings, [], 'the shared lot summary is not changed by a pack');
  t.strictSame(
    warningsOf(inContainer({ onHold: true }), { ...demoLot(), warnings: ['on_hold', 'expired'] }),
    ['on_hold', 'expired'],
    'a lot held itself: one banner, in its place',
  );
  t.strictSame(
    warningsOf(inContainer({ onHold: true }), { ...demoLot(), warnings: ['held'] }),
    ['on_hold', 'held'],
    'in the order of the lot’s own warnings',
  );
  t.strictSame(
    warningsOf(inContainer({ destroyed: true }), { ...demoLot(), warnings: ['expired'] }),
    ['expired', 'destroyed'],
    'a destroyed container: in the order of the lot’s own too',
  );
  t.strictSame(
    warningsOf(inContainer({ onHold: true }, true)),
    ['on_hold'],
    'a pack in a held container is out of circulation: never also called counterfeit',
  );
  t.strictSame(warningsOf(inContainer({ destroyed: true }, true)), ['destroyed'], 'nor one in a destroyed container');
});

t.test('lotSummary: a recalled lot’s hazards, of the recalls that reached it, each once, never their reasons', async (t) => {
  const recallEvent = (id: string, time: string, lotCodes: string[], hazard: string) => ({
    ...inspectEvent(id, time, ABATTOIR, lotCodes, { recallId: id, phase: 'open', reason: '内部原因', hazard }),
    type: 'recall' as const,
    bizStep: 'holding',
    disposition: 'recalled',
  });
  const recalled = (events: Trace['events'], status = 'recalled') => {
    const trace = chain();
    trace.nodes[0] = { ...trace.nodes[0], status };
    trace.events.push(...events);
    return lotSummary({ lotCode: 'L-PACK', trace, today: '2026-11-20', brands: [] });
  };
  const events = [
    recallEvent('R-2', '2026-11-03T00:00:00.000Z', ['L-CARCASS', 'L-PACK'], '沙门氏菌超标'),
    recallEvent('R-1', '2026-11-02T00:00:00.000Z', ['L-PACK'], '过敏原未标示'),
    recallEvent('R-3', '2026-11-04T00:00:00.000Z', ['L-PACK'], '过敏原未标示'),
    recallEvent('R-FARM', '2026-11-01T00:00:00.000Z', ['L-FARM-1'], '另一批次的问题'),
    { ...recallEvent('R-WRONG', '2026-11-05T00:00:00.000Z', ['L-PACK'], '记错的召回'), declaredInErrorBy: 'R-WRONG#error' },
    { ...recallEvent('R-CLOSE', '2026-11-06T00:00:00.000Z', ['L-PACK'], '关闭'), disposition: null },
  ];
  const summary = recalled(events);
  t.strictSame(
    summary.recallHazards,
    ['过敏原未标示', '沙门氏菌超标'],
    'in the order the recalls opened, each once; not of a recall that did not reach the lot, one declared in error, or a closing',
  );
  t.notMatch(JSON.stringify(summary), '内部原因', 'never a reason');
  t.strictSame(recalled(events, 'destroyed').recallHazards, [], 'a lot no longer recalled: none');
  t.strictSame(recalled([]).recallHazards, [], 'recalled without a recall in its trace: none');
});

t.test('consumerSummaryJson: a pack’s recall hazards are its lot’s and those of a recalled container it lies in, each once', async (t) => {
  const lot = { ...demoLot(), warnings: ['recalled' as const], recallHazards: ['过敏原未标示'] };
  const hazardsOf = (pack: PackFacts) => parse(consumerSummaryJson(lot, pack)).recallHazards;
  const inCase = (recallHazards: string[]): PackFacts => ({
    ...demoPack(),
    container: { onHold: false, recalled: true, destroyed: false, recallHazards },
  });
  t.strictSame(hazardsOf(demoPack()), ['过敏原未标示']);
  t.strictSame(hazardsOf(inCase(['外箱破损', '过敏原未标示'])), ['过敏原未标示', '外箱破损']);
  t.strictSame(parse(consumerSummaryJson(demoLot(), inCase(['外箱破损']))).recallHazards, ['外箱破损'], 'a lot not recalled itself');
  t.strictSame(lot.recallHazards, ['过敏原未标示'], 'the shared lot summary is not changed by a pack');
});

t.test('lotSummary: temperature logs of one party and place one after another are one step; anything between ends it', async (t) => {
  const time = (hour: number) => `2026-10-20T${String(hour).padStart(2, '0')}:00:00.000Z`;
  const log = (hour: number, celsius: number[], partyCode = ABATTOIR) => ({
    ...inspectEvent(`E-LOG-${hour}`, time(hour), partyCode, ['L-PACK'], {
      readings: celsius.map((value) => ({ type: 'temperature', value, unit: 'Cel' })),
    }),
    type: 'observe' as const,
  });
  const shipped = (hour: number) => ({ ...inspectEvent(`E-SHIP-${hour}`, time(hour), ABATTOIR, ['L-PACK'], {}), type: 'ship' as const });
  const sighted = (hour: number) => ({ ...log(hour, []), bizStep: 'storing' });
  const timelineOf = (events: Trace['events']) =>
    lotSummary({ lotCode: 'L-PACK', trace: { ...chain(), events }, today: '2026-11-20', brands: [] }).timeline;

  const five = timelineOf([log(1, [3]), log(2, [2.5]), log(3, [4]), log(4, [3.5]), log(5, [2])]);
  t.strictSame(
    five.map((step) => [step.action, step.time, step.temperatures]),
    [['observe', time(1), { readings: 5, lastTime: time(5), minCelsius: 2, maxCelsius: 4 }]],
    'five logs: one step of five readings, from the first to the last, with their range',
  );
  t.strictSame(
    timelineOf([log(1, [3]), shipped(2), log(3, [5])]).map((step) => [step.time, step.temperatures?.readings]),
    [
      [time(1), 1],
      [time(3), 1],
    ],
    'a log, a shipment, a log: two steps',
  );
  t.strictSame(
    timelineOf([log(1, [3, 4]), sighted(2), sighted(3), log(4, [5])]).map((step) => [step.action, step.temperatures?.readings]),
    [
      ['observe', 2],
      ['stored', undefined],
      ['observe', 1],
    ],
    'a sighting shown between them ends it',
  );
  t.strictSame(
    timelineOf([log(1, [3]), log(2, [4], FARM_1), log(3, [5])]).map((step) => step.temperatures?.readings),
    [1, 1, 1],
    'so does another party’s log',
  );
});

t.test('lotSummary: built once per trace and container readings, each list of readings its own summary', async (t) => {
  const trace = chain();
  const reading = (celsius: number) => ({
    ...inspectEvent(`E-OBS-${celsius}`, '2026-11-19T10:00:00.000Z', ABATTOIR, ['C-PALLET'], {
      readings: [{ type: 'temperature', value: celsius, unit: 'Cel' }],
    }),
    type: 'observe' as const,
  });
  const cold = [reading(3)];
  const summaryWith = (containerReadings: Trace['events']) =>
    lotSummary({ lotCode: 'L-PACK', trace, today: '2026-11-20', brands: [], containerReadings });
  const first = summaryWith(cold);
  t.equal(summaryWith(cold), first, 'the same trace and readings: the summary already built');
  t.match(first.coldChain, { maxCelsius: 3, withinLimits: true });
  t.match(summaryWith([reading(15)]).coldChain, { maxCelsius: 15, withinLimits: false }, 'other readings: a summary of their own');
  t.equal(summaryWith(cold), first, 'which leaves the first one built');
});
