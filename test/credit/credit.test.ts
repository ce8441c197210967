// Enterprise credit on a small world with known failings, checked against a score worked out by
// hand from the weights the README documents; then the routes: who sees which score, the list by
// grade, a recompute run kept as history, and the grade on the consumer page when it is turned on.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Principal } from '../../src/access/index.js';
import { newPartyCode } from '../../src/codes/service-codes.js';
import { createCreditRepository } from '../../src/credit/repository.js';
import { createCreditService } from '../../src/credit/service.js';
import { queryRows } from '../../src/db/client.js';
import { createFiguresRepository } from '../../src/figures/repository.js';
import { lotsWithGaps } from '../../src/figures/service.js';
import { DEFAULT_YIELD_ALLOWANCES } from '../../src/lots/ledger.js';
import { createScansRepository } from '../../src/scans/repository.js';
import { type ChainParty, createChain, narrow, REGULATOR } from '../fixtures/chain.js';
import { at, createWorld } from '../fixtures/world.js';
import { buildTestApp, client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Event times written with the +08:00 offset, as a phone in the county would. */
const chinaTime = (ms: number) => new Date(ms + 8 * HOUR).toISOString().replace('.000Z', '+08:00');

t.test('a credit score on a small world equals the hand computation', async (t) => {
  let clock = Date.parse('2026-03-01T00:00:00Z');
  const now = () => new Date(clock);
  const { app, adminKey, database } = await buildTestApp(t, undefined, { now, showCreditGrade: true });
  const chain = createChain(database, { now });
  const { services } = chain;

  /** Records an event an hour after the last one, as it happens (not late). */
  const record = (party: ChainParty, body: Record<string, unknown>) => {
    clock += HOUR;
    return party.event({ eventTime: chinaTime(clock - HOUR / 2), ...body });
  };
  const commission = async (party: ChainParty, productCode: string, quantity: number) =>
    (await record(party, { type: 'commission', lots: [{ productCode, quantity }] })).createdLotCodes[0] as string;
  const inspect = (party: ChainParty, lotCode: string, result: 'pass' | 'fail') =>
    record(party, { type: 'inspect', lotCodes: [lotCode], inspection: { kind: 'self', result } });

  const farm = await chain.party('farm');
  const processor = await chain.party('processor');
  const lab = await chain.party('lab');
  const pigs = await farm.product('head');
  const raw = await processor.product('kg');
  const cured = await processor.product('kg');

  // 2 failed inspections of the processor's lots stand; a third lot's failure is settled by its re-test that passed
  const rawLot = await commission(processor, raw, 600);
  const otherRaw = await commission(processor, raw, 200);
  const retested = await commission(processor, raw, 100);
  await inspect(processor, rawLot, 'fail');
  await inspect(processor, otherRaw, 'fail');
  await inspect(processor, retested, 'fail');
  await inspect(processor, retested, 'pass');
  // 1 mass-balance gap: 600 kg cannot become 900 kg when nothing may be gained
  const [inflated] = (
    await record(processor, {
      type: 'transform',
      inputs: [{ lotCode: rawLot, quantity: 600 }],
      outputs: [{ productCode: cured, quantity: 900 }],
    })
  ).createdLotCodes as string[];
  // 1 upheld complaint about one of its packs, and one dismissed
  const [pack] = await processor.items(inflated, 1);
  for (const outcome of ['upheld', 'dismissed'] as const) {
    // two shoppers' complaints (one shopper's same complaint twice within ten minutes is the one filed)
    const { ticket } = await services.complaints.file({ code: pack, category: 'quality', text: `有异味（${outcome}）` }, '203.0.113.9');
    await services.complaints.transition(REGULATOR, ticket, 'resolved', '已核实', outcome);
  }
  // 1 level-2 recall the processor opens on its own lot
  clock += HOUR;
  await services.recalls.open(processor.principal, { lotCodes: [otherRaw], level: 2, reason: '检出异物', hazard: '金属碎片' });
  // 1 shipment to the processor it never books in
  const farmLot = await commission(farm, pigs, 10);
  await record(farm, { type: 'ship', toPartyCode: processor.code, lines: [{ lotCode: farmLot }] });
  // and a shipment of nothing, as the writer stored some before it refused them: no receipt can
  // take it and the processor cannot see it, so it is not a delivery the processor failed to book in
  const nothing = randomUUID();
  await database.db.execute(
    sql`insert into shipments (id, ship_event_id, from_party_code, to_party_code, status, shipped_at)
      select ${nothing}, ship_event_id, from_party_code, to_party_code, 'open', shipped_at from shipments where to_party_code = ${processor.code}`,
  );
  await database.db.execute(
    sql`insert into shipment_lines (shipment_id, lot_code, quantity, party_code, position) values (${nothing}, ${farmLot}, 0, ${farm.code}, 0)`,
  );
  // 1 event recorded 100 hours after it happened (after its lot was made)
  clock += 100 * HOUR;
  await processor.event({
    type: 'inspect',
    eventTime: chinaTime(clock - 100 * HOUR),
    lotCodes: [inflated],
    inspection: { kind: 'self', result: 'pass' },
  });

  // scored 30 days on, so the shipment has been open longer than 7 days
  clock += 30 * DAY;
  const credit = createCreditService({
    credit: narrow(createCreditRepository(database.db), [
      'enterprises',
      'failedInspections',
      'upheldComplaints',
      'recallsByLevel',
      'unreceivedShipments',
      'lateRecords',
      'insertScores',
      'history',
      'latestGrade',
    ]),
    figures: narrow(createFiguresRepository(database.db), ['ledgers', 'transformations']),
    scans: narrow(createScansRepository(database.db), ['countBrandMisuseByParty']),
    transaction: (work) => database.db.transaction((tx) => work(tx as unknown as typeof database.db)),
    audit: services.audit,
    yieldAllowances: DEFAULT_YIELD_ALLOWANCES,
    now,
  });

  // the README's weights: failed inspection 5, upheld complaint 3, level-2 recall 10, gap 4, unreceived shipment 2, late record 1
  const byHand = 100 - 2 * 5 - 1 * 3 - 1 * 10 - 1 * 4 - 1 * 2 - 1 * 1;
  t.equal(byHand, 70);
  const score = await credit.get(REGULATOR, processor.code);
  t.equal(score.score, byHand, 'the service finds the hand computed score');
  t.equal(score.grade, 'C', '60 ≤ 70 < 75');
  const counts = Object.fromEntries(score.factors.map((factor) => [factor.key, [factor.count, factor.contribution]]));
  t.same(counts, {
    failed_inspections: [2, -10],
    upheld_complaints: [1, -3],
    recalls_level_1: [0, 0],
    recalls_level_2: [1, -10],
    recalls_level_3: [0, 0],
    mass_balance_gaps: [1, -4],
    unreceived_shipments: [1, -2],
    late_records: [1, -1],
    brand_misuse: [0, 0],
  });
  t.equal(score.periodTo.getTime() - score.periodFrom.getTime(), 365 * DAY, 'the last 365 days');
  t.match(score.formula, /min\(weight × count, cap\)/);
  t.same((await credit.get(REGULATOR, farm.code)).score, 100, 'the farm has a clean record');
  await t.rejects(
    credit.get(REGULATOR, lab.code),
    { status: 404, message: /labs and regulators have no credit score/ },
    'labs have no credit score',
  );
  await t.rejects(
    credit.get(farm.principal, processor.code),
    { status: 403, message: /may not read the credit/ },
    'an operator does not see another party’s score',
  );
  t.equal((await credit.get(processor.principal, processor.code)).score, 70, 'an enterprise sees its own');

  // a year later the period has moved past every failing
  clock += 366 * DAY;
  t.equal((await credit.get(REGULATOR, processor.code)).score, 100, 'failings older than 365 days no longer count');
  clock -= 366 * DAY;

  // the routes: keys for the regulator and both enterprises
  const admin = client(app, adminKey);
  const keyOf = async (body: Record<string, unknown>) => (await admin.post('/api-keys', body)).body.key as string;
  const regulator = client(app, await keyOf({ role: 'regulator' }));
  const processorApi = client(app, await keyOf({ role: 'operator', partyCode: processor.code }));
  const farmApi = client(app, await keyOf({ role: 'operator', partyCode: farm.code }));

  const own = await processorApi.get(`/credit/${processor.code}`);
  t.equal(own.status, 200, 'an enterprise reads its own score');
  t.equal(own.body.score, 70);
  t.same(
    own.body.factors.find((factor: { key: string }) => factor.key === 'recalls_level_2'),
    {
      key: 'recalls_level_2',
      label: { zh: '二级召回', en: 'Level 2 recalls of its lots' },
      count: 1,
      weight: 10,
      cap: 30,
      contribution: -10,
    },
  );
  t.equal((await farmApi.get(`/credit/${processor.code}`)).status, 403, 'not another’s');
  t.equal((await farmApi.get(`/credit/${processor.code}/history`)).status, 403, 'nor its history');
  t.equal((await farmApi.get('/credit')).status, 403, 'operators do not list');
  t.equal((await farmApi.post('/credit/recompute', {})).status, 403, 'nor recompute');
  t.equal((await regulator.get('/credit/NO-SUCH-PARTY')).status, 404);
  // a blank code names no party: not the first enterprise's score, nor an empty history
  for (const path of ['/credit/%20', '/credit/%E3%80%80', '/credit/%20/history']) {
    const blank = await regulator.get(path);
    t.equal(blank.status, 400, `${path}: 400`);
    t.match(blank.body.errors, [{ in: 'params', pointer: '/partyCode' }], `${path}: at /partyCode`);
  }
  // a party code with a sound check character that names no party has no history either, as it has no score
  const noSuchParty = newPartyCode('farm', farm.code.slice(1, 7));
  for (const path of [`/credit/${noSuchParty}`, `/credit/${noSuchParty}/history`, '/credit/NO-SUCH-PARTY/history']) {
    const unknown = await regulator.get(path);
    t.equal(unknown.status, 404, `${path}: 404`);
    t.match(unknown.headers['content-type'], /^application\/problem\+json/);
  }
  t.equal((await regulator.get(`/credit/${lab.code}/history`)).status, 404, 'a lab has no credit history');

  const gradeC = await regulator.get('/credit?grade=C');
  t.equal(gradeC.status, 200);
  t.same(
    gradeC.body.items.map((row: { partyCode: string }) => row.partyCode),
    [processor.code],
    'the list by grade',
  );
  t.equal((await regulator.get('/credit?grade=E')).status, 400);

  // history: two recompute runs a day apart, with a failing in between
  t.same((await regulator.get(`/credit/${processor.code}/history`)).body.items, [], 'nothing stored before a run');
  const consumer = client(app);
  t.notMatch((await consumer.get(`/t/${pack}?format=html`)).body, /信用等级/, 'no grade on the page before a run');
  const first = await regulator.post('/credit/recompute', {});
  t.equal(first.status, 200);
  t.match(first.body, { enterprises: 2, grades: { A: 1, B: 0, C: 1, D: 0 } }, 'the farm and the processor; not the lab');
  clock += DAY;
  await inspect(processor, inflated, 'fail');
  await regulator.post('/credit/recompute', {});
  const history = await processorApi.get(`/credit/${processor.code}/history`);
  t.same(
    history.body.items.map((row: { score: number; grade: string }) => [row.score, row.grade]),
    [
      [65, 'C'],
      [70, 'C'],
    ],
    'the newest first, the earlier score kept',
  );
  t.equal(await app.services.credit.latestGrade(processor.code), 'C');
  t.match((await consumer.get(`/t/${pack}?format=html`)).body, /生产企业信用等级：C 级/, 'the consumer page shows the last stored grade');
  t.match((await consumer.get(`/t/${pack}?format=html&lang=en`)).body, /Producer credit grade: C/);
  const context = { record: false, region: null, ip: '203.0.113.9', userAgent: null };
  t.equal((await services.resolver.resolveCode(pack, context)).producerGrade, null, 'off by default');
  t.equal(await app.services.credit.latestGrade(lab.code), null, 'no grade for a party never scored');

  // the server's timer stores a run of its own
  credit.start(10);
  while ((await credit.history(REGULATOR, processor.code, 10)).length < 3) {
    clock += HOUR;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await credit.stop();
  t.pass('the timer recomputed and stored the scores');

  const asOperator: Principal = { keyId: 'k', role: 'operator', partyCode: farm.code };
  await t.rejects(app.services.credit.history(asOperator, processor.code, 10), { status: 403, message: /may not read the credit/ });
});

t.test('a recompute run stores the scores of a county with more enterprises than one statement has parameters for', async (t) => {
  const { app, adminKey, database } = await buildTestApp(t);
  // 9,400 farms × 7 columns of credit_scores is more than the 65,535 bind parameters of one statement
  const farms = 9_400;
  await database.db.execute(
    sql`insert into parties (code, kind, name, region_code)
      select 'FARM' || lpad(n::text, 5, '0'), 'farm', '农户 ' || n, '500236' from generate_series(1, ${farms}::int) as n`,
  );
  const regulatorKey = (await client(app, adminKey).post('/api-keys', { role: 'regulator' })).body.key as string;
  const regulator = client(app, regulatorKey);
  const run = await regulator.post('/credit/recompute', {});
  t.equal(run.status, 200, 'the run is stored');
  t.match(run.body, { enterprises: farms, grades: { A: farms } });
  const [stored] = await queryRows<{ scores: number; last: number }>(
    database.db,
    sql`select count(*)::int as scores, count(*) filter (where party_code = 'FARM09400')::int as last from credit_scores`,
  );
  t.same(stored, { scores: farms, last: 1 }, 'a score for every farm, the last one’s too');
  t.match((await regulator.get('/audit/verify?party=system')).body, { ok: true }, 'the run is on the audit log, and verifies');
});

t.test(
  'a failed test counts as the anomalies list it: until a re-test by the lab that failed it, or an independent one, passed',
  async (t) => {
    const world = await createWorld(t, undefined, { now: () => new Date('2026-04-01T00:00:00Z') });
    const plant = await world.party('slaughterhouse');
    const lab = await world.party('lab');
    const product = await plant.product('kg');
    const [labRetested, ownerOverLab, ownRetested] = [
      await plant.commission(product, 10),
      await plant.commission(product, 10),
      await plant.commission(product, 10),
    ];
    const inspect = (actor: typeof plant, lotCode: string, kind: string, result: string, hour: number) =>
      world.ok(
        actor.event({
          type: 'inspect',
          eventTime: at(hour),
          lotCodes: [lotCode],
          inspection: { kind, result, ...(kind === 'third_party' ? { labPartyCode: lab.code } : {}) },
        }),
      );
    const failedInspections = async () =>
      (await world.regulator.get(`/credit/${plant.code}`)).body.factors.find(
        (factor: { key: string }) => factor.key === 'failed_inspections',
      );
    const listed = async () =>
      (await world.regulator.get('/regulator/anomalies')).body.failedInspectionsWithoutHold.map((row: { lotCode: string }) => row.lotCode);

    await inspect(lab, labRetested, 'third_party', 'fail', 100);
    t.match(await failedInspections(), { count: 1, contribution: -5 }, "the lab's failure counts");
    await inspect(lab, labRetested, 'third_party', 'pass', 101);
    t.match(await failedInspections(), { count: 0, contribution: 0 }, "the lab's re-test that passed settles it");
    await inspect(lab, ownerOverLab, 'rapid', 'fail', 102);
    await inspect(plant, ownerOverLab, 'rapid', 'pass', 103);
    await inspect(plant, ownRetested, 'self', 'fail', 104);
    await inspect(plant, ownRetested, 'self', 'pass', 105);
    t.match(
      await failedInspections(),
      { count: 1, contribution: -5 },
      "the owner's pass does not settle a lab's failure; its own re-test settles its own",
    );
    t.strictSame(await listed(), [ownerOverLab], 'the failure the anomalies list, by the same rule');
  },
);

t.test('the mass-balance gaps a score counts are weighed among the lots whose books may not close: the same count', async (t) => {
  const now = () => new Date('2026-04-01T00:00:00Z');
  const world = await createWorld(t, undefined, { now });
  const processor = await world.party('processor');
  const shop = await world.party('retailer');
  const raw = await processor.product('kg');
  const cured = await processor.product('kg');
  // lots that close: one untouched, one sold in part, one shipped to a shop, the raw meat of both transformations
  await processor.commission(raw, 100);
  const sold = await processor.commission(raw, 50);
  await world.ok(processor.event({ type: 'sell', lines: [{ lotCode: sold, quantity: 20 }] }));
  await world.handOver(processor, shop, await processor.commission(raw, 70));
  const rawLot = await processor.commission(raw, 600);
  const honestRaw = await processor.commission(raw, 300);
  // one gap: 600 kg cannot become 900 kg when nothing may be gained; a curing within its allowance made the other
  await processor.transform([{ lotCode: rawLot, quantity: 600 }], [{ productCode: cured, quantity: 900 }]);
  await world.ok(
    processor.event({
      type: 'transform',
      process: { kind: 'curing' },
      inputs: [{ lotCode: honestRaw, quantity: 300 }],
      outputs: [{ productCode: cured, quantity: 180 }],
    }),
  );

  const figures = createFiguresRepository(world.database.db);
  const period = { from: new Date(now().getTime() - 365 * DAY), to: now() };
  for (const partyCode of [processor.code, undefined]) {
    const gaps = async (mayNotClose: boolean) => {
      const ledgers = await figures.ledgers({ createdIn: period, partyCode, mayNotClose });
      const transformations = await figures.transformations(partyCode ? { lotCodes: ledgers.map((lot) => lot.code) } : {});
      return { read: ledgers.length, gaps: lotsWithGaps(ledgers, transformations, DEFAULT_YIELD_ALLOWANCES).map((lot) => lot.lotCode) };
    };
    const [all, narrowed] = [await gaps(false), await gaps(true)];
    t.equal(all.gaps.length, 1, `${partyCode ?? 'every party'}: one lot's books do not close`);
    t.strictSame(narrowed.gaps, all.gaps, 'the same lots weighed among those whose books may not close');
    t.ok(narrowed.read < all.read, `${narrowed.read} of ${all.read} ledgers read`);
  }

  // the score reads the ledgers of those lots only
  const read: number[] = [];
  const credit = createCreditService({
    credit: createCreditRepository(world.database.db),
    figures: {
      ledgers: async (filter) => {
        const ledgers = await figures.ledgers(filter);
        read.push(ledgers.length);
        return ledgers;
      },
      transformations: figures.transformations,
    },
    scans: createScansRepository(world.database.db),
    transaction: (work) => world.database.db.transaction((tx) => work(tx as unknown as typeof world.database.db)),
    audit: world.app.services.audit,
    yieldAllowances: DEFAULT_YIELD_ALLOWANCES,
    now,
  });
  const score = await credit.get(REGULATOR, processor.code);
  t.match(
    score.factors.find((factor) => factor.key === 'mass_balance_gaps'),
    { count: 1, contribution: -4 },
  );
  t.strictSame(read, [(await figures.ledgers({ createdIn: period, partyCode: processor.code, mayNotClose: true })).length]);
});
