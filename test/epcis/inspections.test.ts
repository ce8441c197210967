// An inspection through EPCIS (bizStep inspecting or sampling) meets the native inspect rule: a lab
// or regulator may test any party's lot, and its result shows on the lot's trace as a native one's does;
// its kind and lab are the recording party's own (test/events/inspection-claims.test.ts).
import { captured, epcisDocument, epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const lotOf = (lot: string) => `https://id.gs1.org/01/06901234000016/10/${lot}`;
/** A lot the farm commissions through EPCIS, and its native code. */
async function farmLot(world: World, key: string, lot: string): Promise<string> {
  const { capture } = epcisRequests(world);
  const job = await capture(key, [
    { ...observation(1, { quantityList: [{ epcClass: lotOf(lot), quantity: 10, uom: 'KGM' }] }), action: 'ADD', bizStep: 'commissioning' },
  ]);
  if (!job.success) throw new Error(JSON.stringify(job));
  const trace = await world.regulator.get(`/trace/${encodeURIComponent(lotOf(lot))}?include=graph`);
  return trace.body.nodes[0].code;
}

type Inspection = { kind: string; labPartyCode: string | null; result: string; reportNumber: string | null };
/** The lot's inspections on its trace, without their event ids and times (in report number order). */
async function inspectionsOnTrace(world: World, lot: string) {
  const trace = await world.regulator.get(`/trace/${encodeURIComponent(lotOf(lot))}?include=graph`);
  return (trace.body.nodes[0].inspections as Inspection[])
    .map(({ kind, labPartyCode, result, reportNumber }) => ({
      kind,
      labPartyCode,
      result,
      reportNumber,
    }))
    .sort((a, b) => String(a.reportNumber).localeCompare(String(b.reportNumber)));
}

t.test('a lab’s inspection of another party’s lot: the same answer and trace through both doors', async (t) => {
  const world = await createWorld(t);
  const { post, capture } = epcisRequests(world);
  const farm = await world.party('farm');
  const lab = await world.party('lab');
  const native = await farmLot(world, farm.key, 'INS-N');
  await farmLot(world, farm.key, 'INS-E');

  const failed = { kind: 'third_party', labPartyCode: lab.code, result: 'fail', reportNumber: 'R-1' };
  expectStatus(t, await lab.event({ type: 'inspect', lotCodes: [native], inspection: failed }), 201, 'natively');
  const inspecting = (fields: object) => observation(2, { bizStep: 'inspecting', quantityList: [{ epcClass: lotOf('INS-E') }], ...fields });
  // as a native inspection renders (its own member), and as plain CBV (the disposition it leaves the lot in)
  const member = await post(lab.key, '/epcis/events', inspecting({ disposition: 'non_conformant', 'cntrace:inspection': failed }));
  t.equal(member.statusCode, 201, 'through EPCIS with the inspection member');
  const plain = await capture(lab.key, [inspecting({ eventTime: '2026-03-03T08:00:00+08:00', disposition: 'non_conformant' })]);
  t.match(plain, { success: true, captured: 1 }, 'through EPCIS capture with a CBV disposition only');
  const expected = { kind: 'third_party', labPartyCode: lab.code, result: 'fail' };
  t.same(await inspectionsOnTrace(world, 'INS-N'), [{ ...expected, reportNumber: 'R-1' }], 'the native inspection on the trace');
  t.same(
    await inspectionsOnTrace(world, 'INS-E'),
    [
      { ...expected, reportNumber: null },
      { ...expected, reportNumber: 'R-1' },
    ],
    'the EPCIS inspections on the trace, the same',
  );
  const bureau = await world.party('regulator');
  const regulatorSampled = await capture(bureau.key, [
    observation(4, { bizStep: 'sampling', disposition: 'conformant', quantityList: [{ epcClass: lotOf('INS-E') }] }),
  ]);
  t.match(regulatorSampled, { success: true, captured: 1 }, 'a regulator’s sample is an inspection too');
  t.match(
    (await inspectionsOnTrace(world, 'INS-E')).filter((inspection) => inspection.result === 'pass'),
    [{ kind: 'sampling', labPartyCode: null }],
    'of kind sampling, passed',
  );
});

t.test('an inspection’s kind and lab are the recording party’s own, through both EPCIS doors', async (t) => {
  const world = await createWorld(t);
  const { post, capture } = epcisRequests(world);
  const processor = await world.party('processor');
  const lab = await world.party('lab');
  const otherLab = await world.party('lab');
  const bureau = await world.party('regulator');
  await farmLot(world, processor.key, 'INS-K');
  const inspecting = (day: number, fields: object) =>
    observation(day, { bizStep: 'inspecting', quantityList: [{ epcClass: lotOf('INS-K') }], ...fields });
  const withMember = (day: number, inspection: object) =>
    inspecting(day, { 'cntrace:inspection': { result: 'pass', reportNumber: `R-${day}`, ...inspection } });

  const refusals: [string, string, object, string, RegExp][] = [
    [
      'a processor’s third-party test naming a lab',
      processor.key,
      withMember(2, { kind: 'third_party', labPartyCode: lab.code }),
      '/cntrace:inspection/kind',
      /only a lab records a third_party test/,
    ],
    [
      'a processor’s sampling',
      processor.key,
      withMember(3, { kind: 'sampling' }),
      '/cntrace:inspection/kind',
      /only a regulator records a sampling/,
    ],
    [
      'a processor’s sampling by its business step',
      processor.key,
      inspecting(4, { bizStep: 'sampling', disposition: 'conformant' }),
      '/bizStep',
      /only a regulator records a sampling/,
    ],
    [
      'a processor’s self-test naming a lab',
      processor.key,
      withMember(5, { kind: 'self', labPartyCode: lab.code }),
      '/cntrace:inspection/labPartyCode',
      /only a regulator’s sampling names a lab/,
    ],
    [
      'a lab’s third-party test naming another lab',
      lab.key,
      withMember(6, { kind: 'third_party', labPartyCode: otherLab.code }),
      '/cntrace:inspection/labPartyCode',
      /a lab records its own tests/,
    ],
    [
      'a lab’s sampling by its business step',
      lab.key,
      inspecting(7, { bizStep: 'sampling', disposition: 'non_conformant' }),
      '/bizStep',
      /only a regulator records a sampling/,
    ],
  ];
  for (const [what, key, event, pointer, detail] of refusals) {
    const reply = await post(key, '/epcis/events', event);
    t.equal(reply.statusCode, 403, `${what}: 403 through POST /epcis/events`);
    t.match(reply.json(), { detail, errors: [{ in: 'body', pointer }] }, `${what}: at ${pointer}`);
    const job = await capture(key, [event]);
    t.match(job, { success: false, captured: 0 }, `${what}: refused in a captured document`);
    t.match(job.errors, [{ eventIndex: 0, pointer: `/epcisBody/eventList/0${pointer}`, message: detail }], `${what}: its error`);
  }
  t.same(await inspectionsOnTrace(world, 'INS-K'), [], 'none on the trace');

  t.equal((await post(lab.key, '/epcis/events', withMember(8, { kind: 'third_party' }))).statusCode, 201, 'the lab’s own test');
  const sampled = await capture(bureau.key, [
    withMember(9, { kind: 'sampling', labPartyCode: lab.code }),
    inspecting(10, { bizStep: 'sampling', disposition: 'conformant' }),
  ]);
  t.match(sampled, { success: true, captured: 2 }, 'the regulator’s samplings, one naming the lab that tested it');
  t.same(
    await inspectionsOnTrace(world, 'INS-K'),
    [
      { kind: 'sampling', labPartyCode: null, result: 'pass', reportNumber: null },
      { kind: 'third_party', labPartyCode: lab.code, result: 'pass', reportNumber: 'R-8' },
      { kind: 'sampling', labPartyCode: lab.code, result: 'pass', reportNumber: 'R-9' },
    ],
    'the trace shows those, each naming its lab',
  );
});

t.test('a party that neither owns, holds nor tests as a lab is refused through both doors', async (t) => {
  const world = await createWorld(t);
  const { post, capture } = epcisRequests(world);
  const farm = await world.party('farm');
  const store = await world.party('retailer');
  const code = await farmLot(world, farm.key, 'INS-R');

  const result = { kind: 'self', result: 'fail' };
  const inspecting = observation(2, { bizStep: 'inspecting', disposition: 'non_conformant', quantityList: [{ epcClass: lotOf('INS-R') }] });
  // at the same time: a refusal names the time it held none of the lot at
  const nativeReply = await store.event({ type: 'inspect', eventTime: inspecting.eventTime, lotCodes: [code], inspection: result });
  expectStatus(t, nativeReply, 403, 'natively');
  const epcisReply = await post(store.key, '/epcis/events', inspecting);
  t.equal(epcisReply.statusCode, 403, 'through EPCIS');
  t.equal(epcisReply.json().detail, nativeReply.body.detail.replace(code, lotOf('INS-R')), 'for the same reason');
  t.match(epcisReply.json().errors, [{ pointer: '/quantityList/0/epcClass' }], 'naming the lot where the event names it');
  const job = await capture(store.key, [{ ...inspecting, 'cntrace:inspection': result }]);
  t.match(job, { success: false, captured: 0 }, 'through EPCIS capture');
  t.match(job.errors[0].message, /neither owns nor holds/);
  t.same(await inspectionsOnTrace(world, 'INS-R'), [], 'nothing on the trace');
});

t.test('an EPCIS inspection member is held to the native inspection schema', async (t) => {
  const world = await createWorld(t);
  const { post } = epcisRequests(world);
  const lab = await world.party('lab');
  const reply = await post(
    lab.key,
    '/epcis/events',
    observation(2, {
      bizStep: 'inspecting',
      quantityList: [{ epcClass: lotOf('INS-V') }],
      'cntrace:inspection': { kind: 'self', result: 'maybe' },
    }),
  );
  t.equal(reply.statusCode, 400);
  t.match(reply.json().errors, [{ pointer: '/cntrace:inspection/result' }]);
});

t.test('an EPCIS inspection’s report number and findings hold no bidi or control character, through both doors', async (t) => {
  const world = await createWorld(t);
  const { post } = epcisRequests(world);
  const farm = await world.party('farm');
  const lab = await world.party('lab');
  await farmLot(world, farm.key, 'INS-T');
  const inspecting = (inspection: object) =>
    observation(2, {
      bizStep: 'inspecting',
      quantityList: [{ epcClass: lotOf('INS-T') }],
      'cntrace:inspection': { kind: 'third_party', labPartyCode: lab.code, result: 'pass', ...inspection },
    });
  const reversed = await post(lab.key, '/epcis/events', inspecting({ reportNumber: 'R-1\u202e-2' }));
  t.equal(reversed.statusCode, 400, 'a report number with a right-to-left override');
  t.match(reversed.headers['content-type'], /^application\/problem\+json/);
  t.match(reversed.json().errors, [{ pointer: '/cntrace:inspection/reportNumber', detail: /U\+202E at character 4/ }]);
  const document = await captured(
    world,
    lab.key,
    epcisDocument([inspecting({ items: [{ name: '瘦肉精', result: 'pass', limit: '0.5\u0007' }] })]),
  );
  t.equal(document.reply.statusCode, 400, 'a finding with a control character, in a captured document');
  t.match(document.reply.json().errors, [
    { pointer: '/epcisBody/eventList/0/cntrace:inspection/items/0/limit', detail: /U\+0007 at character 4/ },
  ]);
  t.same(await inspectionsOnTrace(world, 'INS-T'), [], 'neither was recorded');

  const taken = await post(lab.key, '/epcis/events', inspecting({ reportNumber: '渝检 2026-01 号' }));
  t.equal(taken.statusCode, 201, 'a report number in Chinese');
  t.match(await inspectionsOnTrace(world, 'INS-T'), [{ reportNumber: '渝检 2026-01 号' }]);
});

t.test('an inspection that passed with a failed item is refused at its result, through both doors', async (t) => {
  const world = await createWorld(t);
  const { post } = epcisRequests(world);
  const farm = await world.party('farm');
  const lab = await world.party('lab');
  const lot = await farmLot(world, farm.key, 'INS-PF');
  const positive = {
    kind: 'third_party',
    labPartyCode: lab.code,
    result: 'pass',
    items: [
      { name: '莱克多巴胺', value: '阴性', result: 'pass' },
      { name: '盐酸克伦特罗（瘦肉精）', value: '阳性', result: 'fail' },
    ],
  };
  const native = expectStatus(t, await lab.event({ type: 'inspect', lotCodes: [lot], inspection: positive }), 400, 'natively');
  t.match(native.body.errors, [{ pointer: '/inspection/result' }]);
  t.match(native.body.detail, '盐酸克伦特罗（瘦肉精）');
  const member = await post(
    lab.key,
    '/epcis/events',
    observation(2, { bizStep: 'inspecting', quantityList: [{ epcClass: lotOf('INS-PF') }], 'cntrace:inspection': positive }),
  );
  t.equal(member.statusCode, 400, 'through EPCIS');
  t.match(member.json().errors, [{ pointer: '/cntrace:inspection/result' }]);
  const document = epcisDocument([
    observation(2, { bizStep: 'inspecting', quantityList: [{ epcClass: lotOf('INS-PF') }], 'cntrace:inspection': positive }),
  ]);
  const { reply } = await captured(world, lab.key, document);
  t.equal(reply?.statusCode, 400, 'through EPCIS capture');
  t.match(reply?.json().errors, [{ pointer: '/epcisBody/eventList/0/cntrace:inspection/result' }]);
  t.same(await inspectionsOnTrace(world, 'INS-PF'), [], 'nothing stored');
  expectStatus(
    t,
    await lab.event({ type: 'inspect', lotCodes: [lot], inspection: { ...positive, result: 'fail' } }),
    201,
    'a failed inspection with the failed item is stored',
  );
});
